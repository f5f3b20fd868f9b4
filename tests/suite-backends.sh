#!/bin/sh
# show, diff and flush act on what is loaded, whichever backend loaded it
# (root; in a namespace of its own): masqgen's chains loaded by
# `apply -t iptables` (iptables-nft) or by iptables-legacy-restore are
# shown, compared as iptables (no change for the applied policy, the
# changed DNAT rule for a changed forward) and removed by a plain flush,
# which leaves other rules of both flavours and other tables in place.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-netns.sh"
[ "${GOLDEN:-0}" = 1 ] && exit 0
netns_suite_deps backends ip iptables-nft-save iptables-legacy-restore \
	ip6tables-legacy-restore iptables-legacy-save || exit 0

tmp=$(mktemp_dir)
GW="mgback-$$-gw"
suite_cleanup() {
	ip netns del "$GW" 2>/dev/null
}
trap 'exit 1' INT TERM HUP
netns_state_dirs "$tmp"
mkdir -p "$tmp/other"

gw() { ip netns exec "$GW" "$@"; }
mg() { (cd "$tmp" && ip netns exec "$GW" "$MASQGEN" "$@"); }

netns_gateway "$GW" || { fail "backends setup" "cannot create a network namespace"; exit 0; }

cat >"$tmp/gw.masq" <<'EOF'
external eth0 dynamic
internal eth1 192.168.0.1/24
forward tcp 8080 to 192.168.0.10:80
allow tcp 22 from 198.51.100.0/24
firewall strong
EOF
{ echo "# a comment moves every line"; cat "$tmp/gw.masq"; } >"$tmp/other/moved.masq"
sed 's/8080/8081/' "$tmp/gw.masq" >"$tmp/fwd.masq"

# other software's rules, in both flavours and in nftables (the rules: an
# iptables-nft table iptables made for masqgen's chains stays, empty)
gw iptables-nft -A INPUT -s 198.51.100.7 -j ACCEPT
gw iptables-legacy -A INPUT -s 198.51.100.8 -j ACCEPT
gw ip6tables-nft -A INPUT -s 2001:db8::7 -j ACCEPT
gw ip6tables-legacy -A INPUT -s 2001:db8::8 -j ACCEPT
gw nft add table inet theirs
others() {
	gw iptables-nft-save 2>/dev/null | grep -e '^-A ' | grep -v masqgen
	gw iptables-legacy-save | grep -e '^-A ' | grep -v masqgen
	gw ip6tables-nft-save 2>/dev/null | grep -e '^-A ' | grep -v masqgen
	gw ip6tables-legacy-save | grep -e '^-A ' | grep -v masqgen
	gw nft list table inet theirs
}
others >"$tmp/others.before"
# masqgen_chains FLAVOUR: how many masqgen lines iptables and ip6tables of FLAVOUR hold
masqgen_chains() {
	{
		gw "iptables-$1-save"
		gw "ip6tables-$1-save"
	} 2>/dev/null | grep -c masqgen
}

# --- iptables-nft, loaded by apply -t iptables
if ! mg apply -t iptables gw.masq >"$tmp/out" 2>&1; then
	fail "backends: apply -t iptables" "$(head -n 5 "$tmp/out")"
	exit 0
fi
mg show >"$tmp/out" 2>&1
rc=$?
if [ $rc -eq 0 ] && grep -qx "# masqgen's chains in iptables (nf_tables)" "$tmp/out" &&
	grep -qx "# masqgen's chains in ip6tables (nf_tables)" "$tmp/out" &&
	grep -q -e '^-A masqgen-prerouting .*--dport 8080 .*-j DNAT --to-destination 192.168.0.10:80$' \
		"$tmp/out" && grep -qx -e '-A INPUT -m comment --comment masqgen -j masqgen-input' \
		"$tmp/out"; then
	pass "show lists the chains apply -t iptables loaded"
else
	fail "show lists the chains apply -t iptables loaded" "exit $rc: $(head -n 5 "$tmp/out")"
