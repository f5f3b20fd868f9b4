#!/bin/sh
# tests/bench/run.sh - masqgen's performance against fixed yardsticks
# (make bench; root). Every row times masqgen and its yardstick in the
# same run, alternating them round by round (so a change of load on the
# machine hits both), and prints the median of each and their ratio:
#
#   check N      masqgen check (parse and evaluate) of N forwards, no yardstick
#   compile N    masqgen generate -t nft of N forwards and its max RSS
#                (/usr/bin/time), no yardstick; always at 100,000 too
#                (goals: 0.4 s and 64 MB), alone when BENCH_SIZES lacks it
#   apply N      masqgen apply of N forwards into an empty namespace, vs
#                nft -f of an expert's one-map ruleset for the same
#                forwards, written by hand_nft below (not masqgen's text)
#   change N     masqgen apply of a policy differing by one forward from
#                the loaded one, vs the full apply of it into an empty
#                namespace
#   change-read N  the same after another program's commit (a table of
#                its own): the loaded elements are read back from the
#                kernel, not taken from masqgen's record (no goal)
#   change-rule N  masqgen apply of a policy with one deny line (a rule in
#                the forward chain) added to the loaded one, vs the full
#                apply of it into an empty namespace (no goal)
#   ipt-apply N  masqgen apply -t iptables, vs iptables-nft-restore (and
#                ip6tables-nft-restore) of masqgen's own generated text
#   show N       masqgen show with N (BENCH_CHANGE) forwards loaded, vs
#                nft list table ip masqgen
#   diff N       masqgen diff of a policy with one forward changed (exit 5),
#                vs the full apply of the change row
#   allow-merge  2,000 lines `allow forward tcp P to H`: rules in the
#                forward chain and apply time
#   connrate     new connections through a lab gateway with 10,000
#                forwards vs one (tests/bench/connrate.sh), nft and iptables
#
# A command that runs in the bench's network namespace is timed inside it
# (elapsed.c), masqgen and its yardstick alike: `ip netns exec` costs a few
# milliseconds around either, which is neither tool's work.
# Each row runs at most BENCH_ROUNDS rounds (default 5) and stops early,
# after at least one, when it has taken BENCH_BUDGET seconds (default
# 60); every command is bounded by BENCH_TIMEOUT seconds (default 300).
# BENCH_SIZES (default "1000 10000 50000 100000") are the forward counts
# of the apply rows, BENCH_CHANGE (default 100000) and BENCH_IPT (default
# 10000) those of the change and iptables rows; BENCH_CONNRATE=0 skips the
# connection rate. Each goal (ARCHITECTURE.md, issue 14) is printed as
# "goal met" or "goal MISSED"; the exit status is 1 when one was missed,
# unless BENCH_REPORT=1 (CI: the numbers are a report, not a test).
# A command that fails ends the bench with status 2 either way.
# shellcheck disable=SC2317 # the round_* functions are called by name (rounds)
set -u
: "${MASQGEN:?MASQGEN must name the masqgen binary}"
: "${BENCH_ROUNDS:=5}"
: "${BENCH_BUDGET:=60}"
: "${BENCH_TIMEOUT:=300}"
: "${BENCH_SIZES:=1000 10000 50000 100000}"
: "${BENCH_CHANGE:=100000}"
: "${BENCH_IPT:=10000}"
: "${BENCH_CONNRATE:=1}"
: "${BENCH_REPORT:=0}"
BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=SCRIPTDIR/../lib-netns.sh
. "$BENCH_DIR/../lib-netns.sh"

if [ "$(id -u)" -ne 0 ]; then
	echo "bench: needs root (network namespaces)" >&2
	exit 2
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/masqgen-bench.XXXXXX")
NS="mgbench-$$"
# shellcheck disable=SC2317 # run by the trap
cleanup() {
	ip netns del "$NS" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 2' INT TERM HUP
netns_state_dirs "$tmp"
mkdir -p "$MASQGEN_STATE_DIR" "$MASQGEN_RUN_DIR"
if ! ${CC:-cc} -O2 -o "$tmp/elapsed" "$BENCH_DIR/elapsed.c" 2>"$tmp/cc.out"; then
	echo "bench: cannot build tests/bench/elapsed.c:" >&2
	head -5 "$tmp/cc.out" >&2
	exit 2
fi

# gen N FILE [CHANGED]: a policy with N forwards (at most 131,000: two
# protocols); CHANGED moves the first forward to another port.
gen() {
	awk -v n="$1" -v changed="${3:-0}" 'BEGIN {
		print "external eth0 dynamic"
		print "internal eth1 10.0.0.1/16"
		for (i = 0; i < n; i++) {
			proto = i % 2 ? "udp" : "tcp"
			port = 1024 + int(i / 2)
			if (i == 0 && changed)
				port = 65535
			host = 2 + i % 60000
			printf "forward %s %d to 10.0.%d.%d\n", proto, port, int(host / 256), host % 256
		}
	}' >"$2"
}

