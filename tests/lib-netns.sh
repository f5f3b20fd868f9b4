# tests/lib-netns.sh - a three-namespace gateway for kernel suites (POSIX
# sh, sourced after lib.sh, root only). netns_setup builds:
#
#   $NS_LAN  lan0 192.168.77.10/24 --- eth1 192.168.77.1/24  $NS_GW
#   $NS_NET inet0 203.0.113.2/24   --- eth0 203.0.113.1/24   $NS_GW
#
# The LAN host routes through the gateway; the Internet host only knows
# 203.0.113.0/24 unless netns_setup is given "routed", when it routes the
# LAN through the gateway too (to try packets sent straight to a LAN
# address). ip_forward starts at 0. netns_cleanup removes them (call it
# from the suite's EXIT trap).
#
# netns_suite_deps and netns_state_dirs serve every suite that runs
# masqgen against a kernel (and tests/bench/run.sh, for the latter).

# netns_suite_deps NAME TOOL...: skip NAME without root, fail it when a
# TOOL is missing; returns 1 then (the suite exits 0).
netns_suite_deps() {
	_name=$1
	shift
	if [ "$(id -u)" -ne 0 ]; then
		skip "$_name" "kernel tests need root"
		return 1
	fi
	for _tool; do
		if ! command -v "$_tool" >/dev/null 2>&1; then
			fail "$_name" "'$_tool' is not installed (make deps)"
			return 1
		fi
	done
}

# netns_nft_loader NAME: $loader, test_nft_lower of UNIT_DIR, which loads
# nft_build()'s batch; fails NAME and returns 1 when it is not built.
netns_nft_loader() {
	loader="${UNIT_DIR:-$ROOT_DIR/build/default/unit}/test_nft_lower"
	if [ ! -x "$loader" ]; then
		fail "$1" "$loader not built (make units)"
		return 1
	fi
}

# netns_state_dirs DIR: masqgen's lock and its record of kernel settings
# go below DIR, never to the host's /run and /var/lib.
netns_state_dirs() {
	MASQGEN_RUN_DIR=$1/run
	MASQGEN_STATE_DIR=$1/state
	export MASQGEN_RUN_DIR MASQGEN_STATE_DIR
}

netns_setup() {
	NS_LAN="mg-lan-$$" NS_GW="mg-gw-$$" NS_NET="mg-net-$$"
	ip netns add "$NS_LAN" && ip netns add "$NS_GW" && ip netns add "$NS_NET" || return 1
	ip link add lan0 netns "$NS_LAN" type veth peer name eth1 netns "$NS_GW" || return 1
	ip link add inet0 netns "$NS_NET" type veth peer name eth0 netns "$NS_GW" || return 1
	ip -n "$NS_LAN" addr add 192.168.77.10/24 dev lan0
	ip -n "$NS_GW" addr add 192.168.77.1/24 dev eth1
	ip -n "$NS_GW" addr add 203.0.113.1/24 dev eth0
	ip -n "$NS_NET" addr add 203.0.113.2/24 dev inet0
	for _ns in "$NS_LAN" "$NS_GW" "$NS_NET"; do ip -n "$_ns" link set lo up; done
	ip -n "$NS_LAN" link set lan0 up
	ip -n "$NS_GW" link set eth1 up
	ip -n "$NS_GW" link set eth0 up
	ip -n "$NS_NET" link set inet0 up
	ip -n "$NS_LAN" route add default via 192.168.77.1
	if [ "${1:-}" = routed ]; then
		ip -n "$NS_NET" route add 192.168.77.0/24 via 203.0.113.1
	fi
	ip netns exec "$NS_GW" sysctl -q -w net.ipv4.ip_forward=0
}

# netns_setup_v6: after netns_setup, the same three namespaces dual-stack:
#
#   $NS_LAN  lan0 2001:db8:1::10/64  --- eth1 2001:db8:1::1/64   $NS_GW
#   $NS_NET  inet0 2001:db8:ff::2/64 --- eth0 2001:db8:ff::1/64  $NS_GW
#
# IPv6 is routed, not translated: the Internet host reaches the LAN's
# prefix through the gateway. Addresses skip duplicate address detection
# (usable at once); IPv6 forwarding is on in the gateway, so only its
# ruleset stands between the two sides.
netns_setup_v6() {
	ip -n "$NS_LAN" addr add 2001:db8:1::10/64 dev lan0 nodad &&
		ip -n "$NS_GW" addr add 2001:db8:1::1/64 dev eth1 nodad &&
		ip -n "$NS_GW" addr add 2001:db8:ff::1/64 dev eth0 nodad &&
		ip -n "$NS_NET" addr add 2001:db8:ff::2/64 dev inet0 nodad &&
		ip -n "$NS_LAN" -6 route add default via 2001:db8:1::1 &&
		ip -n "$NS_NET" -6 route add 2001:db8:1::/64 via 2001:db8:ff::1 || return 1
	ip netns exec "$NS_GW" sysctl -q -w net.ipv6.conf.all.forwarding=1
}

