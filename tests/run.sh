#!/bin/sh
# tests/run.sh - run every test suite and print "N passed, N failed".
#
#   MASQGEN=./masqgen sh tests/run.sh            run all suites
#   MASQGEN=./masqgen sh tests/run.sh --golden   rewrite golden files
#   MASQGEN=./masqgen sh tests/run.sh golden fail  only those suites
#
# Suites are tests/suite-*.sh, run in name order. Kernel suites need root;
# without root they are reported as skipped, never as passed, and under CI
# (CI=true) a skip is a failure.
set -u
cd "$(dirname "$0")/.." || exit 2
: "${MASQGEN:=$(pwd)/masqgen}"
GOLDEN=0
if [ "${1:-}" = "--golden" ]; then
	GOLDEN=1
	shift
fi
RESULTS=$(mktemp "${TMPDIR:-/tmp}/masqgen-results.XXXXXX")
export MASQGEN GOLDEN RESULTS

for suite in tests/suite-*.sh; do
	name=${suite#tests/suite-}
	name=${name%.sh}
	if [ $# -gt 0 ]; then
		case " $* " in *" $name "*) ;; *) continue ;; esac
	fi
	printf '== %s\n' "$name"
	sh "$suite" || printf 'fail suite %s exited %s\n' "$name" "$?" >>"$RESULTS"
done

passed=$(grep -c '^pass ' "$RESULTS")
failed=$(grep -c '^fail ' "$RESULTS")
skipped=$(grep -c '^skip ' "$RESULTS")
rm -f "$RESULTS"
if [ "$skipped" -gt 0 ] && [ "${CI:-}" = true ]; then
	echo "skipped tests are failures under CI"
	failed=$((failed + skipped))
	skipped=0
fi
if [ "$skipped" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
