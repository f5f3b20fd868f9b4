#!/bin/sh
# Other software's drops at the forward hook (root): Docker's iptables
# FORWARD policy DROP stops the LAN's routing whatever masqgen accepts.
# In the three-namespace gateway of tests/lib-netns.sh, for each flavour
# (iptables-nft with a DOCKER-USER chain, iptables-legacy, an nftables
# table of another tool):
#   - a LAN connection to the Internet host really fails;
#   - doctor names the chain with FAIL (exit 5), apply warns with the
#     LAN's interfaces;
#   - the two rules doctor's advice gives let the connection through.
# Then apply with `helper ftp` on a kernel whose nf_nat_ftp is built in
# must not warn that it cannot load it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-netns.sh"
[ "${GOLDEN:-0}" = 1 ] && exit 0

netns_suite_deps "kernel fwdcheck" ip nft socat iptables-nft iptables-legacy timeout || exit 0

tmp=$(mktemp_dir)
suite_cleanup() { netns_cleanup; }
unset SSH_CONNECTION SSH_CLIENT

cat >"$tmp/policy.masq" <<'POLICY'
external eth0 address 203.0.113.1
internal eth1 192.168.77.1/24
POLICY

gw() { ip netns exec "$NS_GW" "$@"; }

# lan_reaches NAME yes|no: a LAN connection to the Internet host
lan_reaches() {
	seen=$(netns_connect "$NS_LAN" "$NS_NET" 203.0.113.2 18200)
	if [ "$2" = yes ] && [ "$seen" != none ]; then
		pass "fwdcheck $1: the LAN reaches the Internet"
	elif [ "$2" = no ] && [ "$seen" = none ]; then
		pass "fwdcheck $1: the LAN's connection is dropped"
	else
		fail "fwdcheck $1: LAN connection" "wanted $2, the Internet host saw '$seen'"
	fi
}

# flavour NAME PATTERN: doctor and apply name the chain (PATTERN)
names_it() {
	gw timeout 30 "$MASQGEN" doctor >"$tmp/doctor" 2>&1
	rc=$?
	if [ $rc -eq 5 ] && grep -q "^FAIL  $2.*policy drop drops the LAN's forwarded traffic" \
		"$tmp/doctor"; then
		pass "fwdcheck $1: doctor fails naming the chain"
	else
		fail "fwdcheck $1: doctor" "exit $rc: $(grep -i forward "$tmp/doctor")"
	fi
	gw timeout 30 "$MASQGEN" apply "$tmp/policy.masq" >"$tmp/apply" 2>&1
	rc=$?
	if [ $rc -eq 0 ] && grep -q "warning: $2.*(eth1 to eth0), whatever masqgen accepts" \
		"$tmp/apply"; then
		pass "fwdcheck $1: apply warns with the LAN's interfaces"
	else
		fail "fwdcheck $1: apply warning" "exit $rc: $(cat "$tmp/apply")"
	fi
}

run_flavour() {
	name=$1
	netns_cleanup
	netns_setup || { fail "fwdcheck $name setup" "cannot build the namespaces"; return; }
	mkdir -p "$tmp/$name"
	netns_state_dirs "$tmp/$name"
	gw "$MASQGEN" apply "$tmp/policy.masq" >/dev/null 2>&1
	lan_reaches "$name before" yes
	case $name in
	docker)
		gw iptables-nft -P FORWARD DROP
		gw iptables-nft -N DOCKER-USER
		gw iptables-nft -A FORWARD -j DOCKER-USER
		gw iptables-nft -A FORWARD -o docker0 -j ACCEPT
		where='nftables table ip filter, chain FORWARD'
		;;
	legacy)
		gw iptables-legacy -P FORWARD DROP
		where='iptables-legacy table filter, chain FORWARD'
		;;
	nft)
		gw nft add table inet othertool
		gw nft add chain inet othertool gate \
			'{ type filter hook forward priority 0; policy drop; }'
		where='nftables table inet othertool, chain gate'
		;;
	esac
	lan_reaches "$name dropped" no
	names_it "$name" "$where"
	case $name in
	docker)
		gw iptables-nft -I DOCKER-USER -i eth1 -o eth0 -j ACCEPT
		gw iptables-nft -I DOCKER-USER -i eth0 -o eth1 -m conntrack \
			--ctstate RELATED,ESTABLISHED -j ACCEPT
		;;
	legacy)
		gw iptables-legacy -I FORWARD -i eth1 -o eth0 -j ACCEPT
		gw iptables-legacy -I FORWARD -i eth0 -o eth1 -m conntrack \
			--ctstate RELATED,ESTABLISHED -j ACCEPT
		;;
	nft)
		gw nft insert rule inet othertool gate iifname eth1 oifname eth0 accept
		gw nft insert rule inet othertool gate ct state established,related accept
		;;
	esac
	lan_reaches "$name with the advice" yes
	gw timeout 30 "$MASQGEN" doctor >"$tmp/doctor2" 2>&1
	if ! grep -q "^FAIL  $where" "$tmp/doctor2"; then
		pass "fwdcheck $name: doctor no longer fails"
	else
		fail "fwdcheck $name: doctor after the advice" "$(grep "$where" "$tmp/doctor2")"
	fi
}

for flavour in docker legacy nft; do
	run_flavour "$flavour"
done

# a fresh gateway: nothing drops at the forward hook
netns_cleanup
netns_setup || exit 0
gw timeout 30 "$MASQGEN" doctor >"$tmp/doctor3" 2>&1
if grep -q '^ok    forward hook: no other chain drops forwarded packets$' "$tmp/doctor3"; then
	pass "fwdcheck: doctor finds nothing in a fresh namespace"
else
	fail "fwdcheck: doctor in a fresh namespace" "$(grep -i forward "$tmp/doctor3")"
fi

# helper NAT modules: built in (by /sys/module, modules.builtin or the
# kernel configuration) means apply loads nothing and warns of nothing
if [ -e /sys/module/nf_nat_ftp ] ||
	grep -q '/nf_nat_ftp\.ko' "/lib/modules/$(uname -r)/modules.builtin" 2>/dev/null ||
	{ [ -e /proc/config.gz ] && zcat /proc/config.gz | grep -q '^CONFIG_NF_NAT_FTP=y'; }; then
	printf 'helper ftp\n' >>"$tmp/policy.masq"
	mkdir -p "$tmp/helper"
	netns_state_dirs "$tmp/helper"
	gw "$MASQGEN" apply "$tmp/policy.masq" >"$tmp/apply-helper" 2>&1
	if ! grep -q 'cannot load kernel module' "$tmp/apply-helper"; then
		pass "fwdcheck: apply loads no built-in helper module"
	else
		fail "fwdcheck: apply with a built-in helper module" "$(cat "$tmp/apply-helper")"
	fi
else
	skip "fwdcheck: apply with a built-in helper module" "nf_nat_ftp is not built into this kernel"
fi
