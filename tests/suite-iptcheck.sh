#!/bin/sh
# iptables' own checkers on every golden iptables.out and ip6tables.out,
# with both the nft and the legacy flavour of iptables: each must pass
# iptables-restore --test, or ip6tables-restore --test, as printed; then
# each is loaded for real into a throwaway network namespace and
# iptables-save (ip6tables-save) must print masqgen's rules back exactly
# as generated (the output is in iptables-save's canonical form). An
# ip6tables.out without a table must say why (ipv6 open) and change
# nothing when loaded.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-netns.sh"
tmp=$(mktemp_dir)

[ "${GOLDEN:-0}" = 1 ] && exit 0
netns_suite_deps iptcheck || exit 0

ns="masqgen-iptcheck-$$"
suite_cleanup() {
	ip netns del "$ns" 2>/dev/null
}
trap 'exit 1' INT TERM

# The -A lines of a ruleset with their table, grouped by table and chain,
# in their order within the chain.
rules_by_chain() {
	awk '/^\*/ { table = substr($0, 2) } /^-A / { print table, $0 }' | sort -s -k1,1 -k3,3
}

# iptables-save names other protocols from /etc/protocols ("-p ipv6" for 41);
# masqgen writes their numbers, as show and diff read them back.
proto_numbers() {
	awk 'NR == FNR { if ($0 !~ /^#/ && NF >= 2) num[$1] = $2; next }
	{
		for (i = 1; i < NF; i++)
			if ($i == "-p" && ($(i + 1) in num) && $(i + 1) !~ /^(tcp|udp|icmp|ipv6-icmp|gre|esp|ah)$/)
				$(i + 1) = num[$(i + 1)]
		print
	}' /etc/protocols -
}

# check NAME FLAVOUR FAMILY FILE: FAMILY is "" (IPv4) or "6".
check_one() {
	name=$1 flavour=$2 fam=$3 file=$4
	restore="ip${fam}tables-$flavour-restore"
	save="ip${fam}tables-$flavour-save"
	label="iptcheck $name $flavour ipv${fam:-4}"
	if ! command -v "$restore" >/dev/null 2>&1; then
		fail "$label" "$restore is not installed"
		return
	fi
	if ! ip netns exec "$ns" "$restore" --test <"$file" >"$tmp/err" 2>&1; then
		fail "$label" "$restore --test: $(head -n 3 "$tmp/err")"
		return
	fi
	if ! ip netns exec "$ns" "$restore" <"$file" >"$tmp/err" 2>&1; then
		fail "$label" "$restore (load): $(head -n 3 "$tmp/err")"
		return
	fi
	ip netns exec "$ns" "$save" | proto_numbers | rules_by_chain >"$tmp/saved"
	rules_by_chain <"$file" >"$tmp/generated"
	if ! diff -u "$tmp/generated" "$tmp/saved" >"$tmp/diff"; then
		fail "$label" "$save prints the rules back differently"
		head -n 20 "$tmp/diff"
		return
	fi
	pass "$label"
}

found=0
for out in "$TESTS_DIR"/golden/*/iptables.out; do
	[ -f "$out" ] || continue
	found=1
	dir=$(dirname "$out")
	name=$(basename "$dir")
	out6="$dir/ip6tables.out"
	if [ ! -f "$out6" ]; then
		fail "iptcheck $name ipv6" "no ip6tables.out beside iptables.out"
		continue
	fi
	if grep -q '#6 ' "$out"; then
		fail "iptcheck $name ipv4" "IPv6 rules hidden in the IPv4 output"
	fi
	for flavour in nft legacy; do
		ip netns del "$ns" 2>/dev/null
		if ! ip netns add "$ns"; then
			fail "iptcheck $name" "cannot create a network namespace"
			continue
		fi
		check_one "$name" "$flavour" "" "$out"
		if grep -q '^\*' "$out6"; then
			check_one "$name" "$flavour" 6 "$out6"
		elif ! grep -q '^# ipv6 open: ' "$out6"; then
			fail "iptcheck $name $flavour ipv6" "no table, and not ipv6 open"
		else
			# comments only: valid input that leaves every table as it was
			check_one "$name" "$flavour" 6 "$out6"
			if ip netns exec "$ns" "ip6tables-$flavour-save" | grep -q masqgen; then
				fail "iptcheck $name $flavour ipv6 open" "loading it added rules"
			fi
		fi
	done
done
[ $found = 1 ] || fail "iptcheck" "no golden iptables.out (is iptables in tests/golden/TARGETS?)"
