#!/bin/sh
# The cluster daemons' own checks on every golden keepalived.out and
# conntrackd.out (root): in a throwaway network namespace holding an
# interface of each name the files use,
#   - `keepalived -t -f keepalived.out` exits 0 and prints nothing (it
#     warns about unknown keywords and exits 5 for an absent interface;
#     the same file in a namespace without the interfaces must exit 5, so
#     the check can fail);
#   - keepalived itself, alone on the LAN with the node's addresses, becomes
#     master and its hook calls conntrackd (a stub) with -c, -f, -R, -B;
#   - conntrackd has no config test: it is started as a daemon on
#     conntrackd.out (lock and socket moved into the test's directory),
#     must print nothing, answer `-s` with UDP traffic on the sync
#     interface, and is stopped with `-k`.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-netns.sh"
[ "${GOLDEN:-0}" = 1 ] && exit 0
netns_suite_deps hacheck ip keepalived conntrackd timeout || exit 0

tmp=$(mktemp_dir)
ns="masqgen-hacheck-$$"
bare="masqgen-hacheck-bare-$$"
suite_cleanup() {
	[ -f "$tmp/ct.conf" ] && timeout 5 ip netns exec "$ns" conntrackd -C "$tmp/ct.conf" -k \
		>/dev/null 2>&1
	ip netns del "$ns" 2>/dev/null
	ip netns del "$bare" 2>/dev/null
}
trap 'exit 1' INT TERM

# The interface names a keepalived.out or conntrackd.out uses.
ifaces() {
	awk '$1 == "interface" || $1 == "Interface" { print $2 }
	     { for (i = 1; i < NF; i++) if ($i == "dev") print $(i + 1) }' "$@" | sort -u
}

n=0
for dir in "$TESTS_DIR"/golden/*/; do
	[ -f "$dir/keepalived.out" ] || continue
	name=$(basename "$dir")
	n=$((n + 1))
	ip netns add "$ns" && ip netns add "$bare" || {
		fail "hacheck $name" "cannot create the namespaces"
		continue
	}
	ip -n "$ns" link set lo up
	k=0
	for i in $(ifaces "$dir/keepalived.out" "$dir/conntrackd.out"); do
		k=$((k + 1))
		ip -n "$ns" link add "$i" type veth peer name "hc$k" &&
			ip -n "$ns" link set "$i" up && ip -n "$ns" link set "hc$k" up
	done
	# the node's own addresses (conntrackd ignores them, naming their interface):
	# VRRP needs one on its interface
	awk '$1 == "IPv4_address" && $3 == "#" && NF == 4 && $4 ~ /^[a-z]/ { print $2, $4 }' \
		"$dir/conntrackd.out" | while read -r a i; do
		[ "$i" = loopback ] || [ "$i" = virtual ] || [ "$i" = peer ] ||
			ip -n "$ns" addr add "$a/32" dev "$i"
	done

	timeout 20 ip netns exec "$ns" keepalived -t -f "$dir/keepalived.out" \
		>"$tmp/k.out" 2>&1
	rc=$?
	if [ $rc -ne 0 ] || [ -s "$tmp/k.out" ]; then
		fail "hacheck $name keepalived -t" "exit $rc: $(head -n 5 "$tmp/k.out")"
	else
		pass "hacheck $name keepalived -t"
	fi
	timeout 20 ip netns exec "$bare" keepalived -t -f "$dir/keepalived.out" >/dev/null 2>&1
	expect_exit "hacheck $name keepalived -t without the interfaces" 5 $?

	# Alone on its LAN, the node starts as backup (hook: -t, -n), becomes
	# master and runs the master hook through sh: conntrackd (a stub here,
	# logging its arguments) gets -c, -f, -R and -B in that order, each as
	# a command of its own, as the last four calls.
	printf '#!/bin/sh\necho "$*" >>"%s/hooks"\n' "$tmp" >"$tmp/ctstub"
	chmod 755 "$tmp/ctstub"
	rm -f "$tmp/hooks"
	sed "s|/usr/sbin/conntrackd|$tmp/ctstub|g" "$dir/keepalived.out" >"$tmp/k.conf"
	timeout 30 ip netns exec "$ns" keepalived -n -l -D -P -f "$tmp/k.conf" \
		-p "$tmp/k.pid" -r "$tmp/kv.pid" >"$tmp/k.log" 2>&1 &
	kpid=$!
	printf '%s\n' -c -f -R -B >"$tmp/hooks.want"
	t=0
	until tail -n 4 "$tmp/hooks" 2>/dev/null | cmp -s "$tmp/hooks.want" - || [ $t -ge 30 ]; do
		sleep 0.5
		t=$((t + 1))
	done
	kill "$kpid" 2>/dev/null
	wait "$kpid" 2>/dev/null
	if tail -n 4 "$tmp/hooks" 2>/dev/null | cmp -s "$tmp/hooks.want" -; then
		pass "hacheck $name keepalived master hook"
	else
		fail "hacheck $name keepalived master hook" \
			"conntrackd got: $(tr '\n' ' ' <"$tmp/hooks" 2>/dev/null)" \
			"$(grep -i 'state\|script' "$tmp/k.log" | head -n 5)"
	fi

	sed -e "s|/var/lock/conntrackd.lock|$tmp/ct.lock|" \
	    -e "s|/var/run/conntrackd.sock|$tmp/ct.sock|" "$dir/conntrackd.out" >"$tmp/ct.conf"
	sync_if=$(awk '$1 == "Interface" { print $2 }' "$tmp/ct.conf")
	timeout 20 ip netns exec "$ns" conntrackd -C "$tmp/ct.conf" -d >"$tmp/c.out" 2>&1
	rc=$?
	if [ $rc -ne 0 ]; then
		fail "hacheck $name conntrackd starts" "exit $rc: $(head -n 5 "$tmp/c.out")"
	else
		# the daemon answers on its socket once it is up (bounded wait)
		t=0
		until timeout 5 ip netns exec "$ns" conntrackd -C "$tmp/ct.conf" -s \
			>"$tmp/c.stats" 2>&1 || [ $t -ge 10 ]; do
			sleep 0.5
			t=$((t + 1))
		done
		if [ -s "$tmp/c.out" ]; then
			fail "hacheck $name conntrackd starts" "$(head -n 5 "$tmp/c.out")"
		elif grep -q "active device=$sync_if)" "$tmp/c.stats"; then
			pass "hacheck $name conntrackd starts"
		else
			fail "hacheck $name conntrackd starts" "$(head -n 5 "$tmp/c.stats")"
		fi
		timeout 5 ip netns exec "$ns" conntrackd -C "$tmp/ct.conf" -k >/dev/null 2>&1
		# it removes its lock as it exits
		t=0
		while [ -e "$tmp/ct.lock" ] && [ $t -lt 20 ]; do
			sleep 0.5
			t=$((t + 1))
		done
		[ -e "$tmp/ct.lock" ] && fail "hacheck $name conntrackd stops" "still running"
	fi
	rm -f "$tmp/ct.conf" "$tmp/ct.lock" "$tmp/ct.sock"
	ip netns del "$ns"
	ip netns del "$bare"
done
[ $n -gt 0 ] || fail "hacheck" "no golden keepalived.out"
