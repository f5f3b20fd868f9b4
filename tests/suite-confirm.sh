#!/bin/sh
# Kernel tests of apply --confirm and masqgen confirm (root).
#
# In a network namespace of its own: a policy A is applied; then B with
# --confirm. Not confirmed (time out, SIGTERM), masqgen's tables must list
# byte-identical to A's, the other tool's tables (a stand-in for Docker's)
# byte-identical, and every kernel setting and the record of them as
# before; confirmed with `masqgen confirm`, B stays. No terminal is ever
# involved: apply runs under setsid with stdin from /dev/null, as from
# `ssh host masqgen apply ...`.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-netns.sh"
[ "${GOLDEN:-0}" = 1 ] && exit 0

netns_suite_deps confirm nft ip setsid timeout || exit 0

tmp=$(mktemp_dir)
GW="mgconfirm-$$-gw"
bg=
suite_cleanup() {
	[ -n "$bg" ] && kill "$bg" 2>/dev/null
	ip netns del "$GW" 2>/dev/null
}
trap 'exit 1' INT TERM HUP

netns_state_dirs "$tmp"
# the session check has nothing to say here: no admin session in this namespace
unset SSH_CONNECTION

gw() { ip netns exec "$GW" "$@"; }
mg() { ip netns exec "$GW" "$MASQGEN" "$@"; }
# apply --confirm without a terminal, in the foreground
mg_noterm() { setsid ip netns exec "$GW" "$MASQGEN" "$@" </dev/null; }
# Wait (at most 10 s) for the waiting apply's socket.
wait_sock() {
	n=0
	while [ ! -S "$MASQGEN_RUN_DIR/$GW/confirm.sock" ] && [ $n -lt 100 ]; do
		sleep 0.1
		n=$((n + 1))
	done
	[ -S "$MASQGEN_RUN_DIR/$GW/confirm.sock" ]
}
# What a rollback must restore: masqgen's tables, settings, their record.
snapshot() { # DIR
	mkdir -p "$1"
	gw nft list table ip masqgen >"$1/ip" 2>&1
	gw nft list table ip6 masqgen >"$1/ip6" 2>&1
	for s in ip_forward ip_dynaddr conf/all/log_martians conf/default/log_martians \
		conf/eth0/log_martians conf/eth1/log_martians; do
		printf '%s=%s\n' "$s" "$(gw cat "/proc/sys/net/ipv4/$s")"
	done >"$1/sysctls"
	cat "$MASQGEN_STATE_DIR/$GW/sysctls" >"$1/record" 2>&1
}

ip netns add "$GW" || { fail "confirm setup" "cannot create a network namespace"; exit 0; }
gw ip link set lo up
gw ip link add eth0 type veth peer name eth0p
gw ip link add eth1 type veth peer name eth1p
gw ip addr add 203.0.113.1/24 dev eth0
gw ip addr add 192.168.0.1/24 dev eth1
gw ip link set eth0 up
gw ip link set eth1 up
gw sysctl -qw net.ipv4.ip_forward=0

# A: objects (helper, timeout), named sets and maps with many elements,
# anonymous sets, user rules.
cat >"$tmp/a.masq" <<'EOF'
external eth0 dynamic
internal eth1 192.168.0.1/24
forward tcp http, https, 8000-8010 to 192.168.0.10
forward udp 27960-27963 to 192.168.0.4
forward tcp ftp to 192.168.0.5
helper ftp
timeouts tcp 2h udp 60s
allow input tcp ssh, smtp, 2222 from 198.51.100.0/24, 203.0.113.128/25 on eth0
deny forward udp 5353
EOF
# B: different in every part, and kernel settings A does not touch.
cat >"$tmp/b.masq" <<'EOF'
external eth0 dynamic
internal eth1 192.168.0.1/24
forward udp 5555 to 192.168.0.5
option log-martians on
firewall simple
EOF

