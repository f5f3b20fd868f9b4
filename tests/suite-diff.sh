#!/bin/sh
# `masqgen diff` compares meaning, not provenance (root; in a namespace of
# its own): the applied policy by another path, or with a comment line
# added, is no change (exit 0, nothing printed); one changed forward (its
# map and admission elements) or rule is a line each way, in the policy's
# words with its place; a
# kernel setting that differs is a line; 2,000 forwards with one changed
# print two lines; a chain or rule someone added to masqgen's table is a
# change of its own. The loaded tables are read in process: an nft on
# PATH that fails must not matter.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-netns.sh"
[ "${GOLDEN:-0}" = 1 ] && exit 0
netns_suite_deps diff ip sysctl || exit 0

tmp=$(mktemp_dir)
GW="mgdiff-$$-gw"
suite_cleanup() {
	ip netns del "$GW" 2>/dev/null
}
trap 'exit 1' INT TERM HUP
netns_state_dirs "$tmp"
mkdir -p "$tmp/bin" "$tmp/other"
printf '#!/bin/sh\necho "nft must not run" >&2\nexit 1\n' >"$tmp/bin/nft"
chmod +x "$tmp/bin/nft"

gw() { ip netns exec "$GW" "$@"; }
# mg ARGS...: masqgen in the namespace, from $tmp, with the failing nft first on PATH
mg() { (cd "$tmp" && ip netns exec "$GW" env PATH="$tmp/bin:$PATH" "$MASQGEN" "$@"); }

netns_gateway "$GW" || { fail "diff setup" "cannot create a network namespace"; exit 0; }

cat >"$tmp/gw.masq" <<'EOF'
external eth0 dynamic
internal eth1 192.168.0.1/24
forward tcp 8080 to 192.168.0.10:80
forward udp 27960 to 192.168.0.4
allow tcp 22 from 198.51.100.0/24
firewall strong
EOF
{ echo "# a comment moves every line"; cat "$tmp/gw.masq"; } >"$tmp/other/moved.masq"
sed 's/8080/8081/' "$tmp/other/moved.masq" >"$tmp/other/fwd.masq"
sed 's/allow tcp 22/allow tcp 23/' "$tmp/gw.masq" >"$tmp/rule.masq"

# ndiff NAME WANT-EXIT EXPECTED-FILE ARGS...: diff's exit and exact output
ndiff() {
	_name=$1 _want=$2 _exp=$3
	shift 3
	mg diff "$@" >"$tmp/out" 2>"$tmp/err"
	_rc=$?
	if [ "$_rc" -ne "$_want" ]; then
		fail "$_name" "exit $_rc, expected $_want: $(head -n 10 "$tmp/out" "$tmp/err")"
		return
	fi
	same_file "$_name" "$_exp" "$tmp/out"
}

if ! mg apply gw.masq >"$tmp/out" 2>&1; then
	fail "diff: apply" "$(cat "$tmp/out")"
	exit 0
fi
: >"$tmp/empty"
ndiff "diff of the applied policy: exit 0, nothing printed" 0 "$tmp/empty" gw.masq
ndiff "diff of the same file by its absolute path is no change" 0 "$tmp/empty" "$tmp/gw.masq"
ndiff "diff after a comment line moved every line is no change" 0 "$tmp/empty" other/moved.masq

cat >"$tmp/exp" <<'EOF'
--- loaded
+++ other/fwd.masq
- forward tcp 8080 to 192.168.0.10:80 (admitted)  (gw.masq:3)
+ forward tcp 8081 to 192.168.0.10:80 (admitted)  (other/fwd.masq:4)
- forward tcp 8080 to 192.168.0.10:80  (gw.masq:3)
+ forward tcp 8081 to 192.168.0.10:80  (other/fwd.masq:4)
EOF
ndiff "diff of one changed forward: its map and admission elements in the policy's words" 5 "$tmp/exp" other/fwd.masq

