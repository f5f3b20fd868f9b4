#!/bin/sh
# doctor on a cluster node hears its peer (root): two node namespaces,
# joined by a sync cable (eth2), a LAN cable (eth1) and a WAN one (eth0),
# each with the ruleset `masqgen apply` loads from its node policy (the
# examples rules/ha-a.masq and ha-b.masq) and conntrackd and keepalived
# on the files `generate -t conntrackd` and `-t keepalived` write,
# unchanged:
#   - both daemons running: `doctor --wait 3 POLICY` on gw-a (master)
#     hears gw-b's sync traffic and says it is master; on gw-b it hears
#     gw-a's sync traffic and VRRP adverts; both exit 0, and gw-b's
#     conntrackd got the packets doctor heard as well (its count of
#     packets received grew: doctor's raw socket takes a copy);
#   - gw-a's conntrackd stopped: doctor on gw-b FAILs the sync check and
#     exits 5, still hearing the adverts;
#   - gw-a's conntrackd back, a drop of UDP 3780 in gw-b's input: doctor
#     FAILs again (it hears only what the input hook admits);
#   - no keepalived on either node: doctor on gw-b (not holding the
#     virtual address) FAILs the VRRP check.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-netns.sh"
[ "${GOLDEN:-0}" = 1 ] && exit 0

netns_suite_deps "kernel doctor-cluster" ip nft keepalived conntrackd unshare nsenter \
	timeout || exit 0

tmp=$(mktemp_dir)
NS_A="mg-dca-$$" NS_B="mg-dcb-$$"
suite_cleanup() { netns_stop "$NS_A" "$NS_B"; }

# the shipped example pair (and the file both include)
cp "$ROOT_DIR/rules/ha-a.masq" "$tmp/a.masq" && cp "$ROOT_DIR/rules/ha-b.masq" "$tmp/b.masq" &&
	cp "$ROOT_DIR/rules/ha-shared.inc" "$tmp/" || exit 1

setup() {
	for ns in "$NS_A" "$NS_B"; do
		ip netns add "$ns" && ip -n "$ns" link set lo up || return 1
	done
	for i in eth0 eth1 eth2; do
		ip link add "$i" netns "$NS_A" type veth peer name "$i" netns "$NS_B" &&
			ip -n "$NS_A" link set "$i" up && ip -n "$NS_B" link set "$i" up || return 1
	done
	ip -n "$NS_A" addr add 10.255.0.1/30 dev eth2 && ip -n "$NS_B" addr add 10.255.0.2/30 dev eth2 &&
		ip -n "$NS_A" addr add 192.168.0.2/24 dev eth1 &&
		ip -n "$NS_B" addr add 192.168.0.3/24 dev eth1 &&
		ip -n "$NS_A" addr add 203.0.113.2/24 dev eth0 &&
		ip -n "$NS_B" addr add 203.0.113.3/24 dev eth0
}

ns_of() { if [ "$1" = a ]; then echo "$NS_A"; else echo "$NS_B"; fi; }

# node_apply NODE: the node's ruleset and its daemons' files
node_apply() {
	d=$tmp/node-$1
	mkdir -p "$d/etc" "$d/run/lock" "$d/state"
	"$MASQGEN" generate -t conntrackd -o "$d/etc/conntrackd.conf" "$tmp/$1.masq" &&
		"$MASQGEN" generate -t keepalived -o "$d/keepalived.conf" "$tmp/$1.masq" &&
		MASQGEN_RUN_DIR=$d/state/run MASQGEN_STATE_DIR=$d/state/lib \
			ip netns exec "$(ns_of "$1")" "$MASQGEN" apply "$tmp/$1.masq" >"$d/apply.out" 2>&1
}

# node_daemons NODE: conntrackd, then keepalived (netns_ha_daemons)
node_daemons() {
	d=$tmp/node-$1
	rm -f "$d/run/conntrackd.sock" "$d/run/lock/conntrackd.lock"
	netns_ha_daemons "$(ns_of "$1")" "$d"
	wait_for 60 ns_conntrackd "$(ns_of "$1")" >/dev/null
}

# in_node NODE COMMAND...: COMMAND in the node's network and mount namespaces
in_node() {
	_p=$(cat "$tmp/node-$1/keepalived.pid")
	shift
	nsenter -t "$_p" -m -n "$@"
}

# ns_conntrackd NS: the pid of the conntrackd in NS (only this suite starts one there)
ns_conntrackd() {
	for _p in $(ip netns pids "$1"); do
		[ "$(cat "/proc/$_p/comm" 2>/dev/null)" = conntrackd ] && echo "$_p" && return 0
	done
	return 1
}
no_conntrackd() { ! ns_conntrackd "$1" >/dev/null; }

holds() { ip -n "$1" -4 addr show dev "$3" | grep -q "inet $2/"; }

# doctor NODE NAME: doctor on the node, output in $tmp/NAME, exit status in $rc
doctor() {
	ip netns exec "$(ns_of "$1")" timeout 30 "$MASQGEN" doctor --wait 3 "$tmp/$1.masq" \
		>"$tmp/$2" 2>&1
	rc=$?
}

