#!/bin/sh
# Parity of the nft and iptables backends with real packets: `masqgen lab`
# builds the same throwaway lab for every golden policy and applies it
# once with `-t nft` and once with `-t iptables`; every probe must see the
# same thing under both (a probe's verdict that differs fails, naming the
# probe), and both must pass the lab's own expectations.
#
# IPv6, while the lab probes IPv4 only (a dual-stack lab's own IPv6 rows
# are compared as above): both labs are kept (--keep) and given IPv6
# addresses (the first LAN 2001:db8:1::/64, the first external link
# 2001:db8:ff::/64, the gateway ::1 on both, IPv6 forwarding on), then
# probed over IPv6 from the
# LAN to the Internet, from the Internet to the LAN host and the gateway,
# and from the LAN to the gateway: ip6 masqgen and the ip6tables chains of
# `apply -t iptables` must answer alike, and as the policy's `ipv6` says
# where that decides (open: both ways arrive; block: nothing is forwarded;
# firewall without an IPv6 pinhole: nothing new gets in to the LAN).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-netns.sh"
tmp=$(mktemp_dir)
: >"$tmp/kept"
suite_cleanup() {
	while read -r ns; do ip netns del "$ns" 2>/dev/null; done <"$tmp/kept"
}
trap 'exit 1' INT TERM

if [ "${GOLDEN:-0}" = 1 ]; then
	exit 0
fi
if [ "$(id -u)" != 0 ]; then
	skip "parity" "needs root (masqgen lab)"
	exit 0
fi

# lab TARGET POLICY OUT: the lab's rows (probe, expected, got, verdict);
# the namespaces it keeps are listed in OUT.ns (and in $tmp/kept).
lab() {
	timeout 300 "$MASQGEN" lab --keep --tsv -t "$1" "$2" >"$3" 2>"$3.err"
	echo $? >"$3.rc"
	grep -o 'mqlab-[0-9]*k-[a-z0-9]*' "$3.err" | sort -u >"$3.ns"
	cat "$3.ns" >>"$tmp/kept"
}

# unkeep OUT: remove the namespaces the lab of OUT kept.
unkeep() {
	while read -r ns; do ip netns del "$ns" 2>/dev/null; done <"$1.ns"
}

ping6_from() {
	if ip netns exec "$1" ping -6 -c 1 -W 1 "$2" >/dev/null 2>&1; then echo reply; else echo none; fi
}

