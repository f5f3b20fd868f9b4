#!/bin/sh
# Golden tests: tests/golden/NAME/policy.masq (or policy.yaml). For each
# target listed in tests/golden/TARGETS, `generate -t TARGET` must print
# exactly TARGET.out, or, where the target cannot express the policy, fail
# with exactly TARGET.err (stderr, then "exit N"). check.err pins what
# `masqgen check` prints (its warnings). `make golden` rewrites them all.
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp_dir)
targets=$(grep -v '^#' "$TESTS_DIR/golden/TARGETS")
for dir in "$TESTS_DIR"/golden/*/; do
	name=$(basename "$dir")
	policy=$(cd "$dir" && ls policy.masq policy.yaml policy.yml 2>/dev/null | head -n 1)
	if [ -z "$policy" ]; then
		fail "golden $name" "no policy.masq or policy.yaml"
		continue
	fi
	(cd "$dir" && "$MASQGEN" check "$policy") >/dev/null 2>"$tmp/$name.check.err"
	echo "exit $?" >>"$tmp/$name.check.err"
	golden_compare "golden $name check" "$tmp/$name.check.err" "$dir/check.err"
	for t in $targets; do
		out="$tmp/$name.$t"
		(cd "$dir" && "$MASQGEN" generate -t "$t" "$policy") >"$out.out" 2>"$out.err"
		rc=$?
		if [ $rc -eq 0 ]; then
			[ "${GOLDEN:-0}" = 1 ] && rm -f "$dir/$t.err"
			golden_compare "golden $name $t" "$out.out" "$dir/$t.out"
		else
			echo "exit $rc" >>"$out.err"
			[ "${GOLDEN:-0}" = 1 ] && rm -f "$dir/$t.out"
			golden_compare "golden $name $t (error)" "$out.err" "$dir/$t.err"
		fi
	done
done