fi
mg diff gw.masq >"$tmp/out" 2>&1
rc=$?
if [ $rc -eq 0 ] && [ ! -s "$tmp/out" ]; then
	pass "diff of the policy apply -t iptables loaded: exit 0"
else
	fail "diff of the policy apply -t iptables loaded: exit 0" "exit $rc: $(head -n 5 "$tmp/out")"
fi
mg diff other/moved.masq >"$tmp/out" 2>&1
expect_exit "diff against iptables chains ignores moved lines" 0 $? "$tmp/out"
mg diff fwd.masq >"$tmp/out" 2>&1
rc=$?
if [ $rc -eq 5 ] &&
	grep -qx -- '- iptables nat masqgen-prerouting: -i eth0 -p tcp -m tcp --dport 8080 -m addrtype --dst-type LOCAL --limit-iface-in -j DNAT --to-destination 192.168.0.10:80  (gw.masq:3)' "$tmp/out" &&
	grep -qx -- '+ iptables nat masqgen-prerouting: -i eth0 -p tcp -m tcp --dport 8081 -m addrtype --dst-type LOCAL --limit-iface-in -j DNAT --to-destination 192.168.0.10:80  (fwd.masq:3)' "$tmp/out" &&
	[ "$(grep -c '^[-+~] ' "$tmp/out")" -eq 6 ]; then
	pass "diff of a changed forward against iptables names the DNAT rules"
else
	fail "diff of a changed forward against iptables names the DNAT rules" \
		"exit $rc: $(head -n 8 "$tmp/out")"
fi
if mg flush >"$tmp/out" 2>&1 && [ "$(masqgen_chains nft)" -eq 0 ]; then
	pass "flush removes the chains apply -t iptables loaded"
else
	fail "flush removes the chains apply -t iptables loaded" \
		"$(masqgen_chains nft) masqgen lines left: $(head -n 5 "$tmp/out")"
fi
mg show >/dev/null 2>&1
expect_exit "show after flush: nothing loaded, exit 3" 3 $?

# --- iptables-legacy, loaded by hand from generate's text
mg generate -t iptables gw.masq >"$tmp/ipt.txt" 2>/dev/null
mg generate -t ip6tables gw.masq >"$tmp/ip6t.txt" 2>/dev/null
if gw iptables-legacy-restore --noflush <"$tmp/ipt.txt" &&
	gw ip6tables-legacy-restore --noflush <"$tmp/ip6t.txt"; then
	mg show >"$tmp/out" 2>&1
	rc=$?
	if [ $rc -eq 0 ] && grep -qx "# masqgen's chains in iptables (legacy)" "$tmp/out" &&
		grep -qx "# masqgen's chains in ip6tables (legacy)" "$tmp/out"; then
		pass "show lists masqgen's iptables-legacy chains"
	else
		fail "show lists masqgen's iptables-legacy chains" "exit $rc: $(head -n 5 "$tmp/out")"
	fi
	mg diff gw.masq >"$tmp/out" 2>&1
	rc=$?
	# the settings were never written here: only they may differ
	if [ $rc -eq 5 ] && ! grep -e '^[-+~] ' "$tmp/out" | grep -v -q '^~ setting '; then
		pass "diff compares masqgen's iptables-legacy chains"
	else
		fail "diff compares masqgen's iptables-legacy chains" "exit $rc: $(head -n 8 "$tmp/out")"
	fi
	# and an nft table beside them: flush removes both
	mg apply gw.masq >/dev/null 2>&1
	if mg flush >"$tmp/out" 2>&1 && [ "$(masqgen_chains legacy)" -eq 0 ] &&
		! gw nft list tables | grep -q masqgen; then
		pass "flush removes masqgen's legacy chains and its nft tables"
	else
		fail "flush removes masqgen's legacy chains and its nft tables" \
			"$(masqgen_chains legacy) legacy lines left: $(head -n 5 "$tmp/out")"
	fi
else
	fail "backends: load the legacy chains" "iptables-legacy-restore refused generate's text"
fi
others >"$tmp/others.after"
same_file "show, diff and flush leave other software's rules of both flavours" \
	"$tmp/others.before" "$tmp/others.after"
