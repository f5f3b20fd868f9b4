#!/bin/sh
# valgrind over the front end's error paths and converters: every failing
# policy (tests/fail) is checked, every example policy (rules/*.masq)
# converted to YAML and back. No leaks, no invalid accesses. Skipped in the
# sanitizer build (ASan and valgrind do not mix).
. "$(dirname "$0")/lib.sh"
[ "${GOLDEN:-0}" = 1 ] && exit 0
case $MASQGEN in */san/*) exit 0 ;; esac
tmp=$(mktemp_dir)

# vg NAME DIR ARGS...: run masqgen ARGS in DIR under valgrind
vg() {
	_name=$1 _dir=$2
	shift 2
	(cd "$_dir" && valgrind -q --leak-check=full --show-leak-kinds=definite,indirect,possible \
		--errors-for-leak-kinds=definite,indirect,possible --error-exitcode=99 \
		"$MASQGEN" "$@") >"$tmp/out" 2>"$tmp/err"
	if [ $? -eq 99 ]; then
		fail "valgrind-frontend $_name" "memory errors"
		grep '^==' "$tmp/err" | head -n 30
	else
		pass "valgrind-frontend $_name"
	fi
}

cd "$TESTS_DIR/fail" || exit 1
for f in *.masq *.yaml */policy.masq */policy.yaml; do
	[ -e "$f" ] || continue
	vg "check $f" . check "$f"
done
for src in "$ROOT_DIR"/rules/*.masq; do
	[ -e "$src" ] || continue
	name=$(basename "$src" .masq)
	cp "$src" "$tmp/$name.masq"
	vg "convert $name.masq" "$tmp" convert -o "$name.yaml" "$name.masq"
	vg "convert $name.yaml" "$tmp" convert -o "$name.back.masq" "$name.yaml"
done
