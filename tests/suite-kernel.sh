#!/bin/sh
# tests/suite-kernel.sh - `masqgen lab` on every rules/*.masq, probe by probe
# (root). tests/kernel/NAME.probes pins which probes each policy gets and
# what each must observe (make golden writes it); every one of them must be
# present in the lab's output and must pass. Then the negative side: a
# gateway without the ruleset must fail the probes that depend on it, and
# the lab must remove its namespaces, also when it is killed.
. "$(dirname "$0")/lib.sh"
cd "$ROOT_DIR" || exit 2

# usage and help need no root
"$MASQGEN" lab --help >/dev/null 2>&1 && pass "lab --help" || fail "lab --help" "not exit 0"
"$MASQGEN" lab >/dev/null 2>&1
rc=$?
[ "$rc" = 2 ] && pass "lab without POLICY: exit 2" || fail "lab without POLICY" "exit $rc"
"$MASQGEN" lab -t ipchains rules/howto.masq >/dev/null 2>&1
rc=$?
[ "$rc" = 2 ] && pass "lab -t ipchains: exit 2" || fail "lab -t ipchains" "exit $rc"

if [ "$(id -u)" != 0 ]; then
	skip "kernel lab" "needs root (network namespaces)"
	exit 0
fi

tmp=$(mktemp_dir)

# Namespaces of lab process $1 still present (prints them).
leftovers() {
	ip netns list 2>/dev/null | awk '{print $1}' | grep -E "^mqlab-$1k?-"
}

# Run the lab on $1 in the background (so its pid is known), output in $2.
run_lab() {
	"$MASQGEN" lab --tsv "$@" >"$tmp/out" 2>"$tmp/err" &
	lab_pid=$!
	wait "$lab_pid"
	lab_rc=$?
}

for policy in rules/*.masq; do
	name=$(basename "$policy" .masq)
	run_lab "$policy"
	if [ "$lab_rc" = 3 ] || [ "$lab_rc" = 1 ]; then
		fail "lab $name" "exit $lab_rc: $(head -n 5 "$tmp/err")"
		continue
	fi
	grep -v '^#' "$tmp/out" >"$tmp/$name.rows"
	cut -f1,2 "$tmp/$name.rows" >"$tmp/$name.probes"
	golden_compare "lab $name: probes and expectations" "$tmp/$name.probes" \
		"tests/kernel/$name.probes"
	n=$(wc -l <"$tmp/$name.rows")
	if [ "$n" -eq 0 ]; then
		fail "lab $name" "no probes ran"
		continue
	fi
	# every pinned probe present, with its expectation, and passed
	if [ -f "tests/kernel/$name.probes" ]; then
		while IFS= read -r want; do
			probe=$(printf '%s' "$want" | cut -f1)
			row=$(awk -F '\t' -v w="$want" '$1 "\t" $2 == w { print $4 "\t" $3; exit }' \
				"$tmp/$name.rows")
			case "$row" in
			"") fail "lab $name: $probe" "probe missing from the lab's output" ;;
			"pass	"*) pass "lab $name: $probe" ;;
			*) fail "lab $name: $probe" "expected $(printf '%s' "$want" | cut -f2), got ${row#*	}" ;;
			esac
		done <"tests/kernel/$name.probes"
	fi
	[ "$lab_rc" = 0 ] && ! awk -F '\t' '$4 != "pass" { bad = 1 } END { exit !bad }' \
		"$tmp/$name.rows" &&
		pass "lab $name: exit 0, $n probes" ||
		fail "lab $name" "exit $lab_rc"
	left=$(leftovers "$lab_pid")
	[ -z "$left" ] && pass "lab $name: namespaces removed" ||
		fail "lab $name: namespaces removed" "left: $left"
done

# Negative: the same lab without the ruleset (no NAT, no filter, forwarding
# off) must fail exactly the probes the ruleset is responsible for.
run_lab --no-apply rules/stronger.masq
[ "$lab_rc" = 5 ] && pass "lab --no-apply: exit 5" || fail "lab --no-apply" "exit $lab_rc"
for probe in "5.7 lan eth1 -> internet tcp: source 203.0.113.2" \
	"5.8 lan eth1 -> internet 203.0.113.1 icmp" \
	"internet -> gateway 203.0.113.2 tcp 2323 (listening)"; do
	result=$(awk -F '\t' -v p="$probe" '$1 == p { print $4 }' "$tmp/out")
	[ "$result" = FAIL ] && pass "lab --no-apply catches: $probe" ||
		fail "lab --no-apply catches: $probe" "result '$result'"
done
result=$(awk -F '\t' '$1 == "5.2 lan eth1 -> itself 192.168.0.2 icmp" { print $4 }' "$tmp/out")
[ "$result" = pass ] &&
	pass "lab --no-apply: the topology itself works" ||
	fail "lab --no-apply: the topology itself works" "$(head -n 3 "$tmp/out")"

# --keep leaves the namespaces, and says how to remove them
run_lab --keep --no-apply rules/howto.masq
left=$(leftovers "$lab_pid")
if [ -n "$left" ] && grep -q 'ip netns del' "$tmp/err"; then
	pass "lab --keep keeps its namespaces"
else
	fail "lab --keep keeps its namespaces" "$(cat "$tmp/err")"
fi
for ns in $left; do
	ip netns del "$ns"
done

# SIGTERM in the middle of the probes: everything is removed
"$MASQGEN" lab --no-apply rules/howto.masq >"$tmp/out" 2>"$tmp/err" &
lab_pid=$!
i=0
while [ "$i" -lt 50 ] && ! grep -q 'icmp' "$tmp/out"; do
	sleep 0.1
	i=$((i + 1))
done
kill -TERM "$lab_pid"
wait "$lab_pid" 2>/dev/null
left=$(leftovers "$lab_pid")
[ -z "$left" ] && pass "lab on SIGTERM removes its namespaces" ||
	fail "lab on SIGTERM removes its namespaces" "left: $left"
for ns in $left; do
	ip netns del "$ns"
done
exit 0
