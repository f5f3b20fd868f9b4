#!/bin/sh
# The evaluator's IR for every golden policy: test_eval prints a plain
# picture of the IR (tests/unit/ir_dump.h) of tests/golden/NAME/policy.*,
# which must match NAME/ir.txt. Backends read this IR; a change here shows
# in review before it shows in their outputs. `make golden` rewrites them.
. "$(dirname "$0")/lib.sh"
: "${UNIT_DIR:=$ROOT_DIR/build/default/unit}"
tmp=$(mktemp_dir)
dump="$UNIT_DIR/test_eval"
if [ ! -x "$dump" ]; then
	fail "ir" "$dump not built (make units)"
	exit 0
fi
for dir in "$TESTS_DIR"/golden/*/; do
	name=$(basename "$dir")
	policy=$(cd "$dir" && ls policy.masq policy.yaml policy.yml 2>/dev/null | head -n 1)
	[ -n "$policy" ] || continue
	(cd "$dir" && "$dump" "$policy") >"$tmp/$name.ir" 2>/dev/null
	echo "exit $?" >>"$tmp/$name.ir"
	golden_compare "ir $name" "$tmp/$name.ir" "$dir/ir.txt"
done
