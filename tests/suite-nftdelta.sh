#!/bin/sh
# apply in place (root): a policy that differs from the loaded one only in
# forwards changes only those map and set elements. In a namespace of its
# own: apply A, count a dropped connection, apply A with one forward moved
# to another port; every chain and rule keeps its handle, the counter keeps
# its count, the maps hold the new forward and not the old one, and the
# table lists as a full apply of the new policy lists. A rule another
# program added to masqgen's table makes the next apply a full one (the
# rule goes), and an unconfirmed apply --confirm rolls back exactly.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-netns.sh"
[ "${GOLDEN:-0}" = 1 ] && exit 0
netns_suite_deps nftdelta nft nc setsid timeout || exit 0
tmp=$(mktemp_dir)
full="mg-delta-$$"
suite_cleanup() {
	netns_cleanup
	ip netns del "$full" 2>/dev/null
}
trap 'exit 1' INT TERM HUP
netns_state_dirs "$tmp"
unset SSH_CONNECTION
if ! netns_setup; then
	fail "nftdelta setup" "cannot build the namespaces"
	exit 0
fi

mg() { ip netns exec "$NS_GW" "$MASQGEN" "$@"; }
# the policy with 300 forwards; the first one's public port is $1
policy() {
	{
		echo "external eth0 address 203.0.113.1"
		echo "internal eth1 192.168.77.1/24"
		i=0
		while [ $i -lt 300 ]; do
			[ $i = 0 ] && port=$1 || port=$((20000 + i))
			echo "forward tcp $port to 192.168.77.$((10 + i % 50)):$((20000 + i))"
			i=$((i + 1))
		done
	} >"$tmp/p.masq"
}
# chains, rules, sets and the table with their handles, not elements or counters
handles() {
	ip netns exec "$NS_GW" nft -a list table ip masqgen |
		sed -n 's/counter packets [0-9]* bytes [0-9]* //; /# handle [0-9]*$/p' |
		grep -v '^[[:space:]]*[0-9]'
}
dropped() {
	ip netns exec "$NS_GW" nft list chain ip masqgen input |
		sed -n 's/.*counter packets \([0-9]*\) .*catch-all.*/\1/p'
}
listing() { # NS
	ip netns exec "$1" nft -s list table ip masqgen | awk -f "$ROOT_DIR/tests/nft-normalize.awk"
}

policy 20000
mg apply "$tmp/p.masq" >"$tmp/out" 2>&1
expect_exit "nftdelta apply A" 0 $? "$tmp/out"
ip netns exec "$NS_NET" nc -z -w 1 203.0.113.1 9 2>/dev/null
before=$(dropped)
handles >"$tmp/h1"

policy 30000
mg apply "$tmp/p.masq" >"$tmp/out" 2>&1
expect_exit "nftdelta apply A with one forward moved" 0 $? "$tmp/out"
handles >"$tmp/h2"
same_file "nftdelta every table, chain, rule and set keeps its handle" "$tmp/h1" "$tmp/h2"
after=$(dropped)
if [ "${before:-0}" -ge 1 ] && [ "$after" = "$before" ]; then
	pass "nftdelta the drop counter keeps its count ($after)"
else
	fail "nftdelta the drop counter keeps its count" "before '$before', after '$after'"
fi
map=$(ip netns exec "$NS_GW" nft list map ip masqgen fwd_eth0)
if echo "$map" | grep -q 'tcp \. 30000 .*: 192\.168\.77\.10 \. 20000' &&
	! echo "$map" | grep -q 'tcp \. 20000 '; then
	pass "nftdelta the map holds the moved forward only"
else
	fail "nftdelta the map holds the moved forward only" "$(echo "$map" | grep -c tcp) tcp lines"
fi
listing "$NS_GW" >"$tmp/delta.list"
ip netns add "$full" && MASQGEN_RUN_DIR=$tmp/full ip netns exec "$full" "$MASQGEN" apply \
	"$tmp/p.masq" >"$tmp/out" 2>&1
expect_exit "nftdelta full apply of the same policy elsewhere" 0 $? "$tmp/out"
listing "$full" >"$tmp/full.list"
same_file "nftdelta lists as a full apply of the new policy" "$tmp/full.list" "$tmp/delta.list"

# another program's rule in masqgen's table: the next apply replaces it all
ip netns exec "$NS_GW" nft add rule ip masqgen input tcp dport 7 accept
mg apply "$tmp/p.masq" >"$tmp/out" 2>&1
expect_exit "nftdelta apply after a foreign change" 0 $? "$tmp/out"
listing "$NS_GW" >"$tmp/after-foreign.list"
same_file "nftdelta a foreign rule makes the apply a full one" "$tmp/full.list" \
	"$tmp/after-foreign.list"

# an unconfirmed change rolls back to exactly what was loaded
policy 40000
setsid ip netns exec "$NS_GW" "$MASQGEN" apply --confirm 1 "$tmp/p.masq" </dev/null \
	>"$tmp/out" 2>&1
expect_exit "nftdelta unconfirmed apply --confirm exits 4" 4 $? "$tmp/out"
listing "$NS_GW" >"$tmp/rolled.list"
same_file "nftdelta the rollback restores the table exactly" "$tmp/full.list" "$tmp/rolled.list"
# and the apply after a rollback is a full one that lists right
mg apply "$tmp/p.masq" >"$tmp/out" 2>&1
expect_exit "nftdelta apply after a rollback" 0 $? "$tmp/out"
if ip netns exec "$NS_GW" nft list map ip masqgen fwd_eth0 | grep -q 'tcp \. 40000 '; then
	pass "nftdelta apply after a rollback loads the new forward"
else
	fail "nftdelta apply after a rollback loads the new forward" "tcp . 40000 missing"
fi
