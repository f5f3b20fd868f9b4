#!/bin/sh
# explain against the kernel (root): the verdict `masqgen explain` gives a
# packet must be the one the kernel gives it.
#
# First its own gateway (tests/lib-netns.sh) with a forward, an allowed
# port and a closed one, and dual-stack (an IPv6 pinhole, a closed IPv6
# host, the gateway over IPv6), loaded by the iptables rc.firewall script
# (both families) and by apply (nft): each probe is a TCP connection,
# accepted when it connects.
#
# Then `masqgen lab --tsv` on every rules/*.masq: for each probe the lab
# ran, explain on the same packet must reach the verdict the kernel gave.
# And `masqgen lab --tsv --sample 8` on every golden policy: drawn packets
# sent through the lab's gateway, where the kernel, explain and the lab's
# prediction must all agree.
#
# The lab's --tsv rows carry, besides probe, expected, got and pass|FAIL:
#   column 5  explain's arguments for the probe's first packet, as the
#             gateway sees it: [--address=IFACE=ADDR ...] PACKET, e.g.
#             --address=eth0=203.0.113.2 tcp 192.168.0.2:40000 -> 203.0.113.1:7 in eth1
#             (in IFACE: the gateway interface it arrives on; out IFACE alone
#             for a packet the gateway sends itself)
#   column 6  the kernel's verdict on that packet: accept or drop (drop also
#             for reject; a probe without a verdict of the gateway leaves 5
#             and 6 empty)
# Rows without them are not compared.
. "$(dirname "$0")/lib.sh"
cd "$ROOT_DIR" || exit 2
[ "${GOLDEN:-0}" = 1 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
	skip "kernel explain" "needs root (network namespaces)"
	exit 0
fi
. "$TESTS_DIR/lib-netns.sh"
tmp=$(mktemp_dir)
suite_cleanup() { netns_cleanup; }
unset SSH_CONNECTION SSH_CLIENT
export MASQGEN_STATE_DIR="$tmp/state" MASQGEN_RUN_DIR="$tmp/run"

cat >"$tmp/policy.masq" <<'POLICY'
external eth0 address 203.0.113.1
internal eth1 192.168.77.1/24, 2001:db8:1::1/64
forward tcp 8080 to 192.168.77.10:80
allow tcp 22 from 203.0.113.0/24
allow forward tcp 18104 to 2001:db8:1::10
POLICY
# name, client and listener namespace, address, port, listener port, explain's packet
cat >"$tmp/probes" <<'PROBES'
lan-out	LAN	NET	203.0.113.2	18100	18100	tcp 192.168.77.10:40000 -> 203.0.113.2:18100 in eth1
forward	NET	LAN	203.0.113.1	8080	80	tcp 203.0.113.2:40000 -> 203.0.113.1:8080 in eth0
direct	NET	LAN	192.168.77.10	18101	18101	tcp 203.0.113.2:40000 -> 192.168.77.10:18101 in eth0
closed	NET	GW	203.0.113.1	2323	2323	tcp 203.0.113.2:40000 -> 203.0.113.1:2323 in eth0
allowed	NET	GW	203.0.113.1	22	22	tcp 203.0.113.2:40000 -> 203.0.113.1:22 in eth0
own	GW	NET	203.0.113.2	18102	18102	tcp 203.0.113.1:40000 -> 203.0.113.2:18102 out eth0
lan-gw	LAN	GW	192.168.77.1	18103	18103	tcp 192.168.77.10:40000 -> 192.168.77.1:18103 in eth1
reflect	LAN	LAN	203.0.113.1	8080	80	tcp 192.168.77.10:40000 -> 203.0.113.1:8080 in eth1
lan-out6	LAN	NET	2001:db8:ff::2	18110	18110	tcp [2001:db8:1::10]:40000 -> [2001:db8:ff::2]:18110 in eth1
pinhole6	NET	LAN	2001:db8:1::10	18104	18104	tcp [2001:db8:ff::2]:40000 -> [2001:db8:1::10]:18104 in eth0
closed6	NET	LAN	2001:db8:1::10	18111	18111	tcp [2001:db8:ff::2]:40000 -> [2001:db8:1::10]:18111 in eth0
gw6	NET	GW	2001:db8:ff::1	22	22	tcp [2001:db8:ff::2]:40000 -> [2001:db8:ff::1]:22 in eth0
lan-gw6	LAN	GW	2001:db8:1::1	18103	18103	tcp [2001:db8:1::10]:40000 -> [2001:db8:1::1]:18103 in eth1
PROBES

netns_name() {
	case $1 in
	LAN) echo "$NS_LAN" ;;
	GW) echo "$NS_GW" ;;
	NET) echo "$NS_NET" ;;
	esac
}

