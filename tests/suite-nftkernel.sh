#!/bin/sh
# The nft ruleset at work: a gateway, two LAN hosts and a 1:1 host on a
# bridge, and an Internet host (with a second, "office" address in
# 198.51.100.0/24), each in a network namespace of this suite's own
# (documentation prefixes outside, private ones inside, nothing leaves the
# machine). The batch from nft_build() (test_nft_lower --load) is loaded
# into the gateway, then real TCP connections try masquerading, a port
# forward, reflection, 1:1 NAT both ways and its reflection, and what must
# stay closed: a forward to the 1:1 host opens only its own public port
# and `from`, never the 1:1 address's port of the same number. The
# forward admission is then tried again with `generate -t iptables`
# loaded instead, and with a static external both backends reflect only
# its address (the docker0 address on a forwarded port reaches the
# gateway itself). A container namespace behind a passthrough bridge
# docker0 (with a foreign DNAT to it, as Docker makes) shows that
# `timeouts` reach the LAN's connections and never the container's
# (conntrack -L in the gateway). Last, `ipv6 block`: forwarded IPv6 is
# dropped while the gateway's own IPv6 (neighbour discovery) keeps working.
# Needs root, socat and conntrack.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-netns.sh"
[ "${GOLDEN:-0}" = 1 ] && exit 0
netns_suite_deps nftkernel || exit 0
if ! command -v socat >/dev/null; then
	skip "nftkernel" "needs socat"
	exit 0
fi
netns_nft_loader nftkernel || exit 0
tmp=$(mktemp_dir)
gw="mg-k-gw-$$"
lan="mg-k-lan-$$"
one="mg-k-one-$$"
ctr="mg-k-ctr-$$"
web="mg-k-web-$$"
net="mg-k-net-$$"
pids=""
suite_cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	for n in "$gw" "$lan" "$one" "$web" "$net" "$ctr"; do ip netns del "$n" 2>/dev/null; done
}
trap 'exit 1' INT TERM

setup() {
	for n in "$gw" "$lan" "$one" "$web" "$net" "$ctr"; do
		ip netns add "$n" && ip -n "$n" link set lo up || return 1
	done
	# a container bridge another tool owns: passthrough, routed without NAT
	ip -n "$gw" link add docker0 type bridge && ip -n "$gw" link set docker0 up &&
		ip -n "$gw" addr add 172.17.0.1/16 dev docker0 &&
		ip link add "mgkc-$$" netns "$gw" type veth peer name eth0 netns "$ctr" &&
		ip -n "$gw" link set "mgkc-$$" master docker0 up &&
		ip -n "$ctr" addr add 172.17.0.2/16 dev eth0 && ip -n "$ctr" link set eth0 up &&
		ip -n "$ctr" route add default via 172.17.0.1 || return 1
	ip -n "$gw" link add eth1 type bridge && ip -n "$gw" link set eth1 up &&
		ip -n "$gw" addr add 192.168.0.1/24 dev eth1 || return 1
	i=0
	for h in "$lan" "$one" "$web"; do
		i=$((i + 1))
		ip link add "mgk$i-$$" netns "$gw" type veth peer name eth0 netns "$h" &&
			ip -n "$gw" link set "mgk$i-$$" master eth1 up &&
			ip -n "$h" link set eth0 up || return 1
	done
	ip -n "$lan" addr add 192.168.0.30/24 dev eth0 &&
		ip -n "$one" addr add 192.168.0.20/24 dev eth0 &&
		ip -n "$web" addr add 192.168.0.10/24 dev eth0 || return 1
	for h in "$lan" "$one" "$web"; do
		ip -n "$h" route add default via 192.168.0.1 || return 1
	done
	ip link add ppp0 netns "$gw" type veth peer name eth0 netns "$net" &&
		ip -n "$gw" addr add 203.0.113.1/24 dev ppp0 &&
		ip -n "$gw" addr add 203.0.113.20/32 dev ppp0 &&
		ip -n "$gw" link set ppp0 up &&
		ip -n "$net" addr add 203.0.113.2/24 dev eth0 &&
		ip -n "$net" addr add 198.51.100.5/32 dev eth0 &&
		ip -n "$net" link set eth0 up &&
		ip -n "$gw" route add 198.51.100.0/24 via 203.0.113.2 &&
		ip -n "$net" route add 192.168.0.0/24 via 203.0.113.1 &&
		ip -n "$net" route add 172.17.0.0/16 via 203.0.113.1 || return 1
	ip netns exec "$gw" sysctl -qw net.ipv4.ip_forward=1
}