cat >"$tmp/exp" <<'EOF'
--- loaded
+++ rule.masq
- ip input: ip saddr 198.51.100.0/24 tcp dport 22 accept  (gw.masq:5)
+ allow tcp 23 from 198.51.100.0/24  (rule.masq:5)
EOF
ndiff "diff of one changed rule: the loaded rule and the new policy line" 5 "$tmp/exp" rule.masq

gw sysctl -qw net.ipv4.ip_forward=0
cat >"$tmp/exp" <<'EOF'
--- loaded
+++ gw.masq
~ setting net.ipv4.ip_forward: 0 -> 1  (built-in)
EOF
ndiff "diff names a kernel setting apply would change" 5 "$tmp/exp" gw.masq
gw sysctl -qw net.ipv4.ip_forward=1

# 2,000 forwards, one changed: only that forward, both ways
{
	echo "external eth0 dynamic"
	echo "internal eth1 192.168.0.1/16"
	i=0
	while [ $i -lt 2000 ]; do
		echo "forward tcp $((20000 + i)) to 192.168.$((i / 250)).$((i % 250 + 2)):80"
		i=$((i + 1))
	done
} >"$tmp/big.masq"
sed 's/^forward tcp 20777 /forward tcp 30777 /' "$tmp/big.masq" >"$tmp/big2.masq"
if mg apply big.masq >"$tmp/out" 2>&1; then
	cat >"$tmp/exp" <<'EOF'
--- loaded
+++ big2.masq
- forward tcp 20777 to 192.168.3.29:80 (admitted)  (big.masq:780)
+ forward tcp 30777 to 192.168.3.29:80 (admitted)  (big2.masq:780)
- forward tcp 20777 to 192.168.3.29:80  (big.masq:780)
+ forward tcp 30777 to 192.168.3.29:80  (big2.masq:780)
EOF
	ndiff "diff of 2,000 forwards with one changed prints only that forward" 5 "$tmp/exp" big2.masq
else
	fail "diff of 2,000 forwards with one changed prints only that one" "$(head -n 5 "$tmp/out")"
fi

# what someone added to masqgen's table by hand: diff names it, show warns
mg apply gw.masq >/dev/null 2>&1
gw nft add chain ip masqgen intruder
gw nft add rule ip masqgen input meta mark 7 accept
mg diff gw.masq >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ $rc -eq 5 ] && grep -qx -e '- ip chain intruder: not a base chain masqgen makes' "$tmp/out" &&
	grep -q -e '^- ip chain input: rule [0-9]* (handle [0-9]*) is not one masqgen makes$' "$tmp/out" &&
	[ "$(grep -c '^[-+~] ' "$tmp/out")" -eq 2 ]; then
	pass "diff names a chain and a rule masqgen does not make"
else
	fail "diff names a chain and a rule masqgen does not make" "exit $rc: $(head -n 5 "$tmp/out" "$tmp/err")"
fi
mg show >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ $rc -eq 0 ] && grep -q "warning: not shown, masqgen does not make it: ip chain intruder" "$tmp/err" &&
	grep -q '^table ip masqgen {' "$tmp/out"; then
	pass "show prints masqgen's rules and warns about the rest"
else
	fail "show prints masqgen's rules and warns about the rest" "exit $rc: $(head -n 5 "$tmp/err")"
fi

# nothing loaded: everything is new, and the exit is 5
mg flush >/dev/null 2>&1
mg diff gw.masq >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ $rc -eq 5 ] && grep -qx '+ table ip masqgen' "$tmp/out" &&
	grep -qx '+ forward tcp 8080 to 192.168.0.10:80  (gw.masq:3)' "$tmp/out"; then
	pass "diff with nothing loaded lists the policy as new"
else
	fail "diff with nothing loaded lists the policy as new" "exit $rc: $(head -n 5 "$tmp/out" "$tmp/err")"
fi
