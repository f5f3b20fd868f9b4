#!/bin/sh
# apply in place (root): a policy that differs from the loaded one only in
# forwards changes only those map and set elements. In a namespace of its
# own: apply A, count a dropped connection, apply A with one forward moved
# to another port; every chain and rule keeps its handle, the counter keeps
# its count, the maps hold the new forward and not the old one, and the
# table lists as a full apply of the new policy lists. Applies that take
# the loaded elements from masqgen's record (nothing committed since the
# last apply) load exactly the new policy, and an element or table another
# program added in between is seen by diff, show and the next apply; a
# damaged record is none. A rule another program added to masqgen's table
# makes the next apply a full one (the rule goes), and an unconfirmed
# apply --confirm rolls back exactly. Last, beside a live set with a
# run-time element: nft monitor sees the one-forward apply as element
# changes only, the element and the counter stay, and real connections
# take the moved forward and not the old port. Then a deny line: only the
# forward chain is flushed and refilled (nft monitor), the input chain keeps
# its handles and counter, the table lists as a full apply's, and an
# unconfirmed such change rolls back exactly.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-netns.sh"
[ "${GOLDEN:-0}" = 1 ] && exit 0
netns_suite_deps nftdelta nft nc setsid timeout socat ss || exit 0
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
# kept_count WHAT: the drop counter counted before ($before) and still does
kept_count() {
	after=$(dropped)
	if [ "${before:-0}" -ge 1 ] && [ "$after" = "$before" ]; then
		pass "nftdelta $1 ($after)"
	else
		fail "nftdelta $1" "before '$before', after '$after'"
	fi
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
kept_count "the drop counter keeps its count"
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

# The record: with nothing committed since an apply, the next one takes the
# loaded elements from masqgen's record instead of reading them back. Every
# commit by anyone must send it back to the kernel's elements.
# POLICY FILE [ADMINS]: a full apply of POLICY into a namespace of its own
# (with the addresses ADMINS added to its live set admins), listed
full_list() {
	ip netns del "$full" 2>/dev/null
	ip netns add "$full" && MASQGEN_RUN_DIR=$tmp/full-$2 ip netns exec "$full" \
		"$MASQGEN" apply "$1" >"$tmp/out" 2>&1
	expect_exit "nftdelta full apply of the same policy elsewhere ($2)" 0 $? "$tmp/out"
	for _a in $3; do
		MASQGEN_RUN_DIR=$tmp/full-$2 ip netns exec "$full" "$MASQGEN" set add admins "$_a" \
			>"$tmp/out" 2>&1
		expect_exit "nftdelta run-time element $_a elsewhere ($2)" 0 $? "$tmp/out"
	done
	listing "$full" >"$tmp/$2"
}
# apply_exact PORT WHAT: apply the policy whose first forward is PORT; the
# table lists as a full apply of it does
apply_exact() {
	policy "$1"
	mg apply "$tmp/p.masq" >"$tmp/out" 2>&1
	expect_exit "nftdelta apply $2" 0 $? "$tmp/out"
	full_list "$tmp/p.masq" "full$1.list"
	listing "$NS_GW" >"$tmp/delta$1.list"
	same_file "nftdelta apply $2: exactly the new policy" "$tmp/full$1.list" \
		"$tmp/delta$1.list"
}
record=$(find "$MASQGEN_RUN_DIR" -name nft-loaded | head -1)
if [ -s "$record" ]; then
	pass "nftdelta apply writes its record"
else
	fail "nftdelta apply writes its record" "no $MASQGEN_RUN_DIR/*/nft-loaded"
fi
# an element another program added to masqgen's map (no rule, set or
# handle changes: only the generation id tells)
ip netns exec "$NS_GW" nft add element ip masqgen fwd_eth0 \
	'{ tcp . 5555 : 192.168.77.99 . 5555 }'
mg diff "$tmp/p.masq" >"$tmp/diff" 2>&1
expect_exit "nftdelta diff sees an element another program added" 5 $? "$tmp/diff"
if grep -q '5555' "$tmp/diff"; then
	pass "nftdelta diff names the added element"
else
	fail "nftdelta diff names the added element" "$(cat "$tmp/diff")"
fi
if mg show | grep -q 'tcp \. 5555 '; then
	pass "nftdelta show lists the added element"
else
	fail "nftdelta show lists the added element" "tcp . 5555 missing"
fi
apply_exact 31000 "after another program's element (it goes)"
# a commit to another table only: the elements are read back, and all is exact
ip netns exec "$NS_GW" nft add table ip other
apply_exact 32000 "after another table's commit"
ip netns exec "$NS_GW" nft delete table ip other
# two applies in a row (the record's elements), then diff and show from it
apply_exact 33000 "with nothing committed since (the record's elements)"
apply_exact 34000 "from the record again"
mg diff "$tmp/p.masq" >"$tmp/diff" 2>&1
expect_exit "nftdelta diff of the applied policy from the record" 0 $? "$tmp/diff"
# (the drop counter has counted a connection here)
mg show 2>&1 | sed 's/counter packets [0-9]* bytes [0-9]*/counter/' >"$tmp/show"
ip netns exec "$full" "$MASQGEN" show 2>&1 |
	sed 's/counter packets [0-9]* bytes [0-9]*/counter/' >"$tmp/show-full"
same_file "nftdelta show from the record prints what show of a full apply prints" \
	"$tmp/show-full" "$tmp/show"
policy 20000
mg diff "$tmp/p.masq" >"$tmp/diff" 2>&1
expect_exit "nftdelta diff of a moved forward from the record" 5 $? "$tmp/diff"
if grep -q '^- forward tcp 34000 ' "$tmp/diff" && grep -q '^+ forward tcp 20000 ' "$tmp/diff"; then
	pass "nftdelta diff from the record names the moved forward"
else
	fail "nftdelta diff from the record names the moved forward" "$(cat "$tmp/diff")"
fi
# a damaged record is no record
head -c 100 "$record" >"$tmp/rec" && cat "$tmp/rec" >"$record"
apply_exact 35000 "with a damaged record"
policy 30000
mg apply "$tmp/p.masq" >"$tmp/out" 2>&1
expect_exit "nftdelta back to the policy of the listing" 0 $? "$tmp/out"

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

# A one-forward change is a delta in the kernel's own account: with a live
# set beside the forwards, an element put into it at run time and the
# drop counter counting, `nft monitor` sees the apply that moves one
# forward as element changes only (one deletion and one addition in each
# of the map and the admit set: no table, chain, rule or set made or
# removed), the live element and the counter stay, and a real connection
# reaches the LAN host through the moved forward and not through the old
# port.
policy 50000
printf 'set admins\nallow tcp 22 from @admins\n' >>"$tmp/p.masq"
mg apply "$tmp/p.masq" >"$tmp/out" 2>&1
expect_exit "nftdelta apply with a live set" 0 $? "$tmp/out"
mg set add admins 198.51.100.7 >"$tmp/out" 2>&1
expect_exit "nftdelta a run-time element in the live set" 0 $? "$tmp/out"
ip netns exec "$NS_NET" nc -z -w 1 203.0.113.1 9 2>/dev/null
before=$(dropped)
# mark NAME: commits of a table NAME of its own until the monitor has seen
# one (it may not listen yet at first)
mark() {
	_i=0
	while [ $_i -lt 50 ] && ! grep -q "^delete table ip $1\$" "$tmp/monitor"; do
		ip netns exec "$NS_GW" nft add table ip "$1"
		ip netns exec "$NS_GW" nft delete table ip "$1"
		sleep 0.1
		_i=$((_i + 1))
	done
}
# watched_apply WHAT: apply $tmp/p.masq under nft monitor; what the monitor
# saw of it (after the last mark before, up to the one after) goes to
# $tmp/events
watched_apply() {
	: >"$tmp/monitor"
	ip netns exec "$NS_GW" timeout 60 nft monitor >"$tmp/monitor" 2>&1 &
	_monitor=$!
	mark mgmark1
	mg apply "$tmp/p.masq" >"$tmp/out" 2>&1
	expect_exit "nftdelta apply $1" 0 $? "$tmp/out"
	mark mgmark2
	kill "$_monitor" 2>/dev/null
	wait "$_monitor" 2>/dev/null
	awk '/^delete table ip mgmark1$/ { n = 0; next } /^add table ip mgmark2$/ { exit }
		!/^#/ { ev[++n] = $0 }
		END { for (i = 1; i <= n; i++) print ev[i] }' "$tmp/monitor" >"$tmp/events"
}
policy 51000
printf 'set admins\nallow tcp 22 from @admins\n' >>"$tmp/p.masq"
watched_apply "with one forward moved beside a live set"
n_events=$(wc -l <"$tmp/events")
n_elem=$(grep -c '^\(add\|delete\) element ip masqgen fwd_\(eth0\|admit_tcp\) ' "$tmp/events")
if [ "$n_events" -ge 2 ] && [ "$n_events" -le 4 ] && [ "$n_elem" = "$n_events" ] &&
	grep -q '^delete element ip masqgen fwd_eth0 .*tcp \. 50000 ' "$tmp/events" &&
	grep -q '^add element ip masqgen fwd_eth0 .*tcp \. 51000 ' "$tmp/events"; then
	pass "nftdelta the one-forward apply commits element changes only ($n_events events)"
else
	fail "nftdelta the one-forward apply commits element changes only" \
		"$n_events events, $n_elem of elements: $(head -c 600 "$tmp/events")"
fi
if ip netns exec "$NS_GW" nft list set ip masqgen admins_v4 | grep -q '198\.51\.100\.7'; then
	pass "nftdelta the live set keeps its run-time element"
else
	fail "nftdelta the live set keeps its run-time element" "198.51.100.7 is gone"
fi
kept_count "the drop counter keeps its count beside a live set"
seen=$(netns_connect "$NS_NET" "$NS_LAN" 203.0.113.1 51000 20000)
if [ "$seen" = 203.0.113.2 ]; then
	pass "nftdelta a connection takes the moved forward"
else
	fail "nftdelta a connection takes the moved forward" "the LAN host saw '$seen'"
fi
seen=$(netns_connect "$NS_NET" "$NS_LAN" 203.0.113.1 50000 20000)
if [ "$seen" = none ]; then
	pass "nftdelta the old port forwards nothing"
else
	fail "nftdelta the old port forwards nothing" "the LAN host saw '$seen'"
fi

# A changed rule: only its chain is flushed and refilled, beside a live set
# too. A deny line adds a rule to the forward chain; nft monitor sees the
# forward chain's rules deleted and added again and nothing else, the live
# set keeps its run-time element, the input chain keeps its handles and its
# drop counter, and the table lists as a full apply of the new policy
# lists. An unconfirmed apply --confirm of such a change rolls back exactly.
policy 60000
printf 'set admins\nallow tcp 22 from @admins\n' >>"$tmp/p.masq"
mg apply "$tmp/p.masq" >"$tmp/out" 2>&1
expect_exit "nftdelta apply with the live set" 0 $? "$tmp/out"
mg set add admins 198.51.100.8 >"$tmp/out" 2>&1
expect_exit "nftdelta another run-time element in the live set" 0 $? "$tmp/out"
ip netns exec "$NS_NET" nc -z -w 1 203.0.113.1 9 2>/dev/null
before=$(dropped)
input_rules() {
	ip netns exec "$NS_GW" nft -a list chain ip masqgen input |
		sed 's/counter packets [0-9]* bytes [0-9]* //'
}
input_rules >"$tmp/in1"
echo "deny forward from 198.51.100.9" >>"$tmp/p.masq"
watched_apply "with a deny line added"
n_events=$(wc -l <"$tmp/events")
n_fwd=$(grep -c '^\(add\|delete\) rule ip masqgen forward ' "$tmp/events")
if [ "$n_events" -ge 2 ] && [ "$n_fwd" = "$n_events" ] &&
	grep -q '^add rule ip masqgen forward .*198\.51\.100\.9 .*drop' "$tmp/events"; then
	pass "nftdelta a deny line refills the forward chain only ($n_events events)"
else
	fail "nftdelta a deny line refills the forward chain only" \
		"$n_events events, $n_fwd of forward rules: $(head -c 600 "$tmp/events")"
fi
if ip netns exec "$NS_GW" nft list set ip masqgen admins_v4 | grep -q '198\.51\.100\.8'; then
	pass "nftdelta a refill keeps the live set's run-time element"
else
	fail "nftdelta a refill keeps the live set's run-time element" "198.51.100.8 is gone"
fi
input_rules >"$tmp/in2"
same_file "nftdelta the input chain keeps its rules' handles" "$tmp/in1" "$tmp/in2"
kept_count "the input chain's drop counter keeps its count"
full_list "$tmp/p.masq" full-deny.list "198.51.100.7 198.51.100.8"
listing "$NS_GW" >"$tmp/delta-deny.list"
same_file "nftdelta after a refilled chain: exactly the new policy" "$tmp/full-deny.list" \
	"$tmp/delta-deny.list"
cp "$tmp/p.masq" "$tmp/deny.masq"
echo "deny forward from 198.51.100.10" >>"$tmp/p.masq"
setsid ip netns exec "$NS_GW" "$MASQGEN" apply --confirm 1 "$tmp/p.masq" </dev/null \
	>"$tmp/out" 2>&1
expect_exit "nftdelta unconfirmed refill exits 4" 4 $? "$tmp/out"
listing "$NS_GW" >"$tmp/rolled-deny.list"
same_file "nftdelta the rollback of a refill restores the table exactly" \
	"$tmp/full-deny.list" "$tmp/rolled-deny.list"