# want NAME STATUS LINE...: each LINE (a grep -E pattern) is in $tmp/NAME and the exit was STATUS
want() {
	_name=$1 _st=$2
	shift 2
	if [ "$rc" -ne "$_st" ]; then
		fail "doctor-cluster $_name: exit $_st" "exit $rc: $(grep -i cluster "$tmp/$_name")"
	else
		pass "doctor-cluster $_name: exit $_st"
	fi
	for _l; do
		if grep -q -E "$_l" "$tmp/$_name"; then pass "doctor-cluster $_name: $_l"; else
			fail "doctor-cluster $_name: $_l" "$(grep -i cluster "$tmp/$_name")"; fi
	done
}

# conntrackd's count of sync packets received (its network statistics)
recv_msgs() {
	in_node "$1" conntrackd -s network 2>/dev/null |
		sed -n 's/.* \([0-9][0-9]*\) Pckts recv$/\1/p' | head -1
}

if ! setup; then
	fail "doctor-cluster setup" "cannot build the namespaces"
	exit 0
fi
for n in a b; do
	if ! node_apply $n || ! node_daemons $n; then
		fail "doctor-cluster node $n" "$(cat "$tmp/node-$n/apply.out" "$tmp/node-$n/daemons.log")"
		exit 0
	fi
done
ip netns exec "$NS_A" sysctl -qw net.netfilter.nf_conntrack_tcp_loose=1
ip netns exec "$NS_B" sysctl -qw net.netfilter.nf_conntrack_tcp_loose=1
if ! wait_for 150 holds "$NS_A" 192.168.0.1 eth1 || holds "$NS_B" 192.168.0.1 eth1; then
	fail "doctor-cluster: gw-a becomes master" "$(ip -n "$NS_A" -4 addr; ip -n "$NS_B" -4 addr)"
	exit 0
fi

doctor a master
want master 0 "^ok    cluster: conntrackd's sync traffic from 10\.255\.0\.2 arrives on eth2 \(UDP port 3780\)$" \
	"^ok    cluster: this node is master \(it holds 192\.168\.0\.1 on eth1\); the backup sends no VRRP adverts$"
before=$(recv_msgs b)
doctor b backup
after=$(recv_msgs b)
want backup 0 "^ok    cluster: conntrackd's sync traffic from 10\.255\.0\.1 arrives on eth2 \(UDP port 3780\)$" \
	"^ok    cluster: VRRP adverts \(id 51\) from 192\.168\.0\.2 arrive on eth1: the peer is master$"
if [ -n "$before" ] && [ -n "$after" ] && [ "$after" -gt "$before" ]; then
	pass "doctor-cluster: gw-b's conntrackd kept receiving while doctor listened ($before -> $after)"
else
	fail "doctor-cluster: gw-b's conntrackd kept receiving" "recv msgs '$before' -> '$after': $(in_node b conntrackd -s network 2>&1)"
fi

# gw-a's conntrackd stopped: gw-b hears no sync traffic
kill "$(ns_conntrackd "$NS_A")"
wait_for 50 no_conntrackd "$NS_A"
doctor b nosync
want nosync 5 "^FAIL  cluster: no sync traffic from 10\.255\.0\.1 on eth2 in 3 s: a failover would lose the connections  \(is conntrackd running on the peer\? Is the policy applied here: it admits UDP port 3780 from 10\.255\.0\.1 on eth2\)$" \
	"^ok    cluster: VRRP adverts \(id 51\) from 192\.168\.0\.2 arrive on eth1"

# gw-a's conntrackd back, but gw-b's input drops the sync port: doctor listens
# after the input hook, so it hears nothing either
in_node a conntrackd -d
if wait_for 50 sh -c "$(command -v nsenter) -t $(cat "$tmp/node-a/keepalived.pid") -m -n conntrackd -s >/dev/null 2>&1"; then
	doctor b again
	want again 0 "^ok    cluster: conntrackd's sync traffic from 10\.255\.0\.1 arrives on eth2"
	ip netns exec "$NS_B" nft add table ip mgtest-block
	ip netns exec "$NS_B" nft add chain ip mgtest-block in "{ type filter hook input priority -300; }"
	ip netns exec "$NS_B" nft add rule ip mgtest-block in udp dport 3780 drop
	doctor b blocked
	want blocked 5 "^FAIL  cluster: no sync traffic from 10\.255\.0\.1 on eth2 in 3 s"
	ip netns exec "$NS_B" nft delete table ip mgtest-block
else
	fail "doctor-cluster: gw-a's conntrackd restarts" "$(cat "$tmp/node-a/daemons.log")"
fi

# no keepalived on either node: gw-b holds no virtual address and hears no advert
kill "$(cat "$tmp/node-b/keepalived.pid")"
wait_for 50 sh -c "! kill -0 $(cat "$tmp/node-b/keepalived.pid") 2>/dev/null"
kill "$(cat "$tmp/node-a/keepalived.pid")"
if wait_for 50 sh -c "! ip -n $NS_A -4 addr show dev eth1 | grep -q 'inet 192.168.0.1/'"; then
	sleep 1
	doctor b novrrp
	want novrrp 5 "^FAIL  cluster: no VRRP advert \(id 51\) on eth1 in 3 s, and this node does not hold 192\.168\.0\.1  \(is keepalived running on both nodes\? Is the policy applied here: it admits VRRP \(protocol 112\) on eth1\)$"
else
	fail "doctor-cluster: gw-a's keepalived stops" "$(ip -n "$NS_A" -4 addr show dev eth1)"
fi
