#!/bin/sh
# Multi-WAN replies (root): a gateway with two uplinks whose main default
# route goes out of uplink 1 (wan1); an Internet host behind uplink 2
# (198.51.100.200, not on wan2's link) reaches a port forward and the
# gateway's own port on wan2, with the reverse-path filter on:
#   - apply writes the routing rules (pref 1000 main without its default
#     route, 1001/1002 fwmark to tables 101/102), copies each uplink's
#     default route into its table, and sets src_valid_mark;
#   - both connections complete, and no reply leaves by uplink 1 (a
#     counter in uplink 1's provider sees none);
#   - without the rule of uplink 2 (and with the reverse-path filter off,
#     which would drop the requests already) the same connections fail
#     and the replies do go out of uplink 1: the test tells the feature
#     apart;
#   - `masqgen routes` puts the rule back, the connections work again;
#   - the link-up hook of init-script runs it when an uplink comes up;
#   - a LAN host still goes out by the main table's uplink 1;
#   - flush removes exactly the rules and routes and restores
#     src_valid_mark;
#   - a rolled-back apply --confirm puts the rules and tables back as
#     they were (two uplinks', or none);
#   - diff names a missing rule, and the rules a one-uplink policy drops;
#   - with -t iptables (CONNMARK) the replies leave by wan2 as well;
#   - `masquerade ... on wan2` pins its LAN sources' new connections to
#     uplink 2 (nft and iptables): a LAN host reaches the host behind
#     uplink 2, masqueraded to wan2's address, where the main table would
#     send it out of uplink 1 (which the same host, not pinned, shows).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-netns.sh"
[ "${GOLDEN:-0}" = 1 ] && exit 0

netns_suite_deps "kernel multiwan" ip nft socat ss timeout iptables-restore || exit 0

tmp=$(mktemp_dir)
NS_LAN="mg-mwlan-$$" NS_GW="mg-mwgw-$$" NS_NET="mg-mwisp1-$$" NS_ISP2="mg-mwisp2-$$"
suite_cleanup() {
	netns_cleanup
	ip netns del "$NS_ISP2" 2>/dev/null
	return 0
}
unset SSH_CONNECTION SSH_CLIENT
netns_state_dirs "$tmp"

gw() { ip netns exec "$NS_GW" "$@"; }

setup() {
	for ns in "$NS_LAN" "$NS_GW" "$NS_NET" "$NS_ISP2"; do
		ip netns add "$ns" && ip -n "$ns" link set lo up || return 1
	done
	ip link add lan0 netns "$NS_LAN" type veth peer name eth1 netns "$NS_GW" &&
		ip link add isp1 netns "$NS_NET" type veth peer name wan1 netns "$NS_GW" &&
		ip link add isp2 netns "$NS_ISP2" type veth peer name wan2 netns "$NS_GW" || return 1
	ip -n "$NS_LAN" addr add 192.168.77.10/24 dev lan0
	ip -n "$NS_GW" addr add 192.168.77.1/24 dev eth1
	ip -n "$NS_GW" addr add 203.0.113.2/24 dev wan1
	ip -n "$NS_NET" addr add 203.0.113.1/24 dev isp1
	ip -n "$NS_GW" addr add 198.51.100.2/25 dev wan2
	ip -n "$NS_ISP2" addr add 198.51.100.1/25 dev isp2
	# the Internet host behind uplink 2: off wan2's link
	ip -n "$NS_ISP2" addr add 198.51.100.200/32 dev lo
	# ARP from the link's own address, as the provider's router would
	ip netns exec "$NS_ISP2" sysctl -qw net.ipv4.conf.all.arp_announce=2
	ip -n "$NS_LAN" link set lan0 up
	ip -n "$NS_NET" link set isp1 up
	ip -n "$NS_ISP2" link set isp2 up
	for dev in eth1 wan1 wan2; do ip -n "$NS_GW" link set "$dev" up; done
	ip -n "$NS_LAN" route add default via 192.168.77.1
	# uplink 1 is the main default route; uplink 2's (a DHCP client's) has a higher metric
	ip -n "$NS_GW" route add default via 203.0.113.1 dev wan1 metric 100
	ip -n "$NS_GW" route add default via 198.51.100.1 dev wan2 metric 200
	gw sysctl -qw net.ipv4.ip_forward=0
	# uplink 1's provider counts what the gateway sends to the host behind uplink 2
	ip netns exec "$NS_NET" nft -f - <<'NFT'
table ip watch {
	chain pre {
		type filter hook prerouting priority 0; policy accept;
		ip daddr 198.51.100.200 counter
	}
}
NFT
}

