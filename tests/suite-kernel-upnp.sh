#!/bin/sh
# UPnP IGD and NAT-PMP through Debian's miniupnpd (nftables flavour) with
# real packets (root), in the three-namespace gateway of tests/lib-netns.sh
# (LANGUAGE.md "Gateway features", `upnp`):
#   - masqgen apply creates table inet masqgen_upnp; miniupnpd runs in the
#     gateway with the configuration `generate -t miniupnpd` writes;
#   - the LAN host maps a port with upnpc (UPnP IGD) and another with
#     natpmpc (NAT-PMP); the mappings are rules in masqgen_upnp, and the
#     Internet host reaches the LAN host through each;
#   - another tool's DNAT on the same gateway stays blocked by masqgen's
#     forward chain (only miniupnpd's mappings are admitted);
#   - a second apply, of a changed policy, keeps the mappings, a connection
#     open through one across it goes on (conntrack cleanup leaves it), and
#     they still carry new connections; `masqgen diff` of that policy finds no
#     difference (miniupnpd's rules are not masqgen's);
#   - an unconfirmed `apply --confirm` of a policy without `upnp` deletes
#     the table and its rollback brings it back, mappings and all;
#   - `upnpc -d` closes a mapping; a LAN address outside `allow` is refused;
#   - flush removes the table; after it, the rollback of an unconfirmed
#     `apply --confirm` of the upnp policy removes the table it created.
# The lab's Internet side uses documentation prefixes, which miniupnpd
# calls reserved: it only hands out mappings when STUN says the address is
# public. So the test adds ext_perform_stun to the generated configuration
# and runs a STUN responder (tests/stun_reply.c) on the Internet host.
# miniupnpd logs through syslog and falls back to /dev/console: in its own
# mount namespace (ip netns exec) both are bound to /dev/null, and -d puts
# its messages on stderr, into the test's directory.
# Not tried: a NAT-PMP request from outside `allow` (miniupnpd 2.3.1 then
# tries every external port in turn, logging each: minutes of work).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-netns.sh"
[ "${GOLDEN:-0}" = 1 ] && exit 0

netns_suite_deps "kernel upnp" ip nft socat timeout miniupnpd upnpc natpmpc "${CC:-cc}" ||
	exit 0

tmp=$(mktemp_dir)
mu_pid='' stun_pid=''
suite_cleanup() {
	[ -n "$mu_pid" ] && kill "$mu_pid" 2>/dev/null
	[ -n "$stun_pid" ] && kill "$stun_pid" 2>/dev/null
	netns_cleanup
}
unset SSH_CONNECTION SSH_CLIENT
netns_state_dirs "$tmp"

gw() { ip netns exec "$NS_GW" "$@"; }
lan() { ip netns exec "$NS_LAN" "$@"; }
url=http://192.168.77.1:5000/rootDesc.xml

# expect NAME GOT WANT
expect() {
	if [ "$2" = "$3" ]; then
		pass "$1"
	else
		fail "$1" "want '$3', got '$2'"
	fi
}

# mapped PORT: the DNAT miniupnpd put into masqgen_upnp for external PORT
# (its destination, or "none")
mapped() {
	_to=$(gw nft list chain inet masqgen_upnp upnp_prerouting 2>/dev/null |
		sed -n "s/.* dport $1 dnat ip to \([0-9.:]*\).*/\1/p")
	echo "${_to:-none}"
}

# reach PORT LAN_PORT: what a LAN listener on LAN_PORT sees of a
# connection from the Internet host to 203.0.113.1:PORT
reach() { netns_connect "$NS_NET" "$NS_LAN" 203.0.113.1 "$1" "$2"; }

cat >"$tmp/policy.masq" <<'POLICY'
external eth0 address 203.0.113.1
internal eth1 192.168.77.1/24
upnp on eth1 ports 1024-65535 allow 192.168.77.0/26
POLICY
# the second apply: the same gateway with one more rule
cp "$tmp/policy.masq" "$tmp/changed.masq"
echo "allow tcp 22" >>"$tmp/changed.masq"

if ! ${CC:-cc} -o "$tmp/stun_reply" "$TESTS_DIR/stun_reply.c" 2>"$tmp/cc.out"; then
	fail "kernel upnp: build stun_reply" "$(head -n 3 "$tmp/cc.out")"
	exit 0
fi
if ! netns_setup; then
	fail "kernel upnp" "cannot build the namespaces"
	exit 0
fi
# a second LAN address, outside `allow`
ip -n "$NS_LAN" addr add 192.168.77.100/24 dev lan0

if ! gw timeout 60 "$MASQGEN" apply "$tmp/policy.masq" >"$tmp/apply" 2>&1; then
	fail "kernel upnp: apply" "$(cat "$tmp/apply")"
	exit 0
