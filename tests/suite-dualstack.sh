#!/bin/sh
# Dual stack with real packets: the three-namespace gateway of lib-netns.sh
# with IPv6 on both sides (2001:db8:1::/64 on the LAN, 2001:db8:ff::/64 on
# the Internet side, routed, no NAT66). `masqgen apply` loads a policy
# whose only IPv6 pinhole is `allow forward tcp 443 to 2001:db8:1::10`:
# the Internet host reaches that port over IPv6 and nothing else of the
# LAN host (another port, and the same port on IPv4, which has no forward).
# Before the policy, with forwarding on and no filter, the closed ports are
# open: the test shows what the ruleset changed. Needs root and socat.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-netns.sh"
[ "${GOLDEN:-0}" = 1 ] && exit 0
netns_suite_deps dualstack socat nft || exit 0
tmp=$(mktemp_dir)
netns_state_dirs "$tmp"
suite_cleanup() { netns_cleanup; }
trap 'exit 1' INT TERM

if ! netns_setup || ! netns_setup_v6; then
	fail "dualstack" "cannot build the namespaces"
	exit 0
fi
cat >"$tmp/policy.masq" <<'POLICY'
external eth0 address 203.0.113.1
internal eth1 192.168.77.1/24, 2001:db8:1::1/64
allow forward tcp 443 to 2001:db8:1::10, 192.168.77.10
firewall strong
POLICY
# pinhole DESC PORT ADDR WANT: a connection from the Internet host to
# [ADDR]:PORT on the LAN host arrives (WANT "open") or not ("closed")
pinhole() {
	got=$(netns_connect "$NS_NET" "$NS_LAN" "$3" "$2")
	if [ "$4" = open ] && [ "$got" != none ]; then
		pass "dualstack $1"
	elif [ "$4" = closed ] && [ "$got" = none ]; then
		pass "dualstack $1"
	else
		fail "dualstack $1" "port $2 of $3: expected $4, the listener saw '$got'"
	fi
}

ip netns exec "$NS_GW" sysctl -q -w net.ipv4.ip_forward=1
pinhole "no ruleset: IPv6 port 22 is reachable" 22 2001:db8:1::10 open
if ! ip netns exec "$NS_GW" "$MASQGEN" apply "$tmp/policy.masq" >"$tmp/out" 2>&1; then
	fail "dualstack apply" "$(head -n 3 "$tmp/out")"
	exit 0
fi
pass "dualstack apply"
pinhole "IPv6 pinhole tcp 443 admitted" 443 2001:db8:1::10 open
pinhole "IPv6 tcp 22 of the pinhole host dropped" 22 2001:db8:1::10 closed
pinhole "IPv6 tcp 444 of the pinhole host dropped" 444 2001:db8:1::10 closed
# no forward exists: a packet to the private IPv4 address stays blocked
ip -n "$NS_NET" route add 192.168.77.0/24 via 203.0.113.1
pinhole "IPv4 tcp 22 of the LAN host dropped" 22 192.168.77.10 closed
# the LAN's own IPv6 goes out (ipv6 firewall: LAN to Internet)
got=$(netns_connect "$NS_LAN" "$NS_NET" 2001:db8:ff::2 8080)
case $got in
*2001:db8:1::10* | *2001:0db8:0001:0000:0000:0000:0000:0010*) pass "dualstack LAN host reaches the Internet over IPv6, untranslated" ;;
*) fail "dualstack LAN host reaches the Internet over IPv6, untranslated" "the listener saw '$got'" ;;
esac