# stray: packets for the host behind uplink 2 that left by uplink 1
stray() {
	ip netns exec "$NS_NET" nft list chain ip watch pre |
		sed -n 's/.*counter packets \([0-9]*\).*/\1/p'
}

# reach NAME yes|no: the forward and the gateway's own port, from 198.51.100.200
reach() {
	before=$(stray)
	seen=$(netns_connect "$NS_ISP2" "$NS_LAN" 198.51.100.2 8080 8080 198.51.100.200)
	own=$(netns_connect "$NS_ISP2" "$NS_GW" 198.51.100.2 2222 2222 198.51.100.200)
	after=$(stray)
	if [ "$2" = yes ] && [ "$seen" = 198.51.100.200 ] && [ "$own" = 198.51.100.200 ] &&
		[ "$after" = "$before" ]; then
		pass "multiwan $1: forward and own port on wan2 answer by wan2"
	elif [ "$2" = no ] && [ "$seen" = none ] && [ "$own" = none ] &&
		[ "${after:-0}" -gt "${before:-0}" ]; then
		pass "multiwan $1: without the rule the replies leave by wan1 and fail"
	else
		fail "multiwan $1" "wanted $2: forward saw '$seen', own port saw '$own', replies by wan1 $before -> $after"
	fi
}

cat >"$tmp/policy.masq" <<'POLICY'
external wan1 address 203.0.113.2
external wan2 address 198.51.100.2
internal eth1 192.168.77.1/24
forward tcp 8080 on wan2 to 192.168.77.10
allow tcp 2222 on wan2
option rp_filter on
POLICY

if ! setup; then
	fail "multiwan setup" "cannot build the namespaces"
	exit 0
fi
rules_before=$(gw ip rule show)
valid_before=$(gw sysctl -n net.ipv4.conf.all.src_valid_mark)

if gw "$MASQGEN" apply "$tmp/policy.masq" >"$tmp/apply" 2>&1; then
	pass "multiwan apply"
else
	fail "multiwan apply" "$(cat "$tmp/apply")"
fi
rules=$(gw ip rule show)
if printf '%s\n' "$rules" | grep -q '^1000:.*lookup main suppress_prefixlength 0' &&
	printf '%s\n' "$rules" | grep -q '^1001:.*fwmark 0x10000/0xf0000 lookup 101' &&
	printf '%s\n' "$rules" | grep -q '^1002:.*fwmark 0x20000/0xf0000 lookup 102' &&
	gw ip route show table 101 | grep -q "^default via 203.0.113.1 dev wan1 proto static" &&
	gw ip route show table 102 | grep -q "^default via 198.51.100.1 dev wan2 proto static" &&
	[ "$(gw sysctl -n net.ipv4.conf.all.src_valid_mark)" = 1 ]; then
	pass "multiwan: rules, per-uplink tables and src_valid_mark in place"
else
	fail "multiwan rules" "$rules / 101: $(gw ip route show table 101) / 102: $(gw ip route show table 102)"
fi
reach "applied" yes

# diff: the applied policy is no change; its routing rules are compared too
gw "$MASQGEN" diff "$tmp/policy.masq" >"$tmp/diff" 2>&1
expect_exit "multiwan: diff of the applied policy" 0 $? "$tmp/diff"

seen=$(netns_connect "$NS_LAN" "$NS_NET" 203.0.113.1 18300)
if [ "$seen" = 203.0.113.2 ]; then
	pass "multiwan: a LAN connection goes out by the main table's wan1"
else
	fail "multiwan LAN outgoing" "uplink 1's provider saw '$seen'"
fi

# without the rule (and the reverse-path filter, which would drop the
# requests already) the replies take the main table's wan1
gw ip rule del pref 1002
gw sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.wan2.rp_filter=0
reach "rule removed" no
gw "$MASQGEN" diff "$tmp/policy.masq" >"$tmp/diff" 2>&1
rc=$?
grep '^[-+] routing' "$tmp/diff" >"$tmp/diff.got"
printf '+ routing rule 1002: fwmark 0x20000/0xf0000 lookup 102 (replies out of wan2)  (%s)
' \
	"$tmp/policy.masq:2" >"$tmp/diff.exp"
