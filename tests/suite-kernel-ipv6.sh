#!/bin/sh
# Kernel tests of the IPv6 table's conntrack and anti-spoofing (root), with
# real packets through a gateway namespace (lib-netns.sh, plus IPv6):
#
#   lan0 2001:db8:1::10/64 --- eth1 2001:db8:1::1/64  gw  eth0 2001:db8:ff::1/64 --- inet0 2001:db8:ff::2/64
#
# - FTP over IPv6 from the LAN to the Internet, active (EPRT) and passive
#   (EPSV), with curl against tests/ftpd6.sh: `helper ftp` must make the
#   active data connection (Internet to LAN) RELATED; without the helper
#   it must fail, so the test shows what the helper does.
# - strong's reverse-path checks in raw prerouting: a LAN host sending
#   with an Internet source is dropped (strict) and never reaches the
#   Internet host, which `firewall simple` lets through; on the external
#   interface a source with no route back is dropped, one whose route back
#   leaves by another interface is not (loose).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-netns.sh"
[ "${GOLDEN:-0}" = 1 ] && exit 0

netns_suite_deps kernel-ipv6 nft ip curl socat ss timeout conntrack ping || exit 0

tmp=$(mktemp_dir)
ftpd=
suite_cleanup() {
	[ -n "$ftpd" ] && kill "$ftpd" 2>/dev/null
	netns_cleanup
}
trap 'exit 1' INT TERM HUP
netns_state_dirs "$tmp"

if ! netns_setup; then
	fail "kernel-ipv6 setup" "cannot create the namespaces"
	exit 0
fi
lan() { ip netns exec "$NS_LAN" "$@"; }
gw() { ip netns exec "$NS_GW" "$@"; }
net() { ip netns exec "$NS_NET" "$@"; }
mg() { ip netns exec "$NS_GW" "$MASQGEN" "$@"; }

ip -n "$NS_LAN" addr add 2001:db8:1::10/64 dev lan0 nodad
ip -n "$NS_GW" addr add 2001:db8:1::1/64 dev eth1 nodad
ip -n "$NS_GW" addr add 2001:db8:ff::1/64 dev eth0 nodad
ip -n "$NS_NET" addr add 2001:db8:ff::2/64 dev inet0 nodad
ip -n "$NS_LAN" -6 route add default via 2001:db8:1::1
ip -n "$NS_NET" -6 route add 2001:db8:1::/64 via 2001:db8:ff::1
gw sysctl -qw net.ipv6.conf.all.forwarding=1

policy() {
	{
		echo "external eth0 dynamic"
		echo "internal eth1 192.168.77.1/24"
		printf '%s\n' "$@"
	} >"$tmp/policy.masq"
	mg apply --force "$tmp/policy.masq" >"$tmp/apply.out" 2>&1
}

# ---- FTP over IPv6 --------------------------------------------------------

printf 'masqgen ipv6 ftp data\n' >"$tmp/file"
net timeout 120 socat "TCP6-LISTEN:21,reuseaddr,fork" \
	"EXEC:sh $TESTS_DIR/ftpd6.sh $tmp" 2>/dev/null &
ftpd=$!
i=0
while [ "$i" -lt 50 ] && ! net ss -Hltn "sport = :21" | grep -q .; do
	sleep 0.1
	i=$((i + 1))
done

# ftp MODE: fetch the file from the LAN host, active (curl's EPRT) or
# passive (EPSV); prints it
ftp() {
	if [ "$1" = active ]; then set -- --ftp-port -; else set -- --ftp-pasv; fi
	lan timeout 15 curl -sg --max-time 10 "$@" "ftp://[2001:db8:ff::2]/file" 2>/dev/null
}

if policy "helper ftp" "firewall strong"; then
	for mode in active passive; do
		got=$(ftp "$mode")
		[ "$got" = "masqgen ipv6 ftp data" ] &&
			pass "kernel-ipv6 ftp $mode with helper ftp" ||
			fail "kernel-ipv6 ftp $mode with helper ftp" "got '$got'"
	done
	# the control connection has the ip6 table's helper
	if gw conntrack -L -f ipv6 -p tcp --dport 21 2>/dev/null | grep -q 'helper=ftp'; then
		pass "kernel-ipv6 ftp: the control connection carries helper=ftp"
	else
		fail "kernel-ipv6 ftp: helper=ftp" "$(gw conntrack -L -f ipv6 2>&1 | head -n 5)"
	fi
else
	fail "kernel-ipv6 apply with helper ftp" "$(cat "$tmp/apply.out")"
