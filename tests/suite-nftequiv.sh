#!/bin/sh
# The nft text and the netlink batch describe the same ruleset: for every
# golden policy, load `generate -t nft` with `nft -f` into one fresh network
# namespace and nft_build()'s batch (test_nft_lower --load) into another,
# each twice (the second load replaces the first), and require the same
# `nft list table ip masqgen`, `ip6 masqgen` and `inet masqgen_upnp` (set
# elements sorted: the kernel lists hash sets in hash order). A generated
# policy with thousands of forwards and allowed ports covers named sets and
# element messages split under 64 KiB. Needs root.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-netns.sh"
[ "${GOLDEN:-0}" = 1 ] && exit 0
netns_suite_deps nftequiv || exit 0
netns_nft_loader nftequiv || exit 0
tmp=$(mktemp_dir)
nst="mg-nfttext-$$"
nsb="mg-nftbatch-$$"
suite_cleanup() {
	ip netns del "$nst" 2>/dev/null
	ip netns del "$nsb" 2>/dev/null
}
trap 'exit 1' INT TERM

# listing NS FILE: the tables of namespace NS, normalized, into FILE
listing() {
	for t in "ip masqgen" "ip6 masqgen" "inet masqgen_upnp"; do
		# shellcheck disable=SC2086 # family and name
		ip netns exec "$1" nft list table $t 2>/dev/null
	done | awk -f "$TESTS_DIR/nft-normalize.awk" >"$2"
}

# equiv NAME DIR POLICY
equiv() {
	if ! ip netns add "$nst" || ! ip netns add "$nsb"; then
		fail "nftequiv $1" "cannot create namespaces"
		return
	fi
	if ! (cd "$2" && "$MASQGEN" generate -t nft "$3") >"$tmp/text.nft" 2>"$tmp/err"; then
		fail "nftequiv $1" "generate failed: $(head -n 3 "$tmp/err")"
	elif ! ip netns exec "$nst" timeout 120 nft -f "$tmp/text.nft" 2>"$tmp/err" ||
		! ip netns exec "$nst" timeout 120 nft -f "$tmp/text.nft" 2>>"$tmp/err"; then
		fail "nftequiv $1" "nft -f refused the text: $(head -n 5 "$tmp/err")"
	elif ! (cd "$2" && ip netns exec "$nsb" timeout 120 "$loader" --load "$3") 2>"$tmp/err" ||
		! (cd "$2" && ip netns exec "$nsb" timeout 120 "$loader" --load "$3") 2>>"$tmp/err"; then
		fail "nftequiv $1" "the kernel refused the batch: $(head -n 5 "$tmp/err")"
	else
		listing "$nst" "$tmp/text.list"
		listing "$nsb" "$tmp/batch.list"
		if [ ! -s "$tmp/text.list" ]; then
			fail "nftequiv $1" "nothing listed"
		elif diff -u "$tmp/text.list" "$tmp/batch.list" >"$tmp/diff"; then
			pass "nftequiv $1"
		else
			fail "nftequiv $1" "nft -f and the batch list differently"
			head -n 40 "$tmp/diff"
		fi
	fi
	ip netns del "$nst" 2>/dev/null
	ip netns del "$nsb" 2>/dev/null
}

for dir in "$TESTS_DIR"/golden/*/; do
	[ -f "$dir/nft.out" ] || continue
	policy=$(cd "$dir" && ls policy.masq policy.yaml policy.yml 2>/dev/null | head -n 1)
	equiv "$(basename "$dir")" "$dir" "$policy"
done

# big: 3,000 forwards (6 element messages and more), 40 allowed ports, 40 sources
big="$tmp/big"
mkdir -p "$big"
big_policy "$big/policy.masq"
equiv "big generated policy" "$big" policy.masq
