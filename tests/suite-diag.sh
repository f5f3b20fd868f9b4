#!/bin/sh
# Diagnostics (src/diag.c): each message reaches standard error in one
# write, whatever its length; past 100 warnings the rest are counted in a
# closing note; a control character in a file name or a source line is
# shown as '?', never sent to the terminal.
. "$(dirname "$0")/lib.sh"
[ "${GOLDEN:-0}" = 1 ] && exit 0
tmp=$(mktemp_dir)
if ! command -v strace >/dev/null 2>&1; then
	fail "diag" "'strace' is not installed (make deps)"
	exit 0
fi

# 150 warnings: 'allow input' changes nothing under firewall simple
{
	printf 'external eth0\ninternal eth1 192.168.0.1/24\nfirewall simple\n'
	i=0
	while [ $i -lt 150 ]; do
		echo "allow input tcp $((10000 + i))"
		i=$((i + 1))
	done
} >"$tmp/many.masq"

"$MASQGEN" check "$tmp/many.masq" >/dev/null 2>"$tmp/err"
n=$(grep -c ': warning: ' "$tmp/err")
if [ "$n" -eq 100 ]; then
	pass "diag: 100 warnings shown"
else
	fail "diag: 100 warnings shown" "$n shown"
fi
if [ "$(tail -n 1 "$tmp/err")" = "masqgen: note: 50 more warnings not shown" ]; then
	pass "diag: the rest are counted"
else
	fail "diag: the rest are counted" "last line: $(tail -n 1 "$tmp/err")"
fi

# one write(2) per message: 3 lines each (message, source line, caret);
# LeakSanitizer cannot run under ptrace, so the sanitizer build skips it
ASAN_OPTIONS=detect_leaks=0 strace -f -e trace=write -e signal=none -o "$tmp/trace" \
	"$MASQGEN" check "$tmp/many.masq" >/dev/null 2>&1
writes=$(grep -c '^[0-9]* *write(2,' "$tmp/trace")
if [ "$writes" -eq 101 ]; then
	pass "diag: one write per message"
else
	fail "diag: one write per message" "$writes writes to standard error for 101 messages"
fi

# control characters in the file name and in the echoed line
esc=$(printf '\033')
bad="$tmp/x${esc}[2Jy.masq"
printf 'external eth0\ninternal eth1 192.168.0.1/24\nbogus%s[31m here\n' "$esc" >"$bad"
"$MASQGEN" check "$bad" >/dev/null 2>"$tmp/err"
if grep -q "$esc" "$tmp/err"; then
	fail "diag: control characters are shown as '?'" "an escape reached standard error"
elif grep -q 'x?\[2Jy.masq:3:1: error: ' "$tmp/err" && grep -q '^bogus?\[31m here$' "$tmp/err"; then
	pass "diag: control characters are shown as '?'"
else
	fail "diag: control characters are shown as '?'" "$(head -n 3 "$tmp/err")"
fi