gw nft -f - <<'EOF'
table ip nat {
	chain PREROUTING {
		type nat hook prerouting priority dstnat; policy accept;
		tcp dport 8080 dnat to 192.168.0.99:80
	}
}
table ip filter {
	chain FORWARD {
		type filter hook forward priority filter; policy accept;
		iifname "docker0" counter accept
	}
}
EOF
foreign() { gw nft list table ip nat && gw nft list table ip filter; }
foreign >"$tmp/foreign.before"

# --- usage
mg apply --confirm 0 "$tmp/b.masq" >"$tmp/out" 2>&1
expect_exit "--confirm 0 is a usage error" 2 $? "$tmp/out"
mg apply --confirm soon "$tmp/b.masq" >"$tmp/out" 2>&1
expect_exit "--confirm without a number is a usage error" 2 $? "$tmp/out"
mg apply -t iptables --confirm 5 "$tmp/b.masq" >"$tmp/out" 2>&1
expect_exit "--confirm with -t iptables is a usage error" 2 $? "$tmp/out"
if gw nft list tables | grep -q masqgen; then
	fail "usage errors change nothing" "a masqgen table is loaded"
else
	pass "usage errors change nothing"
fi
"$MASQGEN" confirm --help >"$tmp/out" 2>&1
rc=$?
if [ $rc -eq 0 ] && grep -q '^usage: masqgen confirm' "$tmp/out"; then
	pass "confirm --help"
else
	fail "confirm --help" "exit $rc"
fi

# --- (5) nothing pending
mg confirm >"$tmp/out" 2>&1
rc=$?
if [ $rc -eq 3 ] &&
	grep -qx "masqgen: error: no 'masqgen apply --confirm' is waiting for a confirmation" \
		"$tmp/out"; then
	pass "confirm with nothing pending exits 3"
else
	fail "confirm with nothing pending exits 3" "exit $rc: $(cat "$tmp/out")"
fi

# --- (1) not confirmed in time: A comes back
mg apply "$tmp/a.masq" >"$tmp/out" 2>&1 || fail "apply A" "$(cat "$tmp/out")"
snapshot "$tmp/A"
start=$(date +%s)
mg_noterm apply --confirm 2 "$tmp/b.masq" >"$tmp/out" 2>&1
rc=$?
took=$(($(date +%s) - start))
expect_exit "unconfirmed apply --confirm 2 exits 4" 4 $rc "$tmp/out"
if [ "$took" -ge 2 ] && [ "$took" -le 10 ] &&
	grep -q '^masqgen: not confirmed within 2 seconds: rolling back$' "$tmp/out" &&
	grep -q "^masqgen: rolled back: " "$tmp/out"; then
	pass "the rollback comes after the time and says so"
else
	fail "the rollback comes after the time and says so" "${took}s: $(cat "$tmp/out")"
fi
snapshot "$tmp/A1"
same_file "rollback: nft list table ip masqgen byte-identical" "$tmp/A/ip" "$tmp/A1/ip"
same_file "rollback: nft list table ip6 masqgen byte-identical" "$tmp/A/ip6" "$tmp/A1/ip6"
same_file "rollback: kernel settings restored" "$tmp/A/sysctls" "$tmp/A1/sysctls"
same_file "rollback: the record of kernel settings restored" "$tmp/A/record" "$tmp/A1/record"
foreign >"$tmp/foreign.now"
same_file "rollback: other tables byte-identical" "$tmp/foreign.before" "$tmp/foreign.now"
if [ -e "$MASQGEN_RUN_DIR/$GW/confirm.sock" ]; then
	fail "rollback removes the socket" "$MASQGEN_RUN_DIR/$GW/confirm.sock is left"
else
	pass "rollback removes the socket"
fi
# the restored tables are a working ruleset masqgen can replace again
mg_noterm apply --confirm 1 "$tmp/b.masq" >"$tmp/out" 2>&1
snapshot "$tmp/A2"
if cmp -s "$tmp/A/ip" "$tmp/A2/ip" && cmp -s "$tmp/A/sysctls" "$tmp/A2/sysctls"; then
	pass "a restored ruleset rolls back again identically"