# v6_probes OUT: IPv6 addresses in the lab OUT kept, then one row per
# probe (probe <TAB> what arrived) in OUT.v6, the probes run in parallel.
v6_probes() {
	p=$(sed -n 's/gw$//p' "$1.ns")
	gw=${p}gw inet=${p}inet h=${p}h0
	if [ -z "$p" ] || ! grep -qx "$h" "$1.ns"; then
		echo "no kept lab" >"$1.v6"
		return
	fi
	# a lab that is dual-stack itself probes IPv6 in its own rows
	if ip -n "$gw" -6 -o addr show scope global | grep -q .; then
		echo "lab has IPv6" >"$1.v6"
		return
	fi
	lan4=$(ip -n "$h" -4 route show default | awk '{ print $3; exit }')
	lan_if=$(ip -n "$gw" -o -4 addr show to "$lan4/32" | awk '{ print $2; exit }')
	ext4=$(ip -n "$inet" -o -4 addr show dev ext0 | awk '{ split($4, a, "/"); print a[1]; exit }')
	ext_if=$(ip -n "$gw" -o route get "$ext4" |
		awk '{ for (i = 1; i < NF; i++) if ($i == "dev") { print $(i + 1); exit } }')
	if ! { ip -n "$gw" addr add 2001:db8:1::1/64 dev "$lan_if" nodad &&
		ip -n "$h" addr add 2001:db8:1::2/64 dev eth0 nodad &&
		ip -n "$h" -6 route add default via 2001:db8:1::1 &&
		ip -n "$gw" addr add 2001:db8:ff::1/64 dev "$ext_if" nodad &&
		ip -n "$inet" addr add 2001:db8:ff::2/64 dev ext0 nodad &&
		ip -n "$inet" -6 route add 2001:db8:1::/64 via 2001:db8:ff::1 &&
		ip netns exec "$gw" sysctl -qw net.ipv6.conf.all.forwarding=1; } 2>"$1.v6"; then
		return
	fi
	netns_connect "$h" "$inet" 2001:db8:ff::2 18060 >"$1.p1" &
	netns_connect "$inet" "$h" 2001:db8:1::2 18061 >"$1.p2" &
	netns_connect "$inet" "$gw" 2001:db8:ff::1 22 >"$1.p3" &
	netns_connect "$h" "$gw" 2001:db8:1::1 18063 >"$1.p4" &
	ping6_from "$h" 2001:db8:ff::2 >"$1.p5" &
	ping6_from "$inet" 2001:db8:ff::1 >"$1.p6" &
	wait
	{
		printf 'ipv6 lan to internet tcp\t%s\n' "$(cat "$1.p1")"
		printf 'ipv6 internet to lan tcp\t%s\n' "$(cat "$1.p2")"
		printf 'ipv6 internet to gateway tcp 22\t%s\n' "$(cat "$1.p3")"
		printf 'ipv6 lan to gateway tcp\t%s\n' "$(cat "$1.p4")"
		printf 'ipv6 lan to internet ping\t%s\n' "$(cat "$1.p5")"
		printf 'ipv6 internet to gateway ping\t%s\n' "$(cat "$1.p6")"
	} >"$1.v6"
}

# v6_got NAME PROBE: what arrived in the IPv6 probe PROBE of NAME's nft lab.
v6_got() {
	sed -n "s/^ipv6 $2	//p" "$tmp/$1.nft.v6"
}

# v6_check NAME POLICY: the IPv6 rows of both kept labs agree, and agree
# with what the policy's `ipv6` decides; the labs are removed.
v6_check() {
	for t in nft ipt; do
		v6_probes "$tmp/$1.$t" &
	done
	wait
	for t in nft ipt; do
		unkeep "$tmp/$1.$t"
	done
	grep -qx 'lab has IPv6' "$tmp/$1.nft.v6" "$tmp/$1.ipt.v6" && return
	if ! grep -q '	' "$tmp/$1.nft.v6" || ! grep -q '	' "$tmp/$1.ipt.v6"; then
		fail "parity $1 ipv6" "no IPv6 in the lab: $(cat "$tmp/$1.nft.v6" "$tmp/$1.ipt.v6" |
			head -n 3)"
		return
	fi
	if ! cmp -s "$tmp/$1.nft.v6" "$tmp/$1.ipt.v6"; then
		fail "parity $1 ipv6" "$(paste "$tmp/$1.nft.v6" "$tmp/$1.ipt.v6" | awk -F '\t' \
			'$2 != $4 { printf "%s%s: nft %s, iptables %s", sep, $1, $2, $4; sep = "; " }')"
		return
	fi
	pass "parity $1 ipv6 ($(wc -l <"$tmp/$1.nft.v6") probes agree)"
	mode=$("$MASQGEN" generate -t yaml "$2" 2>/dev/null | sed -n 's/^- ipv6: //p')
	case ${mode:=firewall} in
	open) want_out=arrives want_in=arrives ;;
	block) want_out=none want_in=none ;;
	*)
		want_out=any want_in=none
		# an IPv6 pinhole opens the LAN to new connections
		"$MASQGEN" generate -t ip6tables "$2" 2>/dev/null |
			grep -q -e '^-A masqgen-forward .* -d [0-9a-f:]*:' && want_in=any
		;;
	esac
	v6_want "$1" "$mode" "lan to internet tcp" "$want_out" 2001:0db8:0001
	v6_want "$1" "$mode" "internet to lan tcp" "$want_in" 2001:0db8:00ff
}

