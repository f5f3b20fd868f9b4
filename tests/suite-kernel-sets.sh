#!/bin/sh
# live sets (root): elements added at run time survive apply. In namespaces
# of their own (lib-netns.sh, dual stack): a policy denies sources in set
# `blocklist` before it allows tcp 2222 into the gateway; the Internet host
# connects in IPv4 and IPv6. Elements added with plain `nft add element`
# block it; a re-apply of a changed policy keeps them (still blocking, in
# each family); a changed set definition (a timeout) keeps them with the
# time they had left; an unconfirmed apply --confirm rolls back with them;
# elements another program adds while an apply runs survive it; a set that
# left the policy leaves the kernel. `masqgen set add|del|list` and the
# fail2ban action (its actionban/actionunban commands) change the same
# elements, with real connections; their refusals change nothing. Apply
# works in place: the table and an unchanged live set keep their kernel
# handles, a changed set is made anew in the same table, and changed
# initial elements replace the loaded ones they overlap; so for every golden
# policy with a live set added.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-netns.sh"
[ "${GOLDEN:-0}" = 1 ] && exit 0
netns_suite_deps kernel-sets nft socat setsid timeout || exit 0
tmp=$(mktemp_dir)
suite_cleanup() { netns_cleanup; }
trap 'exit 1' INT TERM HUP
netns_state_dirs "$tmp"
unset SSH_CONNECTION
if ! netns_setup || ! netns_setup_v6; then
	fail "kernel-sets setup" "cannot build the namespaces"
	exit 0
fi

mg() { ip netns exec "$NS_GW" "$MASQGEN" "$@"; }
# policy EXTRA_PORT [SET_LINE [OTHER_LINE]]: the blocklist policy; EXTRA_PORT changes a rule
policy() {
	if [ $# -ge 3 ]; then other=$3; else other='set other = { 198.51.100.1 }'; fi
	cat >"$tmp/p.masq" <<EOT
external eth0 address 203.0.113.1
internal eth1 192.168.77.1/24, 2001:db8:1::1/64
ipv6 firewall
${2-set blocklist}
$other
set slow timeout 1h
deny from @slow
deny from @blocklist
allow tcp 2222, $1
EOT
}
# reach WHAT FAMILY WANT: a connection from the Internet host to the gateway's 2222
reach() {
	if [ "$2" = 6 ]; then addr=2001:db8:ff::1; else addr=203.0.113.1; fi
	got=$(netns_connect "$NS_NET" "$NS_GW" "$addr" 2222)
	case $3 in
	open) [ "$got" != none ] ;;
	blocked) [ "$got" = none ] ;;
	esac && pass "kernel-sets $1 (IPv$2 $3)" || fail "kernel-sets $1 (IPv$2 $3)" "saw '$got'"
}
# handle FAMILY OBJECT...: the kernel's handle of a table or set (new when it is made anew)
handle() {
	ip netns exec "$NS_GW" nft -a list "$@" 2>/dev/null | sed -n 's/.*# handle \([0-9]*\).*/\1/p' | head -n 1
}
elems() { # FAMILY SET
	ip netns exec "$NS_GW" nft list set "$1" masqgen "$2" 2>/dev/null
}
has() { # WHAT FAMILY SET ADDR
	if elems "$2" "$3" | grep -q "$4"; then
		pass "kernel-sets $1"
	else
		fail "kernel-sets $1" "$4 not in $2 $3: $(elems "$2" "$3" | tr -d '\n\t')"
	fi
}

policy 2223
mg apply "$tmp/p.masq" >"$tmp/out" 2>&1
expect_exit "kernel-sets apply" 0 $? "$tmp/out"
reach "before any element" 4 open
reach "before any element" 6 open

# masqgen set add|del|list: the same block, through masqgen
mg set add blocklist 203.0.113.2 >"$tmp/out" 2>&1 &&
	mg set add blocklist 2001:db8:ff::2 >>"$tmp/out" 2>&1
expect_exit "kernel-sets masqgen set add" 0 $? "$tmp/out"
reach "an element masqgen set added blocks" 4 blocked
reach "an element masqgen set added blocks" 6 blocked
mg set list other >"$tmp/out" 2>&1
expect_exit "kernel-sets set list of a set with no run-time elements" 0 $? "$tmp/out"
grep -qx '198\.51\.100\.1' "$tmp/out" && [ "$(wc -l <"$tmp/out")" = 1 ] &&
	pass "kernel-sets set list prints the initial element" ||
	fail "kernel-sets set list prints the initial element" "$(cat "$tmp/out")"
