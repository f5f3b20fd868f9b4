#!/bin/sh
# Kernel tests of apply, check --kernel, show, diff and flush (root).
#
# Everything happens inside network namespaces this suite creates and
# deletes; masqgen's lock and its record of kernel settings go to a
# temporary directory (MASQGEN_RUN_DIR, MASQGEN_STATE_DIR), below a
# directory per namespace (named by `ip netns`, so "$GW"). A stand-in for
# Docker (table ip nat with a DNAT rule, table ip filter) must come out of
# apply, re-apply and flush byte-identical.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-netns.sh"
[ "${GOLDEN:-0}" = 1 ] && exit 0

netns_suite_deps apply nft ip conntrack flock timeout || exit 0

tmp=$(mktemp_dir)
GW="mgapply-$$-gw"
TXT="mgapply-$$-txt"
holder=
GW2="mgapply-$$-gw2"
suite_cleanup() {
	[ -n "$holder" ] && kill "$holder" 2>/dev/null
	ip netns del "$GW" 2>/dev/null
	ip netns del "$TXT" 2>/dev/null
	ip netns del "$GW2" 2>/dev/null
}
trap 'exit 1' INT TERM HUP

netns_state_dirs "$tmp"

gw() { ip netns exec "$GW" "$@"; }
mg() { ip netns exec "$GW" "$MASQGEN" "$@"; }

ip netns add "$GW" || { fail "apply setup" "cannot create a network namespace"; exit 0; }
ip netns add "$TXT"
gw ip link set lo up
gw ip link add eth0 type veth peer name eth0p
gw ip link add eth1 type veth peer name eth1p
gw ip addr add 203.0.113.1/24 dev eth0
gw ip addr add 192.168.0.1/24 dev eth1
gw ip link set eth0 up
gw ip link set eth1 up
gw sysctl -qw net.ipv4.ip_forward=0

cat >"$tmp/p1.masq" <<'EOF'
external eth0 dynamic
internal eth1 192.168.0.1/24
forward tcp 80 to 192.168.0.10
forward udp 27960 to 192.168.0.4
EOF
cat >"$tmp/p2.masq" <<'EOF'
external eth0 dynamic
internal eth1 192.168.0.1/24
forward tcp 80 to 192.168.0.10
forward udp 5555 to 192.168.0.5
EOF

# The stand-in for another tool's tables.
gw nft -f - <<'EOF'
table ip nat {
	chain PREROUTING {
		type nat hook prerouting priority dstnat; policy accept;
		tcp dport 8080 dnat to 192.168.0.99:80
	}
}
table ip filter {
	chain FORWARD {
		type filter hook forward priority filter; policy accept;
		iifname "docker0" accept
	}
}
EOF
foreign() { gw nft list table ip nat && gw nft list table ip filter; }
foreign >"$tmp/foreign.before"
foreign_same() {
	foreign >"$tmp/foreign.now"
	same_file "$1" "$tmp/foreign.before" "$tmp/foreign.now" "another tool's tables changed"
}

# --- check --kernel changes nothing
gw nft list ruleset >"$tmp/ruleset.before"
if mg check --kernel "$tmp/p1.masq" >"$tmp/out" 2>&1; then
	gw nft list ruleset >"$tmp/ruleset.after"
	if cmp -s "$tmp/ruleset.before" "$tmp/ruleset.after" &&
		[ "$(gw sysctl -n net.ipv4.ip_forward)" = 0 ]; then
		pass "check --kernel changes nothing"
	else
		fail "check --kernel changes nothing" "the ruleset or ip_forward changed"
	fi
else
	fail "check --kernel changes nothing" "exit $?: $(cat "$tmp/out")"
fi

# --- apply
if mg apply "$tmp/p1.masq" >"$tmp/out" 2>&1 && gw nft list tables | grep -qx 'table ip masqgen'; then
	pass "apply loads table ip masqgen"
else
	fail "apply loads table ip masqgen" "$(cat "$tmp/out")"
