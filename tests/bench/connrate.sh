#!/bin/sh
# tests/bench/connrate.sh - new connections per second through a gateway
# with 1 forward and with 10,000 forwards (root). The target is a ratio of
# at least 0.9: forwards are a map lookup, not a rule per forward.
#
#   MASQGEN=./masqgen sh tests/bench/connrate.sh [-t nft|iptables] [SECONDS]
#
# For each policy it runs `masqgen lab --keep` (a real lab, the policy
# applied through masqgen apply, the lab's probes first), then connects
# from the far Internet client 198.51.100.10 to the forwarded port as fast
# as one process can for SECONDS (default 3), and removes the lab.
# Prints both rates and the ratio; exits 1 below 0.9 or on any error.
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
if [ "$(id -u)" != 0 ]; then
	echo "connrate: needs root (network namespaces)" >&2
	exit 2
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/masqgen-connrate.XXXXXX")
kept=
server_pid=
cleanup() {
	[ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null
	for ns in $kept; do
		ip netns del "$ns" 2>/dev/null
	done
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

# Rate through the gateway for policy $1; prints it.
rate() {
	"$MASQGEN" lab -t "$target" --keep --tsv "$1" >"$tmp/lab.out" 2>"$tmp/lab.err"
	lab_rc=$?
	kept=$(sed -n 's/.*for ns in \(.*\); do ip netns del.*/\1/p' "$tmp/lab.err")
	if [ -z "$kept" ]; then
		echo "connrate: the lab for $1 was not built (exit $lab_rc):" >&2
		cat "$tmp/lab.err" >&2
		return 1
	fi
	[ "$lab_rc" = 0 ] || { echo "connrate: lab probes failed for $1:" >&2; grep 'FAIL$' "$tmp/lab.out" >&2; }
	inet='' srv=''
	for ns in $kept; do
		case "$ns" in *-inet) inet=$ns ;; esac
		ip -n "$ns" -br addr show eth0 2>/dev/null | grep -q ' 192\.168\.0\.10/' && srv=$ns
	done
	if [ -z "$inet" ] || [ -z "$srv" ]; then
		echo "connrate: no Internet host or server in the lab" >&2
		return 1
	fi
	ip netns exec "$srv" "$tmp/connrate" server 80 &
	server_pid=$!
	sleep 0.3
	ip netns exec "$inet" "$tmp/connrate" client 198.51.100.10 203.0.113.2 80 "$seconds" \
		>"$tmp/rate" || return 1
	kill "$server_pid" 2>/dev/null
	wait "$server_pid" 2>/dev/null
	server_pid=
	for ns in $kept; do
		ip netns del "$ns" 2>/dev/null
	done
	kept=
	cut -d' ' -f3 "$tmp/rate"
}

one=$(rate "$tmp/one.masq") || exit 1
many=$(rate "$tmp/many.masq") || exit 1
ratio=$(awk -v a="$many" -v b="$one" 'BEGIN { printf "%.2f", a / b }')
echo "connrate ($target): 1 forward $one conn/s, 10000 forwards $many conn/s, ratio $ratio (target >= 0.9)"
awk -v r="$ratio" 'BEGIN { exit !(r >= 0.9) }'
