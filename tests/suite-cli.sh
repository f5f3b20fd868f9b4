#!/bin/sh
# The command line contract: every command answers --help with exit 0 and
# has an entry in masqgen(8); usage errors exit 2; --version works.
. "$(dirname "$0")/lib.sh"
[ "${GOLDEN:-0}" = 1 ] && exit 0
man8="$ROOT_DIR/man/masqgen.8"
cmds=$("$MASQGEN" --help | awk '/^commands:/ {on = 1; next} on && !NF {exit} on {print $1}')
[ -n "$cmds" ] || fail "cli commands listed" "masqgen --help lists no commands"
for c in $cmds; do
	if "$MASQGEN" "$c" --help >/dev/null 2>&1; then
		pass "cli $c --help"
	else
		fail "cli $c --help" "exit $?"
	fi
	if grep -q "^\.It Cm $c\\b" "$man8"; then
		pass "cli $c in masqgen(8)"
	else
		fail "cli $c in masqgen(8)" "no '.It Cm $c' entry"
	fi
done
"$MASQGEN" --version | grep -q '^masqgen [0-9]' && pass "cli --version" ||
	fail "cli --version" "no version line"
"$MASQGEN" no-such-command >/dev/null 2>&1
[ $? -eq 2 ] && pass "cli unknown command exits 2" || fail "cli unknown command exits 2" "wrong exit"
"$MASQGEN" check >/dev/null 2>&1
[ $? -eq 2 ] && pass "cli check without policy exits 2" || fail "cli check without policy" "wrong exit"
"$MASQGEN" generate -t bogus "$ROOT_DIR/rules/howto.masq" >/dev/null 2>&1
[ $? -eq 2 ] && pass "cli unknown target exits 2" || fail "cli unknown target exits 2" "wrong exit"
"$MASQGEN" check --bogus x >/dev/null 2>&1
[ $? -eq 2 ] && pass "cli unknown option exits 2" || fail "cli unknown option exits 2" "wrong exit"
"$MASQGEN" check /nonexistent/policy.masq >/dev/null 2>&1
[ $? -eq 1 ] && pass "cli unreadable policy exits 1" || fail "cli unreadable policy exits 1" "wrong exit"
