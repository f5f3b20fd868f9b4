#!/bin/sh
# Rate limits, protocol numbers and negated lists with real packets (root),
# in the three-namespace gateway of tests/lib-netns.sh, for the nft and the
# iptables target (LANGUAGE.md "Gateway features"):
#   - `allow tcp 22 limit 3/minute per-source` admits 3 new connections
#     from one Internet host and drops the 4th, while a second host still
#     gets in;
#   - `forward tcp 2222 ... limit 2/minute per-source` likewise, in the
#     forward chain's admission after DNAT;
#   - without per-source (`allow tcp 23 limit 2/minute`) the rule as a
#     whole is limited: the second host is dropped too;
#   - `allow 253 from 203.0.113.2` lets IP protocol 253 in from that host
#     only (a raw socket in the gateway sees what input accepts);
#   - `allow tcp 24 from ! 203.0.113.3` admits every host but that one.
# Catch-all logging cannot be seen here: the kernel logs nothing from a
# network namespace other than the first unless the host sets
# net.netfilter.nf_log_all_netns, which a test must not touch. The prefixes
# are checked in the loaded ruleset instead.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-netns.sh"
[ "${GOLDEN:-0}" = 1 ] && exit 0

netns_suite_deps "kernel limits" ip nft socat iptables-nft timeout || exit 0

tmp=$(mktemp_dir)
suite_cleanup() { netns_cleanup; }
unset SSH_CONNECTION SSH_CLIENT
netns_state_dirs "$tmp"

cat >"$tmp/policy.masq" <<'POLICY'
external eth0 address 203.0.113.1
internal eth1 192.168.77.1/24
allow tcp 22 limit 3/minute per-source
allow tcp 23 limit 2/minute
allow tcp 24 from ! 203.0.113.3
allow 253 from 203.0.113.2
forward tcp 2222 to 192.168.77.10:22 limit 2/minute per-source
log prefix "lim: "
POLICY

gw() { ip netns exec "$NS_GW" "$@"; }

# tries NAME SOURCE LISTEN_NS PORT LISTEN_PORT N: N connections from
# SOURCE (an address of the Internet host) to 203.0.113.1:PORT; prints
# what the listener saw of each, "none" for a dropped one, on one line.
tries() {
	_i=0 _seen=
	while [ $_i -lt "$6" ]; do
		_seen="$_seen $(netns_connect "$NS_NET" "$3" 203.0.113.1 "$4" "$5" "$2")"
		_i=$((_i + 1))
	done
	echo "$_seen"
}

# expect NAME GOT WANT
expect() {
	if [ "$2" = "$3" ]; then
		pass "$1"
	else
		fail "$1" "want '$3', got '$2'"
	fi
}

# proto253 SOURCE: does a raw socket in the gateway receive IP protocol 253
# sent from SOURCE? (at most about 4 s)
proto253() {
	rm -f "$tmp/raw"
	gw timeout 4 socat -u IP4-RECV:253 "OPEN:$tmp/raw,creat" >/dev/null 2>&1 &
	_rx=$!
	sleep 0.5
	ip netns exec "$NS_NET" socat -u - "IP4-SENDTO:203.0.113.1:253,bind=$1" \
		>/dev/null 2>&1 <<MSG
masqgen-limits-$1
MSG
	wait "$_rx" 2>/dev/null
	if grep -q "masqgen-limits-$1" "$tmp/raw" 2>/dev/null; then echo yes; else echo no; fi
}

for target in nft iptables; do
	netns_cleanup
	if ! netns_setup; then
		fail "limits $target" "cannot build the namespaces"
		continue
	fi
	ip -n "$NS_NET" addr add 203.0.113.3/24 dev inet0
	if ! gw timeout 60 "$MASQGEN" apply -t "$target" "$tmp/policy.masq" >"$tmp/apply" 2>&1; then
		fail "limits $target: apply" "$(cat "$tmp/apply")"
		continue
	fi
	a=203.0.113.2 b=203.0.113.3
	expect "limits $target: per-source, the 4th connection from one host is dropped" \
		"$(tries ps "$a" "$NS_GW" 22 22 4)" " $a $a $a none"
	expect "limits $target: per-source, a second host still gets in" \
		"$(tries ps2 "$b" "$NS_GW" 22 22 1)" " $b"
	expect "limits $target: a forward's limit, the 3rd connection is dropped" \
		"$(tries fw "$a" "$NS_LAN" 2222 22 3)" " $a $a none"
	expect "limits $target: a forward's limit is per source" \
		"$(tries fw2 "$b" "$NS_LAN" 2222 22 1)" " $b"
	expect "limits $target: without per-source the rule as a whole is limited" \
		"$(tries whole "$a" "$NS_GW" 23 23 2) $(tries whole2 "$b" "$NS_GW" 23 23 1)" \
		" $a $a  none"
	expect "limits $target: 'from !' admits other hosts" \
		"$(tries neg "$a" "$NS_GW" 24 24 1)" " $a"
	expect "limits $target: 'from !' drops the host it names" \
		"$(tries neg2 "$b" "$NS_GW" 24 24 1)" " none"
	expect "limits $target: protocol 253 from the allowed host arrives" "$(proto253 "$a")" yes
	expect "limits $target: protocol 253 from another host is dropped" "$(proto253 "$b")" no
	if [ "$target" = nft ]; then
		gw nft list ruleset >"$tmp/ruleset"
	else
		gw iptables-save >"$tmp/ruleset"
	fi
	for place in "input drop" "forward drop" "spoof drop"; do
		if grep -q "prefix \"lim: $place: \"" "$tmp/ruleset"; then
			pass "limits $target: the loaded ruleset logs with prefix 'lim: $place: '"
		else
			fail "limits $target: log prefix 'lim: $place: '" "not in the loaded ruleset"
		fi
	done
	gw "$MASQGEN" flush >/dev/null 2>&1
done
