#!/bin/sh
# Strings from outside masqgen in generated text (src/escape.h). A policy
# whose path holds newlines, quotes, '$', '%' and backticks, for every
# target: each output parses with its own tool (nft -c -f and
# iptables-restore --test in a fresh network namespace, sh -n) and holds no
# line the path tried to inject; `apply -t iptables` of it adds no rule of
# the path's, and `diff` and `show` print no line of it. Log prefixes with every odd printable character load from
# `generate -t nft` text as they do from the batch. init-script takes odd
# printable paths (quoted) and refuses control characters.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-netns.sh"
[ "${GOLDEN:-0}" = 1 ] && exit 0
netns_suite_deps textesc nft iptables-restore ip6tables-restore systemd-analyze || exit 0
netns_nft_loader textesc || exit 0
tmp=$(mktemp_dir)
ns="mg-textesc-$$"
nsb="mg-textescb-$$"
suite_cleanup() {
	ip netns del "$ns" 2>/dev/null
	ip netns del "$nsb" 2>/dev/null
}
trap 'exit 1' INT TERM

nl='
'
odd_name="a${nl}flush ruleset${nl}-I INPUT -j ACCEPT${nl}\$(id) \`id\` 'q' \"dq\" %n \\ z.masq"
odd="$tmp/$odd_name"
cp "$TESTS_DIR/golden/stronger/policy.masq" "$odd"
printf 'forward tcp 8080 to 192.168.0.10:80\n' >>"$odd"

# injected NAME FILE: fail NAME when a line of FILE is one the path carried.
injected() {
	if grep -n -E '^(flush ruleset|-I INPUT -j ACCEPT|\$\(id\))' "$2" >"$tmp/inj"; then
		fail "$1" "the path injected: $(head -n 3 "$tmp/inj")"
		return 0
	fi
	return 1
}

for t in nft iptables ip6tables ipchains ipfwadm yaml; do
	name="textesc $t: odd policy path"
	if ! "$MASQGEN" generate -t "$t" "$odd" >"$tmp/out.$t" 2>"$tmp/err"; then
		fail "$name" "generate failed: $(head -n 3 "$tmp/err")"
		continue
	fi
	injected "$name" "$tmp/out.$t" && continue
	if grep -q "$(printf '[\001-\010\013-\037\177]')" "$tmp/out.$t"; then
		fail "$name" "a control character in the output"
		continue
	fi
	case $t in
	nft)
		ip netns add "$ns" || { fail "$name" "cannot create a namespace"; continue; }
		if ip netns exec "$ns" nft -c -f "$tmp/out.$t" 2>"$tmp/err"; then
			pass "$name"
		else
			fail "$name" "nft -c refused it: $(head -n 3 "$tmp/err")"
		fi
		ip netns del "$ns"
		;;
	iptables | ip6tables)
		ip netns add "$ns" || { fail "$name" "cannot create a namespace"; continue; }
		if ! ip netns exec "$ns" "$t-restore" --test <"$tmp/out.$t" 2>"$tmp/err"; then
			fail "$name" "$t-restore --test refused it: $(head -n 3 "$tmp/err")"
		else
			pass "$name"
		fi
		ip netns del "$ns"
		;;
	ipchains | ipfwadm)
		if sh -n "$tmp/out.$t" 2>"$tmp/err"; then
			pass "$name"
		else
			fail "$name" "sh -n: $(head -n 3 "$tmp/err")"
		fi
		;;
	yaml)
		cp "$tmp/out.$t" "$tmp/converted.yaml"
		if "$MASQGEN" check "$tmp/converted.yaml" >/dev/null 2>"$tmp/err"; then
			pass "$name"
		else
			fail "$name" "the YAML does not load: $(head -n 3 "$tmp/err")"
		fi
		;;
	esac
done

# apply -t iptables of the odd path: every INPUT rule is masqgen's jump
name="textesc apply -t iptables: odd policy path"
mkdir -p "$tmp/run" "$tmp/state"
if ! ip netns add "$ns"; then
	fail "$name" "cannot create a namespace"
elif ! MASQGEN_RUN_DIR="$tmp/run" MASQGEN_STATE_DIR="$tmp/state" \
	ip netns exec "$ns" "$MASQGEN" apply -t iptables "$odd" >"$tmp/apply.out" 2>&1; then
	fail "$name" "apply failed: $(head -n 5 "$tmp/apply.out")"
else
	ip netns exec "$ns" iptables -S INPUT >"$tmp/input"
	if grep -v -e '^-P ' -e '-j masqgen-' "$tmp/input" >"$tmp/foreign"; then
		fail "$name" "a rule that is not masqgen's: $(head -n 3 "$tmp/foreign")"
	else
		pass "$name"
	fi
	# diff (nothing in nft: every line new, under the path) and show of it
	for cmd in "diff -t nft" "diff -t iptables" show; do
		name="textesc $cmd: odd policy path"
		file=$odd
		[ "$cmd" = show ] && file=
		# shellcheck disable=SC2086 # the command's words
		MASQGEN_RUN_DIR="$tmp/run" MASQGEN_STATE_DIR="$tmp/state" \
			ip netns exec "$ns" "$MASQGEN" $cmd ${file:+"$file"} >"$tmp/cmd.out" 2>"$tmp/err"
		rc=$?
		if [ "$rc" -ne 0 ] && ! { [ "$cmd" = "diff -t nft" ] && [ "$rc" -eq 5 ]; }; then
			fail "$name" "exit $rc: $(head -n 3 "$tmp/err")"
		elif injected "$name" "$tmp/cmd.out"; then
			:
		elif grep -q "$(printf '[\001-\010\013-\037\177]')" "$tmp/cmd.out"; then
			fail "$name" "a control character in the output"
		elif [ "$cmd" = "diff -t nft" ] && ! grep -q '^+++ .*/a?flush ruleset?-I INPUT' "$tmp/cmd.out"; then
			fail "$name" "no +++ line with the path: $(head -n 3 "$tmp/cmd.out")"
		else
			pass "$name"
		fi
	done