mg set list blocklist >"$tmp/list" 2>&1
expect_exit "kernel-sets masqgen set list" 0 $? "$tmp/list"
if grep -qx '203\.0\.113\.2' "$tmp/list" && grep -qx '2001:db8:ff::2' "$tmp/list"; then
	pass "kernel-sets set list prints both halves"
else
	fail "kernel-sets set list prints both halves" "$(tr '\n' ' ' <"$tmp/list")"
fi
mg set add slow 203.0.113.9 timeout 5m >"$tmp/out" 2>&1
expect_exit "kernel-sets set add with a timeout" 0 $? "$tmp/out"
if mg set list slow | grep -qx '203\.0\.113\.9 timeout 300s expires [0-9]*s'; then
	pass "kernel-sets set list shows the element's timeout"
else
	fail "kernel-sets set list shows the element's timeout" "$(mg set list slow 2>&1)"
fi
mg set del slow 203.0.113.9 >"$tmp/out" 2>&1
expect_exit "kernel-sets set del of an element with a timeout" 0 $? "$tmp/out"
# refusals: exit 3 (not loaded, kernel) or 2 (usage), a message, nothing changed
mg set add blocklist 198.51.100.9 timeout 5m >"$tmp/out" 2>&1
expect_exit "kernel-sets set add timeout to a set without one: exit 3" 3 $? "$tmp/out"
grep -q "set 'blocklist' has no timeout" "$tmp/out" &&
	pass "kernel-sets set without a timeout: message" ||
	fail "kernel-sets set without a timeout: message" "$(cat "$tmp/out")"
mg set add nosuch 198.51.100.9 >"$tmp/out" 2>&1
expect_exit "kernel-sets set add to an undeclared set: exit 3" 3 $? "$tmp/out"
grep -q "no live set 'nosuch' is loaded" "$tmp/out" &&
	pass "kernel-sets undeclared set: message" ||
	fail "kernel-sets undeclared set: message" "$(cat "$tmp/out")"
mg set add blocklist 198.51.100.300 >"$tmp/out" 2>&1
expect_exit "kernel-sets set add of a bad address: exit 2" 2 $? "$tmp/out"
mg set del blocklist 198.51.100.77 >"$tmp/out" 2>&1
expect_exit "kernel-sets set del of a non-element: exit 3" 3 $? "$tmp/out"
mg set list blocklist >"$tmp/list2" 2>&1
same_file "kernel-sets refusals changed nothing" "$tmp/list" "$tmp/list2"
mg set del blocklist 203.0.113.2 >"$tmp/out" 2>&1 &&
	mg set del blocklist 2001:db8:ff::2 >>"$tmp/out" 2>&1
expect_exit "kernel-sets masqgen set del" 0 $? "$tmp/out"
reach "after masqgen set del" 4 open
reach "after masqgen set del" 6 open

# the fail2ban action: its actionban and actionunban lines as fail2ban runs them
f2b=$ROOT_DIR/templates/fail2ban/action.d/masqgen.conf
f2b_run() { # ACTION IP
	cmd=$(sed -n "s/^$1 = //p" "$f2b" | sed "s/<name>/blocklist/; s/<ip>/$2/")
	case $cmd in
	"masqgen "*) ip netns exec "$NS_GW" "$MASQGEN" ${cmd#masqgen } ;;
	*) echo "unexpected $1: $cmd"; false ;;
	esac
}
f2b_run actionban 203.0.113.2 >"$tmp/out" 2>&1
expect_exit "kernel-sets fail2ban actionban" 0 $? "$tmp/out"
reach "a fail2ban ban blocks" 4 blocked
f2b_run actionunban 203.0.113.2 >"$tmp/out" 2>&1
expect_exit "kernel-sets fail2ban actionunban" 0 $? "$tmp/out"
reach "a fail2ban unban opens" 4 open
ip netns exec "$NS_GW" nft add element ip masqgen slow_v4 '{ 203.0.113.7 timeout 10m }'
ip netns exec "$NS_GW" nft add element ip masqgen blocklist_v4 '{ 203.0.113.2 }' &&
	ip netns exec "$NS_GW" nft add element ip6 masqgen blocklist_v6 '{ 2001:db8:ff::2 }'
expect_exit "kernel-sets nft add element" 0 $? /dev/null
reach "an element added at run time blocks" 4 blocked
reach "an element added at run time blocks" 6 blocked

