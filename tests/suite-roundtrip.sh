#!/bin/sh
# Round trip: every example policy (rules/*.masq, tests/golden/*/policy.masq)
# converted to YAML and back must compile to the same output for every
# target in tests/golden/TARGETS (the same exit code where a target refuses
# the policy), and the printers must be idempotent: converting the
# round-tripped policy again gives the same YAML and the same .masq.
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp_dir)
targets=$(grep -v '^#' "$TESTS_DIR/golden/TARGETS")

# Run "masqgen ARGS" in directory $1; stdout to $2, exit code to $2.rc.
run_in() {
	_dir=$1 _out=$2
	shift 2
	(cd "$_dir" && "$MASQGEN" "$@") >"$_out" 2>"$_out.err"
	echo $? >"$_out.rc"
}

roundtrip() {
	name=$1 src=$2
	case=$tmp/$name
	# a copy of the policy's directory, so includes resolve beside it
	mkdir -p "$case"
	cp -R "$(dirname "$src")/." "$case/"
	policy=$(basename "$src")
	run_in "$case" "$case/rt1.yaml" convert "$policy"
	if [ "$(cat "$case/rt1.yaml.rc")" != 0 ]; then
		skip "roundtrip $name" "does not compile (convert exit $(cat "$case/rt1.yaml.rc"))"
		return
	fi
	run_in "$case" "$case/rt2.masq" convert rt1.yaml
	run_in "$case" "$case/rt3.yaml" convert rt2.masq
	run_in "$case" "$case/rt4.masq" convert rt3.yaml
	for f in rt2.masq rt3.yaml rt4.masq; do
		if [ "$(cat "$case/$f.rc")" != 0 ]; then
			fail "roundtrip $name" "convert to $f failed: $(head -n 3 "$case/$f.err")"
			return
		fi
	done
	ok=1
	if ! cmp -s "$case/rt1.yaml" "$case/rt3.yaml"; then
		fail "roundtrip $name yaml idempotent" "rt1.yaml and rt3.yaml differ"
		diff -u "$case/rt1.yaml" "$case/rt3.yaml" | head -n 20
		ok=0
	fi
	if ! cmp -s "$case/rt2.masq" "$case/rt4.masq"; then
		fail "roundtrip $name masq idempotent" "rt2.masq and rt4.masq differ"
		diff -u "$case/rt2.masq" "$case/rt4.masq" | head -n 20
		ok=0
	fi
	# the round-tripped policy under the original's name, beside its includes
	mkdir -p "$case/back"
	cp -R "$(dirname "$src")/." "$case/back/"
	cp "$case/rt2.masq" "$case/back/$policy"
	for t in $targets; do
		run_in "$case" "$case/orig.$t" generate -t "$t" "$policy"
		run_in "$case/back" "$case/back.$t" generate -t "$t" "$policy"
		for f in "$case/orig.$t" "$case/back.$t"; do
			sed -E 's/(\.(masq|yaml|yml)):[0-9]+/\1:LINE/g' "$f" >"$f.cmp"
		done
		if [ "$(cat "$case/orig.$t.rc")" != "$(cat "$case/back.$t.rc")" ]; then
			fail "roundtrip $name $t" "exit $(cat "$case/orig.$t.rc") became $(cat "$case/back.$t.rc")"
			ok=0
		elif ! cmp -s "$case/orig.$t.cmp" "$case/back.$t.cmp"; then
			fail "roundtrip $name $t" "output differs after the round trip"
			diff -u "$case/orig.$t.cmp" "$case/back.$t.cmp" | head -n 20
			ok=0
		fi
	done
	[ $ok = 1 ] && pass "roundtrip $name"
}

# A YAML golden that compiles must convert to .masq that compiles too (a
# keyword written as a YAML string prints as the grammar takes it); that
# .masq then makes the round trip.
roundtrip_yaml() {
	name=$1 src=$2
	case=$tmp/$name-src
	mkdir -p "$case"
	cp -R "$(dirname "$src")/." "$case/"
	if ! (cd "$case" && "$MASQGEN" check policy.yaml) >/dev/null 2>&1; then
		skip "roundtrip $name" "does not compile"
		return
	fi
	run_in "$case" "$case/policy.masq" convert policy.yaml
	if ! (cd "$case" && "$MASQGEN" check policy.masq) >"$case/check.err" 2>&1; then
		fail "roundtrip $name" "its .masq does not compile: $(head -n 3 "$case/check.err")"
		return
	fi
	roundtrip "$name" "$case/policy.masq"
}

[ "${GOLDEN:-0}" = 1 ] && exit 0
found=0
for src in "$ROOT_DIR"/rules/*.masq "$TESTS_DIR"/golden/*/policy.masq \
	"$TESTS_DIR"/golden/*/policy.yaml; do
	[ -e "$src" ] || continue
	found=1
	case $src in
	*/policy.yaml) roundtrip_yaml "golden-$(basename "$(dirname "$src")")" "$src"; continue ;;
	*/policy.masq) name=golden-$(basename "$(dirname "$src")") ;;
	*) name=rules-$(basename "$src" .masq) ;;
	esac
	roundtrip "$name" "$src"
done
[ $found = 1 ] || skip "roundtrip" "no rules/*.masq or tests/golden/*/policy.masq yet"