# hand_nft N FILE: what an expert writes by hand for gen's N forwards: one
# map from protocol and port to address and port, DNAT through it, accept
# what was DNATed, masquerade the LAN.
hand_nft() {
	awk -v n="$1" 'BEGIN {
		print "table ip expert {"
		print "\tmap ports {"
		print "\t\ttype inet_proto . inet_service : ipv4_addr . inet_service"
		printf "\t\telements = {"
		for (i = 0; i < n; i++) {
			proto = i % 2 ? "udp" : "tcp"
			port = 1024 + int(i / 2)
			host = 2 + i % 60000
			printf "%s\n\t\t\t%s . %d : 10.0.%d.%d . %d", i ? "," : "", proto, port,
				int(host / 256), host % 256, port
		}
		print "\n\t\t}"
		print "\t}"
		print "\tchain pre {"
		print "\t\ttype nat hook prerouting priority dstnat; policy accept;"
		print "\t\tiifname \"eth0\" fib daddr type local dnat ip to meta l4proto . th dport map @ports"
		print "\t}"
		print "\tchain input {"
		print "\t\ttype filter hook input priority filter; policy drop;"
		print "\t\tiifname \"lo\" accept"
		print "\t\tct state established,related accept"
		print "\t\tiifname \"eth1\" ip saddr 10.0.0.0/16 accept"
		print "\t}"
		print "\tchain forward {"
		print "\t\ttype filter hook forward priority filter; policy drop;"
		print "\t\tct state established,related accept"
		print "\t\tiifname \"eth1\" oifname \"eth0\" ip saddr 10.0.0.0/16 accept"
		print "\t\tct status dnat accept"
		print "\t}"
		print "\tchain post {"
		print "\t\ttype nat hook postrouting priority srcnat; policy accept;"
		print "\t\toifname \"eth0\" ip saddr 10.0.0.0/16 masquerade"
		print "\t}"
		print "}"
	}' >"$2"
}

now_ms() { date +%s%3N; }

median() { sort -n | awk '{ v[NR] = $1 } END { print NR ? v[int((NR + 1) / 2)] : 0 }'; }

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b ? a / b : 0 }'; }

# an empty namespace, and no state of masqgen's for it (the state
# directories themselves stay, as on any machine masqgen ran on before)
fresh_ns() {
	ip netns del "$NS" 2>/dev/null
	ip netns add "$NS" || exit 2
	ip netns exec "$NS" ip link set lo up
	rm -rf "${MASQGEN_STATE_DIR:?}/$NS" "${MASQGEN_RUN_DIR:?}/$NS"
}

# run CMD...: bounded, quiet; a failure ends the bench
run() {
	if ! timeout "$BENCH_TIMEOUT" "$@" >/dev/null 2>"$tmp/err"; then
		echo "bench: '$*' failed:" >&2
		head -5 "$tmp/err" >&2
		exit 2
	fi
}

# time_ms FILE CMD...: run CMD, append its wall milliseconds to FILE
time_ms() {
	_file=$1
	shift
	_t0=$(now_ms)
	run "$@"
	echo $(($(now_ms) - _t0)) >>"$_file"
}

# time_ns FILE CMD...: run CMD in the namespace, append its wall
# milliseconds to FILE, timed inside the namespace by elapsed.c: what
# `ip netns exec` costs around it (a few ms, as much for masqgen as for its
# yardstick, and most of an apply of 1,000 forwards) is neither tool's work
time_ns() {
	_file=$1
	shift
	run ip netns exec "$NS" "$tmp/elapsed" "$_file" "$@"
}

# rounds ROW: alternate round_a_ROW and round_b_ROW (each appends one time
# to $tmp/a or $tmp/b) within BENCH_ROUNDS and BENCH_BUDGET; sets $a and
# $b to the medians.
rounds() {
	: >"$tmp/a"
	: >"$tmp/b"
	_start=$(now_ms)
	_i=0
	while [ "$_i" -lt "$BENCH_ROUNDS" ]; do
		"round_a_$1"
		"round_b_$1"
		_i=$((_i + 1))
		[ $(($(now_ms) - _start)) -ge $((BENCH_BUDGET * 1000)) ] && break
	done
	a=$(median <"$tmp/a")
	b=$(median <"$tmp/b")
}

missed=0
goal() { # OK-CONDITION-EXIT-STATUS TEXT
	if [ "$1" -eq 0 ]; then
		echo "goal met:    $2"
	else
		echo "goal MISSED: $2"
		missed=1
	fi
}

# at_most A B FACTOR: A <= FACTOR * B
at_most() { awk -v a="$1" -v b="$2" -v k="$3" 'BEGIN { exit !(a <= k * b) }'; }

