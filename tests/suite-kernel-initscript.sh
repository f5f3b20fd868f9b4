#!/bin/sh
# Boot scripts on a real kernel (root): a LAN namespace, a gateway and an
# Internet namespace joined by veth pairs, 192.168.77.0/24 inside and
# 203.0.113.0/24 outside (the Internet host has no route back to the LAN,
# so a connection only works when the gateway masquerades it).
#   - the SysV script of `masqgen init-script`: start, status, reload, stop
#     (needs `masqgen apply`);
#   - the rc.firewall-iptables pair of `init-script -t iptables`: start,
#     status, stop.
# After start a TCP connection from the LAN reaches the Internet host with
# the gateway's external address as its source; after stop it does not,
# ip_forward is back to 0 and masqgen's rules are gone.
. "$(dirname "$0")/lib.sh"
[ "${GOLDEN:-0}" = 1 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
	skip "kernel initscript" "needs root (network namespaces)"
	exit 0
fi
for tool in socat nft iptables-restore; do
	if ! command -v "$tool" >/dev/null; then
		skip "kernel initscript" "$tool is not installed"
		exit 0
	fi
done
. "$TESTS_DIR/lib-netns.sh"
tmp=$(mktemp_dir)
suite_cleanup() { netns_cleanup; }
# the policy commands must not look for an SSH session of their caller
unset SSH_CONNECTION SSH_CLIENT
export MASQGEN_STATE_DIR="$tmp/state" MASQGEN_RUN_DIR="$tmp/run"

# The source the Internet host sees for a TCP connection from the LAN host.
seen_source() {
	netns_connect "$NS_LAN" "$NS_NET" 203.0.113.2 "$1"
}

forwarding() {
	ip netns exec "$NS_GW" cat /proc/sys/net/ipv4/ip_forward
}

# expect NAME WANT GOT
expect() {
	if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "want '$2', got '$3'"; fi
}

if ! netns_setup; then
	fail "kernel initscript setup" "cannot build the namespaces"
	exit 0
fi
gw=$NS_GW
cat >"$tmp/policy.masq" <<'POLICY'
external eth0 dynamic
internal eth1 192.168.77.1/24
POLICY
expect "kernel initscript: no masquerading before start" none "$(seen_source 18001)"

# -- the rc.firewall-iptables pair (iptables-restore, no masqgen at boot)
if "$MASQGEN" init-script -t iptables -o "$tmp/rc" "$tmp/policy.masq" >/dev/null; then
	ip netns exec "$gw" "$tmp/rc/firewall-iptables" start >"$tmp/out" 2>&1
	expect "kernel rc.firewall-iptables start" 0 "$?"
	expect "kernel rc.firewall-iptables: forwarding on" 1 "$(forwarding)"
	expect "kernel rc.firewall-iptables: LAN masqueraded" 203.0.113.1 "$(seen_source 18002)"
	# both families: ip6tables holds what generate -t ip6tables prints
	"$MASQGEN" generate -t ip6tables "$tmp/policy.masq" 2>/dev/null | grep '^-A ' | sort >"$tmp/want6"
	ip netns exec "$gw" ip6tables-save | grep '^-A .*masqgen' | sort >"$tmp/have6"
	if [ -s "$tmp/want6" ] && cmp -s "$tmp/want6" "$tmp/have6"; then
		pass "kernel rc.firewall-iptables: the IPv6 rules loaded"
	else
		fail "kernel rc.firewall-iptables: the IPv6 rules loaded" \
			"$(diff "$tmp/want6" "$tmp/have6" | head -n 5)"
	fi
	ip netns exec "$gw" "$tmp/rc/firewall-iptables" start >"$tmp/out" 2>&1
	n=$(ip netns exec "$gw" iptables -t nat -S POSTROUTING | grep -c 'masqgen-postrouting')
	expect "kernel rc.firewall-iptables: a second start adds no second jump" 1 "$n"
	expect "kernel rc.firewall-iptables: still masqueraded" 203.0.113.1 "$(seen_source 18003)"
	ip netns exec "$gw" "$tmp/rc/firewall-iptables" status >"$tmp/out" 2>&1
	if grep -q '^:masqgen-forward' "$tmp/out"; then pass "kernel rc.firewall-iptables status"
	else fail "kernel rc.firewall-iptables status" "$(head -n 5 "$tmp/out")"; fi
	ip netns exec "$gw" "$tmp/rc/firewall-iptables" stop >"$tmp/out" 2>&1
	expect "kernel rc.firewall-iptables stop" 0 "$?"
	expect "kernel rc.firewall-iptables: forwarding off after stop" 0 "$(forwarding)"
	n=$(ip netns exec "$gw" sh -c 'iptables-save; ip6tables-save' | grep -c masqgen)
	expect "kernel rc.firewall-iptables: no masqgen rule or chain after stop" 0 "$n"
	expect "kernel rc.firewall-iptables: no masquerading after stop" none \
		"$(seen_source 18004)"
else
	fail "kernel rc.firewall-iptables" "init-script -t iptables failed"
fi

# -- the SysV script around masqgen apply / flush
if ! "$MASQGEN" apply --help >/dev/null 2>&1; then
	skip "kernel sysv script" "'masqgen apply' is not implemented yet"
	exit 0
fi
"$MASQGEN" init-script -o "$tmp/masqgen.init" "$tmp/policy.masq" >/dev/null ||
	{ fail "kernel sysv script" "init-script failed"; exit 0; }
ip netns exec "$gw" "$tmp/masqgen.init" status >/dev/null 2>&1
expect "kernel sysv status before start: 3 (not running)" 3 "$?"
ip netns exec "$gw" "$tmp/masqgen.init" start >"$tmp/out" 2>&1
rc=$?
expect "kernel sysv start" 0 "$rc"
[ "$rc" = 0 ] || cat "$tmp/out"
expect "kernel sysv: forwarding on" 1 "$(forwarding)"
ip netns exec "$gw" "$tmp/masqgen.init" status >"$tmp/out" 2>&1
expect "kernel sysv status after start: 0" 0 "$?"
expect "kernel sysv: LAN masqueraded" 203.0.113.1 "$(seen_source 18011)"
ip netns exec "$gw" "$tmp/masqgen.init" reload >"$tmp/out" 2>&1
expect "kernel sysv reload" 0 "$?"
expect "kernel sysv: masqueraded after reload" 203.0.113.1 "$(seen_source 18012)"
ip netns exec "$gw" "$tmp/masqgen.init" stop >"$tmp/out" 2>&1
expect "kernel sysv stop" 0 "$?"
expect "kernel sysv: forwarding back to 0 after stop" 0 "$(forwarding)"
if ip netns exec "$gw" nft list table ip masqgen >/dev/null 2>&1; then
	fail "kernel sysv: table gone after stop" "ip masqgen is still loaded"
else
	pass "kernel sysv: table gone after stop"
fi
ip netns exec "$gw" "$tmp/masqgen.init" status >/dev/null 2>&1
expect "kernel sysv status after stop: 3" 3 "$?"
expect "kernel sysv: no masquerading after stop" none "$(seen_source 18013)"

# -- a typo must not boot the gateway open: start with a broken policy
# loads the last good ruleset (kept by the last successful apply) and exits
# 6; without one it turns IPv4 and IPv6 forwarding off
forwarding6() {
	ip netns exec "$NS_GW" cat /proc/sys/net/ipv6/conf/all/forwarding
}
ip netns exec "$gw" "$tmp/masqgen.init" start >"$tmp/out" 2>&1
expect "kernel sysv: start with the good policy" 0 "$?"
if [ -s "$MASQGEN_STATE_DIR/$gw/last-good.nft" ]; then
	pass "kernel sysv: a successful apply keeps the last good ruleset"
else
	fail "kernel sysv: a successful apply keeps the last good ruleset" \
		"no $MASQGEN_STATE_DIR/$gw/last-good.nft"
fi
ip netns exec "$gw" "$tmp/masqgen.init" stop >/dev/null 2>&1
cat >"$tmp/policy.masq" <<'POLICY'
external eth0 dynamic
internal eth1 192.168.77.1/24
masqurade
POLICY
ip netns exec "$gw" "$tmp/masqgen.init" start >"$tmp/out" 2>&1
rc=$?
expect "kernel sysv: start with a broken policy exits 6" 6 "$rc"
if grep -q 'FAILED: the last good ruleset is loaded instead' "$tmp/out" &&
	grep -q "error: unknown statement 'masqurade'" "$tmp/out"; then
	pass "kernel sysv: a broken policy at start is reported loudly"
else
	fail "kernel sysv: a broken policy at start is reported loudly" "$(cat "$tmp/out")"
fi
expect "kernel sysv: the last good ruleset forwards" 1 "$(forwarding)"
expect "kernel sysv: the last good ruleset masquerades" 203.0.113.1 "$(seen_source 18014)"
ip netns exec "$gw" "$tmp/masqgen.init" stop >"$tmp/out" 2>&1
expect "kernel sysv: stop after the fallback" 0 "$?"
expect "kernel sysv: forwarding back to 0 after the fallback's stop" 0 "$(forwarding)"
# no last good ruleset either, and forwarding on from the boot's sysctl.conf
rm -f "$MASQGEN_STATE_DIR/$gw/last-good.nft"
ip netns exec "$gw" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
ip netns exec "$gw" "$tmp/masqgen.init" start >"$tmp/out" 2>&1
rc=$?
if [ "$rc" -ne 0 ] && [ "$rc" -ne 6 ] && grep -q 'forwarding off' "$tmp/out"; then
	pass "kernel sysv: nothing to fall back to fails loudly"
else
	fail "kernel sysv: nothing to fall back to fails loudly" "exit $rc: $(cat "$tmp/out")"
fi
expect "kernel sysv: nothing to fall back to: IPv4 forwarding off" 0 "$(forwarding)"
expect "kernel sysv: nothing to fall back to: IPv6 forwarding off" 0 "$(forwarding6)"
expect "kernel sysv: nothing to fall back to: no masquerading" none "$(seen_source 18015)"