fi
if gw nft list chain inet masqgen_upnp upnp_forward >/dev/null 2>&1; then
	pass "kernel upnp: apply creates table inet masqgen_upnp"
else
	fail "kernel upnp: apply creates table inet masqgen_upnp" "no upnp_forward chain"
fi

"$MASQGEN" generate -t miniupnpd "$tmp/policy.masq" >"$tmp/miniupnpd.conf"
sed -i "s|^lease_file=.*|lease_file=$tmp/leases|" "$tmp/miniupnpd.conf"
printf 'ext_perform_stun=yes\next_stun_host=203.0.113.2\next_stun_port=3478\n' \
	>>"$tmp/miniupnpd.conf"

ip netns exec "$NS_NET" timeout 200 "$tmp/stun_reply" 203.0.113.2 3478 180 \
	2>"$tmp/stun.err" &
stun_pid=$!
# shellcheck disable=SC2016 # expanded by the shell ip netns exec starts
# (not through gw: $! must be the process that execs timeout, which kill ends)
ip netns exec "$NS_GW" sh -c 'for f in /dev/console /dev/log; do
	if [ -e "$f" ]; then mount --bind /dev/null "$f" || exit 1; fi
done
exec timeout 180 miniupnpd -d -f "$1/miniupnpd.conf" -P "$1/miniupnpd.pid"' sh "$tmp" \
	>"$tmp/miniupnpd.log" 2>&1 &
mu_pid=$!
i=0
while [ $i -lt 100 ] && ! grep -qs 'Listening for NAT-PMP' "$tmp/miniupnpd.log"; do
	sleep 0.1
	i=$((i + 1))
done
if grep -q 'Port forwarding is now enabled' "$tmp/miniupnpd.log" &&
	gw ss -Hltn 'sport = :5000' | grep -q .; then
	pass "kernel upnp: miniupnpd starts with masqgen's configuration (STUN: public address)"
else
	fail "kernel upnp: miniupnpd starts" "$(grep -v table_cb "$tmp/miniupnpd.log" | tail -n 5)"
	exit 0
fi

# UPnP IGD: 203.0.113.1:4444 -> 192.168.77.10:8080
lan timeout 20 upnpc -u "$url" -a 192.168.77.10 8080 4444 TCP >"$tmp/upnpc" 2>&1
expect "kernel upnp: upnpc -a maps a port, in table inet masqgen_upnp" \
	"$(mapped 4444)" 192.168.77.10:8080
expect "kernel upnp: the Internet host reaches the LAN host through the UPnP mapping" \
	"$(reach 4444 8080)" 203.0.113.2

# NAT-PMP: 203.0.113.1:4446 -> 192.168.77.10:8081
lan timeout 20 natpmpc -g 192.168.77.1 -a 4446 8081 tcp 600 >"$tmp/natpmpc" 2>&1
expect "kernel upnp: natpmpc maps a port, in table inet masqgen_upnp" \
	"$(mapped 4446)" 192.168.77.10:8081
expect "kernel upnp: the Internet host reaches the LAN host through the NAT-PMP mapping" \
	"$(reach 4446 8081)" 203.0.113.2

# another tool's DNAT, in a table of its own: masqgen's forward chain drops it
gw nft -f - <<'NFT'
table ip othertool {
	chain pre {
		type nat hook prerouting priority dstnat - 10; policy accept;
		iifname "eth0" tcp dport 5555 dnat to 192.168.77.10:8082
	}
}
NFT
expect "kernel upnp: another tool's DNAT stays blocked" "$(reach 5555 8082)" none
gw nft delete table ip othertool

# a second apply, of a changed policy, keeps the mappings; a connection
# through one (to an echo server) is open across it: a line before the
# apply and one after it come back
ip netns exec "$NS_LAN" timeout 20 socat -T15 TCP-LISTEN:8080,reuseaddr EXEC:cat \
	>/dev/null 2>&1 &
echo_pid=$!
i=0
while [ $i -lt 50 ] && ! lan ss -Hltn 'sport = :8080' | grep -q .; do
	sleep 0.1
	i=$((i + 1))
