#!/bin/sh
# `masqgen apply -t iptables` beside other software, with both the nft and
# the legacy flavour of iptables, each in a network namespace of its own:
# a foreign rule in nat and filter (a stand-in for Docker) and ones in
# ip6tables' filter and nat survive two applies byte for byte; masqgen's
# chains hold exactly what `generate -t iptables` (IPv4) and `generate -t
# ip6tables` (IPv6) printed; each jump from a built-in
# chain exists once, at its top; the timeouts reach the conntrack sysctls;
# a smaller policy removes the chains it no longer needs; flush -t iptables
# removes them all and puts ip_forward back; a table that
# iptables-restore refuses stops the apply: the tables before it are new,
# no jump is added, forwarding stays off.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-netns.sh"
tmp=$(mktemp_dir)

[ "${GOLDEN:-0}" = 1 ] && exit 0
netns_suite_deps iptapply || exit 0

ns="masqgen-iptapply-$$"
suite_cleanup() {
	ip netns del "$ns" 2>/dev/null
}
trap 'exit 1' INT TERM

cat >"$tmp/big.masq" <<'EOF'
external eth0 address 203.0.113.1
internal eth1 192.168.0.1/24
forward tcp http to 192.168.0.10
forward tcp 2121 to 192.168.0.3:21
helper ftp
allow tcp ssh from 198.51.100.0/24
reject forward tcp/udp 25 log
clamp-mss pmtu
timeouts tcp 2h udp 3m
EOF
cat >"$tmp/small.masq" <<'EOF'
external eth0 address 203.0.113.1
internal eth1 192.168.0.1/24
firewall simple
ipv6 open
EOF

# Everything that is not masqgen's: rules, chains, and built-in policies
# other than accept (a table that only came to exist holds nothing).
foreign() {
	ip netns exec "$ns" "$1-save" | grep -v masqgen | awk '
		/^\*/ { table = substr($0, 2) }
		/^:/ && ($2 == "-" || $2 != "ACCEPT") { print table, $1, $2 }
		/^-/ { print table, $0 }'
}

# foreign_same FLAVOUR WHAT: the foreign rules of both families are as they
# were before the first apply.
foreign_same() {
	for f in 4 6; do
		[ $f = 4 ] && t=iptables || t=ip6tables
		foreign "$t-$1" >"$tmp/foreign$f.after"
		same_file "iptapply $1 foreign IPv$f rules $2" \
			"$tmp/foreign$f.before" "$tmp/foreign$f.after"
	done
}

# masqgen's rules with their table, grouped by table and chain.
masqgen_rules() {
	awk '/^\*/ { table = substr($0, 2) } /^-A / && /masqgen/ { print table, $0 }' |
		sort -s -k1,1 -k3,3
}

# new_ns TEST: a fresh $ns; fails TEST and returns 1 when it cannot be made.
new_ns() {
	ip netns del "$ns" 2>/dev/null
	ip netns add "$ns" && return 0
	fail "$1" "cannot create a network namespace"
	return 1
}

# run FLAVOUR LABEL POLICY: apply with the tools of FLAVOUR first in PATH.
apply() {
	PATH="$tmp/bin-$1:$PATH" MASQGEN_RUN_DIR="$tmp/run" MASQGEN_STATE_DIR="$tmp/state" \
		ip netns exec "$ns" "$MASQGEN" apply -t iptables "$3" >"$tmp/apply.out" 2>&1
}