else
	fail "a restored ruleset rolls back again identically" "$(cat "$tmp/out")"
fi

# --- (2) confirmed from another login: B stays
mg_noterm apply --confirm 10 "$tmp/b.masq" >"$tmp/out" 2>&1 &
bg=$!
if wait_sock; then
	mode=$(stat -c %a "$MASQGEN_RUN_DIR/$GW/confirm.sock")
	if [ "$mode" = 600 ]; then
		pass "the confirm socket is mode 0600"
	else
		fail "the confirm socket is mode 0600" "mode $mode"
	fi
	mg confirm >"$tmp/confirm.out" 2>&1
	expect_exit "masqgen confirm exits 0" 0 $? "$tmp/confirm.out"
else
	fail "the waiting apply creates its socket" "no $MASQGEN_RUN_DIR/$GW/confirm.sock"
fi
wait "$bg"
rc=$?
bg=
expect_exit "a confirmed apply exits 0" 0 $rc "$tmp/out"
if grep -q '^confirmed: the new ruleset stays$' "$tmp/out" &&
	gw nft list table ip masqgen | grep -q 'udp . 5555' &&
	[ "$(gw cat /proc/sys/net/ipv4/conf/all/log_martians)" = 1 ]; then
	pass "after the confirmation B is loaded with its settings"
else
	fail "after the confirmation B is loaded with its settings" "$(cat "$tmp/out")"
fi
mg confirm >/dev/null 2>&1
expect_exit "confirm after the confirmation exits 3" 3 $?
foreign >"$tmp/foreign.now"
same_file "confirmed: other tables byte-identical" "$tmp/foreign.before" "$tmp/foreign.now"

# --- (3) SIGTERM during the wait: roll back at once
mg apply "$tmp/a.masq" >"$tmp/out" 2>&1 || fail "apply A again" "$(cat "$tmp/out")"
snapshot "$tmp/A"
setsid ip netns exec "$GW" "$MASQGEN" apply --confirm 60 "$tmp/b.masq" </dev/null \
	>"$tmp/out" 2>&1 &
bg=$!
if wait_sock && [ "$(cat "/proc/$bg/comm" 2>/dev/null)" = masqgen ]; then
	start=$(date +%s)
	kill -TERM "$bg"
	wait "$bg"
	rc=$?
	took=$(($(date +%s) - start))
	bg=
	expect_exit "SIGTERM during the wait exits 4" 4 $rc "$tmp/out"
	if [ "$took" -le 5 ] && grep -q '^masqgen: SIGTERM received: rolling back$' "$tmp/out"
	then
		pass "SIGTERM rolls back at once"
	else
		fail "SIGTERM rolls back at once" "${took}s: $(cat "$tmp/out")"
	fi
	snapshot "$tmp/A1"
	same_file "SIGTERM: nft list table ip masqgen byte-identical" "$tmp/A/ip" "$tmp/A1/ip"
	same_file "SIGTERM: kernel settings restored" "$tmp/A/sysctls" "$tmp/A1/sysctls"
else
	fail "SIGTERM during the wait" "no waiting masqgen process"
fi
foreign >"$tmp/foreign.now"
same_file "SIGTERM: other tables byte-identical" "$tmp/foreign.before" "$tmp/foreign.now"

# --- (4) nothing loaded before: the rollback leaves nothing
mg flush >"$tmp/out" 2>&1 || fail "flush" "$(cat "$tmp/out")"
snapshot "$tmp/N"
mg_noterm apply --confirm 1 "$tmp/b.masq" >"$tmp/out" 2>&1
expect_exit "unconfirmed apply over nothing exits 4" 4 $? "$tmp/out"
snapshot "$tmp/N1"
if gw nft list tables | grep -q masqgen; then
	fail "rollback over nothing leaves no masqgen table" "$(gw nft list tables)"
