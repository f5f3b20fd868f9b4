#!/bin/sh
# Unit tests: every tests/unit/test_*.c binary built by make (UNIT_DIR).
. "$(dirname "$0")/lib.sh"
: "${UNIT_DIR:=$ROOT_DIR/build/default/unit}"
[ "${GOLDEN:-0}" = 1 ] && exit 0
for src in "$TESTS_DIR"/unit/test_*.c; do
	[ -e "$src" ] || continue
	bin="$UNIT_DIR/$(basename "$src" .c)"
	if [ ! -x "$bin" ]; then
		fail "unit $(basename "$src" .c)" "not built (make units)"
		continue
	fi
	out=$("$bin" 2>&1)
	rc=$?
	printf '%s\n' "$out" | while IFS= read -r line; do
		case $line in
		"ok "*) pass "unit ${line#ok }" ;;
		"FAIL "*) fail "unit ${line#FAIL }" "see above" ;;
		*) printf '%s\n' "$line" ;;
		esac
	done
	if [ $rc -ne 0 ] && ! printf '%s\n' "$out" | grep -q '^FAIL '; then
		fail "unit $(basename "$src" .c)" "exited $rc"
	fi
done