fi
gw conntrack -F -f ipv6 >/dev/null 2>&1
if policy "firewall strong"; then
	got=$(ftp active)
	[ -z "$got" ] && pass "kernel-ipv6 ftp active without the helper: no data connection" ||
		fail "kernel-ipv6 ftp active without the helper" "got '$got'"
	got=$(ftp passive)
	[ "$got" = "masqgen ipv6 ftp data" ] &&
		pass "kernel-ipv6 ftp passive without the helper (LAN to Internet is open)" ||
		fail "kernel-ipv6 ftp passive without the helper" "got '$got'"
else
	fail "kernel-ipv6 apply without helper" "$(cat "$tmp/apply.out")"
fi
kill "$ftpd" 2>/dev/null
wait "$ftpd" 2>/dev/null
ftpd=

# ---- reverse-path anti-spoofing -----------------------------------------

# The Internet host counts the echo requests it receives from the spoofed
# source; the gateway counts its raw drops.
net nft -f - <<'EOF'
table ip6 count {
	chain input {
		type filter hook input priority filter; policy accept;
		ip6 saddr 2001:db8:ff::99 icmpv6 type echo-request counter
	}
}
EOF
ip -n "$NS_LAN" addr add 2001:db8:ff::99/128 dev lan0 nodad
received() {
	net nft list table ip6 count | awk '/counter/ { for (i = 1; i < NF; i++) if ($i == "packets") print $(i + 1) }'
}
raw_drops() {
	gw nft list chain ip6 masqgen raw 2>/dev/null |
		awk -v ifc="\"$1\"" '$2 == ifc && /drop/ { for (i = 1; i < NF; i++) if ($i == "packets") print $(i + 1) }'
}

if policy "firewall simple"; then
	before=$(received)
	lan timeout 5 ping -6 -c 2 -i 0.2 -W 1 -I 2001:db8:ff::99 2001:db8:ff::2 >/dev/null 2>&1
	after=$(received)
	[ "$after" -gt "$before" ] &&
		pass "kernel-ipv6 simple: a LAN host's spoofed Internet source gets through (no anti-spoofing)" ||
		fail "kernel-ipv6 simple: spoofed source" "received $before -> $after: the test cannot tell"
fi
if policy "firewall strong"; then
	before=$(received)
	lan timeout 5 ping -6 -c 2 -i 0.2 -W 1 -I 2001:db8:ff::99 2001:db8:ff::2 >/dev/null 2>&1
	after=$(received)
	drops=$(raw_drops eth1)
	[ "$after" = "$before" ] && [ "${drops:-0}" -ge 2 ] &&
		pass "kernel-ipv6 strong: strict reverse path drops a LAN host's spoofed source in raw" ||
		fail "kernel-ipv6 strong: strict reverse path" "received $before -> $after, raw drops ${drops:-none}"
	# the LAN host's own address still goes out
	lan timeout 8 ping -6 -c 1 -w 5 -I 2001:db8:1::10 2001:db8:ff::2 >/dev/null 2>&1 &&
		pass "kernel-ipv6 strong: the LAN host's own source passes" ||
		fail "kernel-ipv6 strong: the LAN host's own source" "no reply"

	# loose on the external interface: no route back at all is dropped
	ip -n "$NS_NET" addr add 2001:db8:77::1/128 dev inet0 nodad
	before=$(raw_drops eth0)
	net timeout 5 ping -6 -c 2 -i 0.2 -W 1 -I 2001:db8:77::1 2001:db8:ff::1 >/dev/null 2>&1
	after=$(raw_drops eth0)
	[ "${after:-0}" -ge $((${before:-0} + 2)) ] &&
		pass "kernel-ipv6 strong: loose reverse path drops a source with no route back" ||
		fail "kernel-ipv6 strong: loose reverse path" "raw drops on eth0 ${before:-none} -> ${after:-none}"
	# a route back by another interface is enough on an external (second uplink)
	ip -n "$NS_GW" -6 route add 2001:db8:77::/48 via 2001:db8:1::10
	before=$(raw_drops eth0)
	net timeout 5 ping -6 -c 2 -i 0.2 -W 1 -I 2001:db8:77::1 2001:db8:ff::1 >/dev/null 2>&1
	after=$(raw_drops eth0)
	[ "${after:-0}" = "${before:-0}" ] &&
		pass "kernel-ipv6 strong: loose, not strict, on the external interface" ||
		fail "kernel-ipv6 strong: loose on the external" "raw drops on eth0 ${before:-none} -> ${after:-none}"
	# and with the route through the external interface the gateway answers
	ip -n "$NS_GW" -6 route replace 2001:db8:77::/48 via 2001:db8:ff::2
	net timeout 8 ping -6 -c 1 -w 5 -I 2001:db8:77::1 2001:db8:ff::1 >/dev/null 2>&1 &&
		pass "kernel-ipv6 strong: a routed Internet source reaches the gateway" ||
		fail "kernel-ipv6 strong: routed Internet source" "no reply"
else
	fail "kernel-ipv6 apply strong" "$(cat "$tmp/apply.out")"
fi
exit 0
