#!/bin/sh
# valgrind over the golden tests: no leaks, no invalid accesses, for every
# target; then, as root in a fresh network namespace, over `check --kernel`
# of each golden policy, which sends the nft batch (without its commit) and
# so catches bytes of a netlink message that were never written. Skipped in
# the sanitizer build (ASan and valgrind do not mix).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-netns.sh"
[ "${GOLDEN:-0}" = 1 ] && exit 0
case $MASQGEN in */san/*) exit 0 ;; esac
vg_out="${TMPDIR:-/tmp}/vg.$$"
ns="mg-valgrind-$$"
suite_cleanup() {
	ip netns del "$ns" 2>/dev/null
	rm -f "$vg_out"
}

# vg NAME DIR ARGS...: run ARGS in DIR under valgrind (in namespace $vg_ns if set)
vg() {
	_name=$1
	_dir=$2
	shift 2
	if (cd "$_dir" && ${vg_ns:+ip netns exec "$vg_ns"} valgrind -q --leak-check=full --show-leak-kinds=definite,indirect,possible \
		--errors-for-leak-kinds=definite,indirect,possible --error-exitcode=99 \
		"$@") >/dev/null 2>"$vg_out"; then
		pass "$_name"
	elif [ $? -eq 99 ]; then
		fail "$_name" "memory errors"
		head -n 30 "$vg_out"
	else
		pass "$_name (clean error exit)"
	fi
}

targets=$(grep -v '^#' "$TESTS_DIR/golden/TARGETS")
for dir in "$TESTS_DIR"/golden/*/; do
	name=$(basename "$dir")
	policy=$(cd "$dir" && ls policy.masq policy.yaml policy.yml 2>/dev/null | head -n 1)
	for t in $targets; do
		vg "valgrind $name $t" "$dir" "$MASQGEN" generate -t "$t" "$policy"
	done
done

netns_suite_deps "valgrind check --kernel" || exit 0
if ! ip netns add "$ns"; then
	fail "valgrind check --kernel" "cannot create a network namespace"
	exit 0
fi
vg_ns=$ns
for dir in "$TESTS_DIR"/golden/*/; do
	[ -f "$dir/nft.out" ] || continue
	name=$(basename "$dir")
	policy=$(cd "$dir" && ls policy.masq policy.yaml policy.yml 2>/dev/null | head -n 1)
	vg "valgrind $name check --kernel" "$dir" "$MASQGEN" check --kernel "$policy"
done