fi
if [ "$(gw sysctl -n net.ipv4.ip_forward)" = 1 ]; then
	pass "apply sets ip_forward after the commit"
else
	fail "apply sets ip_forward after the commit" "ip_forward is not 1"
fi
foreign_same "apply leaves other tables byte-identical"
# the last good ruleset (written beside the commit, kept after it) is the
# policy's nft text, and no temporary file of it is left behind
"$MASQGEN" generate -t nft "$tmp/p1.masq" | grep -v '^#' >"$tmp/lastgood.want"
grep -v '^#' "$MASQGEN_STATE_DIR/$GW/last-good.nft" >"$tmp/lastgood.got" 2>&1
same_file "apply keeps the policy's nft text as the last good ruleset" "$tmp/lastgood.want" \
	"$tmp/lastgood.got"
lastgood_tmps() { find "$MASQGEN_STATE_DIR/$GW" -name 'last-good.nft.*' | wc -l; }
if [ "$(lastgood_tmps)" = 0 ]; then
	pass "apply leaves no temporary last good file"
else
	fail "apply leaves no temporary last good file" "$(ls "$MASQGEN_STATE_DIR/$GW")"
fi
# what an apply killed during its commit leaves: its text, unnamed; the
# next apply removes it (and not a file of another name)
echo stale >"$MASQGEN_STATE_DIR/$GW/last-good.nft.Ab3xYz"
echo mine >"$MASQGEN_STATE_DIR/$GW/last-good.nft.orig"
mg apply "$tmp/p1.masq" >/dev/null 2>&1 || fail "re-apply" "exit $?"
foreign_same "re-apply leaves other tables byte-identical"
if [ "$(lastgood_tmps)" = 1 ] && [ -f "$MASQGEN_STATE_DIR/$GW/last-good.nft.orig" ]; then
	pass "apply removes a temporary last good file a killed apply left"
else
	fail "apply removes a temporary last good file a killed apply left" \
		"$(ls "$MASQGEN_STATE_DIR/$GW")"
fi
rm -f "$MASQGEN_STATE_DIR/$GW/last-good.nft.orig"

# --- show
if mg show >"$tmp/out" 2>&1 && grep -q '^table ip masqgen {' "$tmp/out"; then
	pass "show lists masqgen's table"
else
	fail "show lists masqgen's table" "$(head -5 "$tmp/out")"
fi
mg show extra >/dev/null 2>&1
expect_exit "show rejects an operand" 2 $?

# --- diff
mg diff "$tmp/p1.masq" >"$tmp/out" 2>&1
rc=$?
if [ $rc -eq 0 ] && [ ! -s "$tmp/out" ]; then
	pass "diff of the applied policy exits 0"
else
	fail "diff of the applied policy exits 0" "exit $rc: $(head -20 "$tmp/out")"
fi
mg diff "$tmp/p2.masq" >"$tmp/out" 2>&1
rc=$?
if [ $rc -eq 5 ] && grep -q '^+' "$tmp/out" && grep -q '^--- loaded' "$tmp/out"; then
	pass "diff of another policy exits 5 with a unified diff"
else
	fail "diff of another policy exits 5 with a unified diff" "exit $rc"
fi

# --- conntrack cleanup: a removed forward and a newly forwarded port
ct() { gw conntrack "$@" >/dev/null 2>&1; }
ct -I -p udp -s 198.51.100.7 -d 203.0.113.1 --sport 5000 --dport 27960 \
	--dst-nat 192.168.0.4 -t 120
ct -I -p udp -s 198.51.100.7 -d 203.0.113.1 --sport 5001 --dport 5555 -t 120
ct -I -p tcp -s 198.51.100.7 -d 203.0.113.1 --sport 40000 --dport 80 \
	--dst-nat 192.168.0.10 --state ESTABLISHED -t 120
ct -I -p udp -s 192.168.0.20 -d 198.51.100.9 --sport 6000 --dport 5555 -t 120
if [ "$(gw conntrack -L 2>/dev/null | wc -l)" -ne 4 ]; then
	fail "conntrack cleanup" "could not create the test entries"
