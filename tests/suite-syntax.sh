#!/bin/sh
# Generated inputs too big to commit: 100 KB lines. Each is written to a
# temporary directory, `masqgen check` must fail with exactly
# tests/syntax/NAME.err (stderr, then "exit N"); `make golden` rewrites them.
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp_dir)

# $1 times the text $2, without a newline
repeat() {
	awk -v n="$1" -v s="$2" 'BEGIN { for (i = 0; i < n; i++) printf "%s", s }'
}

gen_long_word() {
	printf 'external '
	repeat 100000 a
	printf '\ninternal eth1 192.168.0.1/24\n'
}

gen_long_comment() {
	printf '# '
	repeat 20000 'long '
	printf '\nexternal ppp0\ninternal eth1 192.168.0.1/24 bogus\n'
}

gen_long_list() {
	printf 'external ppp0\ninternal eth1 192.168.0.1/24\npassthrough '
	repeat 12500 'veth12, '
	printf 'veth0 }\n'
}

gen_long_string() {
	printf 'external ppp0\ninternal eth1 192.168.0.1/24\nlog prefix "'
	repeat 100000 x
	printf '"\n'
}

gen_long_yaml() {
	printf -- '- external: {interface: ppp0}\n'
	printf -- '- internal: {interface: eth1, networks: [192.168.0.1/24]}\n- passthrough: ['
	awk 'BEGIN { for (i = 1; i <= 12500; i++) printf "vth%d, ", i }'
	printf 'veth0]\n- log: {prefix: "'
	repeat 2000 x
	printf '"}\n'
}

for name in long_word long_comment long_list long_string long_yaml; do
	case $name in
	*yaml) file=$tmp/$name.yaml ;;
	*) file=$tmp/$name.masq ;;
	esac
	"gen_$name" >"$file"
	(cd "$tmp" && "$MASQGEN" check "$(basename "$file")") >"$tmp/out" 2>"$tmp/err"
	rc=$?
	echo "exit $rc" >>"$tmp/err"
	if [ $rc -ne 1 ] && [ "${GOLDEN:-0}" != 1 ]; then
		fail "syntax $name" "exit $rc, expected 1"
		continue
	fi
	golden_compare "syntax $name" "$tmp/err" "$TESTS_DIR/syntax/$name.err"
done

# Policy files must be regular files: a FIFO would block the read forever
# (timeout bounds a regression), a directory or a device is refused too.
special=$tmp/special
mkdir -p "$special/dir.masq"
mkfifo "$special/fifo.masq"
printf 'external ppp0\ninternal eth1 192.168.0.1/24\ninclude "fifo.masq"\ninclude "dir.masq"\ninclude "/dev/null"\n' >"$special/includes.masq"
for name in fifo dir includes; do
	(cd "$special" && timeout 10 "$MASQGEN" check "$name.masq") >"$tmp/out" 2>"$tmp/err"
	rc=$?
	echo "exit $rc" >>"$tmp/err"
	if [ $rc -ne 1 ] && [ "${GOLDEN:-0}" != 1 ]; then
		fail "syntax special $name" "exit $rc, expected 1"
		continue
	fi
	golden_compare "syntax special $name" "$tmp/err" "$TESTS_DIR/syntax/special_$name.err"
done
