#!/bin/sh
# Parity of the nft and iptables backends with real packets: `masqgen lab`
# builds the same throwaway lab for every golden policy and applies it
# once with `-t nft` and once with `-t iptables` (which loads ip6tables
# too); every probe must see the same thing under both (a probe's verdict
# that differs fails, naming the probe), and both must pass the lab's own
# expectations. The lab probes both families for every policy: its IPv6
# rows ("ipv6 ...") are compared like the others, and a lab without them
# fails.
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp_dir)
trap 'exit 1' INT TERM

if [ "${GOLDEN:-0}" = 1 ]; then
	exit 0
fi
if [ "$(id -u)" != 0 ]; then
	skip "parity" "needs root (masqgen lab)"
	exit 0
fi

# lab TARGET POLICY OUT: the lab's rows (probe, expected, got, verdict).
lab() {
	timeout 300 "$MASQGEN" lab --tsv -t "$1" "$2" >"$3" 2>"$3.err"
	echo $? >"$3.rc"
}

tab=$(printf '\t')
for dir in "$TESTS_DIR"/golden/*/; do
	name=$(basename "$dir")
	policy=$(cd "$dir" && ls policy.masq policy.yaml policy.yml 2>/dev/null | head -n 1)
	[ -n "$policy" ] || continue
	# no parity where the iptables target refuses the policy: the golden
	# suite checks that refusal against iptables.err
	[ -f "$dir/iptables.err" ] && continue
	lab nft "$dir$policy" "$tmp/$name.nft" &
	lab iptables "$dir$policy" "$tmp/$name.ipt" &
	wait
	rc_nft=$(cat "$tmp/$name.nft.rc")
	rc_ipt=$(cat "$tmp/$name.ipt.rc")
	# exit 3 from both with the same reason: the lab cannot model this policy
	if [ "$rc_nft" = 3 ] && [ "$rc_ipt" = 3 ] &&
		grep -q 'the lab needs' "$tmp/$name.nft.err" &&
		cmp -s "$tmp/$name.nft.err" "$tmp/$name.ipt.err"; then
		# not a test: nothing was compared
		printf 'note parity %s: %s\n' "$name" "$(head -n 1 "$tmp/$name.nft.err")"
		continue
	fi
	for t in nft ipt; do
		rc=$(cat "$tmp/$name.$t.rc")
		if [ "$rc" != 0 ] && [ "$rc" != 5 ]; then
			fail "parity $name $t" "masqgen lab exited $rc: $(head -n 3 "$tmp/$name.$t.err")"
		fi
	done
	[ "$rc_nft" = 0 ] || [ "$rc_nft" = 5 ] || continue
	[ "$rc_ipt" = 0 ] || [ "$rc_ipt" = 5 ] || continue
	# probe <TAB> got, for both backends, joined on the probe
	for t in nft ipt; do
		grep -v '^#' "$tmp/$name.$t" | awk -F '\t' '{ print $1 "\t" $3 }' |
			LC_ALL=C sort -t "$tab" -k1,1 >"$tmp/$name.$t.got"
	done
	differ=$(LC_ALL=C join -t "$tab" -a 1 -a 2 -e '(no probe)' -o 0,1.2,2.2 \
		"$tmp/$name.nft.got" "$tmp/$name.ipt.got" |
		awk -F '\t' '$2 != $3 { printf "%s%s: nft %s, iptables %s", sep, $1, $2, $3; sep = "; " }')
	if [ -n "$differ" ]; then
		fail "parity $name" "$differ"
	else
		pass "parity $name ($(grep -vc '^#' "$tmp/$name.nft") probes agree)"
	fi
	for t in nft ipt; do
		if ! grep -q '^ipv6 ' "$tmp/$name.$t"; then
			fail "parity $name $t ipv6" "the lab printed no IPv6 probe"
		fi
	done
	for t in nft ipt; do
		if grep -q 'FAIL$' "$tmp/$name.$t"; then
			fail "parity $name $t expectations" "$(grep 'FAIL$' "$tmp/$name.$t" | cut -f 1 |
				tr '\n' ';')"
		fi
	done
done