row() { printf '%-12s %8s %-34s %9s %-30s %9s %6s\n' "$@"; }

round_a_check() { time_ms "$tmp/a" "$MASQGEN" check "$pol"; }
round_b_check() { time_ms "$tmp/b" "$MASQGEN" generate -t nft -o "$tmp/out.nft" "$pol"; }
round_a_compile() { time_ms "$tmp/a" "$MASQGEN" generate -t nft -o "$tmp/out.nft" "$pol"; }
round_b_compile() { :; }

# compile_rss: $rss, the max RSS (KB) of one generate -t nft of $pol
compile_rss() {
	run /usr/bin/time -f '%M' -o "$tmp/rss" "$MASQGEN" generate -t nft -o "$tmp/out.nft" "$pol"
	rss=$(tail -n 1 "$tmp/rss")
	case $rss in
	'' | *[!0-9]*)
		echo "bench: /usr/bin/time printed no max RSS: $rss" >&2
		exit 2
		;;
	esac
}

round_a_apply() {
	fresh_ns
	time_ns "$tmp/a" "$MASQGEN" apply "$pol"
}
round_b_apply() {
	fresh_ns
	time_ns "$tmp/b" nft -f "$tmp/hand.nft"
}

# the same file: its name is in every comment
round_a_change() {
	fresh_ns
	gen "$n" "$tmp/change.masq"
	run ip netns exec "$NS" "$MASQGEN" apply "$tmp/change.masq"
	gen "$n" "$tmp/change.masq" 1
	time_ns "$tmp/a" "$MASQGEN" apply "$tmp/change.masq"
}
round_b_change() {
	fresh_ns
	time_ns "$tmp/b" "$MASQGEN" apply "$tmp/change.masq"
}
round_a_reread() {
	fresh_ns
	gen "$n" "$tmp/change.masq"
	run ip netns exec "$NS" "$MASQGEN" apply "$tmp/change.masq"
	run ip netns exec "$NS" nft add table ip other
	gen "$n" "$tmp/change.masq" 1
	time_ns "$tmp/a" "$MASQGEN" apply "$tmp/change.masq"
}
round_b_reread() { :; }
round_a_rule() {
	fresh_ns
	gen "$n" "$tmp/change.masq"
	run ip netns exec "$NS" "$MASQGEN" apply "$tmp/change.masq"
	echo "deny forward from 198.51.100.9" >>"$tmp/change.masq"
	time_ns "$tmp/a" "$MASQGEN" apply "$tmp/change.masq"
}
round_b_rule() {
	fresh_ns
	time_ns "$tmp/b" "$MASQGEN" apply "$tmp/change.masq"
}

round_a_show() { time_ns "$tmp/a" "$MASQGEN" show; }
round_b_show() { time_ns "$tmp/b" nft list table ip masqgen; }
round_a_diff() {
	# shellcheck disable=SC2016 # expanded by that sh
	time_ns "$tmp/a" sh -c '"$0" diff "$1"; [ $? -eq 5 ]' \
		"$MASQGEN" "$tmp/change.masq"
}
round_b_diff() { :; }

round_a_ipt() {
	fresh_ns
	time_ns "$tmp/a" "$MASQGEN" apply -t iptables "$pol"
}
round_b_ipt() {
	fresh_ns
	# shellcheck disable=SC2016 # expanded by that sh
	time_ns "$tmp/b" sh -c \
		'iptables-nft-restore <"$1" && ip6tables-nft-restore <"$2"' \
		sh "$tmp/ipt.rules" "$tmp/ip6t.rules"
}

round_a_merge() {
	fresh_ns
	time_ns "$tmp/a" "$MASQGEN" apply "$tmp/allow.masq"
}
round_b_merge() { :; }

if [ ! -x /usr/bin/time ]; then
	echo "bench: needs /usr/bin/time (Debian package time) for the max RSS" >&2
	exit 2
fi
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg); medians of at most $BENCH_ROUNDS rounds;" \
	"commands in the namespace timed inside it"
row work N masqgen ms yardstick ms ratio
compile100000=
for n in $BENCH_SIZES; do
	pol=$tmp/p$n.masq
	gen "$n" "$pol"
	rounds check
	compile_rss
	row check "$n" "masqgen check" "$a" "-" "-" "-"
	row compile "$n" "masqgen generate -t nft" "$b" "max RSS, KB" "$rss" "-"
	eval "check$n=$a compile$n=$b rss$n=$rss"
	hand_nft "$n" "$tmp/hand.nft"
	rounds apply
	row apply "$n" "masqgen apply" "$a" "nft -f of an expert's file" "$b" "$(ratio "$a" "$b")"
	eval "apply$n=$a nftf$n=$b"
done