# v6_want NAME MODE PROBE WANT NET: WANT is any, none, or arrives: from the
# sender's own address, ::2 in NET (there is no NAT66).
v6_want() {
	got=$(v6_got "$1" "$3")
	[ "$4" = any ] && return
	if [ "$got" = "$4" ] ||
		{ [ "$4" = arrives ] && [ "$got" = "[$5:0000:0000:0000:0000:0002]" ]; }; then
		pass "parity $1 ipv6 $2: $3"
	else
		fail "parity $1 ipv6 $2: $3" "want $4, got $got"
	fi
}

tab=$(printf '\t')
for dir in "$TESTS_DIR"/golden/*/; do
	name=$(basename "$dir")
	policy=$(cd "$dir" && ls policy.masq policy.yaml policy.yml 2>/dev/null | head -n 1)
	[ -n "$policy" ] || continue
	if [ -f "$dir/iptables.err" ]; then
		skip "parity $name" "the iptables target refuses this policy (iptables.err)"
		continue
	fi
	lab nft "$dir$policy" "$tmp/$name.nft" &
	lab iptables "$dir$policy" "$tmp/$name.ipt" &
	wait
	rc_nft=$(cat "$tmp/$name.nft.rc")
	rc_ipt=$(cat "$tmp/$name.ipt.rc")
	case $rc_nft$rc_ipt in
	00 | 05 | 50 | 55) v6_check "$name" "$dir$policy" ;;
	*) unkeep "$tmp/$name.nft" && unkeep "$tmp/$name.ipt" ;;
	esac
	# exit 3 from both with the same reason: the lab cannot model this policy
	if [ "$rc_nft" = 3 ] && [ "$rc_ipt" = 3 ] &&
		grep -q 'the lab needs' "$tmp/$name.nft.err" &&
		cmp -s "$tmp/$name.nft.err" "$tmp/$name.ipt.err"; then
		# not a test: nothing was compared
		printf 'note parity %s: %s\n' "$name" "$(head -n 1 "$tmp/$name.nft.err")"
		continue
	fi
	for t in nft ipt; do
		rc=$(cat "$tmp/$name.$t.rc")
		if [ "$rc" != 0 ] && [ "$rc" != 5 ]; then
			fail "parity $name $t" "masqgen lab exited $rc: $(head -n 3 "$tmp/$name.$t.err")"
		fi
	done
	[ "$rc_nft" = 0 ] || [ "$rc_nft" = 5 ] || continue
	[ "$rc_ipt" = 0 ] || [ "$rc_ipt" = 5 ] || continue
	# probe <TAB> got, for both backends, joined on the probe
	for t in nft ipt; do
		grep -v '^#' "$tmp/$name.$t" | awk -F '\t' '{ print $1 "\t" $3 }' |
			LC_ALL=C sort -t "$tab" -k1,1 >"$tmp/$name.$t.got"
	done
	differ=$(LC_ALL=C join -t "$tab" -a 1 -a 2 -e '(no probe)' -o 0,1.2,2.2 \
		"$tmp/$name.nft.got" "$tmp/$name.ipt.got" |
		awk -F '\t' '$2 != $3 { printf "%s%s: nft %s, iptables %s", sep, $1, $2, $3; sep = "; " }')
	if [ -n "$differ" ]; then
		fail "parity $name" "$differ"
	else
		pass "parity $name ($(grep -vc '^#' "$tmp/$name.nft") probes agree)"
	fi
	for t in nft ipt; do
		if grep -q 'FAIL$' "$tmp/$name.$t"; then
			fail "parity $name $t expectations" "$(grep 'FAIL$' "$tmp/$name.$t" | cut -f 1 |
				tr '\n' ';')"
		fi
	done
done