else
	pass "rollback over nothing leaves no masqgen table"
fi
same_file "rollback over nothing: kernel settings as before (ip_forward off)" \
	"$tmp/N/sysctls" "$tmp/N1/sysctls"
if [ -e "$MASQGEN_STATE_DIR/$GW/sysctls" ]; then
	fail "rollback over nothing leaves no record" "$(cat "$MASQGEN_STATE_DIR/$GW/sysctls")"
else
	pass "rollback over nothing leaves no record"
fi
foreign >"$tmp/foreign.now"
same_file "rollback over nothing: other tables byte-identical" "$tmp/foreign.before" \
	"$tmp/foreign.now"

# --- Enter on the terminal confirms (script(1) gives apply a terminal)
if command -v script >/dev/null 2>&1; then
	(sleep 2; printf '\n') | timeout 30 script -qec \
		"ip netns exec '$GW' '$MASQGEN' apply --confirm 20 '$tmp/b.masq'" /dev/null \
		>"$tmp/out" 2>&1
	rc=$?
	if [ $rc -eq 0 ] && grep -q 'or press Enter here' "$tmp/out" &&
		grep -q '^confirmed: the new ruleset stays' "$tmp/out" &&
		gw nft list table ip masqgen | grep -q 'udp . 5555'; then
		pass "Enter on the terminal confirms"
	else
		fail "Enter on the terminal confirms" "exit $rc: $(cat "$tmp/out")"
	fi
else
	fail "Enter on the terminal confirms" "'script' (bsdutils) is not installed"
fi
mg flush >/dev/null 2>&1

# --- the rollback does not depend on apply staying alive: after SIGKILL
# of apply its watchdog (a process in a session of its own) rolls back at
# once, and every other signal that would end apply rolls back at once too
# back_to_a: wait (at most 10 s) until masqgen's tables list as A's
back_to_a() {
	n=0
	while [ $n -lt 100 ]; do
		gw nft list table ip masqgen >"$tmp/K.ip" 2>&1
		cmp -s "$tmp/A/ip" "$tmp/K.ip" && return 0
		sleep 0.1
		n=$((n + 1))
	done
	return 1
}
mg apply "$tmp/a.masq" >"$tmp/out" 2>&1 || fail "apply A before the signals" "$(cat "$tmp/out")"
snapshot "$tmp/A"
for sig in KILL HUP INT QUIT USR1 USR2 ALRM TERM PIPE; do
	setsid ip netns exec "$GW" "$MASQGEN" apply --confirm 60 "$tmp/b.masq" </dev/null \
		>"$tmp/out" 2>&1 &
	bg=$!
	if ! wait_sock || [ "$(cat "/proc/$bg/comm" 2>/dev/null)" != masqgen ]; then
		fail "SIG$sig of apply --confirm rolls back" "no waiting masqgen process"
		kill -KILL "$bg" 2>/dev/null
		wait "$bg"
		bg=
		continue
	fi
	watchdog=$(pgrep -P "$bg")
	if [ "$sig" = KILL ]; then
		if [ -n "$watchdog" ] &&
			[ "$(ps -o sid= -p "$watchdog")" != "$(ps -o sid= -p "$bg")" ]; then
			pass "the --confirm watchdog runs in a session of its own"
		else
			fail "the --confirm watchdog runs in a session of its own" "'$watchdog'"
		fi
	fi
	kill "-$sig" "$bg"
	if back_to_a; then
		pass "SIG$sig of apply --confirm rolls back at once"
	else
		fail "SIG$sig of apply --confirm rolls back at once" "$(cat "$tmp/out")"
	fi
	n=0
	while { kill -0 "$bg" || { [ -n "$watchdog" ] && kill -0 "$watchdog"; }; } 2>/dev/null &&
		[ $n -lt 100 ]; do
		sleep 0.1
		n=$((n + 1))
	done
	if kill -0 "$bg" 2>/dev/null; then
		fail "SIG$sig: apply ends after the rollback" "still running"
		kill -KILL "$bg"
	fi
	wait "$bg"
	rc=$?
	bg=
	[ "$sig" = KILL ] || expect_exit "SIG$sig of apply --confirm exits 4" 4 $rc "$tmp/out"
	snapshot "$tmp/A1"
	same_file "SIG$sig: kernel settings restored" "$tmp/A/sysctls" "$tmp/A1/sysctls"
	same_file "SIG$sig: the record of kernel settings restored" "$tmp/A/record" "$tmp/A1/record"
