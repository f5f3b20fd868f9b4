# tests/lib.sh - shared by every test suite (POSIX sh). Sourced, not run.
#
# A suite calls pass NAME, fail NAME WHY, or skip NAME WHY for each test;
# tests/run.sh counts them from $RESULTS and prints the closing line.

: "${MASQGEN:?MASQGEN must name the masqgen binary}"
: "${RESULTS:=/dev/null}"
TESTS_DIR=$(cd "$(dirname "$0")" && while [ ! -f lib.sh ]; do cd ..; done; pwd)
ROOT_DIR=$(cd "$TESTS_DIR/.." && pwd)

pass() {
	printf 'ok   %s\n' "$1"
	printf 'pass %s\n' "$1" >>"$RESULTS"
}

# fail NAME DETAIL...: every detail argument is printed, none dropped
fail() {
	_fail_name=$1
	shift
	printf 'FAIL %s: %s\n' "$_fail_name" "$*"
	printf 'fail %s\n' "$_fail_name" >>"$RESULTS"
}

skip() {
	printf 'SKIP %s: %s\n' "$1" "$2"
	printf 'skip %s\n' "$1" >>"$RESULTS"
}

# Compare file $2 (actual) with expected file $3 for test $1; with
# GOLDEN=1, write the expected file instead. Prints a diff on mismatch.
golden_compare() {
	if [ "${GOLDEN:-0}" = 1 ]; then
		cp "$2" "$3"
		pass "$1 (written)"
		return 0
	fi
	if [ ! -f "$3" ]; then
		fail "$1" "no expected file $3 (run make golden and read the diff)"
		return 1
	fi
	if diff -u "$3" "$2" >"$2.diff" 2>&1; then
		pass "$1"
		return 0
	fi
	fail "$1" "differs from $3"
	head -n 40 "$2.diff"
	return 1
}

# same_file NAME EXPECTED ACTUAL [WHY]: pass NAME when the two files are
# byte-identical, else fail it with WHY (default "differs") and show the diff.
same_file() {
	if cmp -s "$2" "$3"; then
		pass "$1"
	else
		fail "$1" "${4:-differs}"
		diff -u "$2" "$3" | head -n 30
	fi
}

# A fresh temporary directory, removed when the suite exits. Suites call it
# as tmp=$(mktemp_dir): a trap set in that subshell would fire at once, so
# the trap belongs to the suite's shell and covers one parent directory.
# A suite with more to undo (namespaces, background processes) defines its
# own suite_cleanup, which runs first, and leaves the EXIT trap alone.
SUITE_TMP=$(mktemp -d "${TMPDIR:-/tmp}/masqgen-test.XXXXXX")
suite_cleanup() { :; }
trap 'suite_cleanup; rm -rf "$SUITE_TMP"' EXIT
mktemp_dir() {
	mktemp -d "$SUITE_TMP/d.XXXXXX"
}

# expect_exit NAME WANT GOT [OUTPUT-FILE]: pass NAME when exit status GOT is
# WANT, else fail it, quoting the start of OUTPUT-FILE when given.
expect_exit() {
	if [ "$3" -eq "$2" ]; then
		pass "$1"
	else
		fail "$1" "exit $3, expected $2${4:+: $(head -20 "$4")}"
	fi
}

# wait_for MAX_TENTHS COMMAND...: COMMAND succeeds within MAX_TENTHS
# tenths of a second
wait_for() {
	_max=$1
	shift
	_i=0
	until "$@"; do
		[ $_i -ge "$_max" ] && return 1
		sleep 0.1
		_i=$((_i + 1))
	done
}

# big_policy FILE: a policy with 3,000 forwards (element messages split
# over 64 KiB), 40 allowed ports from 40 sources (named sets) and a 1:1 NAT.
big_policy() {
	{
		echo "external ppp0 dynamic"
		echo "internal eth1 10.1.0.1/16"
		echo "nat 203.0.113.9 to 10.1.0.9"
		_i=0
		while [ $_i -lt 3000 ]; do
			echo "forward tcp $((20000 + _i)) to 10.1.$((_i / 250)).$((_i % 250 + 2)):$((1000 + _i % 7))"
			_i=$((_i + 1))
		done
		_i=0
		while [ $_i -lt 40 ]; do
			echo "allow tcp $((3000 + 2 * _i)) from 198.51.100.$((_i * 4))/30"
			_i=$((_i + 1))
		done
		echo "firewall strong"
	} >"$1"
}