if [ $rc = 5 ] && diff -u "$tmp/diff.exp" "$tmp/diff.got" >"$tmp/diff.d"; then
	pass "multiwan: diff names the missing routing rule and its external's line"
else
	fail "multiwan diff of a missing rule" "exit $rc: $(cat "$tmp/diff.d")"
fi
gw sysctl -qw net.ipv4.conf.all.rp_filter=1 net.ipv4.conf.wan2.rp_filter=1

if gw "$MASQGEN" routes >"$tmp/routes" 2>&1 &&
	gw ip rule show | grep -q '^1002:.*lookup 102'; then
	pass "multiwan: masqgen routes puts the rule back"
else
	fail "multiwan routes" "$(cat "$tmp/routes"); $(gw ip rule show)"
fi
reach "after masqgen routes" yes

# the link-up hook (init-script --style link-up), run as pppd runs it
gw "$MASQGEN" init-script --style link-up -o "$tmp/link-up" "$tmp/policy.masq" ||
	fail "multiwan link-up: init-script" "no hook written"
gw ip route flush table 102
gw env PPP_IFACE=wan2 sh "$tmp/link-up"
if gw ip route show table 102 | grep -q "^default via 198.51.100.1 dev wan2"; then
	pass "multiwan link-up: the hook puts uplink 2's default route back into its table"
else
	fail "multiwan link-up" "table 102: $(gw ip route show table 102)"
fi

# a second apply of the same policy changes nothing in the routing
gw "$MASQGEN" apply "$tmp/policy.masq" >/dev/null 2>&1
if [ "$(gw ip rule show)" = "$rules" ]; then
	pass "multiwan: a second apply leaves the rules as they are"
else
	fail "multiwan second apply" "$(gw ip rule show)"
fi

cat >"$tmp/one.masq" <<'POLICY'
external wan1 address 203.0.113.2
internal eth1 192.168.77.1/24
POLICY
# diff of a one-uplink policy: the uplinks' rules go
gw "$MASQGEN" diff "$tmp/one.masq" >"$tmp/diff" 2>&1
rc=$?
grep '^[-+] routing' "$tmp/diff" >"$tmp/diff.got"
cat >"$tmp/diff.exp" <<'EXP'
- routing rule 1001: fwmark 0x10000/0xf0000 lookup 101 (replies out of wan1)  (no longer in the policy)
- routing rule 1002: fwmark 0x20000/0xf0000 lookup 102 (replies out of wan2)  (no longer in the policy)
- routing rule 1000: lookup main suppress_prefixlength 0  (no longer in the policy)
EXP
if [ $rc = 5 ] && diff -u "$tmp/diff.exp" "$tmp/diff.got" >"$tmp/diff.d"; then
	pass "multiwan: diff of a one-uplink policy names the rules apply would delete"
else
	fail "multiwan diff to one uplink" "exit $rc: $(cat "$tmp/diff.d")"
fi

# an unconfirmed apply --confirm puts the routing back as it was: the
# two uplinks' rules after a one-uplink policy was rolled back ...
record=$(cat "$MASQGEN_STATE_DIR/$NS_GW/routes" 2>&1)
setsid ip netns exec "$NS_GW" "$MASQGEN" apply --confirm 1 "$tmp/one.masq" </dev/null >"$tmp/confirm" 2>&1
rc=$?
if [ $rc = 4 ] && [ "$(gw ip rule show)" = "$rules" ] &&
	gw ip route show table 102 | grep -q "^default via 198.51.100.1 dev wan2" &&
	[ "$(cat "$MASQGEN_STATE_DIR/$NS_GW/routes" 2>&1)" = "$record" ]; then
	pass "multiwan: a rolled-back apply --confirm puts the uplinks' rules and tables back"
else
	fail "multiwan rollback to two uplinks" "exit $rc: $(cat "$tmp/confirm"); $(gw ip rule show); 102: $(gw ip route show table 102)"
fi
reach "after a rollback" yes

