#!/bin/sh
# No silent widening with real packets (issue 11). The three-namespace
# gateway of lib-netns.sh, dual stack, plus a guest LAN on eth2:
#
#   lan0 192.168.77.10+.11/24, 2001:db8:1::10+::11/64 --- eth1  gw  eth0 --- inet0
#   guest0 192.168.50.10/24, 2001:db8:50::10/64       --- eth2
#
# The policy masquerades one LAN host (.10 and 2001:db8:1::10), the whole
# guest network, and isolates the guest LAN with `deny forward on eth2 out
# eth1`. Over IPv6, TCP and ping: the listed host goes out, the unlisted
# one (::11) does not (nor over IPv4); the guest LAN, masqueraded as a
# whole network, goes out over IPv6 too; the guest LAN reaches the LAN in
# neither family, while the LAN reaches the guest LAN. Before the policy,
# with forwarding on and no filter, the unlisted host and the guest LAN
# get through: the test shows what the ruleset changed. Every wait is
# bounded (socat and ping timeouts). Needs root, socat and ping.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-netns.sh"
[ "${GOLDEN:-0}" = 1 ] && exit 0
netns_suite_deps kernel-dualstack-widen socat nft ping timeout || exit 0
tmp=$(mktemp_dir)
netns_state_dirs "$tmp"
NS_GUEST="mg-guest-$$"
suite_cleanup() {
	netns_cleanup
	ip netns del "$NS_GUEST" 2>/dev/null
	return 0
}
trap 'exit 1' INT TERM

guest_setup() {
	ip netns add "$NS_GUEST" &&
		ip link add guest0 netns "$NS_GUEST" type veth peer name eth2 netns "$NS_GW" &&
		ip -n "$NS_GUEST" link set lo up &&
		ip -n "$NS_GUEST" link set guest0 up &&
		ip -n "$NS_GW" link set eth2 up &&
		ip -n "$NS_GUEST" addr add 192.168.50.10/24 dev guest0 &&
		ip -n "$NS_GUEST" addr add 2001:db8:50::10/64 dev guest0 nodad &&
		ip -n "$NS_GW" addr add 192.168.50.1/24 dev eth2 &&
		ip -n "$NS_GW" addr add 2001:db8:50::1/64 dev eth2 nodad &&
		ip -n "$NS_GUEST" route add default via 192.168.50.1 &&
		ip -n "$NS_GUEST" -6 route add default via 2001:db8:50::1 &&
		ip -n "$NS_LAN" addr add 192.168.77.11/24 dev lan0 &&
		ip -n "$NS_LAN" addr add 2001:db8:1::11/64 dev lan0 nodad &&
		ip -n "$NS_NET" -6 route add 2001:db8:50::/64 via 2001:db8:ff::1
}

if ! netns_setup || ! netns_setup_v6 || ! guest_setup; then
	fail "kernel-dualstack-widen" "cannot build the namespaces"
	exit 0
fi
cat >"$tmp/policy.masq" <<'POLICY'
external eth0 address 203.0.113.1
internal eth1 192.168.77.1/24, 2001:db8:1::1/64
internal eth2 192.168.50.1/24, 2001:db8:50::1/64
masquerade 192.168.77.10, 2001:db8:1::10
masquerade 192.168.50.0/24
deny forward on eth2 out eth1
POLICY

# tcp DESC FROM_NS TO_NS ADDR SOURCE WANT: a TCP connection to port 8080
# of ADDR from SOURCE in FROM_NS gets through (WANT "open") or not
tcp() {
	case $5 in *:*) _src="[$5]" ;; *) _src=$5 ;; esac
	got=$(netns_connect "$2" "$3" "$4" 8080 8080 "$_src")
	if { [ "$6" = open ] && [ "$got" != none ]; } || { [ "$6" = closed ] && [ "$got" = none ]; }; then
		pass "kernel-dualstack-widen $1"
	else
		fail "kernel-dualstack-widen $1" "tcp $5 -> $4: expected $6, the listener saw '$got'"
	fi
}

# echo_req DESC FROM_NS ADDR SOURCE WANT: a ping from SOURCE to ADDR is answered
# (WANT "open") or not ("closed"), waiting at most 4 s for one answer
echo_req() {
	if ip netns exec "$2" timeout 6 ping -c 1 -w 4 -I "$4" "$3" >/dev/null 2>&1; then
		got=open
	else
		got=closed
	fi
	if [ "$got" = "$5" ]; then
		pass "kernel-dualstack-widen $1"
	else
		fail "kernel-dualstack-widen $1" "ping $4 -> $3: expected $5, got $got"
	fi
}

ip netns exec "$NS_GW" sysctl -q -w net.ipv4.ip_forward=1
# the negative control: without a ruleset nothing stops either
tcp "no ruleset: the unlisted LAN host goes out over IPv6" "$NS_LAN" "$NS_NET" 2001:db8:ff::2 2001:db8:1::11 open
tcp "no ruleset: the guest LAN reaches the LAN over IPv6" "$NS_GUEST" "$NS_LAN" 2001:db8:1::10 2001:db8:50::10 open

if ! ip netns exec "$NS_GW" "$MASQGEN" apply "$tmp/policy.masq" >"$tmp/out" 2>&1; then
	fail "kernel-dualstack-widen apply" "$(head -n 3 "$tmp/out")"
	exit 0
fi
pass "kernel-dualstack-widen apply"

tcp "listed host goes out over IPv6" "$NS_LAN" "$NS_NET" 2001:db8:ff::2 2001:db8:1::10 open
echo_req "listed host pings out over IPv6" "$NS_LAN" 2001:db8:ff::2 2001:db8:1::10 open
tcp "unlisted host stays in over IPv6" "$NS_LAN" "$NS_NET" 2001:db8:ff::2 2001:db8:1::11 closed
echo_req "unlisted host's IPv6 ping stays in" "$NS_LAN" 2001:db8:ff::2 2001:db8:1::11 closed
tcp "listed host goes out over IPv4" "$NS_LAN" "$NS_NET" 203.0.113.2 192.168.77.10 open
tcp "unlisted host stays in over IPv4" "$NS_LAN" "$NS_NET" 203.0.113.2 192.168.77.11 closed
tcp "whole guest network goes out over IPv6 too" "$NS_GUEST" "$NS_NET" 2001:db8:ff::2 2001:db8:50::10 open
echo_req "whole guest network pings out over IPv6" "$NS_GUEST" 2001:db8:ff::2 2001:db8:50::10 open
tcp "guest LAN cannot reach the LAN over IPv6" "$NS_GUEST" "$NS_LAN" 2001:db8:1::10 2001:db8:50::10 closed
tcp "guest LAN cannot reach the LAN over IPv4" "$NS_GUEST" "$NS_LAN" 192.168.77.10 192.168.50.10 closed
echo_req "guest LAN cannot ping the LAN over IPv6" "$NS_GUEST" 2001:db8:1::10 2001:db8:50::10 closed
echo_req "guest LAN cannot ping the LAN over IPv4" "$NS_GUEST" 192.168.77.10 192.168.50.10 closed
tcp "the LAN reaches the guest LAN over IPv6" "$NS_LAN" "$NS_GUEST" 2001:db8:50::10 2001:db8:1::11 open
ip netns exec "$NS_GW" "$MASQGEN" flush >/dev/null 2>&1