table0=$(handle table ip masqgen)
set0=$(handle set ip masqgen blocklist_v4)
policy 2224
mg apply "$tmp/p.masq" >"$tmp/out" 2>&1
expect_exit "kernel-sets apply a changed policy" 0 $? "$tmp/out"
has "a changed policy keeps the IPv4 element" ip blocklist_v4 203.0.113.2
has "a changed policy keeps the IPv6 element" ip6 blocklist_v6 2001:db8:ff::2
# apply in place: the table and an unchanged live set stay (same handles), no copy
if [ -n "$table0" ] && [ "$(handle table ip masqgen)" = "$table0" ] &&
	[ -n "$set0" ] && [ "$(handle set ip masqgen blocklist_v4)" = "$set0" ]; then
	pass "kernel-sets apply keeps the table and the live set in place"
else
	fail "kernel-sets apply keeps the table and the live set in place" \
		"table $table0 -> $(handle table ip masqgen), set $set0 -> $(handle set ip masqgen blocklist_v4)"
fi
reach "after a re-apply the element still blocks" 4 blocked
reach "after a re-apply the element still blocks" 6 blocked
mg diff "$tmp/p.masq" >"$tmp/out" 2>&1
expect_exit "kernel-sets diff ignores run-time elements" 0 $? "$tmp/out"

# the policy's initial elements of a kept set change: they replace what they overlap
mg set add other 198.51.100.9 >"$tmp/out" 2>&1
expect_exit "kernel-sets set add to a set with initial elements" 0 $? "$tmp/out"
other0=$(handle set ip masqgen other_v4)
table0=$(handle table ip masqgen)
policy 2224 "set blocklist" "set other = { 198.51.100.0/30 }"
mg apply "$tmp/p.masq" >"$tmp/out" 2>&1
expect_exit "kernel-sets apply with changed initial elements" 0 $? "$tmp/out"
has "a changed initial element is loaded" ip other_v4 "198\.51\.100\.0/30"
has "the run-time element beside it stays" ip other_v4 "198\.51\.100\.9"
if elems ip other_v4 | grep -q "198\.51\.100\.1[^0-9]"; then
	fail "kernel-sets the initial element it overlaps is gone" "$(elems ip other_v4 | tr -d '\n\t')"
else
	pass "kernel-sets the initial element it overlaps is gone"
fi
[ -n "$other0" ] && [ "$(handle set ip masqgen other_v4)" = "$other0" ] &&
	[ "$(handle table ip masqgen)" = "$table0" ] &&
	pass "kernel-sets the set with changed initial elements stays in place" ||
	fail "kernel-sets the set with changed initial elements stays in place" \
		"set $other0 -> $(handle set ip masqgen other_v4), table $table0 -> $(handle table ip masqgen)"
mg diff "$tmp/p.masq" >"$tmp/out" 2>&1
expect_exit "kernel-sets diff after changed initial elements" 0 $? "$tmp/out"

# an unconfirmed apply --confirm rolls back, elements included
policy 2226
setsid ip netns exec "$NS_GW" "$MASQGEN" apply --confirm 1 "$tmp/p.masq" </dev/null \
	>"$tmp/out" 2>&1
expect_exit "kernel-sets unconfirmed apply --confirm exits 4" 4 $? "$tmp/out"
has "the rollback keeps the IPv4 element" ip blocklist_v4 203.0.113.2
has "the rollback keeps the IPv6 element" ip6 blocklist_v6 2001:db8:ff::2
reach "after the rollback the element still blocks" 4 blocked
reach "after the rollback the element still blocks" 6 blocked

# a changed definition: the set is made again, the elements carried over
# (the first apply after a rollback replaces the tables: the record of the
# last apply no longer describes them)
policy 2224
mg apply "$tmp/p.masq" >"$tmp/out" 2>&1
expect_exit "kernel-sets apply after the rollback" 0 $? "$tmp/out"
table0=$(handle table ip masqgen)
set0=$(handle set ip masqgen blocklist_v4)
policy 2224 "set blocklist timeout 1h"
mg apply "$tmp/p.masq" >"$tmp/out" 2>&1
expect_exit "kernel-sets apply with the set's timeout changed" 0 $? "$tmp/out"
has "a changed definition is loaded" ip blocklist_v4 "timeout 1h"
has "a recreated set keeps the IPv4 element" ip blocklist_v4 203.0.113.2
has "a recreated set keeps the IPv6 element" ip6 blocklist_v6 2001:db8:ff::2
[ -n "$set0" ] && [ "$(handle set ip masqgen blocklist_v4)" != "$set0" ] &&
	[ "$(handle table ip masqgen)" = "$table0" ] &&
	pass "kernel-sets a changed set is made anew in the same table" ||
	fail "kernel-sets a changed set is made anew in the same table" \
		"set $set0 -> $(handle set ip masqgen blocklist_v4), table $table0 -> $(handle table ip masqgen)"