if gw "$MASQGEN" flush >"$tmp/flush" 2>&1 && [ "$(gw ip rule show)" = "$rules_before" ] &&
	[ -z "$(gw ip route show table 101)" ] && [ -z "$(gw ip route show table 102)" ] &&
	[ "$(gw sysctl -n net.ipv4.conf.all.src_valid_mark)" = "$valid_before" ] &&
	[ ! -e "$MASQGEN_STATE_DIR/$NS_GW/routes" ]; then
	pass "multiwan: flush removes the rules and routes, restores src_valid_mark"
else
	fail "multiwan flush" "$(cat "$tmp/flush"); $(gw ip rule show); 101: $(gw ip route show table 101); src_valid_mark $(gw sysctl -n net.ipv4.conf.all.src_valid_mark)"
fi
if gw ip route show | grep -q '^default via 198.51.100.1 dev wan2'; then
	pass "multiwan: flush leaves the main table's routes"
else
	fail "multiwan flush main table" "$(gw ip route show)"
fi

# ... and none after a rollback to a gateway that had none
setsid ip netns exec "$NS_GW" "$MASQGEN" apply --confirm 1 "$tmp/policy.masq" </dev/null >"$tmp/confirm" 2>&1
rc=$?
if [ $rc = 4 ] && [ "$(gw ip rule show)" = "$rules_before" ] &&
	[ -z "$(gw ip route show table 102)" ] && [ ! -e "$MASQGEN_STATE_DIR/$NS_GW/routes" ]; then
	pass "multiwan: a rolled-back apply --confirm leaves no routing rule behind"
else
	fail "multiwan rollback to no uplink rules" "exit $rc: $(cat "$tmp/confirm"); $(gw ip rule show); 102: $(gw ip route show table 102)"
fi

# the iptables target marks with CONNMARK: the same replies by wan2
if gw "$MASQGEN" apply -t iptables "$tmp/policy.masq" >"$tmp/apply" 2>&1; then
	pass "multiwan apply -t iptables"
else
	fail "multiwan apply -t iptables" "$(cat "$tmp/apply")"
fi
reach "iptables" yes
gw "$MASQGEN" flush >/dev/null 2>&1
if [ "$(gw ip rule show)" = "$rules_before" ]; then
	pass "multiwan: flush after -t iptables removes the rules"
else
	fail "multiwan flush after -t iptables" "$(gw ip rule show)"
fi

# `masquerade ... on wan2` pins: 192.168.77.0/28 (the LAN host .10) goes
# out of uplink 2, the rest of the LAN out of uplink 1
cat >"$tmp/pin.masq" <<'POLICY'
external wan1 address 203.0.113.2
external wan2 address 198.51.100.2
internal eth1 192.168.77.1/24
masquerade 192.168.77.0/28 on wan2
masquerade 192.168.77.16/28, 192.168.77.32/27, 192.168.77.64/26, 192.168.77.128/25 on wan1
POLICY
sed 's|^masquerade 192.168.77.0/28 on wan2$|masquerade 192.168.77.0/28|' "$tmp/pin.masq" >"$tmp/nopin.masq"
# pinned NAME POLICY TARGET yes|no: the LAN host to the host behind uplink 2
pinned() {
	gw "$MASQGEN" apply -t "$3" "$2" >"$tmp/apply" 2>&1 ||
		fail "multiwan $1 apply" "$(cat "$tmp/apply")"
	before=$(stray)
	seen=$(netns_connect "$NS_LAN" "$NS_ISP2" 198.51.100.200 18400)
	after=$(stray)
	if [ "$4" = yes ] && [ "$seen" = 198.51.100.2 ] && [ "$after" = "$before" ]; then
		pass "multiwan $1: the pinned LAN host goes out of wan2, masqueraded to its address"
	elif [ "$4" = no ] && [ "$seen" = none ] && [ "${after:-0}" -gt "${before:-0}" ]; then
		pass "multiwan $1: not pinned, the LAN host follows the main table out of wan1"
	else
		fail "multiwan $1" "wanted $4: the host behind wan2 saw '$seen', by wan1 $before -> $after"
	fi
	gw "$MASQGEN" flush >/dev/null 2>&1
}
pinned "pin nft" "$tmp/pin.masq" nft yes
pinned "no pin nft" "$tmp/nopin.masq" nft no
pinned "pin iptables" "$tmp/pin.masq" iptables yes
