#!/bin/sh
# init-script: for each tests/initscript/NAME/policy.masq, the SysV script
# (sysv.out), the systemd unit (systemd.out), the link-up hook
# (link-up.out), /etc/default/miniupnpd (miniupnpd.out, or miniupnpd.err
# for a policy without upnp) and the rc.firewall pair of
# each legacy target (TARGET.out, or TARGET.err when the backend refuses)
# are pinned as golden files, with masqgen's and the policy's absolute
# paths replaced by @MASQGEN@ and @DIR@. Every generated script must pass
# `sh -n` and `shellcheck -s sh`, the unit `systemd-analyze verify`.
# errors.out pins the usage and policy errors.
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp_dir)
self=$(readlink -f "$MASQGEN")

# normalize FILE: the paths that differ between machines
normalize() {
	sed -e "s|$self|@MASQGEN@|g" -e "s|$dir_abs|@DIR@|g" -e "s|$tmp|@OUT@|g" "$1"
}

# check_script NAME FILE [SHELLCHECK-OPTION...]: a POSIX shell script
# shellcheck accepts
check_script() {
	_name=$1 _file=$2
	shift 2
	if sh -n "$_file" 2>"$tmp/shn"; then pass "$_name sh -n"; else fail "$_name sh -n" "$(cat "$tmp/shn")"; fi
	if ! command -v shellcheck >/dev/null; then
		skip "$_name shellcheck" "shellcheck is not installed"
	elif shellcheck -s sh "$@" "$_file" >"$tmp/sc" 2>&1; then
		pass "$_name shellcheck"
	else
		fail "$_name shellcheck" "$(head -n 20 "$tmp/sc")"
	fi
}