fi
ip netns del "$ns" 2>/dev/null

# Log prefixes: every printable ASCII character the language takes ('"' and
# '\' are refused), and '$' where nft would read a variable. Each policy's
# text loads with nft -f and lists as the batch does.
i=0
for p in 'x$y' '$' 'a$1b' '$$ $x_9' '$(id)' ' !#%&()*+,-./:;<=>?@[]^_`{|}~' "it's"; do
	i=$((i + 1))
	dir="$tmp/prefix$i"
	mkdir -p "$dir"
	printf 'external eth0\ninternal eth1 192.168.0.1/24\nlog prefix "%s"\n' "$p" >"$dir/p.masq"
	name="textesc nft log prefix '$p'"
	if ! ip netns add "$ns" || ! ip netns add "$nsb"; then
		fail "$name" "cannot create namespaces"
		continue
	fi
	if ! (cd "$dir" && "$MASQGEN" generate -t nft p.masq) >"$dir/p.nft" 2>"$tmp/err"; then
		fail "$name" "generate failed: $(head -n 3 "$tmp/err")"
	elif ! ip netns exec "$ns" nft -f "$dir/p.nft" 2>"$tmp/err"; then
		fail "$name" "nft -f refused the text: $(head -n 3 "$tmp/err")"
	elif ! (cd "$dir" && ip netns exec "$nsb" "$loader" --load p.masq) 2>"$tmp/err"; then
		fail "$name" "the kernel refused the batch: $(head -n 3 "$tmp/err")"
	else
		for n in "$ns" "$nsb"; do
			ip netns exec "$n" nft list table ip masqgen |
				awk -f "$TESTS_DIR/nft-normalize.awk" >"$dir/list.$n"
		done
		if ! grep -q -F "log prefix \"$p" "$dir/list.$ns"; then
			fail "$name" "the prefix is not in the listing"
		else
			same_file "$name" "$dir/list.$nsb" "$dir/list.$ns" \
				"nft -f and the batch list differently"
		fi
	fi
	ip netns del "$ns" 2>/dev/null
	ip netns del "$nsb" 2>/dev/null
done

# init-script: a printable odd path is quoted in each style
pdir="$tmp/my gw \$HOME %n 'q' \"dq\" \`id\`"
mkdir -p "$pdir"
cp "$TESTS_DIR/golden/stronger/policy.masq" "$pdir/policy.masq"
name="textesc init-script sysv: odd printable path"
if ! "$MASQGEN" init-script "$pdir/policy.masq" >"$tmp/sysv" 2>"$tmp/err"; then
	fail "$name" "init-script failed: $(head -n 3 "$tmp/err")"
elif ! sh -n "$tmp/sysv" 2>"$tmp/err"; then
	fail "$name" "sh -n: $(head -n 3 "$tmp/err")"
else
	got=$(eval "$(grep '^POLICY=' "$tmp/sysv")" && printf '%s' "$POLICY")
	if [ "$got" = "$pdir/policy.masq" ]; then
		pass "$name"
	else
		fail "$name" "POLICY is '$got'"
	fi
fi
name="textesc init-script systemd: odd printable path"
unit="$tmp/unit/masqgen-odd.service"
mkdir -p "$tmp/unit"
if ! "$MASQGEN" init-script --style systemd -o "$unit" "$pdir/policy.masq" 2>"$tmp/err"; then
	fail "$name" "init-script failed: $(head -n 3 "$tmp/err")"
elif ! systemd-analyze verify --man=no "$unit" >"$tmp/verify" 2>&1 ||
	grep -i -e 'ignoring' -e 'invalid' -e 'bad' "$tmp/verify" >/dev/null; then
	fail "$name" "systemd-analyze verify: $(head -n 3 "$tmp/verify")"
else
	pass "$name"
fi
name="textesc init-script -t ipchains: odd printable directory"
if ! "$MASQGEN" init-script -t ipchains -o "$pdir/out" "$pdir/policy.masq" >/dev/null \
	2>"$tmp/err"; then
	fail "$name" "init-script failed: $(head -n 3 "$tmp/err")"
elif ! sh -n "$pdir/out/rc.firewall-ipchains" || ! sh -n "$pdir/out/firewall-ipchains"; then
	fail "$name" "sh -n refused a script"
else
	pass "$name"
fi
# the pair of scripts of each older target, for the policy whose path holds a newline
for t in iptables ipchains ipfwadm; do
	name="textesc init-script -t $t: odd policy path"
	out="$tmp/init-$t"
	if ! "$MASQGEN" init-script -t "$t" -o "$out" "$odd" >/dev/null 2>"$tmp/err"; then
		fail "$name" "init-script failed: $(head -n 3 "$tmp/err")"
	elif injected "$name" "$out/rc.firewall-$t" || injected "$name" "$out/firewall-$t"; then
		:
	elif ! sh -n "$out/rc.firewall-$t" || ! sh -n "$out/firewall-$t"; then
		fail "$name" "sh -n refused a script"
	else
		pass "$name"
	fi
done
for style in sysv systemd; do
	"$MASQGEN" init-script --style "$style" "$odd" >"$tmp/o" 2>"$tmp/err"
	expect_exit "textesc init-script $style: a newline in the path is refused" 2 $? "$tmp/err"
done
