#!/bin/sh
# tests/suite-kernel-labcluster.sh - `masqgen lab --cluster` on the HA pair
# of rules/ha-a.masq and rules/ha-b.masq (root): both gateways apply their
# policy and run conntrackd and keepalived; a masqueraded tcp connection, a
# forwarded one, a udp flow, an ftp control connection and a passive-mode
# data connection the ftp helper expected open through gw-a, survive gw-a's
# death and its return, a new transfer goes through each new master, each
# row passes, the times are printed. Negative control: the same without
# conntrackd, the connections break and the lab fails (5).
# Then: SIGTERM in the middle leaves no namespace and no daemon behind.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-netns.sh"
[ "${GOLDEN:-0}" = 1 ] && exit 0

tmp=$(mktemp_dir)
A=rules/ha-a.masq B=rules/ha-b.masq

# usage errors need no root
"$MASQGEN" lab --cluster rules/howto.masq "$A" >"$tmp/u.out" 2>&1
rc=$?
if [ $rc = 2 ] && grep -q "rules/howto.masq has no 'cluster' statement" "$tmp/u.out"; then
	pass "lab --cluster with a policy without cluster: exit 2"
else
	fail "lab --cluster without cluster" "exit $rc: $(cat "$tmp/u.out")"
fi
"$MASQGEN" lab --cluster "$B" --tsv "$A" >"$tmp/u.out" 2>&1
rc=$?
[ $rc = 2 ] && pass "lab --cluster --tsv: exit 2" || fail "lab --cluster --tsv" "exit $rc"

netns_suite_deps "kernel lab cluster" ip keepalived conntrackd conntrack timeout || exit 0

# lab_ns PID: namespaces of lab process PID still present
lab_ns() { ls /run/netns 2>/dev/null | grep "^mqlab-$1-"; }
# daemons of a cluster lab (their files live in the lab's directory)
lab_daemons() { pgrep -a -f '/tmp/masqgen-lab\.[^ ]*/gw-' 2>/dev/null; }
before=$(lab_daemons)

# row NAME-REGEX: the lab's output has a passing row matching it
row() { grep -E "^$1 .* pass\$" "$tmp/pair.out" >/dev/null; }

timeout 240 "$MASQGEN" lab --cluster "$B" "$A" >"$tmp/pair.out" 2>&1 &
pid=$!
wait $pid 2>/dev/null
rc=$?
if [ $rc = 0 ] && grep -qx '26 probes: 26 passed, 0 failed' "$tmp/pair.out"; then
	pass "lab --cluster: 26 probes pass, exit 0"
else
	fail "lab --cluster" "exit $rc: $(cat "$tmp/pair.out")"
fi
lan='tcp 192\.168\.0\.[0-9]+ -> 198\.51\.100\.20:7000'
fwd='tcp 198\.51\.100\.20 -> 203\.0\.113\.10:2222'
udp='udp 192\.168\.0\.[0-9]+ -> 198\.51\.100\.20:7001'
ctl='tcp 192\.168\.0\.[0-9]+ -> 198\.51\.100\.20:21'
pasv='ftp PASV +227 198\.51\.100\.20:([0-9]+) +227 198\.51\.100\.20:\1'
data='ftp data 192\.168\.0\.[0-9]+ -> 198\.51\.100\.20:[0-9]+'
new="$data +source 203\.0\.113\.10, expected +203\.0\.113\.10:[0-9]+"
for r in "gw-a becomes master" \
	"$lan +source 203\.0\.113\.10 +203\.0\.113\.10:[0-9]+" \
	"$fwd +source 198\.51\.100\.20 +198\.51\.100\.20:[0-9]+" \
	"$udp +source 203\.0\.113\.10 +203\.0\.113\.10:[0-9]+" \
	"$ctl +source 203\.0\.113\.10 +203\.0\.113\.10:[0-9]+" "$pasv" "$new" \
	"gw-b's conntrackd has the connections +in its external cache +5 of 5" \
	"failover: gw-b becomes master" "failover: gw-b's kernel has the connections" \
	"failover: $lan" "failover: $fwd" "failover: $udp" "failover: $ctl" "failover: $data +data both ways, same mapping" \
	"failover: $pasv" "failover: $new" \
	"failback: gw-a becomes master" "failback: gw-a's kernel has the connections" \
	"failback: $lan" "failback: $fwd" "failback: $udp" "failback: $ctl" "failback: $data +data both ways, same mapping" \
	"failback: $pasv" "failback: $new"; do
	if row "$r"; then
		pass "lab --cluster row: $r"
	else
		fail "lab --cluster row: $r" "not a passing row"
	fi
done
for way in "failover gw-a -> gw-b" "failback gw-b -> gw-a"; do
	t=$(sed -n "s/^$way: every connection carried data again after \([0-9.]*\) s\$/\1/p" \
		"$tmp/pair.out")
	if [ -n "$t" ] && awk -v t="$t" 'BEGIN { exit !(t > 0 && t <= 15) }'; then
		pass "lab --cluster: $way in $t s"
		echo "$way: $t s"
	else
		fail "lab --cluster: $way time" "'$t'"
	fi
done
left=$(lab_ns $pid)
[ -z "$left" ] && pass "lab --cluster removes its namespaces" || fail "lab --cluster cleanup" "$left"

# negative control: without conntrackd the connections do not survive
MASQGEN_LAB_NO_CONNTRACKD=1 timeout 240 "$MASQGEN" lab --cluster "$B" "$A" >"$tmp/pair.out" 2>&1
rc=$?
if [ $rc = 5 ] && grep -Eq "^failover: $lan .* FAIL\$" "$tmp/pair.out" &&
	grep -Eq "^failover: $data +data both ways.* FAIL\$" "$tmp/pair.out" &&
	grep -Eq "^failover: gw-b's kernel has the connections .* 0 of 5 +FAIL\$" "$tmp/pair.out"; then
	pass "lab --cluster without conntrackd: the connections break, exit 5"
else
	fail "lab --cluster without conntrackd" "exit $rc: $(cat "$tmp/pair.out")"
fi

# SIGTERM once the pair is up: no namespace, no daemon left
timeout 240 "$MASQGEN" lab --cluster "$B" "$A" >"$tmp/term.out" 2>&1 &
pid=$!
i=0
until grep -q "becomes master" "$tmp/term.out" 2>/dev/null; do
	[ $i -ge 600 ] && break
	sleep 0.1
	i=$((i + 1))
done
lab_pid=$(pgrep -P $pid)
kill -TERM "${lab_pid:-$pid}"
wait $pid 2>/dev/null
left=$(lab_ns "${lab_pid:-$pid}")
after=$(lab_daemons)
if [ $i -lt 600 ] && [ -z "$left" ] && [ "$after" = "$before" ]; then
	pass "lab --cluster on SIGTERM removes its namespaces and stops its daemons"
else
	fail "lab --cluster SIGTERM" "namespaces '$left', daemons '$after'"
fi
