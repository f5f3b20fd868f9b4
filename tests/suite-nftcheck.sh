#!/bin/sh
# nft's own checker on every golden nft.out: `nft -c -f` (the kernel
# validates the whole transaction, nothing is committed) inside a network
# namespace of this suite's own. Needs root.
. "$(dirname "$0")/lib.sh"
[ "${GOLDEN:-0}" = 1 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
	skip "nftcheck" "needs root (nft -c asks the kernel)"
	exit 0
fi
ns="mg-nftcheck-$$"
suite_cleanup() { ip netns del "$ns" 2>/dev/null; }
trap 'exit 1' INT TERM
ip netns add "$ns" || { fail "nftcheck netns" "cannot create $ns"; exit 0; }
for out in "$TESTS_DIR"/golden/*/nft.out; do
	[ -f "$out" ] || continue
	name=$(basename "$(dirname "$out")")
	if err=$(ip netns exec "$ns" timeout 60 nft -c -f "$out" 2>&1); then
		pass "nftcheck $name"
	else
		fail "nftcheck $name" "nft -c -f refused it"
		printf '%s\n' "$err" | head -n 20
	fi
done
