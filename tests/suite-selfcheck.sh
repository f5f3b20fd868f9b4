#!/bin/sh
# Kernel tests of the session check before apply (root).
#
# The gateway namespace has eth0 203.0.113.1 (external) and eth1
# 192.168.0.1 (internal). The admin's session is given by SSH_CONNECTION,
# or, as after sudo, found from an ancestor process named sshd that holds
# the TCP connection: socat under the name sshd, listening on
# 203.0.113.1:22 and running masqgen for a client in a second namespace,
# relays the session as sshd does.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-netns.sh"
[ "${GOLDEN:-0}" = 1 ] && exit 0

netns_suite_deps selfcheck nft ip socat ss timeout || exit 0

tmp=$(mktemp_dir)
GW="mgself-$$-gw"
CL="mgself-$$-cl"
sshd=
suite_cleanup() {
	[ -n "$sshd" ] && kill "$sshd" 2>/dev/null
	ip netns del "$GW" 2>/dev/null
	ip netns del "$CL" 2>/dev/null
}
trap 'exit 1' INT TERM HUP

netns_state_dirs "$tmp"
unset SSH_CONNECTION

gw() { ip netns exec "$GW" "$@"; }
# apply as from the session "$1" (SSH_CONNECTION)
mg_as() {
	s=$1
	shift
	ip netns exec "$GW" env SSH_CONNECTION="$s" "$MASQGEN" "$@"
}
loaded() { gw nft list tables | grep -q 'table ip masqgen'; }

ip netns add "$GW" || { fail "selfcheck setup" "cannot create a network namespace"; exit 0; }
ip netns add "$CL"
gw ip link set lo up
gw ip link add eth0 type veth peer name eth0p
gw ip link add eth1 type veth peer name eth1p
gw ip link set eth0p netns "$CL"
gw ip addr add 203.0.113.1/24 dev eth0
gw ip addr add 192.168.0.1/24 dev eth1
gw ip addr add 2001:db8::1/64 dev eth0 nodad
gw ip link set eth0 up
gw ip link set eth1 up
gw ip route add default via 203.0.113.254 dev eth0
ip netns exec "$CL" ip link set lo up
ip netns exec "$CL" ip addr add 203.0.113.7/24 dev eth0p
ip netns exec "$CL" ip link set eth0p up

# strong, and ssh only from the partner network: 198.51.100.7 is cut
cat >"$tmp/strong.masq" <<'EOF'
external eth0 dynamic
internal eth1 192.168.0.1/24
allow input tcp ssh from 192.0.2.0/24 on eth0
EOF
# simple, with ssh denied from the Internet side
cat >"$tmp/deny.masq" <<'EOF'
external eth0 dynamic
internal eth1 192.168.0.1/24
firewall simple
deny input tcp ssh from 198.51.100.0/24, 203.0.113.0/24 on eth0
EOF
# ssh from 198.51.100.0/24 allowed
cat >"$tmp/allow.masq" <<'EOF'
external eth0 dynamic
internal eth1 192.168.0.1/24
allow input tcp ssh from 198.51.100.0/24 on eth0
EOF
# the gateway's ssh port forwarded to a LAN host
cat >"$tmp/forward.masq" <<'EOF'
external eth0 dynamic
internal eth1 192.168.0.1/24
allow input tcp ssh from 198.51.100.0/24 on eth0
forward tcp ssh to 192.168.0.22
EOF
# IPv6 left alone
cat >"$tmp/open6.masq" <<'EOF'
external eth0 dynamic
internal eth1 192.168.0.1/24
ipv6 open
EOF

REMOTE="198.51.100.7 50022 203.0.113.1 22"

# --- refused: the catch-all of strong decides (the firewall level)
mg_as "$REMOTE" apply "$tmp/strong.masq" >"$tmp/out" 2>&1
expect_exit "strong without ssh from the session: apply refuses" 1 $? "$tmp/out"
if grep -qx 'masqgen: error: the new ruleset would cut your own session: a new connection from 198.51.100.7 to 203.0.113.1:22 arriving on eth0 would be dropped' "$tmp/out" &&
	grep -q "^masqgen: note: masqgen's firewall level strong decides it" "$tmp/out" &&
	grep -q '^    input    drop by the chain policy' "$tmp/out"; then
	pass "the refusal says what and why, with explain's trace"
else
	fail "the refusal says what and why, with explain's trace" "$(cat "$tmp/out")"
fi
if loaded; then
	fail "a refused apply changes nothing" "table ip masqgen is loaded"
else
	pass "a refused apply changes nothing"
fi

# --- refused, naming the policy line that cuts it
mg_as "$REMOTE" apply "$tmp/deny.masq" >"$tmp/out" 2>&1
expect_exit "a deny of the session: apply refuses" 1 $? "$tmp/out"
if grep -qx "$tmp/deny.masq:4:1: note: this line decides it" "$tmp/out" &&
	grep -qx 'deny input tcp ssh from 198.51.100.0/24, 203.0.113.0/24 on eth0' "$tmp/out"
then
	pass "the refusal names the deciding line"
else
	fail "the refusal names the deciding line" "$(cat "$tmp/out")"
fi

# --- a forward of the session's port: it would reach another host
mg_as "$REMOTE" apply "$tmp/forward.masq" >"$tmp/out" 2>&1
expect_exit "a forward of the session's port: apply refuses" 1 $? "$tmp/out"
if grep -q 'would be forwarded to 192.168.0.22:22 instead of reaching this gateway$' \
	"$tmp/out" && grep -qx "$tmp/forward.masq:4:13: note: this line decides it" "$tmp/out"
