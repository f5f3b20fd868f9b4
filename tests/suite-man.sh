#!/bin/sh
# Man pages are clean under mandoc -Tlint.
. "$(dirname "$0")/lib.sh"
[ "${GOLDEN:-0}" = 1 ] && exit 0
for m in "$ROOT_DIR"/man/*.[0-9]; do
	if out=$(mandoc -Tlint -W warning "$m" 2>&1) && [ -z "$out" ]; then
		pass "man $(basename "$m") lint"
	else
		fail "man $(basename "$m") lint" "$out"
	fi
done