netns_cleanup() {
	for _ns in "${NS_LAN:-}" "${NS_GW:-}" "${NS_NET:-}"; do
		[ -n "$_ns" ] && ip netns del "$_ns" 2>/dev/null
	done
	return 0
}

# netns_connect FROM_NS LISTEN_NS ADDR PORT [LISTEN_PORT [SOURCE]]: a TCP
# connection from FROM_NS (from its address SOURCE, if given) to ADDR:PORT
# (ADDR IPv4 or IPv6), answered by a listener on LISTEN_PORT (default PORT)
# in LISTEN_NS. Prints the source address the listener saw, or "none" (at
# most about 5 s).
netns_connect() {
	_out=$(mktemp "${TMPDIR:-/tmp}/masqgen-conn.XXXXXX")
	case $3 in
	*:*) _listen=TCP6-LISTEN _to="[$3]" ;;
	*) _listen=TCP-LISTEN _to=$3 ;;
	esac
	# shellcheck disable=SC2016 # expanded by the shell socat starts
	ip netns exec "$2" timeout 10 socat -T5 "$_listen:${5:-$4},reuseaddr" \
		SYSTEM:'echo "$SOCAT_PEERADDR"' >/dev/null 2>&1 &
	_listener=$!
	_i=0
	while [ $_i -lt 50 ] && ! ip netns exec "$2" ss -Hltn "sport = :${5:-$4}" | grep -q .; do
		sleep 0.1
		_i=$((_i + 1))
	done
	ip netns exec "$1" timeout 5 socat -T3 - "TCP:$_to:$4,connect-timeout=3${6:+,bind=$6}" \
		</dev/null >"$_out" 2>/dev/null
	kill "$_listener" 2>/dev/null
	wait "$_listener" 2>/dev/null
	if [ -s "$_out" ]; then cat "$_out"; else echo none; fi
	rm -f "$_out"
}

# netns_gateway NS: a lone gateway namespace NS with lo up, eth0
# 203.0.113.1/24 and eth1 192.168.0.1/24 (veths whose peers stay in NS),
# ip_forward 0. Returns 1 when NS cannot be created.
netns_gateway() {
	ip netns add "$1" || return 1
	ip -n "$1" link set lo up
	ip -n "$1" link add eth0 type veth peer name eth0p
	ip -n "$1" link add eth1 type veth peer name eth1p
	ip -n "$1" addr add 203.0.113.1/24 dev eth0
	ip -n "$1" addr add 192.168.0.1/24 dev eth1
	ip -n "$1" link set eth0 up
	ip -n "$1" link set eth1 up
	ip netns exec "$1" sysctl -qw net.ipv4.ip_forward=0
}

# netns_stop NS...: kill what runs in the test's namespaces NS (only
# processes the suite started there), then remove them
netns_stop() {
	for _ns; do
		_pids=$(ip netns pids "$_ns" 2>/dev/null)
		# shellcheck disable=SC2086 # one pid a word
		[ -n "$_pids" ] && kill -9 $_pids 2>/dev/null
		ip netns del "$_ns" 2>/dev/null
	done
	return 0
}

# netns_ha_daemons NS DIR [nosync]: a cluster node's daemons in NS, in a
# mount namespace of their own where /etc/conntrackd is DIR/etc and /run
# is DIR/run (the hooks' `conntrackd -c` then finds the node's daemon):
# conntrackd (unless nosync) until it answers, then keepalived on
# DIR/keepalived.conf, in the background; the pid of the shell that
# becomes keepalived goes to DIR/keepalived.pid, the log to DIR/daemons.log
netns_ha_daemons() {
	_sync=conntrackd
	[ "${3:-}" = nosync ] && _sync=:
	# shellcheck disable=SC2016 # expanded by the node's shell
	ip netns exec "$1" unshare -m sh -c '
		mount --bind "$1/etc" /etc/conntrackd && mount --bind "$1/run" /run || exit 1
		if [ "$2" = conntrackd ]; then
			conntrackd -d || exit 1
			i=0
			until conntrackd -s >/dev/null 2>&1; do
				[ $i -ge 50 ] && exit 1
				sleep 0.1
				i=$((i + 1))
			done
		fi
		exec keepalived -n -l -D -f "$1/keepalived.conf" -p "$1/k.pid" -r "$1/kv.pid"
	' node "$2" "$_sync" </dev/null >"$2/daemons.log" 2>&1 &
	echo $! >"$2/keepalived.pid"
}