run_flavour() {
	fl=$1
	mkdir -p "$tmp/bin-$fl" "$tmp/run" "$tmp/state"
	rm -rf "$tmp/state/"*
	for t in iptables ip6tables; do
		for s in "" -save -restore; do
			ln -sf "$(command -v "$t-$fl$s")" "$tmp/bin-$fl/$t$s"
		done
	done
	new_ns "iptapply $fl" || return
	ipt="ip netns exec $ns iptables-$fl"
	if ! { $ipt -t nat -N DOCKER &&
		$ipt -t nat -A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER &&
		$ipt -t nat -A DOCKER -p tcp --dport 8080 -j DNAT --to-destination 172.17.0.2:80 &&
		$ipt -N DOCKER-USER && $ipt -A DOCKER-USER -j RETURN &&
		$ipt -A FORWARD -j DOCKER-USER && $ipt -A FORWARD -o docker0 -j ACCEPT &&
		$ipt -P FORWARD DROP &&
		ip netns exec "$ns" "ip6tables-$fl" -A INPUT -p tcp --dport 9 -j DROP &&
		ip netns exec "$ns" "ip6tables-$fl" -t nat -A POSTROUTING -o eth9 -j MASQUERADE; }; then
		fail "iptapply $fl" "cannot set up the foreign rules"
		return
	fi
	foreign "iptables-$fl" >"$tmp/foreign4.before"
	foreign "ip6tables-$fl" >"$tmp/foreign6.before"

	for round in 1 2; do
		if ! apply "$fl" "round $round" "$tmp/big.masq"; then
			fail "iptapply $fl apply $round" "$(head -n 5 "$tmp/apply.out")"
			return
		fi
		pass "iptapply $fl apply $round"
	done

	foreign_same "$fl" unchanged

	(cd "$tmp" && "$MASQGEN" generate -t iptables big.masq) >"$tmp/gen" 2>/dev/null
	(cd "$tmp" && "$MASQGEN" generate -t ip6tables big.masq) >"$tmp/gen6" 2>/dev/null
	if grep -q '^-A ' "$tmp/gen6" && ! grep -q '#6' "$tmp/gen"; then
		pass "iptapply $fl generate prints the families apart"
	else
		fail "iptapply $fl generate prints the families apart" "no IPv6 rule in -t ip6tables"
	fi
	for f in "" 6; do
		masqgen_rules <"$tmp/gen$f" | sed 's|"big.masq:|"'"$tmp"'/big.masq:|' >"$tmp/want"
		ip netns exec "$ns" "ip${f}tables-$fl-save" | masqgen_rules >"$tmp/have"
		same_file "iptapply $fl IPv${f:-4} chains hold what generate printed" \
			"$tmp/want" "$tmp/have"
		# each jump once, at the top of its built-in chain
		if ip netns exec "$ns" "ip${f}tables-$fl-save" | awk '
			/^\*/ { table = substr($0, 2) }
			/^-A [A-Z]+ / { n[table " " $2]++ }
			/^-A [A-Z]+ .*-j masqgen-/ {
				jumps[table " " $2 " " $NF]++
				if (n[table " " $2] != 1) bad = bad " " table "/" $2 "(not first)"
			}
			END {
				for (j in jumps) if (jumps[j] != 1) bad = bad " " j "(x" jumps[j] ")"
				if (bad != "") { print bad; exit 1 }
			}' >"$tmp/jumps"; then
			pass "iptapply $fl IPv${f:-4} jumps once, first"
		else
			fail "iptapply $fl IPv${f:-4} jumps once, first" "$(cat "$tmp/jumps")"
		fi
	done

	v=$(ip netns exec "$ns" cat /proc/sys/net/netfilter/nf_conntrack_tcp_timeout_established)
	if [ "$v" = 7200 ]; then
		pass "iptapply $fl timeouts as global sysctls"
	else
		fail "iptapply $fl timeouts as global sysctls" "tcp established is '$v', not 7200"
	fi

	# a smaller policy: no mangle, no raw, no IPv6 chains are left behind
	if ! apply "$fl" small "$tmp/small.masq"; then
		fail "iptapply $fl smaller policy" "$(head -n 5 "$tmp/apply.out")"
		return
	fi
	left=$( (ip netns exec "$ns" "iptables-$fl-save"; ip netns exec "$ns" "ip6tables-$fl-save") |
		grep -c -e 'masqgen-raw' -e 'masqgen-mangle' -e 'masqgen-reflect' -e 'masqgen-input')
	left6=$(ip netns exec "$ns" "ip6tables-$fl-save" | grep -c masqgen)
	if [ "$left" = 0 ] && [ "$left6" = 0 ]; then
		pass "iptapply $fl smaller policy removes the chains it does not need"
	else
		fail "iptapply $fl smaller policy removes the chains it does not need" \
			"$left IPv4 and $left6 IPv6 lines remain"
	fi
	foreign_same "$fl" "survive the smaller policy"

	# flush -t iptables: forwarding off first, then every masqgen chain goes
	if ! apply "$fl" big "$tmp/big.masq"; then
		fail "iptapply $fl apply before flush" "$(head -n 5 "$tmp/apply.out")"
		return
	fi
	if PATH="$tmp/bin-$fl:$PATH" MASQGEN_RUN_DIR="$tmp/run" MASQGEN_STATE_DIR="$tmp/state" \
		ip netns exec "$ns" "$MASQGEN" flush -t iptables >"$tmp/flush.out" 2>&1; then
		pass "iptapply $fl flush -t iptables"
	else
		fail "iptapply $fl flush -t iptables" "$(head -n 5 "$tmp/flush.out")"
	fi
	left=$( (ip netns exec "$ns" "iptables-$fl-save"; ip netns exec "$ns" "ip6tables-$fl-save") |
		grep -c masqgen)
	fwd=$(ip netns exec "$ns" cat /proc/sys/net/ipv4/ip_forward)
	if [ "$left" = 0 ] && [ "$fwd" = 0 ]; then
		pass "iptapply $fl flush removes every masqgen chain and restores ip_forward"
	else
		fail "iptapply $fl flush removes every masqgen chain and restores ip_forward" \
			"$left masqgen lines remain, ip_forward is $fwd"
	fi
	foreign_same "$fl" "survive flush"
	ip netns del "$ns"
}