# serve NS PORT NAME: answer every connection with NAME and the peer address
serve() {
	ip netns exec "$1" timeout 180 socat TCP-LISTEN:"$2",reuseaddr,fork \
		SYSTEM:"echo $3 from \$SOCAT_PEERADDR" >/dev/null 2>&1 &
	pids="$pids $!"
}

# ask NS ADDR PORT [SOURCE]: what the server there says (empty when nothing answers)
ask() {
	ip netns exec "$1" timeout 4 socat -T 2 - \
		TCP:"$2":"$3",connect-timeout=2${4:+,bind=$4} </dev/null 2>/dev/null
}

# expect NAME GOT WANT
expect() {
	if [ "$2" = "$3" ]; then pass "nftkernel $1"; else
		fail "nftkernel $1" "got '$2', want '$3'"; fi
}

if ! setup; then
	fail "nftkernel setup" "cannot build the namespaces"
	exit 0
fi
cat >"$tmp/policy.masq" <<'EOF'
external ppp0 dynamic
internal eth1 192.168.0.1/24
forward tcp 8080 to 192.168.0.10:80
nat 203.0.113.20 to 192.168.0.20
allow forward tcp 80 to 192.168.0.20
forward tcp 22 from 198.51.100.0/24 to 192.168.0.20
forward tcp 2525 to 192.168.0.20:25
passthrough docker0
timeouts tcp 10m
firewall strong
EOF
if ! (cd "$tmp" && ip netns exec "$gw" "$loader" --load policy.masq) 2>"$tmp/err"; then
	fail "nftkernel load" "$(head -n 5 "$tmp/err")"
	exit 0
fi
serve "$net" 80 internet
serve "$web" 80 web
serve "$one" 80 one
serve "$one" 22 one-ssh
serve "$one" 25 one-smtp
serve "$gw" 22 gateway-ssh
sleep 1

expect "LAN host masqueraded" "$(ask "$lan" 203.0.113.2 80)" "internet from 203.0.113.1"
expect "port forward" "$(ask "$net" 203.0.113.1 8080)" "web from 203.0.113.2"
expect "port forward reflected" "$(ask "$lan" 203.0.113.1 8080)" "web from 192.168.0.1"
expect "1:1 inbound" "$(ask "$net" 203.0.113.20 80)" "one from 203.0.113.2"
expect "1:1 outbound" "$(ask "$one" 203.0.113.2 80)" "internet from 203.0.113.20"
expect "1:1 reflected" "$(ask "$lan" 203.0.113.20 80)" "one from 192.168.0.1"
expect "1:1 opens only what allow admits" "$(ask "$net" 203.0.113.20 22)" ""
expect "private address not routed in" "$(ask "$net" 192.168.0.10 80)" ""
expect "gateway closed from outside" "$(ask "$net" 203.0.113.1 22)" ""

