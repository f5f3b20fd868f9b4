#!/bin/sh
# The command line contract: every command answers --help with exit 0 and
# has an entry in masqgen(8); usage errors exit 2; --version works.
. "$(dirname "$0")/lib.sh"
[ "${GOLDEN:-0}" = 1 ] && exit 0
tmp_cli=$(mktemp -d)
trap 'rm -rf "$tmp_cli"' EXIT
man8="$ROOT_DIR/man/masqgen.8"
cmds=$("$MASQGEN" --help | awk '/^commands:/ {on = 1; next} on && !NF {exit} on && /^  [a-z]/ {print $1}')
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
# --strict: a widening warning becomes an error (exit 1), and nothing is generated
widen="$TESTS_DIR/unit/widen/deny-v4-only.masq"
"$MASQGEN" check "$widen" >/dev/null 2>"$tmp_cli/err"
[ $? -eq 0 ] && grep -q ': warning: this .deny. names' "$tmp_cli/err" &&
	pass "cli check warns of a widening" || fail "cli check warns of a widening" "$(cat "$tmp_cli/err")"
for c in check generate; do
	"$MASQGEN" $c --strict "$widen" >"$tmp_cli/out" 2>"$tmp_cli/err"
	rc=$?
	if [ $rc -eq 1 ] && [ ! -s "$tmp_cli/out" ] && grep -q ': error: this .deny. names' "$tmp_cli/err"; then
		pass "cli $c --strict makes a widening an error"
	else
		fail "cli $c --strict makes a widening an error" "exit $rc"
	fi
done
"$MASQGEN" check --strict "$TESTS_DIR/unit/widen/both-families.masq" >/dev/null 2>&1
[ $? -eq 0 ] && pass "cli check --strict passes a policy without widening" ||
	fail "cli check --strict passes a policy without widening" "wrong exit"

# Each command's options as its --help lists them ("  -t, --target TARGET",
# "      --tsv"): every short form is accepted, and every option is in the
# command's own entry of masqgen(8) and in its bash completion.
completion="$ROOT_DIR/templates/masqgen.bash-completion"
"$MASQGEN" --help >"$tmp_cli/usage"
cmd_words=$(printf '%s\n' "$cmds" | paste -s -d '|')
# The entry of command $1 in masqgen(8): from its `.It Cm` to the next command's.
man_entry() {
	awk -v c="$1" -v cmds="$cmd_words" '
		$0 ~ "^\\.It Cm (" cmds ")( |$)" { on = $0 ~ "^\\.It Cm " c "( |$)" }
		on' "$ROOT_DIR/man/masqgen.8"
}
complete_opts() {
	bash -c '. "$1"; COMP_WORDS=("$2" "$3" --); COMP_CWORD=2; _masqgen
		printf "%s\n" "${COMPREPLY[@]}"' sh "$completion" "$MASQGEN" "$1"
}
for c in $cmds; do
	"$MASQGEN" "$c" --help >"$tmp_cli/help" 2>&1
	"$MASQGEN" help "$c" >"$tmp_cli/help-cmd" 2>&1
	cmp -s "$tmp_cli/help" "$tmp_cli/help-cmd" && pass "cli help $c is $c --help" ||
		fail "cli help $c is $c --help" "differs"
	# zero-operand commands get one too many, so nothing is ever run
	extra=
	head -n 1 "$tmp_cli/help" | grep -q POLICY || extra=unexpected-operand
	complete_opts "$c" >"$tmp_cli/compl"
	man_entry "$c" >"$tmp_cli/entry"
	sed -n 's/^  \(-[a-zA-Z], \|    \)--\([a-z-]*\)\( [A-Z][^ ]*\)\{0,1\} .*/\1 \2 \3/p; s/^  \(-[a-zA-Z], \|    \)--\([a-z-]*\)\( [A-Z][^ ]*\)\{0,1\}$/\1 \2 \3/p' \
		"$tmp_cli/help" >"$tmp_cli/opts"
	[ -s "$tmp_cli/opts" ] || fail "cli $c options listed" "no option in its --help"
	while read -r short long arg; do
		case $short in
		-?,)
			short=${short%,}
			# shellcheck disable=SC2086 # $arg and $extra: a word or none
			"$MASQGEN" "$c" "$short" ${arg:+value} $extra >/dev/null 2>"$tmp_cli/err"
			if grep -q "unknown or incomplete option" "$tmp_cli/err"; then
				fail "cli $c $short works as --help says" "$(head -n 1 "$tmp_cli/err")"
			else
				pass "cli $c $short works as --help says"
			fi
			;;
		*) long=$short short= ;;
		esac
		if [ "$long" != help ]; then
			grep "^  $c " "$tmp_cli/usage" | grep -q -e "--$long\b" ${short:+-e "$short\b"} &&
				pass "cli $c --$long in the top-level usage" ||
				fail "cli $c --$long in the top-level usage" "not in masqgen --help"
		fi
		grep -qx -- "--$long" "$tmp_cli/compl" && pass "cli $c --$long completes" ||
			fail "cli $c --$long completes" "not offered by $completion"
		# --help is every command's: masqgen(8) says so once
		where="$tmp_cli/entry"
		[ "$long" = help ] && where=$man8
		grep -q -e "Fl -$long\b" ${short:+-e "Fl ${short#-}\b"} "$where" &&
			pass "cli $c --$long in masqgen(8)" ||
			fail "cli $c --$long in masqgen(8)" "no 'Fl -$long' ${short:+nor 'Fl ${short#-}'} in the entry of '$c'"
	done <"$tmp_cli/opts"