done
{
	echo before
	i=0
	while [ ! -e "$tmp/applied" ] && [ $i -lt 150 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	echo after
	sleep 1
} | ip netns exec "$NS_NET" timeout 20 socat -T5 - TCP:203.0.113.1:4444,connect-timeout=3 \
	>"$tmp/live" 2>/dev/null &
live_pid=$!
sleep 1
if ! gw timeout 60 "$MASQGEN" apply "$tmp/changed.masq" >"$tmp/apply" 2>&1; then
	fail "kernel upnp: second apply" "$(cat "$tmp/apply")"
fi
touch "$tmp/applied"
wait "$live_pid"
kill "$echo_pid" 2>/dev/null
wait "$echo_pid" 2>/dev/null
expect "kernel upnp: a connection through the mapping lives across apply" \
	"$(tr '\n' ' ' <"$tmp/live")" "before after "
# (conntrack would take a deleted entry up again through the mapping, so
# the cleanup's own report tells whether it left the mapped connections)
if grep -q '^removed 0 connection tracking entries' "$tmp/apply"; then
	pass "kernel upnp: the apply's conntrack cleanup leaves mapped connections"
else
	fail "kernel upnp: the apply's conntrack cleanup leaves mapped connections" \
		"$(grep removed "$tmp/apply")"
fi
if gw nft list chain ip masqgen input | grep -q 'dport 22'; then
	pass "kernel upnp: the second apply changed masqgen's tables"
else
	fail "kernel upnp: the second apply changed masqgen's tables" "no tcp 22 rule in input"
fi
expect "kernel upnp: the UPnP mapping survives apply" "$(mapped 4444)" 192.168.77.10:8080
expect "kernel upnp: the NAT-PMP mapping survives apply" "$(mapped 4446)" 192.168.77.10:8081
expect "kernel upnp: after apply the Internet host still reaches the LAN host" \
	"$(reach 4444 8080)" 203.0.113.2
if gw "$MASQGEN" diff "$tmp/changed.masq" >"$tmp/diff" 2>&1; then
	pass "kernel upnp: diff finds no difference while miniupnpd holds mappings"
else
	fail "kernel upnp: diff finds no difference while miniupnpd holds mappings" \
		"$(head -n 5 "$tmp/diff")"
fi

# apply --confirm of a policy without upnp, not confirmed: the rollback
# (after 2 s, exit 4) brings the table back with miniupnpd's rules
grep -v '^upnp' "$tmp/changed.masq" >"$tmp/noupnp.masq"
setsid ip netns exec "$NS_GW" timeout 60 "$MASQGEN" apply --confirm 2 "$tmp/noupnp.masq" \
	</dev/null >"$tmp/confirm" 2>&1
expect "kernel upnp: an unconfirmed apply --confirm without upnp rolls back (exit 4)" $? 4
expect "kernel upnp: the rollback brings the UPnP table back with its mapping" \
	"$(mapped 4444)" 192.168.77.10:8080
expect "kernel upnp: after the rollback the Internet host reaches the LAN host" \
	"$(reach 4444 8080)" 203.0.113.2

# upnpc -d closes the mapping
lan timeout 20 upnpc -u "$url" -d 4444 TCP >"$tmp/upnpc-d" 2>&1
expect "kernel upnp: upnpc -d removes the mapping" "$(mapped 4444)" none
expect "kernel upnp: a closed mapping carries nothing" "$(reach 4444 8080)" none

# a LAN address outside `allow` (192.168.77.0/26) is refused
ip -n "$NS_LAN" route add 192.168.77.1/32 dev lan0 src 192.168.77.100
lan timeout 20 upnpc -u "$url" -a 192.168.77.100 8080 4445 TCP >"$tmp/upnpc-out" 2>&1
ip -n "$NS_LAN" route del 192.168.77.1/32 dev lan0
if grep -q 'failed with code 606' "$tmp/upnpc-out" && [ "$(mapped 4445)" = none ]; then
	pass "kernel upnp: a host outside 'allow' gets no mapping (606)"
else
	fail "kernel upnp: a host outside 'allow' gets no mapping" \
		"mapped: $(mapped 4445); $(tail -n 2 "$tmp/upnpc-out")"
fi

kill "$mu_pid" 2>/dev/null
wait "$mu_pid" 2>/dev/null
mu_pid=
gw "$MASQGEN" flush >/dev/null 2>&1
if gw nft list table inet masqgen_upnp >/dev/null 2>&1; then
	fail "kernel upnp: flush removes table inet masqgen_upnp" "still listed"
else
	pass "kernel upnp: flush removes table inet masqgen_upnp"
fi

# from nothing loaded, an unconfirmed apply --confirm of the upnp policy:
# the rollback removes every table it made, the UPnP table too
setsid ip netns exec "$NS_GW" timeout 60 "$MASQGEN" apply --confirm 2 "$tmp/policy.masq" \
	</dev/null >"$tmp/confirm" 2>&1
expect "kernel upnp: an unconfirmed apply --confirm with upnp rolls back (exit 4)" $? 4
if gw nft list tables | grep -q masqgen; then
	fail "kernel upnp: the rollback removes the UPnP table it created" \
		"$(gw nft list tables | tr '\n' ' ')"
else
	pass "kernel upnp: the rollback removes the UPnP table it created"
fi