for flavour in nft legacy; do
	run_flavour "$flavour"
done

# iptables-restore refuses the nat table (a stand-in for a kernel without NAT):
# the stand-in commits the tables before "*nat" and fails on the line after
# it, as iptables-restore does with a table the kernel refuses
refuse_nat() {
	mkdir -p "$tmp/bin-refuse"
	real=$(command -v iptables-nft-restore)
	sed "s|REAL|$real|" >"$tmp/bin-refuse/iptables-restore" <<'EOF'
#!/bin/sh
input=$(cat)
n=$(printf '%s\n' "$input" | grep -n -m 1 '^\*nat$' | cut -d: -f1)
if [ -z "$n" ]; then
	printf '%s\n' "$input" | exec REAL "$@"
fi
printf '%s\n' "$input" | head -n $((n - 1)) | REAL "$@" || exit
echo "iptables-restore: line $((n + 1)) failed" >&2
exit 1
EOF
	chmod +x "$tmp/bin-refuse/iptables-restore"
	ln -sf "$(command -v iptables-nft)" "$tmp/bin-refuse/iptables"
	ln -sf "$(command -v ip6tables-nft)" "$tmp/bin-refuse/ip6tables"
	ln -sf "$(command -v ip6tables-nft-restore)" "$tmp/bin-refuse/ip6tables-restore"
	ln -sf "$(command -v iptables-nft-save)" "$tmp/bin-refuse/iptables-save"
	ln -sf "$(command -v ip6tables-nft-save)" "$tmp/bin-refuse/ip6tables-save"
	new_ns "iptapply refused table" || return
	apply refuse x "$tmp/big.masq"
	rc=$?
	filter=$(ip netns exec "$ns" iptables-nft-save -t filter | grep -c '^-A masqgen-')
	jumps=$(ip netns exec "$ns" iptables-nft-save | grep -c -e '-j masqgen-')
	fwd=$(ip netns exec "$ns" cat /proc/sys/net/ipv4/ip_forward)
	if [ $rc = 3 ] && grep -q "refused masqgen's nat table" "$tmp/apply.out" &&
		[ "$filter" -gt 0 ] && [ "$jumps" = 0 ] && [ "$fwd" = 0 ]; then
		pass "iptapply refused nat table: filter loaded, no jump, forwarding off"
	else
		fail "iptapply refused nat table" "exit $rc, $filter filter rules, $jumps jumps, \
ip_forward $fwd: $(head -n 3 "$tmp/apply.out")"
	fi
	ip netns del "$ns"
}
refuse_nat

# Each iptables command reads its whole table, so apply runs a fixed few of
# them, not one per jump or chain: per family one save, one restore of the
# tables and one of the missing jumps on the first apply; a second apply
# finds its jumps and runs no third.
count_calls() {
	mkdir -p "$tmp/bin-count"
	for t in iptables ip6tables; do
		for s in "" -save -restore; do
			printf '#!/bin/sh\necho %s >>"%s"\nexec %s "$@"\n' "$t$s" "$tmp/calls" \
				"$(command -v "$t-nft$s")" >"$tmp/bin-count/$t$s"
			chmod +x "$tmp/bin-count/$t$s"
		done
	done
	new_ns "iptapply command count" || return
	for round in first second; do
		: >"$tmp/calls"
		if ! apply count "$round" "$tmp/big.masq"; then
			fail "iptapply command count, $round apply" "$(head -n 3 "$tmp/apply.out")"
			continue
		fi
		n=$(wc -l <"$tmp/calls")
		[ $round = first ] && want=6 || want=4
		if [ "$n" -le "$want" ]; then
			pass "iptapply $round apply runs $n iptables commands (at most $want)"
		else
			fail "iptapply $round apply runs $n iptables commands (at most $want)" \
				"$(sort "$tmp/calls" | uniq -c | tr '\n' ' ')"
		fi
	done
	ip netns del "$ns"
}
count_calls
