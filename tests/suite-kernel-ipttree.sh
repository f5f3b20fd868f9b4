#!/bin/sh
# tests/suite-kernel-ipttree.sh - the iptables port tree (src/ipt_tree.c)
# with real packets, in both flavours of iptables (root). A policy with
# 150 forwards in three far-apart port ranges becomes a tree of chains by
# the port's high byte and 64-port group; after `apply -t iptables` a TCP
# connection from the Internet host reaches the LAN server at the first
# and last port of a range, at ports on both sides of a leaf's and of a
# high byte's boundary, and through a forward that maps its port to
# another one; ports without a forward do not get through, whether their
# leaf exists (a group that holds other forwards), only their high byte's
# chain does, or nothing of the tree covers them.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-netns.sh"

[ "${GOLDEN:-0}" = 1 ] && exit 0
netns_suite_deps kernel-ipttree socat iptables-nft-restore iptables-legacy-restore || exit 0

tmp=$(mktemp_dir)
suite_cleanup() {
	netns_cleanup
}
trap 'exit 1' INT TERM
netns_state_dirs "$tmp"

# 1000..1049 (high bytes 3 and 4: the boundary is 1024), 40040..40089
# (high byte 0x9c, groups 0x9c40 and 0x9c80: the boundary is 40064),
# 65486..65534 and 65535 to port 22.
{
	echo "external eth0 address 203.0.113.1"
	echo "internal eth1 192.168.77.1/24"
	for base in 1000 40040 65486; do
		i=0
		while [ $i -lt 50 ]; do
			p=$((base + i))
			[ $p -le 65534 ] && echo "forward tcp $p to 192.168.77.10"
			i=$((i + 1))
		done
	done
	echo "forward tcp 65535 to 192.168.77.10:22"
} >"$tmp/tree.masq"

if "$MASQGEN" generate -t iptables "$tmp/tree.masq" >"$tmp/gen" 2>"$tmp/gen.err" &&
	grep -q '^:masqgen-prerouting-t03 ' "$tmp/gen" &&
	grep -q '^:masqgen-prerouting-t04 ' "$tmp/gen" &&
	grep -q '^:masqgen-prerouting-t9c40 ' "$tmp/gen" &&
	grep -q '^:masqgen-prerouting-t9c80 ' "$tmp/gen" &&
	grep -q '^:masqgen-forward-tff ' "$tmp/gen"; then
	pass "kernel-ipttree: the forwards become a tree"
else
	fail "kernel-ipttree: the forwards become a tree" "$(head -n 3 "$tmp/gen.err")"
fi

for fl in nft legacy; do
	mkdir -p "$tmp/bin-$fl"
	for t in iptables ip6tables; do
		for s in "" -save -restore; do
			ln -sf "$(command -v "$t-$fl$s")" "$tmp/bin-$fl/$t$s"
		done
	done
	netns_cleanup
	rm -rf "$tmp/state" "$tmp/run"
	if ! netns_setup; then
		fail "kernel-ipttree $fl" "cannot build the namespaces"
		continue
	fi
	if ! PATH="$tmp/bin-$fl:$PATH" ip netns exec "$NS_GW" \
		"$MASQGEN" apply -t iptables "$tmp/tree.masq" >"$tmp/apply.out" 2>&1; then
		fail "kernel-ipttree $fl apply" "$(head -n 5 "$tmp/apply.out")"
		continue
	fi
	n=$(ip netns exec "$NS_GW" "iptables-$fl-save" -t nat | grep -c '^:masqgen-prerouting-t')
	[ "$n" -gt 1 ] && pass "kernel-ipttree $fl: $n tree chains loaded" ||
		fail "kernel-ipttree $fl: tree chains loaded" "$n"
	for p in 1000 1023 1024 1049 40040 40063 40064 40089 65486 65534; do
		got=$(netns_connect "$NS_NET" "$NS_LAN" 203.0.113.1 "$p")
		[ "$got" = 203.0.113.2 ] && pass "kernel-ipttree $fl: tcp $p reaches its server" ||
			fail "kernel-ipttree $fl: tcp $p reaches its server" "listener saw '$got'"
	done
	got=$(netns_connect "$NS_NET" "$NS_LAN" 203.0.113.1 65535 22)
	[ "$got" = 203.0.113.2 ] && pass "kernel-ipttree $fl: tcp 65535 reaches port 22" ||
		fail "kernel-ipttree $fl: tcp 65535 reaches port 22" "listener saw '$got'"
	# 1050: in 1024..1087, a leaf with other forwards; 40160: high byte
	# 0x9c's chain, no leaf; 5000: outside the tree
	for p in 1050 40160 5000; do
		got=$(netns_connect "$NS_NET" "$NS_LAN" 203.0.113.1 "$p")
		[ "$got" = none ] && pass "kernel-ipttree $fl: tcp $p has no forward" ||
			fail "kernel-ipttree $fl: tcp $p has no forward" "listener saw '$got'"
	done
done
exit 0