# compare BACKEND: every probe against explain
compare() {
	while IFS="$(printf '\t')" read -r name from to addr port lport packet; do
		from_ns=$(netns_name "$from") to_ns=$(netns_name "$to")
		seen=$(netns_connect "$from_ns" "$to_ns" "$addr" "$port" "$lport")
		kernel=accept
		[ "$seen" = none ] && kernel=drop
		"$MASQGEN" explain "$tmp/policy.masq" "$packet" >"$tmp/explain" 2>&1
		case $? in
		0) said=accept ;;
		5) said=drop ;;
		*) said="error: $(head -n 2 "$tmp/explain")" ;;
		esac
		if [ "$said" = "$kernel" ]; then
			pass "kernel explain $1 $name: $kernel"
		else
			fail "kernel explain $1 $name" "kernel: $kernel, explain: $said"
			sed 's/^/    /' "$tmp/explain"
		fi
	done <"$tmp/probes"
}

if ! netns_setup routed || ! netns_setup_v6; then
	fail "kernel explain setup" "cannot build the namespaces"
	exit 0
fi
if "$MASQGEN" init-script -t iptables -o "$tmp/rc" "$tmp/policy.masq" >/dev/null &&
	ip netns exec "$NS_GW" "$tmp/rc/firewall-iptables" start >"$tmp/out" 2>&1; then
	compare iptables
	ip netns exec "$NS_GW" "$tmp/rc/firewall-iptables" stop >/dev/null 2>&1
else
	fail "kernel explain iptables" "cannot load the rc.firewall script: $(tail -n 3 "$tmp/out")"
fi
if ! "$MASQGEN" apply --help >/dev/null 2>&1; then
	skip "kernel explain nft and lab" "'masqgen apply' is not implemented yet"
	exit 0
fi
if ip netns exec "$NS_GW" "$MASQGEN" apply "$tmp/policy.masq" >"$tmp/out" 2>&1; then
	compare nft
	ip netns exec "$NS_GW" "$MASQGEN" flush >/dev/null 2>&1
else
	fail "kernel explain nft" "apply failed: $(tail -n 3 "$tmp/out")"
fi
netns_cleanup
if ! "$MASQGEN" lab --help >/dev/null 2>&1; then
	skip "kernel explain lab" "'masqgen lab' is not implemented yet"
	exit 0
fi

# lab_compare NAME POLICY [LAB OPTION...]: run the lab on POLICY; explain
# must give every row the kernel's verdict, and drawn packets (--sample)
# must also be as the lab predicted (the row passed).
lab_compare() {
	name=$1 policy=$2
	shift 2
	timeout 600 "$MASQGEN" lab --tsv "$@" "$policy" >"$tmp/$name.tsv" 2>"$tmp/err"
	rc=$?
	if [ $rc -ne 0 ] && [ $rc -ne 5 ]; then
		fail "kernel explain $name" "lab exit $rc: $(head -n 3 "$tmp/err")"
		return
	fi
	grep -v '^#' "$tmp/$name.tsv" | awk -F '\t' 'NF >= 6 && $5 != "" && $6 != ""' \
		>"$tmp/$name.rows"
	while IFS="$(printf '\t')" read -r probe _ got result args verdict; do
		opts='' packet=$args
		while :; do
			case $packet in
			--*) opts="$opts ${packet%% *}" packet=${packet#* } ;;
			*) break ;;
			esac
		done
		# shellcheck disable=SC2086 # opts are words
		"$MASQGEN" explain $opts "$policy" "$packet" >"$tmp/explain" 2>&1
		case $? in
		0) said=accept ;;
		5) said=drop ;;
		*) said="error: $(head -n 2 "$tmp/explain")" ;;
		esac
		compared=$((compared + 1))
		case $probe in
		"sample "*)
			if [ "$result" != pass ]; then
				fail "kernel explain $name: $probe" "the lab predicted otherwise: $got"
			fi
			;;
		esac
		if [ "$said" = "$verdict" ]; then
			pass "kernel explain $name: $probe"
		else
			fail "kernel explain $name: $probe" "kernel: $verdict, explain: $said ($args)"
			sed 's/^/    /' "$tmp/explain"
		fi
	done <"$tmp/$name.rows"
}

compared=0
for policy in rules/*.masq; do
	lab_compare "$(basename "$policy" .masq)" "$policy"
done
# packets drawn for every golden policy (tests/unit/test_ir_match.c draws
# thousands without a kernel): the kernel, explain and the lab agree
for policy in tests/golden/*/policy.masq tests/golden/*/policy.yaml; do
	name=$(basename "$(dirname "$policy")")
	lab_compare "golden $name" "$policy" --sample 8
done
# Not a skip: the namespace probes above compared explain with the kernel
# already; the lab's rows add more once it prints them.
if [ "$compared" -eq 0 ]; then
	echo "note: the lab prints no packets for explain yet (--tsv columns 5 and 6)"
fi