then
	pass "the refusal names the forward"
else
	fail "the refusal names the forward" "$(cat "$tmp/out")"
fi

# --- --force applies anyway, with the warning
mg_as "$REMOTE" apply --force "$tmp/strong.masq" >"$tmp/out" 2>&1
expect_exit "--force applies" 0 $? "$tmp/out"
if loaded && grep -q '^masqgen: warning: the new ruleset would cut your own session' \
	"$tmp/out" && grep -q '^masqgen: warning: --force: applying anyway$' "$tmp/out"; then
	pass "--force loads the ruleset and still warns"
else
	fail "--force loads the ruleset and still warns" "$(cat "$tmp/out")"
fi
gw "$MASQGEN" flush >/dev/null 2>&1

# --- allowed: applies without a word about the session
mg_as "$REMOTE" apply "$tmp/allow.masq" >"$tmp/out" 2>&1
expect_exit "a policy that admits the session applies" 0 $? "$tmp/out"
if loaded && ! grep -q 'session' "$tmp/out"; then
	pass "an admitted session is not mentioned"
else
	fail "an admitted session is not mentioned" "$(cat "$tmp/out")"
fi
# the LAN side: the LAN accept of strong admits it
mg_as "192.168.0.50 40000 192.168.0.1 22" apply "$tmp/strong.masq" >"$tmp/out" 2>&1
expect_exit "a session from the LAN passes the strong firewall" 0 $? "$tmp/out"

# a LAN host reaching the external address arrives on the LAN side
mg_as "192.168.0.50 40000 203.0.113.1 22" apply "$tmp/strong.masq" >"$tmp/out" 2>&1
expect_exit "a LAN session to the external address arrives on eth1 and passes" 0 $? "$tmp/out"

# --- what cannot be checked is said, and does not stop apply
mg_as "198.51.100.7 1 10.99.0.1 22" apply "$tmp/strong.masq" >"$tmp/out" 2>&1
rc=$?
if [ $rc -eq 0 ] && grep -qx "masqgen: warning: your session's address 10.99.0.1 is on no interface here: your own session is not checked against the new ruleset" "$tmp/out"; then
	pass "a session address on no interface: said, and skipped"
else
	fail "a session address on no interface: said, and skipped" "exit $rc: $(cat "$tmp/out")"
fi
mg_as "2001:db8::7 40000 2001:db8::1 22" apply "$tmp/strong.masq" >"$tmp/out" 2>&1
rc=$?
if [ $rc -eq 0 ] && grep -q '^masqgen: warning: your session from 2001:db8::7 comes over IPv6, which masqgen cannot check' "$tmp/out"; then
	pass "an IPv6 session: warned that it could not be checked"
else
	fail "an IPv6 session: warned that it could not be checked" "exit $rc: $(cat "$tmp/out")"
fi
mg_as "2001:db8::7 40000 2001:db8::1 22" apply "$tmp/open6.masq" >"$tmp/out" 2>&1
rc=$?
if [ $rc -eq 0 ] && ! grep -q 'session' "$tmp/out"; then
	pass "an IPv6 session under ipv6 open needs no warning"
else
	fail "an IPv6 session under ipv6 open needs no warning" "exit $rc: $(cat "$tmp/out")"
fi
mg_as "garbage" apply "$tmp/strong.masq" >"$tmp/out" 2>&1
rc=$?
if [ $rc -eq 0 ] && grep -q "^masqgen: warning: cannot read SSH_CONNECTION 'garbage'" "$tmp/out"
then
	pass "an unreadable SSH_CONNECTION: said, and skipped"
else
	fail "an unreadable SSH_CONNECTION: said, and skipped" "exit $rc: $(cat "$tmp/out")"
fi
gw "$MASQGEN" flush >/dev/null 2>&1

# --- after sudo: no SSH_CONNECTION, the sshd ancestor's socket tells.
# socat named sshd holds the client's connection and runs masqgen through
# a shell, relaying its output to the client.
cp "$(command -v socat)" "$tmp/sshd"
ip netns exec "$GW" "$tmp/sshd" -T 20 TCP-LISTEN:22,bind=203.0.113.1,reuseaddr \
	SYSTEM:"env -u SSH_CONNECTION '$MASQGEN' apply '$tmp/deny.masq' 2>&1; echo exit \$?" \
	2>/dev/null &
sshd=$!
n=0
while ! gw ss -Hltn 'sport = :22' | grep -q 203.0.113.1 && [ $n -lt 50 ]; do
	sleep 0.1
	n=$((n + 1))
done
timeout 20 ip netns exec "$CL" socat -u TCP:203.0.113.1:22 CREATE:"$tmp/session" 2>/dev/null
wait "$sshd"
sshd=
if grep -qx 'exit 1' "$tmp/session" &&
	grep -qx 'masqgen: error: the new ruleset would cut your own session: a new connection from 203.0.113.7 to 203.0.113.1:22 arriving on eth0 would be dropped' "$tmp/session" &&
	grep -qx "$tmp/deny.masq:4:1: note: this line decides it" "$tmp/session"; then
	pass "without SSH_CONNECTION the sshd ancestor's connection is checked"
else
	fail "without SSH_CONNECTION the sshd ancestor's connection is checked" \
		"$(cat "$tmp/session" 2>/dev/null)"
fi
if loaded; then
	fail "the refusal found through sshd changes nothing" "table ip masqgen is loaded"
else
	pass "the refusal found through sshd changes nothing"
fi