done

# What the completion offers after `masqgen CMD -t`.
complete_target() {
	bash -c '. "$1"; COMP_WORDS=("$2" "$3" -t ""); COMP_CWORD=3; _masqgen
		printf "%s\n" "${COMPREPLY[@]}"' sh "$completion" "$MASQGEN" "$1"
}
# Each target of the table (what `help --complete` offers after -t) is in
# the command's --help, in its completion after -t, and in its entry of
# masqgen(8) (as "Cm NAME" or "| NAME").
for c in $cmds; do
	targets=$("$MASQGEN" help --complete "$c" | awk '$1 == "--target" {for (i = 3; i <= NF; i++) print $i}')
	[ -n "$targets" ] || continue
	"$MASQGEN" "$c" --help >"$tmp_cli/help" 2>&1
	complete_target "$c" >"$tmp_cli/compl"
	man_entry "$c" >"$tmp_cli/entry"
	for t in $targets; do
		grep -qw -e "$t" "$tmp_cli/help" && pass "cli $c --help names target $t" ||
			fail "cli $c --help names target $t" "not in its --help"
		grep -qx -e "$t" "$tmp_cli/compl" && pass "cli $c -t completes $t" ||
			fail "cli $c -t completes $t" "not offered by $completion"
		grep -qE -e "(Cm|\\|) $t( |,|\$)" "$tmp_cli/entry" && pass "cli $c target $t in masqgen(8)" ||
			fail "cli $c target $t in masqgen(8)" "not in the entry of '$c'"
	done
done
# A target a command does not serve is a usage error that says so
# (ip6tables: generate only, `-t iptables` handles both families everywhere
# else), and is not offered there.
for c in apply diff flush lab init-script; do
	"$MASQGEN" "$c" -t ip6tables "$ROOT_DIR/rules/howto.masq" >/dev/null 2>"$tmp_cli/err"
	rc=$?
	if [ $rc -eq 2 ] && grep -q "target 'ip6tables' does not serve this command" "$tmp_cli/err"; then
		pass "cli $c -t ip6tables is a usage error"
	else
		fail "cli $c -t ip6tables is a usage error" "exit $rc: $(head -n 1 "$tmp_cli/err")"
	fi
	complete_target "$c" >"$tmp_cli/compl"
	if grep -qx iptables "$tmp_cli/compl" && ! grep -qx ip6tables "$tmp_cli/compl"; then
		pass "cli $c -t completes iptables, not ip6tables"
	else
		fail "cli $c -t completes iptables, not ip6tables" "$(tr '\n' ' ' <"$tmp_cli/compl")"
	fi
done

# Where the kernel gives transparent huge pages on request, masqgen's heap
# asks for them before a policy is read (main.c), and where it never gives
# them it does not. masqgen is held still by a pipe nobody reads: the
# generated text fills it and the write waits.
big_policy "$tmp_cli/big.masq"
rm -f "$tmp_cli/out"
mkfifo "$tmp_cli/out"
exec 3<>"$tmp_cli/out"
"$MASQGEN" generate "$tmp_cli/big.masq" >"$tmp_cli/out" 2>/dev/null &
pid=$!
# where it waits: pipe_write, anon_pipe_write on newer kernels
writing() { case $(cat /proc/$pid/wchan 2>/dev/null) in *pipe_write) ;; *) return 1 ;; esac; }
waiting=yes
wait_for 100 writing || waiting=no
# the heap's mappings of 2 MB or more that may hold huge pages
huge=$(awk '/^[0-9a-f]+-[0-9a-f]+ / { heap = $NF == "[heap]" }
	heap && $1 == "Size:" { size = $2 }
	heap && $1 == "THPeligible:" && $2 == 1 && size >= 2048 { n++ }
	END { print n + 0 }' /proc/$pid/smaps 2>/dev/null)
kill $pid 2>/dev/null
wait $pid 2>/dev/null
exec 3>&-
case $MASQGEN:$(cat /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null) in
*/san/*) want=no ;; # ASan's allocator has no heap of malloc's to ask for
*"[always]"* | *"[madvise]"*) want=yes ;;
*) want=no ;;
esac
if [ $waiting = no ]; then
	fail "cli heap asks for huge pages where the kernel gives them" "generate never waited on its output"
elif { [ $want = yes ] && [ "$huge" -gt 0 ]; } || { [ $want = no ] && [ "$huge" -eq 0 ]; }; then
	pass "cli heap asks for huge pages where the kernel gives them ($want)"
else
	fail "cli heap asks for huge pages where the kernel gives them" "want $want, $huge heap mappings eligible"
fi
