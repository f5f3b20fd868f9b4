#!/bin/sh
# An HA gateway pair with real packets (root): two gateway namespaces run
# the rulesets `masqgen apply` loads from two node policies (written here,
# like rules/ha-a.masq and ha-b.masq), and conntrackd and keepalived on
# the files `generate -t conntrackd` and `-t keepalived` write, unchanged:
#
#   $NS_LAN 192.168.0.50, the server 192.168.0.10 (gateway: the virtual .1)
#                     | LAN switch
#        eth1 .2 -- gw-a --- eth2 10.255.0.1/.2 --- gw-b -- eth1 .3
#        eth0 203.0.113.2    (sync cable)    eth0 203.0.113.3
#                     | WAN switch (virtual address 203.0.113.10)
#          $NS_NET 203.0.113.1, the server 198.51.100.20
#
#   - gw-a becomes master and holds both virtual addresses;
#   - a LAN host's TCP connection to the Internet server is SNATed to
#     203.0.113.10, and an Internet host's to the forward on
#     203.0.113.10:8080 reaches the LAN server; both carry data both ways;
#   - gw-b's conntrackd holds both in its external cache;
#   - gw-a dies (keepalived killed, its links down): gw-b takes over, and
#     before any further packet of theirs its kernel holds both
#     connections with their mappings (its master hook committed them);
#     the same connections carry data again, the masqueraded one the
#     server's first (no mid-stream pickup can stand in for the committed
#     entry there); the failover time is printed;
#   - negative control: the same without conntrackd, gw-b knows neither
#     connection and the server's data after the failover never arrives.
# Each node's daemons run in a mount namespace of their own, where
# /etc/conntrackd and /run are the node's directories (netns_ha_daemons):
# the hooks' `conntrackd -c` then finds the node's daemon as on a real
# machine.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-netns.sh"
[ "${GOLDEN:-0}" = 1 ] && exit 0

netns_suite_deps "kernel hapair" ip nft socat keepalived conntrackd conntrack unshare \
	nsenter timeout || exit 0

tmp=$(mktemp_dir)
NS_LAN="mg-hlan-$$" NS_NET="mg-hnet-$$" NS_SW="mg-hsw-$$" NS_A="mg-hgwa-$$" NS_B="mg-hgwb-$$"
ALL_NS="$NS_LAN $NS_NET $NS_SW $NS_A $NS_B"
PORT=7000
suite_cleanup() {
	# shellcheck disable=SC2086
	netns_stop $ALL_NS
}
unset SSH_CONNECTION SSH_CLIENT

for node in a b; do
	if [ $node = a ]; then own=2 prio=150 peer=10.255.0.2; else own=3 prio=100 peer=10.255.0.1; fi
	cat >"$tmp/$node.masq" <<POLICY
cluster gw-$node priority $prio peer $peer sync eth2
external eth0 address 203.0.113.$own virtual 203.0.113.10
internal eth1 192.168.0.$own/24 virtual 192.168.0.1
forward tcp 8080 to 192.168.0.10
POLICY
done

setup() {
	for ns in $ALL_NS; do
		ip netns add "$ns" && ip -n "$ns" link set lo up || return 1
	done
	ip -n "$NS_SW" link add lan type bridge && ip -n "$NS_SW" link add wan type bridge || return 1
	ip -n "$NS_SW" link set lan up && ip -n "$NS_SW" link set wan up
	# plug NS IFACE into switch port PORT of bridge BR
	plug() {
		ip link add "$2" netns "$1" type veth peer name "$3" netns "$NS_SW" &&
			ip -n "$NS_SW" link set "$3" master "$4" && ip -n "$NS_SW" link set "$3" up &&
			ip -n "$1" link set "$2" up
	}
	plug "$NS_LAN" lan0 lhost lan && plug "$NS_A" eth1 la lan && plug "$NS_B" eth1 lb lan &&
		plug "$NS_NET" inet0 wnet wan && plug "$NS_A" eth0 wa wan &&
		plug "$NS_B" eth0 wb wan || return 1
	ip link add eth2 netns "$NS_A" type veth peer name eth2 netns "$NS_B" || return 1
	ip -n "$NS_A" link set eth2 up && ip -n "$NS_B" link set eth2 up
	ip -n "$NS_A" addr add 10.255.0.1/30 dev eth2 && ip -n "$NS_B" addr add 10.255.0.2/30 dev eth2
	ip -n "$NS_LAN" addr add 192.168.0.50/24 dev lan0
	ip -n "$NS_LAN" addr add 192.168.0.10/24 dev lan0
	ip -n "$NS_LAN" route add default via 192.168.0.1
	ip -n "$NS_NET" addr add 203.0.113.1/24 dev inet0
	ip -n "$NS_NET" addr add 198.51.100.20/32 dev lo
	for n in a b; do
		ns=$NS_A own=2
		[ $n = b ] && ns=$NS_B own=3
		ip -n "$ns" addr add "192.168.0.$own/24" dev eth1 &&
			ip -n "$ns" addr add "203.0.113.$own/24" dev eth0 &&
			ip -n "$ns" route add default via 203.0.113.1 || return 1
	done
}

