#!/bin/sh
# The build itself: -Werror only for developers and CI, the generated
# headers only where included, every header checked on its own. Nothing in
# the tree is rebuilt: dry runs there, real builds in a copy.
. "$(dirname "$0")/lib.sh"
[ "${GOLDEN:-0}" = 1 ] && exit 0
command -v make >/dev/null || { fail "build make" "make is not installed"; exit 0; }
mk() {
	env -u DEVELOPER -u SANITIZE -u MAKEFLAGS -u MAKELEVEL make -s -C "$ROOT_DIR" "$@" 2>&1
}

# The real builds below run in a copy of the tree and of its objects.
case $MASQGEN in
*/build/san/*) build=build/san san=1 ;;
*) build=build/default san= ;;
esac
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dev=
grep -q -e -Werror "$ROOT_DIR/$build/cflags" 2>/dev/null && dev=1
(cd "$ROOT_DIR" && cp -pR Makefile src grammar templates "$tmp/" &&
	mkdir -p "$tmp/build" && cp -pR "$build" "$tmp/build/" &&
	{ [ -n "$san" ] || cp -p masqgen "$tmp/"; })
mkt() {
	env -u DEVELOPER -u SANITIZE -u MAKEFLAGS -u MAKELEVEL make -C "$tmp" "$@" 2>&1
}

# a change to the grammar recompiles the parser and the scanner only
before=$(mkt DEVELOPER=$dev SANITIZE=$san | grep -c -e ' -c -o ')
sleep 1
touch "$tmp/grammar/parser.y"
out=$(mkt DEVELOPER=$dev SANITIZE=$san | grep -o -e ' -c -o build/[a-z]*/[a-z_]*\.o' |
	sed 's|.*/||' | sort | tr '\n' ' ')
[ "$before" -eq 0 ] && [ "$out" = "parser.o scanner.o " ] &&
	pass "build parser.y rebuilds parser.o and scanner.o only" ||
	fail "build parser.y rebuilds parser.o and scanner.o only" \
		"up to date: $before compiled; after touching parser.y: $out"

# a packager's plain make does not turn warnings into errors; a developer's
# does (real compiles of one object in the copy)
out=$(mkt -B build/default/util.o | grep -e ' -c -o build/default/util\.o ')
case $out in
*-Werror*) fail "build plain make without -Werror" "$out" ;;
*" -Wall "*) pass "build plain make without -Werror" ;;
*) fail "build plain make without -Werror" "no compile command: $out" ;;
esac
out=$(mkt -B DEVELOPER=1 build/default/util.o | grep -e ' -c -o build/default/util\.o ')
case $out in
*" -Werror "*) pass "build make DEVELOPER=1 with -Werror" ;;
*) fail "build make DEVELOPER=1 with -Werror" "${out:-no compile command for util.o}" ;;
esac
# check and its sanitizer run do too (dry runs: the tests are not run)
for goal in "check" "check SANITIZE=1"; do
	# shellcheck disable=SC2086 # the goal's words
	out=$(mk -n -B $goal | grep -e ' -c -o build/[a-z]*/util\.o ' | head -n 1)
	case $out in
	*" -Werror "*) pass "build make $goal with -Werror" ;;
	*) fail "build make $goal with -Werror" "${out:-no compile command for util.o}" ;;
	esac
done

# hdr-check compiles every header of src/ on its own
out=$(mk -n -B hdr-check | grep -c -e '-fsyntax-only -x c src/.*\.h')
n=$(find "$ROOT_DIR/src" -name '*.h' | wc -l)
[ "$out" -eq "$n" ] && pass "build hdr-check covers all $n headers" ||
	fail "build hdr-check covers all headers" "$out of $n"

# the layers of README.md's layout table: what each file may include
layer() {
	case $1 in
	util*.? | diag.? | suggest.? | template.? | escape.?) echo 0 ;;
	ast*.? | yaml_load.? | masq_parse.?) echo 1 ;;
	ir.? | ir_match.? | eval*.? | value.? | tables.?) echo 2 ;;
	nft_*.? | nft.? | nl.? | ipt*.? | legacy*.? | ipchains.? | ipfwadm.? | ha_conf.?) echo 3 ;;
	sysctls.? | ctclean.? | apply.h | fwdcheck.? | kmod.?) echo 4 ;;
	*) echo 5 ;;
	esac
}
bad=
for f in "$ROOT_DIR"/src/*.[ch]; do
	name=$(basename "$f")
	mine=$(layer "$name")
	for h in $(sed -n 's/^#include "\([a-z_]*\.h\)"$/\1/p' "$f"); do
		theirs=$(layer "$h")
		[ "$theirs" -le "$mine" ] || bad="$bad $name:$h"
	done
done
[ -z "$bad" ] && pass "build includes follow the layers of README.md" ||
	fail "build includes follow the layers of README.md" "$bad"

# one error channel: every "masqgen: ..." line on stderr comes from diag
# (diag.h: errors, warnings, notes, what a command is doing), usage errors
# from cli_usage_error(); no file prints its own (but util_oom(): diag
# allocates)
out=$(grep -n -e 'f*printf(stderr, *"masqgen' -e 'fputs("masqgen' "$ROOT_DIR"/src/*.c |
	grep -v 'fputs("masqgen: out of memory\\n", stderr);$')
[ -z "$out" ] && pass "build no command writes its own error lines" ||
	fail "build no command writes its own error lines" "$out"

# no call cycle between files: an object that uses a function (or data)
# another one defines is never used back by it, directly or through
# others. The command table is the one way back: cli_args.c lists the
# commands (cli_apply, ...) whose files call cli_args.c.
for o in "$ROOT_DIR/$build"/*.o; do
	nm "$o" | awk -v n="$(basename "$o" .o)" '$2 ~ /^[TDRBC]$/ {print $3, n}'
done | sort >"$tmp/defs"
for o in "$ROOT_DIR/$build"/*.o; do
	nm -u "$o" | awk -v n="$(basename "$o" .o)" '{print $2, n}'
done | sort >"$tmp/uses"
# "USER DEFINER" edges, then each group of files that reach each other
join "$tmp/uses" "$tmp/defs" | awk '$2 != $3 && !($2 == "cli_args" && $1 ~ /^cli_/) {print $2, $3}' |
	sort -u >"$tmp/edges"
cycles=$(awk '
	{ e[$1, $2] = 1; v[$1]; v[$2] }
	END {
		for (k in v) for (i in v) if ((i, k) in e) for (j in v) if ((k, j) in e) e[i, j] = 1
		for (i in v) {
			n = 0
			for (j in v) if (j == i || ((i, j) in e && (j, i) in e)) m[++n] = j
			if (n < 2) continue
			for (a = 1; a <= n; a++) for (b = a + 1; b <= n; b++)
				if (m[b] < m[a]) { t = m[a]; m[a] = m[b]; m[b] = t }
			g = m[1]
			for (a = 2; a <= n; a++) g = g "," m[a]
			print g
		}
	}' "$tmp/edges" | sort -u)
[ -s "$tmp/edges" ] || fail "build call graph" "no object in $ROOT_DIR/$build"
[ -z "$cycles" ] && pass "build no call cycle between files" ||
	fail "build no call cycle between files" $cycles