policy 2225 "set blocklist timeout 1h"
mg apply "$tmp/p.masq" >"$tmp/out" 2>&1
expect_exit "kernel-sets apply with an element that expires" 0 $? "$tmp/out"
left=$(elems ip slow_v4 | sed -n 's/.*203\.0\.113\.7 timeout 10m expires \([0-9]*\)m.*/\1/p')
if [ -n "$left" ] && [ "$left" -lt 10 ]; then
	pass "kernel-sets an element keeps the time it had left (${left}m)"
else
	fail "kernel-sets an element keeps the time it had left" \
		"$(elems ip blocklist_v4 | tr -d '\n\t')"
fi

# another program adds elements while an apply runs: they survive it
i=0
: >"$tmp/added"
(
	while [ $i -lt 40 ]; do
		ip netns exec "$NS_GW" nft add element ip masqgen blocklist_v4 \
			"{ 198.51.100.$((100 + i)) }" 2>/dev/null && echo "198.51.100.$((100 + i))"
		i=$((i + 1))
	done >"$tmp/added"
) &
adder=$!
n=0
while [ $n -lt 4 ]; do
	policy $((2227 + n)) "set blocklist timeout 1h"
	mg apply "$tmp/p.masq" >"$tmp/out" 2>&1
	expect_exit "kernel-sets apply while another program adds elements ($n)" 0 $? "$tmp/out"
	n=$((n + 1))
done
wait "$adder"
lost=
while read -r a; do
	elems ip blocklist_v4 | grep -q "$a\([^0-9]\|$\)" || lost="$lost $a"
done <"$tmp/added"
if [ -s "$tmp/added" ] && [ -z "$lost" ]; then
	pass "kernel-sets elements another program added during applies survive ($(wc -l <"$tmp/added"))"
else
	fail "kernel-sets elements another program added during applies survive" "lost:$lost"
fi

# a set that left the policy leaves the kernel
policy 2224 ""
sed -i 's/^deny from @blocklist$//' "$tmp/p.masq"
mg apply "$tmp/p.masq" >"$tmp/out" 2>&1
expect_exit "kernel-sets apply without the set" 0 $? "$tmp/out"
if elems ip blocklist_v4 >/dev/null || elems ip6 blocklist_v6 >/dev/null; then
	fail "kernel-sets a set that left the policy is gone" "blocklist still loaded"
else
	pass "kernel-sets a set that left the policy is gone"
fi
reach "without the set" 4 open
reach "without the set" 6 open

# every golden policy with a live set beside it: a changed policy is applied
# in place (the table keeps its handle), loads what the policy says (diff
# finds nothing) and keeps the set's run-time element
mg flush >/dev/null 2>&1
n_ok=0
bad=
for dir in "$ROOT_DIR"/tests/golden/*/; do
	name=$(basename "$dir")
	[ -f "$dir/policy.masq" ] && [ -f "$dir/nft.out" ] || continue
	mkdir -p "$tmp/g" && cp -r "$dir" "$tmp/g/$name" || continue
	{ cat "$dir/policy.masq"; printf '\nset zz_live\ndeny from @zz_live\n'; } >"$tmp/g/$name/a.masq"
	{ cat "$tmp/g/$name/a.masq"; echo "allow tcp 65001"; } >"$tmp/g/$name/b.masq"
	why=
	if ! mg apply --force "$tmp/g/$name/a.masq" >"$tmp/out" 2>&1; then
		why="first apply: $(grep error "$tmp/out" | head -n 1)"
	elif ! mg set add zz_live 198.51.100.99 >"$tmp/out" 2>&1; then
		why="set add: $(head -n 1 "$tmp/out")"
	else
		before=$(handle table ip masqgen)
		if ! mg apply --force "$tmp/g/$name/b.masq" >"$tmp/out" 2>&1; then
			why="second apply: $(grep error "$tmp/out" | head -n 1)"
		elif [ "$(handle table ip masqgen)" != "$before" ]; then
			why="the table was replaced"
		elif ! mg diff "$tmp/g/$name/b.masq" >"$tmp/out" 2>&1; then
			why="diff: $(grep -v warning "$tmp/out" | head -n 3 | tr '\n' ' ')"
		elif [ "$(mg set list zz_live 2>&1)" != 198.51.100.99 ]; then
			why="the element is gone"
		fi
	fi
	if [ -n "$why" ]; then
		bad="$bad $name ($why);"
	else
		n_ok=$((n_ok + 1))
	fi
	mg flush >/dev/null 2>&1
done
if [ -z "$bad" ] && [ "$n_ok" -gt 30 ]; then
	pass "kernel-sets golden policies with a live set apply in place ($n_ok)"
else
	fail "kernel-sets golden policies with a live set apply in place" "$n_ok fine;$bad"
fi
