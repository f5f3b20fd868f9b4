#!/bin/sh
# make install into a staging root (DESTDIR): the binary, both man pages,
# the bash completion, the example policy (never over an admin's own), and
# a systemd unit that names the installed paths, not the staging ones.
. "$(dirname "$0")/lib.sh"
[ "${GOLDEN:-0}" = 1 ] && exit 0
tmp=$(mktemp_dir)
root="$tmp/root"

inst() {
	make -s -C "$ROOT_DIR" install DESTDIR="$root" PREFIX=/usr >"$tmp/install.log" 2>&1
}

if inst; then
	pass "install into DESTDIR"
else
	fail "install into DESTDIR" "$(tail -n 5 "$tmp/install.log")"
	exit 0
fi
for f in usr/sbin/masqgen usr/share/man/man8/masqgen.8 usr/share/man/man5/masqgen.masq.5 \
	usr/share/bash-completion/completions/masqgen etc/masqgen/gateway.masq \
	lib/systemd/system/masqgen.service; do
	if [ -s "$root/$f" ]; then
		pass "install /$f"
	else
		fail "install /$f" "missing or empty"
	fi
done
unit="$root/lib/systemd/system/masqgen.service"
if grep -qx 'ExecStart=/usr/sbin/masqgen apply --fallback-last-good /etc/masqgen/gateway.masq' \
	"$unit" &&
	grep -qx 'ExecStop=/usr/sbin/masqgen flush' "$unit" && ! grep -q "$root" "$unit"; then
	pass "install unit names the installed paths"
else
	fail "install unit names the installed paths" "$(grep Exec "$unit")"
fi
if cmp -s "$root/etc/masqgen/gateway.masq" "$ROOT_DIR/rules/stronger.masq"; then
	pass "install example policy is rules/stronger.masq"
else
	fail "install example policy is rules/stronger.masq" "differs"
fi
printf '# the admin'"'"'s own\nexternal ppp0\ninternal eth1 10.1.0.1/24\n' >"$root/etc/masqgen/gateway.masq"
cp "$root/etc/masqgen/gateway.masq" "$tmp/own.masq"
if inst && cmp -s "$root/etc/masqgen/gateway.masq" "$tmp/own.masq"; then
	pass "install keeps an existing policy"
else
	fail "install keeps an existing policy" "overwritten or install failed"
fi
# --root must refuse a policy outside the root
if "$MASQGEN" init-script --style systemd --root "$root" "$ROOT_DIR/rules/howto.masq" \
	>/dev/null 2>"$tmp/err"; then
	fail "init-script --root refuses a path outside it" "exit 0"
elif grep -q "is not below --root" "$tmp/err"; then
	pass "init-script --root refuses a path outside it"
else
	fail "init-script --root refuses a path outside it" "$(cat "$tmp/err")"
fi
