#!/bin/sh
# `masqgen show` reads masqgen's tables in process (netlink dumps decoded
# back into the model, nft_dump.c) and prints them with masqgen's own
# printer: for every golden policy and a generated one with thousands of
# forwards, the batch is loaded into a fresh network namespace and show
# must print exactly what `generate -t nft` prints for the policy (without
# the replacing script's preamble; counters read back as
# "counter packets N bytes N"). No `nft` runs: a PATH whose nft fails must
# not matter. Needs root.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-netns.sh"
[ "${GOLDEN:-0}" = 1 ] && exit 0
netns_suite_deps show ip || exit 0
netns_nft_loader show || exit 0
tmp=$(mktemp_dir)
ns="mg-show-$$"
suite_cleanup() {
	ip netns del "$ns" 2>/dev/null
	ip netns del "$ns-peer" 2>/dev/null
}
trap 'exit 1' INT TERM
netns_state_dirs "$tmp"

# an nft that must not be called
mkdir -p "$tmp/bin"
printf '#!/bin/sh\necho "nft must not run" >&2\nexit 1\n' >"$tmp/bin/nft"
chmod +x "$tmp/bin/nft"

# roundtrip NAME DIR POLICY
roundtrip() {
	if ! ip netns add "$ns"; then
		fail "show $1" "cannot create a namespace"
		return
	fi
	if ! (cd "$2" && "$MASQGEN" generate -t nft "$3") 2>"$tmp/err" |
		grep -v -e '^#' -e '^table [a-z0-9]* masqgen$' -e '^delete table ' >"$tmp/want"; then
		fail "show $1" "generate failed: $(head -n 3 "$tmp/err")"
	elif ! (cd "$2" && ip netns exec "$ns" timeout 120 "$loader" --load "$3") 2>"$tmp/err"; then
		fail "show $1" "the kernel refused the batch: $(head -n 5 "$tmp/err")"
	elif ! ip netns exec "$ns" env PATH="$tmp/bin:$PATH" timeout 120 "$MASQGEN" show \
		>"$tmp/show" 2>"$tmp/err"; then
		fail "show $1" "show failed: $(head -n 5 "$tmp/err")"
	else
		# counters and the time a live set's element has left are the kernel's
		sed -e 's/counter packets [0-9]* bytes [0-9]*/counter/' -e 's/ expires [0-9]*s//' \
			"$tmp/show" >"$tmp/got"
		# the UPnP table: the script creates and refills it, show prints it as nft lists it
		if grep -q '^table inet masqgen_upnp' "$tmp/want"; then
			sed -i '/^table inet masqgen_upnp/,$d' "$tmp/want"
			ip netns exec "$ns" nft list table inet masqgen_upnp >>"$tmp/want"
		fi
		if [ ! -s "$tmp/want" ]; then
			fail "show $1" "generate printed no table"
		else
			same_file "show $1" "$tmp/want" "$tmp/got" "show differs from generate -t nft"
		fi
	fi
	ip netns del "$ns" 2>/dev/null
}

for dir in "$TESTS_DIR"/golden/*/; do
	[ -f "$dir/nft.out" ] || continue
	policy=$(cd "$dir" && ls policy.masq policy.yaml policy.yml 2>/dev/null | head -n 1)
	roundtrip "$(basename "$dir")" "$dir" "$policy"
done

# 3,000 forwards (element dumps over many messages), named address and port sets
big="$tmp/big"
mkdir -p "$big"
big_policy "$big/policy.masq"
roundtrip "big generated policy" "$big" policy.masq

# counters are read back with their values: two pings from a peer, dropped
if ip netns add "$ns" && ip netns add "$ns-peer"; then
	ip -n "$ns" link add eth0 type veth peer name peer0 netns "$ns-peer"
	ip -n "$ns" link add eth1 type veth peer name eth1p
	ip -n "$ns" addr add 203.0.113.1/24 dev eth0
	ip -n "$ns" addr add 192.168.0.1/24 dev eth1
	ip -n "$ns-peer" addr add 203.0.113.2/24 dev peer0
	for l in eth0 eth1; do ip -n "$ns" link set "$l" up; done
	ip -n "$ns-peer" link set peer0 up
	printf 'external eth0 address 203.0.113.1\ninternal eth1 192.168.0.1/24\n%s\n' \
		"deny input icmp echo-request on eth0" >"$tmp/count.masq"
	ip netns exec "$ns" "$loader" --load "$tmp/count.masq" 2>"$tmp/err"
	ip netns exec "$ns-peer" ping -c 2 -W 1 -i 0.2 203.0.113.1 >/dev/null 2>&1
	ip netns exec "$ns" "$MASQGEN" show >"$tmp/show" 2>"$tmp/err"
	if grep -q 'icmp type echo-request counter packets 2 bytes 168 drop' "$tmp/show"; then
		pass "show prints the counters the kernel keeps"
	else
		fail "show prints the counters the kernel keeps" \
			"$(grep -e echo-request -e error "$tmp/show" "$tmp/err" | head -n 5)"
	fi
	ip netns del "$ns"
	ip netns del "$ns-peer"
else
	fail "show prints the counters the kernel keeps" "cannot create a namespace"
fi