# forward admission: the public port the connection was addressed to, and `from`
admission() {
	expect "$1 forward from: its source reaches it" \
		"$(ask "$net" 203.0.113.1 22 198.51.100.5)" "one-ssh from 198.51.100.5"
	expect "$1 forward from: other sources do not" "$(ask "$net" 203.0.113.1 22)" ""
	expect "$1 1:1 address does not open a forward's port beyond its from" \
		"$(ask "$net" 203.0.113.20 22)" ""
	expect "$1 1:1 address, the forward's own port and from" \
		"$(ask "$net" 203.0.113.20 22 198.51.100.5)" "one-ssh from 198.51.100.5"
	expect "$1 port-changing forward" "$(ask "$net" 203.0.113.1 2525)" \
		"one-smtp from 203.0.113.2"
	expect "$1 port-changing forward does not open its target port on the 1:1 address" \
		"$(ask "$net" 203.0.113.20 25)" ""
}
admission nft

# timeouts: an established LAN connection gets 600 s, a container's keeps
# the kernel's 5 days, both ways (the foreign DNAT stands in for Docker's)
hold() {
	ip netns exec "$1" timeout 20 socat TCP-LISTEN:"$2",reuseaddr,fork \
		SYSTEM:"sleep 8" >/dev/null 2>&1 &
	pids="$pids $!"
}
# ct_timeout NS ADDR PORT SPORT: open a connection from NS and print the
# timeout of its conntrack entry in the gateway (empty when there is none)
ct_timeout() {
	ip netns exec "$1" timeout 6 socat -u TCP:"$2":"$3",sourceport="$4",connect-timeout=2 \
		- >/dev/null 2>&1 &
	pids="$pids $!"
	_t="" _i=0
	while [ $_i -lt 20 ]; do
		_t=$(ip netns exec "$gw" conntrack -L -p tcp --sport "$4" 2>/dev/null |
			awk '/ESTABLISHED/ { print $3; exit }')
		[ -n "$_t" ] && break
		sleep 0.2
		_i=$((_i + 1))
	done
	echo "$_t"
}
# timeout_in NAME GOT LO HI
timeout_in() {
	if [ -n "$2" ] && [ "$2" -ge "$3" ] && [ "$2" -le "$4" ]; then pass "nftkernel $1"; else
		fail "nftkernel $1" "timeout '$2', want $3..$4"; fi
}
printf '%s\n' 'table ip foreign {' '	chain prerouting {' \
	'		type nat hook prerouting priority dstnat - 1; policy accept;' \
	'		iifname "ppp0" tcp dport 8088 dnat to 172.17.0.2:81' '	}' '}' |
	ip netns exec "$gw" nft -f -
hold "$net" 81
hold "$ctr" 81
sleep 1
timeout_in "timeouts: a LAN connection gets the policy's" \
	"$(ct_timeout "$lan" 203.0.113.2 81 41001)" 500 600
timeout_in "timeouts: a passthrough container's outgoing connection keeps the kernel's" \
	"$(ct_timeout "$ctr" 203.0.113.2 81 41002)" 400000 432000
timeout_in "timeouts: another tool's DNAT to a passthrough bridge keeps the kernel's" \
	"$(ct_timeout "$net" 203.0.113.1 8088 41003)" 400000 432000
ip netns exec "$gw" nft delete table ip foreign
drops=$(ip netns exec "$gw" nft list chain ip masqgen forward 2>/dev/null |
	sed -n 's/.*counter packets \([0-9]*\) .*drop comment "built-in catch-all".*/\1/p')
if [ "${drops:-0}" -gt 0 ]; then pass "nftkernel forward catch-all counts its drops"; else
	fail "nftkernel forward catch-all counts its drops" "counter '${drops:-none}'"; fi

# the same admission with the iptables backend's rules instead
ip netns exec "$gw" nft delete table ip masqgen 2>/dev/null
ip netns exec "$gw" nft delete table ip6 masqgen 2>/dev/null
ip netns exec "$gw" conntrack -F >/dev/null 2>&1
if (cd "$tmp" && "$MASQGEN" generate -t iptables policy.masq) >"$tmp/ipt" 2>"$tmp/err" &&
	ip netns exec "$gw" iptables-restore <"$tmp/ipt" 2>>"$tmp/err"; then
	admission iptables