for dir in "$TESTS_DIR"/initscript/*/; do
	name=$(basename "$dir")
	dir_abs=$(cd "$dir" && pwd -P)
	if "$MASQGEN" init-script "$dir/policy.masq" >"$tmp/sysv" 2>"$tmp/err"; then
		check_script "initscript $name sysv" "$tmp/sysv"
		normalize "$tmp/sysv" >"$tmp/sysv.n"
		golden_compare "initscript $name sysv" "$tmp/sysv.n" "$dir/sysv.out"
	else
		fail "initscript $name sysv" "$(cat "$tmp/err")"
	fi
	rm -f "$tmp/masqgen.service"
	if "$MASQGEN" init-script --style systemd -o "$tmp/masqgen.service" "$dir/policy.masq" \
		2>"$tmp/err"; then
		if ! command -v systemd-analyze >/dev/null; then
			skip "initscript $name systemd verify" "systemd-analyze is not installed"
		elif systemd-analyze verify --man=no "$tmp/masqgen.service" >"$tmp/sa" 2>&1; then
			pass "initscript $name systemd verify"
		else
			fail "initscript $name systemd verify" "$(cat "$tmp/sa")"
		fi
		normalize "$tmp/masqgen.service" >"$tmp/unit.n"
		golden_compare "initscript $name systemd" "$tmp/unit.n" "$dir/systemd.out"
	else
		fail "initscript $name systemd" "$(cat "$tmp/err")"
	fi
	if "$MASQGEN" init-script --style link-up "$dir/policy.masq" >"$tmp/link-up" 2>"$tmp/err"; then
		check_script "initscript $name link-up" "$tmp/link-up"
		normalize "$tmp/link-up" >"$tmp/link-up.n"
		golden_compare "initscript $name link-up" "$tmp/link-up.n" "$dir/link-up.out"
	else
		fail "initscript $name link-up" "$(cat "$tmp/err")"
	fi
	# /etc/default/miniupnpd: Debian's start helper sources it (sh) and then
	# runs the two commands instead of its own table scripts
	rm -f "$tmp/default"
	if "$MASQGEN" init-script --style miniupnpd -o "$tmp/default" "$dir/policy.masq" \
		2>"$tmp/err"; then
		[ "${GOLDEN:-0}" = 1 ] && rm -f "$dir/miniupnpd.err"
		# (assignments only, read by that helper)
		check_script "initscript $name miniupnpd" "$tmp/default" -e SC2034
		# shellcheck disable=SC1091 # the generated file
		got=$(MiniUPnPd_PRESTART_COMMAND='' MiniUPnPd_POSTSTOP_COMMAND='' sh -c \
			'. "$1" && echo "$MiniUPnPd_PRESTART_COMMAND $MiniUPnPd_POSTSTOP_COMMAND"' \
			sh "$tmp/default")
		if [ "$got" = "true true" ]; then pass "initscript $name miniupnpd: both commands true"
		else fail "initscript $name miniupnpd: both commands true" "got '$got'"; fi
		normalize "$tmp/default" >"$tmp/default.n"
		golden_compare "initscript $name miniupnpd" "$tmp/default.n" "$dir/miniupnpd.out"
	else
		echo "exit $?" >>"$tmp/err"
		[ "${GOLDEN:-0}" = 1 ] && rm -f "$dir/miniupnpd.out"
		if [ -e "$tmp/default" ]; then echo "(wrote the file)" >>"$tmp/err"; fi
		normalize "$tmp/err" >"$tmp/err.n"
		golden_compare "initscript $name miniupnpd (error)" "$tmp/err.n" "$dir/miniupnpd.err"
	fi
	for t in iptables ipchains ipfwadm; do
		out="$tmp/$name-$t"
		rm -rf "$out"
		if "$MASQGEN" init-script -t "$t" -o "$out" "$dir/policy.masq" >"$tmp/msg" 2>"$tmp/err"
		then
			[ "${GOLDEN:-0}" = 1 ] && rm -f "$dir/$t.err"
			: >"$tmp/pair"
			for f in "rc.firewall-$t" "firewall-$t"; do
				check_script "initscript $name $f" "$out/$f"
				printf '==> %s <==\n' "$f" >>"$tmp/pair"
				normalize "$out/$f" >>"$tmp/pair"
			done
			mode=$(stat -c %a "$out/rc.firewall-$t" "$out/firewall-$t" | tr '\n' ' ')
			if [ "$mode" = "700 755 " ]; then pass "initscript $name $t modes"; else
				fail "initscript $name $t modes" "$mode"; fi
			golden_compare "initscript $name $t" "$tmp/pair" "$dir/$t.out"
		else
			echo "exit $?" >>"$tmp/err"
			[ "${GOLDEN:-0}" = 1 ] && rm -f "$dir/$t.out"
			normalize "$tmp/err" >"$tmp/err.n"
			golden_compare "initscript $name $t (error)" "$tmp/err.n" "$dir/$t.err"
		fi
	done
done

# usage and policy errors: nothing written, exact messages
dir=$TESTS_DIR/initscript/masq-gate
dir_abs=$(cd "$dir" && pwd -P)
printf 'external ppp0\nforward tcp http to 10.9.9.9\n' >"$tmp/broken.masq"
: >"$tmp/errors"
while IFS= read -r args; do
	printf '$ masqgen init-script %s\n' "$args" >>"$tmp/errors"
	(cd "$tmp" && eval "\"\$MASQGEN\" init-script $args") >"$tmp/o" 2>>"$tmp/errors"
	echo "exit $?" >>"$tmp/errors"
	if [ -s "$tmp/o" ]; then echo "(wrote to stdout)" >>"$tmp/errors"; fi
done <<'ARGS'
--style upstart policy.masq
-t pf policy.masq
-t ipchains policy.masq
--style systemd -t iptables -o out policy.masq
--style link-up -r / policy.masq
--style miniupnpd -r / policy.masq
--style link-up broken.masq
broken.masq
missing.masq
a.masq b.masq
ARGS
normalize "$tmp/errors" >"$tmp/errors.n"
golden_compare "initscript errors" "$tmp/errors.n" "$TESTS_DIR/initscript/errors.out"