if [ -z "$compile100000" ]; then
	n=100000 pol=$tmp/p100000.masq
	gen "$n" "$pol"
	rounds compile
	compile_rss
	compile100000=$a rss100000=$rss
	row compile "$n" "masqgen generate -t nft" "$a" "max RSS, KB" "$rss100000" "-"
fi

n=$BENCH_CHANGE
rounds change
row change "$n" "apply, one forward changed" "$a" "full apply into empty netns" "$b" \
	"$(ratio "$a" "$b")"
change_a=$a change_b=$b
rounds reread
row change-read "$n" "the same after another's commit" "$a" "full apply (change row)" \
	"$change_b" "$(ratio "$a" "$change_b")"
rounds rule
row change-rule "$n" "apply, one deny line added" "$a" "full apply into empty netns" "$b" \
	"$(ratio "$a" "$b")"

# show and diff with the unchanged policy loaded
gen "$n" "$tmp/p$n.masq"
fresh_ns
run ip netns exec "$NS" "$MASQGEN" apply "$tmp/p$n.masq"
rounds show
row show "$n" "masqgen show" "$a" "nft list table" "$b" "$(ratio "$a" "$b")"
show_a=$a show_b=$b
rounds diff
row diff "$n" "diff, one forward changed" "$a" "full apply (change row)" "$change_b" \
	"$(ratio "$a" "$change_b")"
diff_a=$a

n=$BENCH_IPT
pol=$tmp/p$n.masq
gen "$n" "$pol"
run "$MASQGEN" generate -t iptables -o "$tmp/ipt.rules" "$pol"
run "$MASQGEN" generate -t ip6tables -o "$tmp/ip6t.rules" "$pol"
rounds ipt
row ipt-apply "$n" "masqgen apply -t iptables" "$a" "ip(6)tables-nft-restore" "$b" \
	"$(ratio "$a" "$b")"
ipt_a=$a ipt_b=$b

awk 'BEGIN {
	print "external eth0 dynamic"
	print "internal eth1 10.0.0.1/16"
	for (i = 0; i < 2000; i++)
		printf "allow forward tcp %d to 10.0.%d.%d\n", 2000 + i, int(i / 250), 2 + i % 250
}' >"$tmp/allow.masq"
rounds merge
merge_rules=$(ip netns exec "$NS" nft -a list chain ip masqgen forward |
	grep -c '^[[:space:]]*[^c[:space:]].*# handle [0-9]*$')
row allow-merge 2000 "forward rules $merge_rules, apply" "$a" "-" "-" "-"

[ "$compile100000" -le 400 ]
goal $? "compile (generate -t nft) of 100000 forwards <= 0.4 s ($compile100000 ms)"
[ "$rss100000" -le 65536 ]
goal $? "compile of 100000 forwards <= 64 MB max RSS ($rss100000 KB)"
# shellcheck disable=SC2154 # set by eval above
for n in $BENCH_SIZES; do
	eval "a=\$apply$n b=\$nftf$n"
	at_most "$a" "$b" 0.5
	goal $? "apply <= 0.5 x nft -f at $n forwards ($a ms vs $b ms)"
done
at_most "$change_a" "$change_b" 0.1
goal $? "apply of a one-forward change <= 0.1 x a full apply at $BENCH_CHANGE ($change_a ms vs $change_b ms)"
at_most "$show_a" "$show_b" 0.5
goal $? "show <= 0.5 x nft list table at $BENCH_CHANGE ($show_a ms vs $show_b ms)"
at_most "$diff_a" "$change_b" 1
goal $? "diff of one changed forward <= 1 x a full apply at $BENCH_CHANGE ($diff_a ms vs $change_b ms)"
at_most "$ipt_a" "$ipt_b" 1.2
goal $? "apply -t iptables <= 1.2 x iptables-nft-restore at $BENCH_IPT ($ipt_a ms vs $ipt_b ms)"
[ "$merge_rules" -le 10 ]
goal $? "2,000 allow lines become one concatenated-set rule (forward chain: $merge_rules rules)"

if [ "$BENCH_CONNRATE" = 1 ]; then
	for t in nft iptables; do
		line=$(MASQGEN=$MASQGEN sh "$BENCH_DIR/connrate.sh" -t "$t")
		echo "$line"
		r=$(echo "$line" | sed -n 's/.*ratio \([0-9.]*\) (target.*/\1/p')
		if [ -z "$r" ]; then
			echo "bench: connrate.sh -t $t printed no ratio" >&2
			exit 2
		fi
		[ "$t" = nft ] && want=0.9 || want=0.5
		at_most "$want" "$r" 1
		goal $? "new connections with 10k forwards >= $want x one forward, $t (ratio $r)"
	done
fi
[ "$BENCH_REPORT" = 1 ] && exit 0
exit "$missed"