else
	fail "nftkernel iptables load" "$(head -n 5 "$tmp/err")"
fi

# reflection takes only the external's address: with a static external, a
# LAN host dialling the passthrough bridge's address on a forwarded port
# reaches the gateway itself (nft, then iptables), as the policy says
sed 's/^external ppp0 dynamic$/external ppp0 address 203.0.113.1/' "$tmp/policy.masq" \
	>"$tmp/static.masq"
serve "$gw" 8080 gateway
sleep 1
reflection_only_external() {
	expect "$1 reflection of the external's address" "$(ask "$lan" 203.0.113.1 8080)" \
		"web from 192.168.0.1"
	expect "$1 reflection leaves a passthrough bridge's address alone" \
		"$(ask "$lan" 172.17.0.1 8080)" "gateway from 192.168.0.30"
}
ip netns exec "$gw" nft flush ruleset
ip netns exec "$gw" conntrack -F >/dev/null 2>&1
if (cd "$tmp" && ip netns exec "$gw" "$loader" --load static.masq) 2>"$tmp/err"; then
	reflection_only_external nft
else
	fail "nftkernel static load" "$(head -n 5 "$tmp/err")"
fi
ip netns exec "$gw" nft flush ruleset
ip netns exec "$gw" conntrack -F >/dev/null 2>&1
if (cd "$tmp" && "$MASQGEN" generate -t iptables static.masq) >"$tmp/ipt" 2>"$tmp/err" &&
	ip netns exec "$gw" iptables-restore <"$tmp/ipt" 2>>"$tmp/err"; then
	reflection_only_external iptables
else
	fail "nftkernel iptables static load" "$(head -n 5 "$tmp/err")"
fi

# ipv6 block: forwarded IPv6 is dropped, the gateway's own IPv6 (neighbour
# discovery first) still works as the level says
ip netns exec "$gw" nft flush ruleset
ip netns exec "$gw" sysctl -qw net.ipv6.conf.all.forwarding=1
ip -n "$gw" -6 addr add 2001:db8:1::1/64 dev eth1 nodad &&
	ip -n "$lan" -6 addr add 2001:db8:1::30/64 dev eth0 nodad &&
	ip -n "$lan" -6 route add default via 2001:db8:1::1 &&
	ip -n "$gw" -6 addr add 2001:db8:2::1/64 dev ppp0 nodad &&
	ip -n "$net" -6 addr add 2001:db8:2::2/64 dev eth0 nodad &&
	ip -n "$net" -6 route add 2001:db8:1::/64 via 2001:db8:2::1 ||
	fail "nftkernel ipv6 setup" "cannot add the IPv6 addresses"
sed 's/^firewall strong$/ipv6 block\nfirewall strong/' "$tmp/policy.masq" >"$tmp/v6.masq"
if (cd "$tmp" && ip netns exec "$gw" "$loader" --load v6.masq) 2>"$tmp/err"; then
	# ping NS DEST: "reply" or "none"
	ping6_to() {
		if ip netns exec "$1" ping -6 -c 1 -W 2 "$2" >/dev/null 2>&1; then echo reply; else
			echo none; fi
	}
	ip -n "$lan" -6 neigh flush dev eth0
	ip -n "$gw" -6 neigh flush dev eth1
	expect "ipv6 block: the gateway answers its LAN (neighbour discovery)" \
		"$(ping6_to "$lan" 2001:db8:1::1)" reply
	expect "ipv6 block: forwarded IPv6 is dropped" "$(ping6_to "$lan" 2001:db8:2::2)" none
	expect "ipv6 block: the Internet host reaches the gateway's external IPv6 (icmpv6 echo)" \
		"$(ping6_to "$net" 2001:db8:2::1)" reply
else
	fail "nftkernel ipv6 block load" "$(head -n 5 "$tmp/err")"
fi