# node_start NODE [nosync]: the node's ruleset, then (unless nosync) its
# conntrackd, then its keepalived, in the order init-script gives them
node_start() {
	d=$tmp/node-$1
	ns=$NS_A
	[ "$1" = b ] && ns=$NS_B
	rm -rf "$d"
	mkdir -p "$d/etc" "$d/run/lock" "$d/state"
	"$MASQGEN" generate -t conntrackd -o "$d/etc/conntrackd.conf" "$tmp/$1.masq" &&
		"$MASQGEN" generate -t keepalived -o "$d/keepalived.conf" "$tmp/$1.masq" || return 1
	MASQGEN_RUN_DIR=$d/state/run MASQGEN_STATE_DIR=$d/state/lib \
		ip netns exec "$ns" "$MASQGEN" apply "$tmp/$1.masq" >"$d/apply.out" 2>&1 || return 1
	netns_ha_daemons "$ns" "$d" "${2:-}"
}

# holds NS ADDR DEV: the namespace has the address
holds() { ip -n "$1" -4 addr show dev "$3" | grep -q "inet $2/"; }
both_vips() { holds "$1" 192.168.0.1 eth1 && holds "$1" 203.0.113.10 eth0; }

# A long-lived connection NAME (out: LAN host -> server, masqueraded; fwd:
# Internet host -> the forward on 203.0.113.10:8080 -> LAN server): each
# end sends its lines stage by stage (line N once $tmp/NAME/go-SIDE-N
# exists) and logs what it gets, in $tmp/NAME.
# speaker DIR SIDE: the lines of side SIDE (bounded: 120 s in all)
cat >"$tmp/speaker.sh" <<'SPEAK'
dir=$1 side=$2
for stage in 1 2 3; do
	i=0
	until [ -e "$dir/go-$side-$stage" ]; do
		[ $i -ge 1200 ] && exit 0
		sleep 0.1
		i=$((i + 1))
	done
	echo "$side-$stage"
done
# the end of the last stage keeps the connection open until killed
sleep 60
SPEAK
cat >"$tmp/server.sh" <<'SERVER'
echo "$SOCAT_PEERADDR" >"$2/peer"
exec 3<&0
cat <&3 >"$2/server.got" &
sh "$1/speaker.sh" "$2" server
SERVER

# conn_start NAME CLIENT_NS SERVER_NS ADDR PORT [SOURCE]
conn_start() {
	c=$tmp/$1
	rm -rf "$c"
	mkdir "$c"
	ip netns exec "$3" timeout 150 socat "TCP-LISTEN:$5,reuseaddr" \
		SYSTEM:"sh $tmp/server.sh $tmp $c" </dev/null >/dev/null 2>&1 &
	wait_for 50 sh -c "ip netns exec '$3' ss -Hltn 'sport = :$5' | grep -q ." || return 1
	# the client's speaker runs in its namespace too: netns_stop ends it
	ip netns exec "$2" sh -c "sh '$tmp/speaker.sh' '$c' client |
		timeout 150 socat - TCP:$4:$5,connect-timeout=5${6:+,bind=$6}" \
		</dev/null >"$c/client.got" 2>/dev/null &
}
# got FILE LINE: the line arrived
got() { grep -qx "$2" "$1" 2>/dev/null; }
# say NAME SIDE N TENTHS: SIDE of NAME sends its line N, which arrives
# within TENTHS tenths of a second
say() {
	touch "$tmp/$1/go-$2-$3"
	if [ "$2" = server ]; then
		wait_for "$4" got "$tmp/$1/client.got" "server-$3"
	else
		wait_for "$4" got "$tmp/$1/server.got" "client-$3"
	fi
}
# what NAME: both ends' logs, for a failure's message
what() { echo "$1: server got '$(cat "$tmp/$1/server.got" 2>/dev/null)'," \
	"client got '$(cat "$tmp/$1/client.got" 2>/dev/null)'"; }
# ct_in_b NAME: gw-b's kernel has the connection NAME, with its mapping
ct_in_b() {
	_ct=$(ip netns exec "$NS_B" conntrack -L -p tcp 2>/dev/null)
	case $1 in
	out) _want="src=192.168.0.50 dst=198.51.100.20 .* dport=$PORT .*src=198.51.100.20 dst=203.0.113.10 " ;;
	fwd) _want="src=198.51.100.20 dst=203.0.113.10 .* dport=8080 .*src=192.168.0.10 dst=198.51.100.20 " ;;
	esac
	printf '%s\n' "$_ct" | grep -q "$_want"
}

# kill_a: gw-a dies: its keepalived (and the VRRP child) killed, its links down
kill_a() {
	d=$tmp/node-a
	kill -9 "$(cat "$d/keepalived.pid")" "$(cat "$d/kv.pid" 2>/dev/null)" 2>/dev/null
	for dev in eth0 eth1 eth2; do ip -n "$NS_A" link set "$dev" down; done
}

