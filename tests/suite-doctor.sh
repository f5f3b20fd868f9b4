#!/bin/sh
# doctor: run inside a fresh network namespace (ip netns exec) and check
# its lines and exit code; a foreign nftables table must be listed; a proc
# root without ip_forward (--proc-root, a test aid) must FAIL with exit 5;
# without root, exit 3. With a cluster policy it checks the daemons (FAIL
# when --root hides them), the sync interface and nf_conntrack_tcp_loose
# (warnings) and listens for the peer (--wait), and --wait's bounds;
# other policies add no line. Needs root.
. "$(dirname "$0")/lib.sh"
[ "${GOLDEN:-0}" = 1 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
	skip "doctor" "needs root"
	exit 0
fi
tmp=$(mktemp_dir)
ns="mg-doctor-$$"
suite_cleanup() { ip netns del "$ns" 2>/dev/null; }
ip netns add "$ns" || { fail "doctor netns" "cannot create $ns"; exit 0; }

ip netns exec "$ns" timeout 30 "$MASQGEN" doctor >"$tmp/out" 2>&1
rc=$?
if [ $rc -eq 0 ]; then pass "doctor fresh namespace exit 0"; else
	fail "doctor fresh namespace exit 0" "exit $rc"; cat "$tmp/out"; fi
bad=$(grep -v -E '^(ok   |warn |FAIL ) [^ ]' "$tmp/out" | grep -v -E '^[0-9]+ failed, [0-9]+ warnings: ')
if [ -z "$bad" ]; then pass "doctor line format"; else fail "doctor line format" "$bad"; fi
for want in '^ok    nf_tables: a table can be created$' \
	'^ok    NAT: a nat chain can be hooked$' \
	'^ok    NAT: a masquerade rule is accepted$' \
	'^(ok   |warn ) IPv4 forwarding is o' \
	'^(ok   |warn ) ip_dynaddr' \
	'^(ok   |warn ) rp_filter' \
	'^(ok   |warn ) helper ftp: ' \
	'^(ok   |warn ) helper snmp: ' \
	'^ok    no other nftables tables$' \
	'^ok    masqgen.s tables: not loaded$' \
	'^(ok   |warn ) iptables' \
	'^0 failed, [0-9]+ warnings: masquerading can work$'; do
	if grep -q -E "$want" "$tmp/out"; then pass "doctor line $want"; else
		fail "doctor line $want" "missing"; fi
done

# forwarding on, and another tool's table: both show
ip netns exec "$ns" sysctl -q -w net.ipv4.ip_forward=1
ip netns exec "$ns" nft add table inet othertool
ip netns exec "$ns" timeout 30 "$MASQGEN" doctor >"$tmp/out2" 2>&1
if grep -q '^ok    IPv4 forwarding is on (ip_forward = 1)$' "$tmp/out2"; then
	pass "doctor sees forwarding on"; else fail "doctor sees forwarding on" "$(head -3 "$tmp/out2")"; fi
if grep -q '^warn  other nftables tables: inet othertool  (' "$tmp/out2"; then
	pass "doctor lists another tool's table"; else
	fail "doctor lists another tool's table" "$(grep tables "$tmp/out2")"; fi

# legacy iptables rules beside nftables are listed
if command -v iptables-legacy >/dev/null &&
	ip netns exec "$ns" iptables-legacy -A INPUT -s 198.51.100.1 -j DROP 2>/dev/null; then
	ip netns exec "$ns" timeout 30 "$MASQGEN" doctor >"$tmp/out5" 2>&1
	if grep -q '^warn  iptables-legacy: 1 rules loaded  (' "$tmp/out5"; then
		pass "doctor lists iptables-legacy rules"
	else
		fail "doctor lists iptables-legacy rules" "$(grep legacy "$tmp/out5")"
	fi
else
	skip "doctor lists iptables-legacy rules" "no iptables-legacy or no ip_tables here"
fi

# a kernel without IPv4 forwarding: a proc root without ip_forward
mkdir -p "$tmp/proc/sys/net/ipv4/conf/all" "$tmp/proc/sys/net/ipv4/conf/default"
echo 0 >"$tmp/proc/sys/net/ipv4/conf/all/rp_filter"
echo 0 >"$tmp/proc/sys/net/ipv4/conf/default/rp_filter"
ip netns exec "$ns" timeout 30 "$MASQGEN" doctor --proc-root "$tmp/proc" >"$tmp/out3" 2>&1
rc=$?
if [ $rc -eq 5 ]; then pass "doctor FAIL exits 5"; else fail "doctor FAIL exits 5" "exit $rc"; fi
if grep -q "^FAIL  IPv4 forwarding: no $tmp/proc/sys/net/ipv4/ip_forward  (" "$tmp/out3" &&
	grep -q '^1 failed, [0-9]* warnings: masquerading cannot work' "$tmp/out3"; then
	pass "doctor FAIL line"; else fail "doctor FAIL line" "$(head -3 "$tmp/out3")"; fi

# not root: a clear message and exit 3
setpriv --reuid=65534 --regid=65534 --clear-groups "$MASQGEN" doctor >"$tmp/out4" 2>&1
rc=$?
if [ $rc -eq 3 ] && grep -q 'run it as root' "$tmp/out4"; then pass "doctor without root exits 3"
else fail "doctor without root exits 3" "exit $rc: $(cat "$tmp/out4")"; fi

# helper NAT modules: built in (modules.builtin below --root) is available;
# a module nothing tells of is a warning (a tree of the test's own: --root
# for /sys, /lib/modules and /boot, --proc-root without config.gz)
rel=$(uname -r)
mkdir -p "$tmp/root/lib/modules/$rel" "$tmp/root/sys/module/nf_nat_sip"
printf 'kernel/net/netfilter/nf_nat_ftp.ko\n' >"$tmp/root/lib/modules/$rel/modules.builtin"
ip netns exec "$ns" timeout 30 "$MASQGEN" doctor --root "$tmp/root" --proc-root "$tmp/proc" \
	>"$tmp/out6" 2>&1
for want in '^ok    helper ftp: ct helper and nf_nat_ftp available$' \
	'^ok    helper sip: ct helper and nf_nat_sip available$' \
	'^warn  helper irc: tracked, but whether nf_nat_irc exists cannot be told'; do
	if grep -q "$want" "$tmp/out6"; then pass "doctor modules: $want"; else
		fail "doctor modules: $want" "$(grep helper "$tmp/out6")"; fi
done

# a cluster policy: the node's daemons (below --root), its sync interface
# and nf_conntrack_tcp_loose are checked as well, and the peer listened
# for (--wait; a sync interface with no peer on it FAILs, a missing VRRP
# interface is a warning; suite-kernel-doctor-cluster hears a real peer);
# other policies add nothing
ha=$TESTS_DIR/golden/ha-a/policy.masq
ip -n "$ns" link add eth2 type veth peer name eth2p
ip netns exec "$ns" sysctl -qw net.netfilter.nf_conntrack_tcp_loose=1
ip netns exec "$ns" timeout 30 "$MASQGEN" doctor --wait 1 "$ha" >"$tmp/ha1" 2>&1
rc=$?
for want in '^ok    cluster: /usr/sbin/conntrackd is installed$' \
	'^ok    cluster: /usr/sbin/keepalived is installed$' \
	'^ok    cluster: the sync interface eth2 exists$' \
	'^ok    cluster: nf_conntrack_tcp_loose = 1$' \
	'^warn  cluster: no VRRP interface eth1 here  \(keepalived cannot run VRRP before it is there\)$' \
	'^FAIL  cluster: no sync traffic from 10\.255\.0\.2 on eth2 in 1 s: '; do
	if [ $rc -eq 5 ] && grep -q -E "$want" "$tmp/ha1"; then pass "doctor cluster: $want"; else
		fail "doctor cluster: $want" "exit $rc: $(grep cluster "$tmp/ha1")"; fi
done
ip -n "$ns" link del eth2
ip netns exec "$ns" sysctl -qw net.netfilter.nf_conntrack_tcp_loose=0
mkdir -p "$tmp/bare"
ip netns exec "$ns" timeout 30 "$MASQGEN" doctor --root "$tmp/bare" "$ha" >"$tmp/ha2" 2>&1
rc=$?
expect_exit "doctor cluster without the daemons" 5 $rc "$tmp/ha2"
grep '^[a-zA-Z]* *cluster: ' "$tmp/ha2" >"$tmp/ha2.got"
cat >"$tmp/ha2.want" <<WANT
FAIL  cluster: no $tmp/bare/usr/sbin/conntrackd  (Debian's conntrackd package: the notify hooks run it)
FAIL  cluster: no $tmp/bare/usr/sbin/keepalived  (Debian's keepalived package: it moves the virtual addresses)
warn  cluster: no sync interface eth2 here  (conntrackd cannot sync before it is there)
warn  cluster: nf_conntrack_tcp_loose = 0: connections moved in mid-stream are dropped  (sysctl -w net.netfilter.nf_conntrack_tcp_loose=1)
warn  cluster: no VRRP interface eth1 here  (keepalived cannot run VRRP before it is there)
WANT
if diff -u "$tmp/ha2.want" "$tmp/ha2.got" >"$tmp/ha2.d"; then
	pass "doctor cluster: missing daemons FAIL, no sync interface and loose 0 warn"
else
	fail "doctor cluster lines" "$(cat "$tmp/ha2.d")"
fi
ip netns exec "$ns" sysctl -qw net.netfilter.nf_conntrack_tcp_loose=1
printf 'external eth0 address 203.0.113.2\ninternal eth1 192.168.0.1/24\n' >"$tmp/one.masq"
ip netns exec "$ns" timeout 30 "$MASQGEN" doctor "$tmp/one.masq" >"$tmp/ha3" 2>&1
rc=$?
if [ $rc -ne 0 ] || grep -q cluster "$tmp/ha3"; then
	fail "doctor without a cluster line" "exit $rc: $(grep -i 'cluster\|error' "$tmp/ha3")"
else
	pass "doctor: a policy without a cluster line adds no cluster checks"
fi
printf 'cluster gw-a priority 150\n' >"$tmp/bad.masq"
ip netns exec "$ns" timeout 30 "$MASQGEN" doctor "$tmp/bad.masq" >"$tmp/ha4" 2>&1
expect_exit "doctor with a policy that does not compile" 1 $? "$tmp/ha4"

# --wait takes whole seconds 1-60
for w in 0 61 x 1.5 ''; do
	ip netns exec "$ns" timeout 30 "$MASQGEN" doctor --wait "$w" "$ha" >"$tmp/w" 2>&1
	rc=$?
	if [ $rc -eq 2 ] && grep -q -- "--wait takes seconds 1-60, not '$w'" "$tmp/w"; then
		pass "doctor --wait '$w' is a usage error"
	else
		fail "doctor --wait '$w' is a usage error" "exit $rc: $(cat "$tmp/w")"
	fi
done
