#!/bin/sh
# tests/bench/connrate.sh - new connections per second through a gateway
# with 1 forward and with 10,000 forwards (root). The target is a ratio of
# at least 0.9 for nft (forwards are a map lookup, not a rule per forward)
# and 0.5 for iptables (a tree of chains by destination port).
#
#   MASQGEN=./masqgen sh tests/bench/connrate.sh [-t nft|iptables] [SECONDS]
#
# For each policy it runs `masqgen lab --keep` (a real lab, the policy
# applied through masqgen apply, the lab's probes first), then connects
# from the far Internet client 198.51.100.10 to the forwarded port as fast
# as one process can for SECONDS (default 3), twice per lab, alternating,
# and keeps each lab's best. Prints both rates and the ratio; exits 1
# below the target or on any error. The labs are removed at the end.
set -u
cd "$(dirname "$0")/../.." || exit 2
: "${MASQGEN:=$(pwd)/masqgen}"
: "${CC:=cc}"
target=nft
if [ "${1:-}" = -t ]; then
	target=$2
	shift 2
fi
seconds=${1:-3}
want=0.9
[ "$target" = iptables ] && want=0.5
if [ "$(id -u)" != 0 ]; then
	echo "connrate: needs root (network namespaces)" >&2
	exit 2
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/masqgen-connrate.XXXXXX")
kept=
server_pid=
cleanup() {
	drop_lab
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

"$CC" -O2 -Wall -o "$tmp/connrate" tests/bench/connrate.c || exit 2

# The policies: the measured forward (tcp 80 to 192.168.0.10) alone, and
# with 9,999 more forwards to the same server.
head='external eth0 address 203.0.113.2
internal eth1 192.168.0.1/24
firewall strong
forward tcp http to 192.168.0.10'
printf '%s\n' "$head" >"$tmp/one.masq"
{
	printf '%s\n' "$head"
	i=20000
	while [ "$i" -lt 29999 ]; do
		printf 'forward tcp %s to 192.168.0.10\n' "$i"
		i=$((i + 1))
	done
} >"$tmp/many.masq"

# Drop the kept labs and the server.
drop_lab() {
	if [ -n "$server_pid" ]; then
		kill "$server_pid" 2>/dev/null
		wait "$server_pid" 2>/dev/null
		server_pid=
	fi
	for ns in $kept; do
		ip netns del "$ns" 2>/dev/null
	done
	kept=
}

# Build a kept lab for policy $1; its Internet host and server namespaces
# go to "$tmp/$2.ns".
build() {
	"$MASQGEN" lab -t "$target" --keep --tsv "$1" >"$tmp/lab.out" 2>"$tmp/lab.err"
	lab_rc=$?
	these=$(sed -n 's/.*for ns in \(.*\); do ip netns del.*/\1/p' "$tmp/lab.err")
	kept="$kept $these"
	if [ -z "$these" ]; then
		echo "connrate: the lab for $1 was not built (exit $lab_rc):" >&2
		cat "$tmp/lab.err" >&2
		return 1
	fi
	if [ "$lab_rc" != 0 ]; then
		echo "connrate: lab probes failed for $1:" >&2
		grep 'FAIL$' "$tmp/lab.out" >&2
	fi
	inet='' srv=''
	for ns in $these; do
		case "$ns" in *-inet) inet=$ns ;; esac
		ip -n "$ns" -br addr show eth0 2>/dev/null | grep -q ' 192\.168\.0\.10/' && srv=$ns
	done
	if [ -z "$inet" ] || [ -z "$srv" ]; then
		echo "connrate: no Internet host or server in the lab for $1" >&2
		return 1
	fi
	echo "$inet $srv" >"$tmp/$2.ns"
}

# One measurement through lab $1; appends the rate to "$tmp/$1.rates".
measure() {
	read -r inet srv <"$tmp/$1.ns"
	ip netns exec "$srv" "$tmp/connrate" server 80 >/dev/null 2>&1 &
	server_pid=$!
	sleep 0.3
	ip netns exec "$inet" "$tmp/connrate" client 198.51.100.10 203.0.113.2 80 "$seconds" \
		>"$tmp/rate.out"
	rc=$?
	kill "$server_pid" 2>/dev/null
	wait "$server_pid" 2>/dev/null
	server_pid=
	[ "$rc" = 0 ] && cut -d' ' -f3 "$tmp/rate.out" >>"$tmp/$1.rates"
}

build "$tmp/one.masq" one || exit 1
build "$tmp/many.masq" many || exit 1
# alternate, so a load change on the machine hits both; keep each best
for _ in 1 2; do
	measure one || exit 1
	measure many || exit 1
done
one=$(sort -n "$tmp/one.rates" | tail -n 1)
many=$(sort -n "$tmp/many.rates" | tail -n 1)
ratio=$(awk -v a="$many" -v b="$one" 'BEGIN { printf "%.2f", a / b }')
echo "connrate ($target): 1 forward $one conn/s, 10000 forwards $many conn/s, ratio $ratio (target >= $want)"
awk -v r="$ratio" -v w="$want" 'BEGIN { exit !(r >= w) }'