# run NAME [nosync]: the pair up, both connections open through gw-a, gw-a dies
run() {
	name=$1
	if ! setup; then
		fail "hapair $name setup" "cannot build the namespaces"
		return 1
	fi
	if ! node_start a "${2:-}" || ! node_start b "${2:-}"; then
		fail "hapair $name start" "$(cat "$tmp"/node-*/apply.out 2>/dev/null)"
		return 1
	fi
	if wait_for 150 both_vips "$NS_A" && ! holds "$NS_B" 192.168.0.1 eth1; then
		pass "hapair $name: gw-a is master and holds both virtual addresses"
	else
		fail "hapair $name: gw-a master" "$(cat "$tmp/node-a/daemons.log")"
		return 1
	fi
	if ! conn_start out "$NS_LAN" "$NS_NET" 198.51.100.20 "$PORT" ||
		! conn_start fwd "$NS_NET" "$NS_LAN" 203.0.113.10 8080 198.51.100.20; then
		fail "hapair $name: connections" "a server does not listen"
		return 1
	fi
	if say out client 1 50 && say out server 1 50 &&
		[ "$(cat "$tmp/out/peer")" = 203.0.113.10 ]; then
		pass "hapair $name: the LAN host's connection is SNATed to 203.0.113.10 and carries data"
	else
		fail "hapair $name: outgoing connection" "server saw '$(cat "$tmp/out/peer" 2>/dev/null)'," \
			"$(what out)"
		return 1
	fi
	if say fwd client 1 50 && say fwd server 1 50 &&
		[ "$(cat "$tmp/fwd/peer")" = 198.51.100.20 ]; then
		pass "hapair $name: the forward on 203.0.113.10:8080 carries data"
	else
		fail "hapair $name: forwarded connection" "$(what fwd)"
		return 1
	fi
	# FTFW has carried the entries to gw-b's external cache (bounded wait)
	if [ "${2:-}" != nosync ]; then
		if wait_for 50 sh -c "nsenter -t $(cat "$tmp/node-b/keepalived.pid") -m -n \
			conntrackd -e 2>/dev/null | grep 'dport=$PORT' | grep -q . &&
			nsenter -t $(cat "$tmp/node-b/keepalived.pid") -m -n \
			conntrackd -e 2>/dev/null | grep -q 'dport=8080'"; then
			pass "hapair $name: gw-b's conntrackd holds both connections in its external cache"
		else
			fail "hapair $name: sync" "gw-b's external cache lacks a connection"
		fi
	fi
	start=$(date +%s.%N)
	kill_a
}

# ---- the pair with conntrackd
if run sync; then
	if wait_for 150 both_vips "$NS_B"; then
		pass "hapair sync: gw-b takes both virtual addresses over"
	else
		fail "hapair sync: takeover" "$(tail -n 5 "$tmp/node-b/daemons.log")"
	fi
	# before any packet of theirs reaches gw-b: its master hook committed them
	if wait_for 30 ct_in_b out && ct_in_b fwd; then
		pass "hapair sync: gw-b's kernel has both connections, with their mappings, before their next packet"
	else
		fail "hapair sync: conntrack -L in gw-b" \
			"$(ip netns exec "$NS_B" conntrack -L -p tcp 2>&1)"
	fi
	if say out server 2 100; then
		end=$(date +%s.%N)
		pass "hapair sync: after the failover the server's data reaches the LAN host"
		echo "failover time: $(echo "$start $end" | awk '{ printf "%.1f s", $2 - $1 }')"
	else
		fail "hapair sync: server's data after failover" "$(what out)"
	fi
	if say out client 2 100 && say out client 3 50 && say out server 3 50; then
		pass "hapair sync: the same connection carries the LAN host's data as well"
	else
		fail "hapair sync: LAN host's data after failover" "$(what out)"
	fi
	if say fwd server 2 100 && say fwd client 2 100 && say fwd client 3 50 &&
		say fwd server 3 50; then
		pass "hapair sync: the forwarded connection carries data both ways after the failover"
	else
		fail "hapair sync: forwarded connection after failover" "$(what fwd)"
	fi
	if ct_in_b out; then
		pass "hapair sync: gw-b's kernel still maps the LAN host's connection to 203.0.113.10"
	else
		fail "hapair sync: conntrack -L in gw-b after the data" \
			"$(ip netns exec "$NS_B" conntrack -L -p tcp 2>&1)"
	fi
fi
# shellcheck disable=SC2086
netns_stop $ALL_NS

# ---- negative control: no conntrackd, the server's data after the failover
# is lost, and gw-b's kernel knows neither connection before their packets
if run nosync nosync; then
	if wait_for 150 both_vips "$NS_B" && ! ct_in_b out && ! ct_in_b fwd; then
		pass "hapair nosync: gw-b takes over knowing neither connection"
	else
		fail "hapair nosync: takeover" "$(ip netns exec "$NS_B" conntrack -L -p tcp 2>&1)"
	fi
	if ! say out server 2 80; then
		pass "hapair nosync: without conntrackd the connection does not survive the failover"
	else
		fail "hapair nosync" "the server's data arrived: $(what out)"
	fi
fi
# shellcheck disable=SC2086
netns_stop $ALL_NS
