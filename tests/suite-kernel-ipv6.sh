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
# - A pinhole by interface identifier (`to ::10/::ffff:ffff:ffff:ffff out
#   eth1`) admits the LAN host under the delegated prefix and under a
#   renumbered one, not another identifier, under nft and under iptables
#   (ip6tables); diff reads it back unchanged. Two identifiers under one
#   mask (`to ::10/MASK, ::20/MASK`, one set lookup in nft): both
#   admitted under both prefixes, ::11 refused, diff unchanged.
# - strong's reverse-path checks in raw prerouting: a LAN host sending
#   with an Internet source is dropped (strict) and never reaches the
#   Internet host, which `firewall simple` lets through; on the external
#   interface a source with no route back is dropped, one whose route back
#   leaves by another interface is not (loose).
# - IPv6 forwarding (`ipv6 firewall` written): apply sets accept_ra=2 on the
#   external before forwarding=1, so the default route the gateway learned
#   from a real router advertisement (tests/ra_send.c) survives; flush puts
#   forwarding back, then accept_ra; accept_ra 0 is left alone.
# - The link-up hook (init-script --style link-up) on an external that came
#   back with accept_ra 1 (a new PPP link): no advertisement is taken while
#   forwarding until the hook, run as dhclient sources it, sets 2; events
#   and interfaces that are not the policy's external's are left alone.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-netns.sh"
[ "${GOLDEN:-0}" = 1 ] && exit 0

netns_suite_deps kernel-ipv6 nft ip curl socat ss timeout conntrack ping cc || exit 0

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
	mg apply --force -t "${target:-nft}" "$tmp/policy.masq" >"$tmp/apply.out" 2>&1
}

# listening WHERE PORT: wait (at most 5 s) until WHERE (lan, net) listens on TCP PORT
listening() {
	i=0
	while [ "$i" -lt 50 ] && ! "$1" ss -Hltn "sport = :$2" | grep -q .; do
		sleep 0.1
		i=$((i + 1))
	done
}

# stop_listener: end the server started last ($ftpd)
stop_listener() {
	kill "$ftpd" 2>/dev/null
	wait "$ftpd" 2>/dev/null
	ftpd=
}

# ---- FTP over IPv6 --------------------------------------------------------

printf 'masqgen ipv6 ftp data\n' >"$tmp/file"
net timeout 120 socat "TCP6-LISTEN:21,reuseaddr,fork" \
	"EXEC:sh $TESTS_DIR/ftpd6.sh $tmp" 2>/dev/null &
ftpd=$!
listening net 21

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
stop_listener

# ---- a pinhole by interface identifier ------------------------------------

# The LAN host ::10 answers on 8443 under the delegated prefix and under a
# renumbered one the policy never names; ::20 and ::11 listen too (same
# socket), ::11 stays closed. The listener answers "ifid" on every address.
ip -n "$NS_LAN" addr add 2001:db8:1::11/64 dev lan0 nodad
ip -n "$NS_LAN" addr add 2001:db8:1::20/64 dev lan0 nodad
ip -n "$NS_LAN" addr add 2001:db8:2::10/64 dev lan0 nodad
ip -n "$NS_LAN" addr add 2001:db8:2::20/64 dev lan0 nodad
ip -n "$NS_GW" addr add 2001:db8:2::1/64 dev eth1 nodad
ip -n "$NS_NET" -6 route add 2001:db8:2::/64 via 2001:db8:ff::1
lan timeout 60 socat "TCP6-LISTEN:8443,reuseaddr,fork" SYSTEM:"echo ifid" 2>/dev/null &
ftpd=$!
listening lan 8443
ifid_get() {
	net timeout 4 socat -T 3 - "TCP6:[$1]:8443,connect-timeout=2" </dev/null 2>/dev/null
}
# ifid_case NAME RULE ADDRESS...: under $target, RULE admits each ADDRESS,
# not ::11 (no identifier it names), and diff reads the ruleset back
ifid_case() {
	t="kernel-ipv6 $1 ($target)"
	rule=$2
	shift 2
	if ! policy "$rule"; then
		fail "$t: apply" "$(cat "$tmp/apply.out")"
		return 1
	fi
	for a in "$@"; do
		got=$(ifid_get "$a")
		[ "$got" = ifid ] && pass "$t admits $a" || fail "$t admits $a" "got '$got'"
	done
	got=$(ifid_get 2001:db8:1::11)
	[ -z "$got" ] && pass "$t: another identifier stays closed" ||
		fail "$t: another identifier" "got '$got'"
	mg diff -t "$target" "$tmp/policy.masq" >"$tmp/diff.out" 2>&1 &&
		pass "$t: diff reads the loaded ruleset back as the policy" ||
		fail "$t: diff" "$(head -n 5 "$tmp/diff.out")"
}
# nft, then iptables (ip6tables -d ADDR/MASK, one rule per identifier)
mask=::ffff:ffff:ffff:ffff
for target in nft iptables; do
	ifid_case "identifier pinhole" "allow forward tcp 8443 to ::10/$mask out eth1" \
		2001:db8:1::10 2001:db8:2::10
	# two identifiers under one mask: each admitted, one set rule in nft
	if ifid_case "identifier set" "allow forward tcp 8443 to ::10/$mask, ::20/$mask out eth1" \
		2001:db8:1::10 2001:db8:1::20 2001:db8:2::10 2001:db8:2::20 &&
		[ "$target" = nft ]; then
		gw nft list chain ip6 masqgen forward | grep 'tcp dport 8443' >"$tmp/set.out"
		grep -q "& $mask == { ::10 .*, ::20 .*} tcp dport 8443" "$tmp/set.out" &&
			[ "$(wc -l <"$tmp/set.out")" -eq 1 ] &&
			pass "kernel-ipv6 identifier set (nft): one rule looks both up" ||
			fail "kernel-ipv6 identifier set (nft): one set rule" "$(cat "$tmp/set.out")"
	fi
	mg flush -t "$target" >/dev/null 2>&1
