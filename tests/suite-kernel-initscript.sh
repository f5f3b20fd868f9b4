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
# the miniupnpd of the link-up test runs in a mount namespace of its own:
# its pid (of the timeout that runs it) is also kept in $tmp/mu/pid
suite_cleanup() {
	if [ -s "$tmp/mu/pid" ]; then kill "$(cat "$tmp/mu/pid")" 2>/dev/null; fi
	netns_cleanup
}
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

# -- the link-up hook of a policy with `upnp` restarts a running miniupnpd
# when pppd brings its external interface back: a new link has a new index,
# and miniupnpd knows the interface by index. Everything runs in one mount
# namespace of the gateway's (ip netns exec, then unshare): tmpfs hides
# /run (no systemd: the hook takes the SysV branch) and /etc/init.d, where
# a stand-in for Debian's script runs the real miniupnpd with the generated
# configuration. Then, with /run/systemd/system made, the systemd branch
# calls a recording systemctl first on PATH. Nothing starts in the host.
if ! command -v miniupnpd >/dev/null || ! command -v unshare >/dev/null; then
	skip "kernel link-up restarts miniupnpd" "miniupnpd or unshare is not installed"
	exit 0
fi
mkdir -p "$tmp/mu/bin"
cat >"$tmp/upnp.masq" <<'POLICY'
external eth0 dynamic
internal eth1 192.168.77.1/24
upnp on eth1 ports 1024-65535
POLICY
if ! ip netns exec "$gw" "$MASQGEN" apply "$tmp/upnp.masq" >"$tmp/out" 2>&1 ||
	! "$MASQGEN" generate -t miniupnpd "$tmp/upnp.masq" >"$tmp/mu/miniupnpd.conf" ||
	! "$MASQGEN" init-script --style link-up -o "$tmp/mu/link-up" "$tmp/upnp.masq"; then
	fail "kernel link-up restarts miniupnpd" "apply, generate or init-script: $(cat "$tmp/out")"
	exit 0
fi
sed -i "s|^lease_file=.*|lease_file=$tmp/mu/leases|" "$tmp/mu/miniupnpd.conf"
# the stand-in for /etc/init.d/miniupnpd: start, stop, restart, each logged
# (the pid file names the timeout that runs it; miniupnpd keeps its own apart,
# or it would find that one alive and take itself for a second copy)
cat >"$tmp/mu/init" <<EOF2
#!/bin/sh
echo "init \$1" >>"$tmp/mu/log"
case \$1 in
stop | restart)
	pid=\$(cat /run/miniupnpd.pid)
	kill "\$pid"
	i=0
	while [ \$i -lt 50 ] && kill -0 "\$pid" 2>/dev/null; do sleep 0.1; i=\$((i + 1)); done
	;;
esac
case \$1 in
start | restart)
	timeout 60 miniupnpd -d -f "$tmp/mu/miniupnpd.conf" -P /run/miniupnpd.own.pid >>"$tmp/mu/daemon.log" 2>&1 &
	echo \$! >/run/miniupnpd.pid
	echo \$! >"$tmp/mu/pid"
	;;
esac
EOF2
printf '#!/bin/sh\necho "systemctl $*" >>"%s/mu/log"\n' "$tmp" >"$tmp/mu/bin/systemctl"
chmod 755 "$tmp/mu/init" "$tmp/mu/bin/systemctl"
# shellcheck disable=SC2016 # expanded by the shell in the gateway's namespace
ip netns exec "$gw" unshare -m --propagation private sh -c '
d=$1
for f in /dev/console /dev/log; do
	if [ -e "$f" ]; then mount --bind /dev/null "$f" || exit 1; fi
done
mount -t tmpfs masqgen-test /run && mount -t tmpfs masqgen-test /etc/init.d || exit 1
cp "$d/init" /etc/init.d/miniupnpd
# listening NAME: the pid file names a live miniupnpd serving HTTP (bounded)
listening() {
	i=0
	while [ $i -lt 50 ]; do
		if kill -0 "$(cat /run/miniupnpd.pid)" 2>/dev/null &&
			ss -Hltn "sport = :5000" | grep -q .; then
			echo "$1 $(cat /run/miniupnpd.pid)"
			return
		fi
		sleep 0.1
		i=$((i + 1))
	done
	echo "$1 none"
}
/etc/init.d/miniupnpd start
listening started
echo "index $(cat /sys/class/net/eth0/ifindex)"
# pppd: the link goes down and a new one comes up under the same name
ip link del eth0
ip link add eth0 type veth peer name eth0p
ip addr add 203.0.113.1/24 dev eth0
ip link set eth0 up
ip link set eth0p up
echo "index $(cat /sys/class/net/eth0/ifindex)"
# dhclient renewing the lease, and pppd bringing up another link: no restart
(interface=eth0 reason=RENEW; . "$d/link-up")
PPP_IFACE=ppp9 "$d/link-up" ppp9 /dev/ppp 0 10.0.0.1 10.0.0.2
listening unchanged
PPP_IFACE=eth0 "$d/link-up" eth0 /dev/ppp 0 203.0.113.1 203.0.113.2
listening restarted
mkdir -p /run/systemd/system
PATH=$d/bin:$PATH PPP_IFACE=eth0 "$d/link-up" eth0 /dev/ppp 0 203.0.113.1 203.0.113.2
/etc/init.d/miniupnpd stop
' sh "$tmp/mu" >"$tmp/mu/out" 2>&1
started=$(sed -n 's/^started //p' "$tmp/mu/out")
if [ -n "$started" ] && [ "$started" != none ]; then
	pass "kernel link-up: miniupnpd runs with masqgen's configuration"
else
	fail "kernel link-up: miniupnpd runs with masqgen's configuration" \
		"$(cat "$tmp/mu/out" "$tmp/mu/daemon.log" | tail -n 8)"
	exit 0
fi
if [ "$(grep -c '^index ' "$tmp/mu/out")" = 2 ] &&
	[ "$(grep '^index ' "$tmp/mu/out" | sort -u | wc -l)" = 2 ]; then
	pass "kernel link-up: the new eth0 has a new index"
else
	fail "kernel link-up: the new eth0 has a new index" "$(grep '^index' "$tmp/mu/out")"
fi
expect "kernel link-up: no restart for a DHCP renewal or another link" "unchanged $started" \
	"$(grep '^unchanged ' "$tmp/mu/out")"
restarted=$(sed -n 's/^restarted //p' "$tmp/mu/out")
if [ -n "$restarted" ] && [ "$restarted" != none ] && [ "$restarted" != "$started" ]; then
	pass "kernel link-up: pppd's eth0 restarts miniupnpd (SysV), which serves again"
else
	fail "kernel link-up: pppd's eth0 restarts miniupnpd (SysV)" \
		"started $started, then $restarted: $(cat "$tmp/mu/out")"
fi
expect "kernel link-up: SysV script and systemctl called as they should" \
	"init start|init restart|systemctl try-restart miniupnpd.service|init stop" \
	"$(paste -sd'|' "$tmp/mu/log")"