else
	mg apply "$tmp/p2.masq" >"$tmp/out" 2>&1
	gw conntrack -L 2>/dev/null >"$tmp/ct"
	if grep -q '^removed 2 connection tracking entries' "$tmp/out" &&
		! grep -q 'dport=27960' "$tmp/ct" && ! grep -q 'sport=5001' "$tmp/ct" &&
		grep -q 'sport=40000' "$tmp/ct" && grep -q 'sport=6000' "$tmp/ct"; then
		pass "apply removes conntrack entries of a removed forward and a new one"
	else
		fail "apply removes conntrack entries of a removed forward and a new one" \
			"$(cat "$tmp/out" "$tmp/ct")"
	fi
fi
foreign_same "apply of a changed policy leaves other tables byte-identical"

# --- conntrack cleanup: a new deny stops what it matches, and only that
cp "$tmp/p2.masq" "$tmp/p3.masq"
echo 'deny forward tcp 6667 from 192.168.0.0/24' >>"$tmp/p3.masq"
ct -I -p tcp -s 192.168.0.21 -d 198.51.100.9 --sport 41000 --dport 6667 \
	--state ESTABLISHED -t 120
ct -I -p tcp -s 192.168.0.21 -d 198.51.100.9 --sport 41001 --dport 6668 \
	--state ESTABLISHED -t 120
mg apply "$tmp/p3.masq" >"$tmp/out" 2>&1
gw conntrack -L 2>/dev/null >"$tmp/ct"
if grep -q '^removed 1 connection tracking entry' "$tmp/out" && ! grep -q 'sport=41000' "$tmp/ct" &&
	grep -q 'sport=41001' "$tmp/ct" && grep -q 'sport=40000' "$tmp/ct"; then
	pass "apply removes conntrack entries a new deny matches"
else
	fail "apply removes conntrack entries a new deny matches" "$(cat "$tmp/out" "$tmp/ct")"
fi

# --- a per-interface setting of a missing interface (a PPP link that is
# down) is a warning; the others are written
cat >"$tmp/ppp.masq" <<'EOF'
external ppp0 dynamic
internal eth1 192.168.0.1/24
option rp_filter on
EOF
mg apply "$tmp/ppp.masq" >"$tmp/out" 2>&1
rc=$?
if [ $rc -eq 0 ] && grep -q "warning: interface 'ppp0' does not exist" "$tmp/out" &&
	[ "$(gw sysctl -n net.ipv4.conf.eth1.rp_filter)" = 1 ]; then
	pass "a setting of a missing interface is a warning"
else
	fail "a setting of a missing interface is a warning" "exit $rc: $(cat "$tmp/out")"
fi

# --- the lock serializes masqgen runs
mkdir -p "$MASQGEN_RUN_DIR/$GW"
flock "$MASQGEN_RUN_DIR/$GW/lock" sleep 2 &
holder=$!
sleep 0.5
start=$(date +%s)
timeout 30 ip netns exec "$GW" "$MASQGEN" apply "$tmp/p1.masq" >"$tmp/out" 2>&1
rc=$?
waited=$(($(date +%s) - start))
wait "$holder"
holder=
if [ $rc -eq 0 ] && [ "$waited" -ge 1 ] && grep -q 'waiting for another masqgen run' "$tmp/out"; then
	pass "apply waits for the lock"
else
	fail "apply waits for the lock" "exit $rc after ${waited}s: $(cat "$tmp/out")"
fi
mg apply "$tmp/p1.masq" >"$tmp/a.out" 2>&1 &
first=$!
mg apply "$tmp/p2.masq" >"$tmp/b.out" 2>&1
rc2=$?
wait "$first"
rc1=$?
if [ $rc1 -eq 0 ] && [ $rc2 -eq 0 ] && gw nft list tables | grep -qx 'table ip masqgen'; then
	pass "two concurrent applies both succeed"