done
target=
# the listener itself answers ::11 when nothing filters (the test can fail)
if policy "ipv6 open"; then
	got=$(ifid_get 2001:db8:1::11)
	[ "$got" = ifid ] && pass "kernel-ipv6 identifier pinhole: ::11 answers when IPv6 is open" ||
		fail "kernel-ipv6 identifier pinhole: ::11 with ipv6 open" "got '$got'"
else
	fail "kernel-ipv6 apply ipv6 open" "$(cat "$tmp/apply.out")"
fi
stop_listener
ip -n "$NS_NET" -6 route del 2001:db8:2::/64 via 2001:db8:ff::1
ip -n "$NS_GW" addr del 2001:db8:2::1/64 dev eth1
ip -n "$NS_LAN" addr del 2001:db8:2::20/64 dev lan0
ip -n "$NS_LAN" addr del 2001:db8:2::10/64 dev lan0
ip -n "$NS_LAN" addr del 2001:db8:1::20/64 dev lan0
ip -n "$NS_LAN" addr del 2001:db8:1::11/64 dev lan0

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
ip -n "$NS_GW" -6 route del 2001:db8:77::/48 2>/dev/null

# ---- IPv6 forwarding: accept_ra=2 before forwarding=1, flush in reverse ----

mg flush >/dev/null 2>&1
gw sysctl -qw net.ipv6.conf.all.forwarding=0 net.ipv6.conf.eth0.accept_ra=1
# the Internet host plays the ISP's router: its neighbour advertisements
# must carry the router flag, or the gateway's next neighbour check of it
# reads "router became a host" and drops the default route it advertised
net sysctl -qw net.ipv6.conf.all.forwarding=1
if ! ${CC:-cc} -o "$tmp/ra_send" "$TESTS_DIR/ra_send.c" 2>"$tmp/cc.out"; then
	fail "kernel-ipv6 forwarding: build ra_send" "$(head -n 3 "$tmp/cc.out")"
	exit 0