done

# --- every golden policy that compiles for nft is the ruleset a rollback
# brings back: what the kernel lists must be what it takes back (clamp-mss's
# `tcp option maxseg size set` was refused). SIGTERM rolls back at once.
for dir in "$ROOT_DIR"/tests/golden/*/; do
	[ -f "$dir/nft.out" ] || continue
	name=$(basename "$dir")
	prev=$dir/policy.masq
	[ -f "$prev" ] || prev=$dir/policy.yaml
	if ! mg apply "$prev" >"$tmp/out" 2>&1; then
		fail "rollback to golden $name" "apply failed: $(head -n 5 "$tmp/out")"
		continue
	fi
	# a live set's element lists the time it has left: no time to compare
	gw nft list table ip masqgen 2>&1 | sed 's/ expires [0-9dhms]*//' >"$tmp/g.before"
	gw nft list table ip6 masqgen 2>&1 | sed 's/ expires [0-9dhms]*//' >>"$tmp/g.before"
	setsid ip netns exec "$GW" "$MASQGEN" apply --confirm 60 "$tmp/b.masq" </dev/null \
		>"$tmp/out" 2>&1 &
	bg=$!
	wait_sock
	kill -TERM "$bg"
	wait "$bg"
	rc=$?
	bg=
	gw nft list table ip masqgen 2>&1 | sed 's/ expires [0-9dhms]*//' >"$tmp/g.after"
	gw nft list table ip6 masqgen 2>&1 | sed 's/ expires [0-9dhms]*//' >>"$tmp/g.after"
	if [ $rc -eq 4 ] && cmp -s "$tmp/g.before" "$tmp/g.after"; then
		pass "rollback to golden $name: nft list table identical"
	else
		fail "rollback to golden $name: nft list table identical" "exit $rc: $(tail -n 3 "$tmp/out")"
		diff -u "$tmp/g.before" "$tmp/g.after" | head -n 20
	fi
done

# --- a loaded table the rollback could not bring back: --confirm refuses
# before changing anything (here an admin's `reset tcp option`, which the
# kernel lists in a form it refuses to take back)
mg apply "$tmp/a.masq" >"$tmp/out" 2>&1 || fail "apply A for the unrestorable case" "$(cat "$tmp/out")"
if gw nft add rule ip masqgen forward reset tcp option sack-perm 2>"$tmp/out"; then
	gw nft list ruleset >"$tmp/r.before"
	snapshot "$tmp/U"
	mg_noterm apply --confirm 1 "$tmp/b.masq" >"$tmp/out" 2>&1
	expect_exit "--confirm over an unrestorable table exits 3" 3 $? "$tmp/out"
	gw nft list ruleset >"$tmp/r.after"
	snapshot "$tmp/U1"
	same_file "--confirm over an unrestorable table: ruleset unchanged" "$tmp/r.before" \
		"$tmp/r.after"
	same_file "--confirm over an unrestorable table: settings unchanged" "$tmp/U/sysctls" \
		"$tmp/U1/sysctls"
	if grep -q 'could not be restored after a rollback: nothing was applied' "$tmp/out"; then
		pass "--confirm over an unrestorable table says why"
	else
		fail "--confirm over an unrestorable table says why" "$(cat "$tmp/out")"
	fi
else
	fail "--confirm over an unrestorable table" "nft cannot add the rule: $(cat "$tmp/out")"
fi
mg flush >/dev/null 2>&1