else
	fail "two concurrent applies both succeed" "exits $rc1 and $rc2"
fi

# --- another program commits between masqgen reading the generation and
# sending its batch (a shim runs the commit right before the first send):
# a change to another table means retry, a change to masqgen's is a conflict
if ${CC:-cc} -shared -fPIC -D_GNU_SOURCE -o "$tmp/commit_first.so" \
	"$TESTS_DIR/apply/commit_first.c" -ldl 2>"$tmp/out"; then
	shim() { # COMMAND POLICY
		ip netns exec "$GW" env LD_PRELOAD="$tmp/commit_first.so" SHIM_COMMIT="$1" \
			SHIM_COUNT="$tmp/batches" ASAN_OPTIONS=verify_asan_link_order=0 \
			"$MASQGEN" apply "$2" >"$tmp/out" 2>&1
	}
	# p1 loaded first: the same policy again would send nothing at all
	mg apply "$tmp/p1.masq" >/dev/null 2>&1
	shim "nft add table ip churn" "$tmp/p2.masq"
	rc=$?
	if [ $rc -eq 0 ] && [ "$(cat "$tmp/batches")" = 2 ] && gw nft list tables | grep -qx 'table ip churn'
	then
		pass "apply retries when another table changed meanwhile"
	else
		fail "apply retries when another table changed meanwhile" \
			"exit $rc, $(cat "$tmp/batches") batches: $(cat "$tmp/out")"
	fi
	gw nft delete table ip churn
	shim "nft add chain ip masqgen intruder" "$tmp/p1.masq"
	rc=$?
	if [ $rc -eq 3 ] && grep -q "another program changed masqgen's tables meanwhile" "$tmp/out" &&
		gw nft list chain ip masqgen intruder >/dev/null 2>&1 &&
		[ "$(cat "$tmp/batches")" = 1 ]; then
		pass "apply exits 3 when masqgen's table changed meanwhile"
	else
		fail "apply exits 3 when masqgen's table changed meanwhile" "exit $rc: $(cat "$tmp/out")"
	fi
else
	fail "apply with a concurrent commit" "cannot build the shim: $(cat "$tmp/out")"
fi

# --- flush: settings first, then only masqgen's tables
if mg flush >"$tmp/out" 2>&1 && ! gw nft list tables | grep -q masqgen &&
	[ "$(gw sysctl -n net.ipv4.ip_forward)" = 0 ]; then
	pass "flush restores ip_forward and removes masqgen's table"
else
	fail "flush restores ip_forward and removes masqgen's table" "$(cat "$tmp/out")"
fi
foreign_same "flush leaves other tables byte-identical"
if mg flush >"$tmp/out" 2>&1; then
	pass "flush with nothing loaded succeeds"
else
	fail "flush with nothing loaded succeeds" "$(cat "$tmp/out")"
fi
mg show >/dev/null 2>&1
expect_exit "show with nothing loaded exits 3" 3 $?
mg diff "$tmp/p1.masq" >/dev/null 2>&1
expect_exit "diff with nothing loaded exits 5" 5 $?

# --- a kernel refusal: another program owns the table name (nft's owner
# flag), so the kernel refuses to delete it; apply exits 3, changes nothing.
mkfifo "$tmp/owner"
ip netns exec "$GW" nft -i <"$tmp/owner" >/dev/null 2>&1 &
holder=$!
exec 7>"$tmp/owner"
echo 'add table ip masqgen { flags owner; }; add chain ip masqgen theirs' >&7
tries=0
while ! gw nft list tables | grep -q masqgen && [ $tries -lt 50 ]; do
	sleep 0.1
	tries=$((tries + 1))