fi
# ra LIFETIME: the Internet host advertises itself as a router; wait until
# the gateway has a default route from it whose lifetime is at most LIFETIME
ra() {
	net "$tmp/ra_send" inet0 "$1"
	i=0
	while [ "$i" -lt 30 ]; do
		left=$(gw ip -6 route show default proto ra | sed -n 's/.* expires \([0-9]*\)sec.*/\1/p')
		[ -n "$left" ] && [ "$left" -le "$1" ] && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
sysctl6() { gw cat "/proc/sys/net/ipv6/conf/$1"; }
defroute() { gw ip -6 route show default proto ra | grep -c .; }

if ! ra 1800; then
	fail "kernel-ipv6 forwarding: a router advertisement gives the gateway a default route" \
		"$(gw ip -6 route 2>&1)"
	exit 0
fi
# the hazard itself, by hand: forwarding on while accept_ra is 1 deletes the route
gw sysctl -qw net.ipv6.conf.all.forwarding=1
[ "$(defroute)" = 0 ] &&
	pass "kernel-ipv6 forwarding: forwarding=1 with accept_ra 1 deletes the RA default route" ||
	fail "kernel-ipv6 forwarding: the hazard" "the route survived: the test cannot tell"
gw sysctl -qw net.ipv6.conf.all.forwarding=0 net.ipv6.conf.eth0.accept_ra=1
if ! ra 1800; then
	fail "kernel-ipv6 forwarding: the default route comes back with forwarding off" \
		"$(gw ip -6 route 2>&1)"
	exit 0
fi

if policy "ipv6 firewall" "firewall strong"; then
	if [ "$(sysctl6 eth0/accept_ra)" = 2 ] && [ "$(sysctl6 all/forwarding)" = 1 ] &&
		[ "$(defroute)" = 1 ]; then
		pass "kernel-ipv6 forwarding: apply sets accept_ra=2, then forwarding=1; the RA route stays"
	else
		fail "kernel-ipv6 forwarding: apply" "accept_ra $(sysctl6 eth0/accept_ra),\
 forwarding $(sysctl6 all/forwarding), routes: $(gw ip -6 route show default)"
	fi
	rec=$(cat "$MASQGEN_STATE_DIR/$NS_GW/sysctls" 2>/dev/null)
	case "$rec" in
	*net/ipv6/conf/eth0/accept_ra=1*net/ipv6/conf/default/forwarding=0*net/ipv6/conf/eth0/forwarding=0*net/ipv6/conf/eth1/forwarding=0*net/ipv6/conf/all/forwarding=0*)
		pass "kernel-ipv6 forwarding: the record holds accept_ra, default, each interface's and all's forwarding" ;;
	*) fail "kernel-ipv6 forwarding: the record" "$rec" ;;
	esac
	# router advertisements still reach the gateway through strong's filter
	ra 900 && pass "kernel-ipv6 forwarding: a new router advertisement is taken while forwarding" ||
		fail "kernel-ipv6 forwarding: RA while forwarding" "$(gw ip -6 route show default)"
	lan timeout 8 ping -6 -c 1 -w 5 -I 2001:db8:1::10 2001:db8:ff::2 >/dev/null 2>&1 &&
		pass "kernel-ipv6 forwarding: the LAN reaches the Internet over IPv6" ||
		fail "kernel-ipv6 forwarding: LAN to Internet" "no reply"
	# the external comes back as a new link would: accept_ra 1, no route
	mg init-script --style link-up -o "$tmp/link-up" "$tmp/policy.masq" ||
		fail "kernel-ipv6 link-up: init-script" "no hook written"
	gw sysctl -qw net.ipv6.conf.eth0.accept_ra=1
	gw ip -6 route del default proto ra 2>/dev/null
	! ra 600 && pass "kernel-ipv6 link-up: with accept_ra 1 a router advertisement is ignored" ||
		fail "kernel-ipv6 link-up: the hazard" "the route came back without the hook: the test cannot tell"
	gw sysctl -qw net.ipv6.conf.eth1.accept_ra=1
	gw env interface=eth0 reason=EXPIRE6 sh -c '. "$1"' sh "$tmp/link-up"
	gw env interface=eth1 reason=BOUND6 sh -c '. "$1"' sh "$tmp/link-up"
	if [ "$(sysctl6 eth0/accept_ra)" = 1 ] && [ "$(sysctl6 eth1/accept_ra)" = 1 ]; then
		pass "kernel-ipv6 link-up: another event, another interface: nothing changes"
	else
		fail "kernel-ipv6 link-up: other events" "eth0 $(sysctl6 eth0/accept_ra) eth1 $(sysctl6 eth1/accept_ra)"
	fi
	gw env interface=eth0 reason=BOUND6 sh -c '. "$1"; echo sourced' sh "$tmp/link-up" >"$tmp/hook.out"
	if [ "$(sysctl6 eth0/accept_ra)" = 2 ] && [ "$(cat "$tmp/hook.out")" = sourced ] && ra 600; then
		pass "kernel-ipv6 link-up: the hook, sourced, sets accept_ra 2 and the route comes back"
	else
		fail "kernel-ipv6 link-up: hook" "accept_ra $(sysctl6 eth0/accept_ra), $(cat "$tmp/hook.out"), routes: $(gw ip -6 route show default)"
	fi
	if mg flush >"$tmp/flush.out" 2>&1 && [ "$(sysctl6 all/forwarding)" = 0 ] &&
		[ "$(sysctl6 default/forwarding)" = 0 ] && [ "$(sysctl6 eth0/forwarding)" = 0 ] &&
		[ "$(sysctl6 eth0/accept_ra)" = 1 ] && [ "$(defroute)" = 1 ]; then
		pass "kernel-ipv6 forwarding: flush puts back forwarding, then accept_ra"
	else
		fail "kernel-ipv6 forwarding: flush" "$(cat "$tmp/flush.out") accept_ra\
 $(sysctl6 eth0/accept_ra), forwarding all $(sysctl6 all/forwarding) default\
 $(sysctl6 default/forwarding) eth0 $(sysctl6 eth0/forwarding), routes:\
 $(gw ip -6 route show default)"
	fi
else
	fail "kernel-ipv6 forwarding: apply" "$(cat "$tmp/apply.out")"
fi

# an external whose accept_ra is 0 (networkd and the like) is left alone, with a note
gw sysctl -qw net.ipv6.conf.eth0.accept_ra=0
if policy "ipv6 firewall" && grep -q 'accept_ra is 0: left as it is' "$tmp/apply.out" &&
	[ "$(sysctl6 eth0/accept_ra)" = 0 ] && [ "$(sysctl6 all/forwarding)" = 1 ]; then
	pass "kernel-ipv6 forwarding: accept_ra 0 is left alone, with a note"
else
	fail "kernel-ipv6 forwarding: accept_ra 0" "$(cat "$tmp/apply.out")"
fi
mg flush >/dev/null 2>&1
# without `ipv6 firewall|open` written, apply leaves IPv6 forwarding alone
if policy "firewall strong" && [ "$(sysctl6 all/forwarding)" = 0 ]; then
	pass "kernel-ipv6 forwarding: not turned on unless the policy asks"
else
	fail "kernel-ipv6 forwarding: left alone" "forwarding $(sysctl6 all/forwarding)"
fi
exit 0
