#!/bin/sh
# Failing policies: tests/fail/NAME.masq, NAME.yaml, or NAME/policy.masq
# (for include cases). `masqgen check` must print exactly NAME.err
# (stderr, then "exit N") and exit 1. `make golden` rewrites the .err files.
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp_dir)
cd "$TESTS_DIR/fail" || exit 1
for f in *.masq *.yaml */policy.masq */policy.yaml; do
	[ -e "$f" ] || continue
	case $f in
	*/policy.*) name=${f%%/*} ;;
	*) name=${f%.*} ;;
	esac
	"$MASQGEN" check "$f" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	echo "exit $rc" >>"$tmp/err"
	if [ $rc -ne 1 ] && [ "${GOLDEN:-0}" != 1 ]; then
		fail "fail $name" "exit $rc, expected 1"
		continue
	fi
	if [ -s "$tmp/out" ]; then
		fail "fail $name" "printed to stdout on error"
		continue
	fi
	golden_compare "fail $name" "$tmp/err" "$name.err"
done