done
gw nft list table ip masqgen >"$tmp/owned.before" 2>&1
cp "$MASQGEN_STATE_DIR/$GW/last-good.nft" "$tmp/lastgood.before" 2>/dev/null
# a policy never applied: its text, written ahead of the commit, must not stay
sed 's/27960/27961/' "$tmp/p1.masq" >"$tmp/refused.masq"
mg apply "$tmp/refused.masq" >"$tmp/out" 2>&1
rc=$?
gw nft list table ip masqgen >"$tmp/owned.after" 2>&1
if [ $rc -eq 3 ] && grep -q 'error: the kernel refused the ruleset: Operation not permitted' \
	"$tmp/out" && cmp -s "$tmp/owned.before" "$tmp/owned.after" &&
	[ "$(gw sysctl -n net.ipv4.ip_forward)" = 0 ]; then
	pass "a ruleset the kernel refuses exits 3 and changes nothing"
else
	fail "a ruleset the kernel refuses exits 3 and changes nothing" "exit $rc: $(cat "$tmp/out")"
fi
mg check --kernel "$tmp/p1.masq" >"$tmp/out" 2>&1
expect_exit "check --kernel reports the refusal with exit 3" 3 $?
exec 7>&-
wait "$holder"
holder=
foreign_same "a refused apply leaves other tables byte-identical"
same_file "a refused apply leaves the last good ruleset as it was" "$tmp/lastgood.before" \
	"$MASQGEN_STATE_DIR/$GW/last-good.nft"
if [ "$(lastgood_tmps)" = 0 ]; then
	pass "a refused apply leaves no temporary last good file"
else
	fail "a refused apply leaves no temporary last good file" "$(ls "$MASQGEN_STATE_DIR/$GW")"
fi

