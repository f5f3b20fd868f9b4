#!/bin/sh
# The example policies in rules/: each compiles with no warning, and its
# copy tests/golden/NAME/policy.masq (whose outputs the golden suite pins)
# is the same file.
. "$(dirname "$0")/lib.sh"
[ "${GOLDEN:-0}" = 1 ] && exit 0
tmp=$(mktemp_dir)
for f in "$ROOT_DIR"/rules/*.masq; do
	name=$(basename "$f" .masq)
	if ! "$MASQGEN" check "$f" >/dev/null 2>"$tmp/err" || [ -s "$tmp/err" ]; then
		fail "rules $name" "does not compile cleanly: $(head -n 1 "$tmp/err")"
	elif ! cmp -s "$f" "$TESTS_DIR/golden/$name/policy.masq"; then
		fail "rules $name" "tests/golden/$name/policy.masq is not a copy of rules/$name.masq"
	else
		pass "rules $name"
	fi
done
