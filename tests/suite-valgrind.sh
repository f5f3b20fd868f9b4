#!/bin/sh
# valgrind over the golden tests: no leaks, no invalid accesses, for every
# target. Skipped in the sanitizer build (ASan and valgrind do not mix).
. "$(dirname "$0")/lib.sh"
[ "${GOLDEN:-0}" = 1 ] && exit 0
case $MASQGEN in */san/*) exit 0 ;; esac
targets=$(grep -v '^#' "$TESTS_DIR/golden/TARGETS")
for dir in "$TESTS_DIR"/golden/*/; do
	name=$(basename "$dir")
	policy=$(cd "$dir" && ls policy.masq policy.yaml policy.yml 2>/dev/null | head -n 1)
	for t in $targets; do
		if (cd "$dir" && valgrind -q --leak-check=full --show-leak-kinds=definite,indirect,possible \
			--errors-for-leak-kinds=definite,indirect,possible --error-exitcode=99 \
			"$MASQGEN" generate -t "$t" "$policy") >/dev/null 2>"${TMPDIR:-/tmp}/vg.$$"; then
			pass "valgrind $name $t"
		elif [ $? -eq 99 ]; then
			fail "valgrind $name $t" "memory errors"
			head -n 30 "${TMPDIR:-/tmp}/vg.$$"
		else
			pass "valgrind $name $t (clean error exit)"
		fi
	done
done
rm -f "${TMPDIR:-/tmp}/vg.$$"