# --- every golden policy the nft target accepts: apply loads it, and the
# batch and the text emitter describe the same ruleset (masqgen diff after
# nft -f of the text in a namespace of its own).
applied=0
for dir in "$TESTS_DIR"/golden/*/; do
	name=$(basename "$dir")
	policy=$dir/policy.masq
	[ -f "$policy" ] || policy=$dir/policy.yaml
	[ -f "$policy" ] || continue
	"$MASQGEN" generate -t nft -o "$tmp/text.nft" "$policy" >/dev/null 2>&1 || continue
	applied=$((applied + 1))
	if mg apply "$policy" >"$tmp/out" 2>&1 && gw nft list tables | grep -qx 'table ip masqgen'
	then
		pass "apply golden $name"
	else
		fail "apply golden $name" "$(head -5 "$tmp/out")"
	fi
	ip netns exec "$TXT" nft flush ruleset
	if ! ip netns exec "$TXT" nft -f "$tmp/text.nft" >"$tmp/out" 2>&1; then
		fail "text and batch agree: $name" "nft -f failed: $(head -5 "$tmp/out")"
		continue
	fi
	ip netns exec "$TXT" "$MASQGEN" diff "$policy" >"$tmp/out" 2>&1
	rc=$?
	# nft -f wrote neither the kernel settings nor the routing rules of
	# several externals in the text's namespace: only they may differ
	if [ $rc -eq 0 ] || { [ $rc -eq 5 ] && ! grep -e '^[-+~] ' "$tmp/out" |
		grep -v -q -e '^~ setting ' -e '^+ routing rule '; }; then
		pass "text and batch agree: $name"
	else
		fail "text and batch agree: $name" "diff exit $rc: $(head -20 "$tmp/out")"
	fi
done
[ "$applied" -gt 0 ] || fail "apply golden policies" "generate -t nft accepted none of them"
mg flush >/dev/null 2>&1
foreign_same "golden applies and flush leave other tables byte-identical"

# --- the record of kernel settings is written before the commit: a state
# directory masqgen cannot write changes nothing (exit 3, tables untouched)
mg apply "$tmp/p1.masq" >"$tmp/out" 2>&1 || fail "apply before the read-only state" "$(cat "$tmp/out")"
gw nft list ruleset >"$tmp/ro.before"
gw sysctl -a 2>/dev/null | grep -v '^net.netfilter.nf_conntrack_count' | grep '^net\.' \
	>"$tmp/ro.sysctls.before"
ip netns exec "$GW" unshare -m --propagation private sh -c \
	'mount --bind -o ro "$1" "$1" && exec "$2" apply "$3"' sh "$MASQGEN_STATE_DIR" "$MASQGEN" \
	"$tmp/p2.masq" >"$tmp/out" 2>&1
rc=$?
gw nft list ruleset >"$tmp/ro.after"
gw sysctl -a 2>/dev/null | grep -v '^net.netfilter.nf_conntrack_count' | grep '^net\.' \
	>"$tmp/ro.sysctls.after"
expect_exit "apply with a read-only state directory exits 3" 3 $rc "$tmp/out"
same_file "apply with a read-only state directory leaves the ruleset" "$tmp/ro.before" \
	"$tmp/ro.after"
same_file "apply with a read-only state directory leaves the settings" \
	"$tmp/ro.sysctls.before" "$tmp/ro.sysctls.after"
# a state "directory" that is a file: the same
MASQGEN_STATE_DIR=$tmp/not-a-dir
: >"$MASQGEN_STATE_DIR"
mg apply "$tmp/p2.masq" >"$tmp/out" 2>&1
rc=$?
MASQGEN_STATE_DIR=$tmp/state
gw nft list ruleset >"$tmp/ro.after"
expect_exit "apply with a state directory that is a file exits 3" 3 $rc "$tmp/out"
same_file "apply with a state directory that is a file leaves the ruleset" "$tmp/ro.before" \
	"$tmp/ro.after"
mg flush >/dev/null 2>&1
# what a reboot resets is recorded unsynced; the last good ruleset, which is
# for the next boot, is synced (from a flushed state, so both are written)
if command -v strace >/dev/null 2>&1; then
	mg flush >/dev/null 2>&1
	gw env ASAN_OPTIONS=detect_leaks=0 strace -f -y -e trace=fsync -e signal=none \
		-o "$tmp/fsync.trace" "$MASQGEN" apply "$tmp/p1.masq" >"$tmp/out" 2>&1 ||
		fail "apply traced for fsync" "$(cat "$tmp/out")"
	if grep -q "fsync([0-9]*<$MASQGEN_STATE_DIR/$GW/last-good\.nft\.[^>]*>" "$tmp/fsync.trace" &&
		! grep -q 'fsync([0-9]*<[^>]*/sysctls' "$tmp/fsync.trace" &&
		[ -s "$MASQGEN_STATE_DIR/$GW/sysctls" ]; then
		pass "apply syncs the last good ruleset, not the settings record"
	else
		fail "apply syncs the last good ruleset, not the settings record" \
			"$(cat "$tmp/fsync.trace")"
	fi
else
	fail "apply traced for fsync" "'strace' is not installed (make deps)"
fi
# an empty record (what a crash may leave of an unsynced one): apply reads
# the settings afresh, and flush puts them back
mg flush >/dev/null 2>&1
fwd_before=$(gw sysctl -n net.ipv4.ip_forward)
: >"$MASQGEN_STATE_DIR/$GW/sysctls"
if mg apply "$tmp/p1.masq" >"$tmp/out" 2>&1 &&
	grep -qx "net/ipv4/ip_forward=$fwd_before" "$MASQGEN_STATE_DIR/$GW/sysctls" &&
	mg flush >>"$tmp/out" 2>&1 && [ "$(gw sysctl -n net.ipv4.ip_forward)" = "$fwd_before" ]; then
	pass "apply over an empty settings record records afresh, and flush restores"
else
	fail "apply over an empty settings record records afresh, and flush restores" \
		"$(cat "$tmp/out" "$MASQGEN_STATE_DIR/$GW/sysctls")"
fi

# --- state per network namespace: two gateways share the state directory,
# each has its own record; a flush in one leaves the other's settings and
# record alone, and the other's flush still finds its own
ip netns add "$GW2" || fail "netns state setup" "cannot create a second namespace"
ip netns exec "$GW2" sysctl -qw net.ipv4.ip_forward=0
mg apply "$tmp/p1.masq" >"$tmp/out" 2>&1 || fail "apply in the first namespace" "$(cat "$tmp/out")"
ip netns exec "$GW2" "$MASQGEN" apply "$tmp/p2.masq" >"$tmp/out" 2>&1 ||
	fail "apply in the second namespace" "$(cat "$tmp/out")"
