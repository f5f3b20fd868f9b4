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
# loaded instead. Needs root and socat.
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
web="mg-k-web-$$"
net="mg-k-net-$$"
pids=""
suite_cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	for n in "$gw" "$lan" "$one" "$web" "$net"; do ip netns del "$n" 2>/dev/null; done
}
trap 'exit 1' INT TERM

setup() {
	for n in "$gw" "$lan" "$one" "$web" "$net"; do
		ip netns add "$n" && ip -n "$n" link set lo up || return 1
	done
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
		ip -n "$net" route add 192.168.0.0/24 via 203.0.113.1 || return 1
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