cat "$MASQGEN_STATE_DIR/$GW/sysctls" >"$tmp/rec1.before" 2>&1
ip netns exec "$GW2" "$MASQGEN" flush >"$tmp/out" 2>&1 ||
	fail "flush in the second namespace" "$(cat "$tmp/out")"
cat "$MASQGEN_STATE_DIR/$GW/sysctls" >"$tmp/rec1.after" 2>&1
if [ "$(ip netns exec "$GW2" sysctl -n net.ipv4.ip_forward)" = 0 ] &&
	! ip netns exec "$GW2" nft list tables | grep -q masqgen; then
	pass "flush in one namespace restores its own settings"
else
	fail "flush in one namespace restores its own settings" "$(cat "$tmp/out")"
fi
if [ "$(gw sysctl -n net.ipv4.ip_forward)" = 1 ] && gw nft list tables | grep -q masqgen; then
	pass "flush in one namespace leaves the other's ruleset and settings"
else
	fail "flush in one namespace leaves the other's ruleset and settings" "$(gw nft list tables)"
fi
if [ -s "$MASQGEN_STATE_DIR/$GW/sysctls" ] && cmp -s "$tmp/rec1.before" "$tmp/rec1.after"; then
	pass "flush in one namespace leaves the other's record"
else
	fail "flush in one namespace leaves the other's record" "$(cat "$tmp/rec1.after")"
fi
# applying the same settings again leaves the record as it is: no rewrite
# (a new file would have a new inode), so no fsync on every apply
ino=$(stat -c %i "$MASQGEN_STATE_DIR/$GW/sysctls")
mg apply "$tmp/p1.masq" >"$tmp/out" 2>&1 || fail "apply again in the first namespace" "$(cat "$tmp/out")"
if [ "$(stat -c %i "$MASQGEN_STATE_DIR/$GW/sysctls")" = "$ino" ] &&
	cmp -s "$tmp/rec1.before" "$MASQGEN_STATE_DIR/$GW/sysctls"; then
	pass "an apply that changes no setting leaves the record unwritten"
else
	fail "an apply that changes no setting leaves the record unwritten" \
		"$(ls -i "$MASQGEN_STATE_DIR/$GW/sysctls") was $ino"
fi
mg flush >"$tmp/out" 2>&1
if [ "$(gw sysctl -n net.ipv4.ip_forward)" = 0 ]; then
	pass "the other namespace's flush restores its own settings"
else
	fail "the other namespace's flush restores its own settings" "$(cat "$tmp/out")"
fi
ip netns del "$GW2"

# an unnamed namespace keeps its record under the run directory only
ls "$MASQGEN_STATE_DIR" >"$tmp/lib.before"
unshare -n sh -c '"$1" apply "$2" && sysctl -n net.ipv4.ip_forward && ls "$3"/netns-*/sysctls &&
	"$1" flush && sysctl -n net.ipv4.ip_forward' sh "$MASQGEN" "$tmp/p1.masq" \
	"$MASQGEN_RUN_DIR" >"$tmp/out" 2>&1
rc=$?
ls "$MASQGEN_STATE_DIR" >"$tmp/lib.after"
if [ $rc -eq 0 ] && grep -qx 1 "$tmp/out" && grep -qx 0 "$tmp/out" &&
	grep -q '/netns-[0-9]*/sysctls$' "$tmp/out"; then
	pass "an unnamed namespace keeps its record under the run directory"
else
	fail "an unnamed namespace keeps its record under the run directory" "exit $rc: $(cat "$tmp/out")"
fi
same_file "an unnamed namespace writes nothing to the state directory" "$tmp/lib.before" \
	"$tmp/lib.after"
