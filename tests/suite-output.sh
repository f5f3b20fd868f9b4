#!/bin/sh
# -o FILE (util_write_file_mode): a regular file is replaced atomically and
# keeps its mode; a FIFO or a character device is written into and stays
# what it is; a symbolic link stays a link and its target is written; a
# dangling link or a directory is refused. init-script -o DIR refuses a
# directory others can write to or that is not root's, and its scripts get
# their modes. The test device is a node made in a temporary directory;
# the real /dev/null is only written to, and must stay a character device.
. "$(dirname "$0")/lib.sh"
[ "${GOLDEN:-0}" = 1 ] && exit 0
tmp=$(mktemp_dir)
policy="$TESTS_DIR/golden/stronger/policy.masq"
"$MASQGEN" generate -t nft "$policy" >"$tmp/want" 2>/dev/null

# kind FILE: what FILE is, as test(1) sees it
kind() {
	if [ -L "$1" ]; then echo link
	elif [ -p "$1" ]; then echo fifo
	elif [ -c "$1" ]; then echo chardev
	elif [ -d "$1" ]; then echo dir
	elif [ -f "$1" ]; then echo file
	else echo none
	fi
}

# expect_kind NAME FILE KIND
expect_kind() {
	k=$(kind "$2")
	if [ "$k" = "$3" ]; then
		pass "$1"
	else
		fail "$1" "$2 is a $k, not a $3"
	fi
}

# a regular file: replaced, mode kept
printf 'old\n' >"$tmp/out.nft"
chmod 640 "$tmp/out.nft"
"$MASQGEN" generate -t nft -o "$tmp/out.nft" "$policy" 2>/dev/null
same_file "output: a regular file is replaced" "$tmp/want" "$tmp/out.nft"
mode=$(stat -c %a "$tmp/out.nft")
if [ "$mode" = 640 ]; then
	pass "output: a replaced file keeps its mode"
else
	fail "output: a replaced file keeps its mode" "mode $mode"
fi

# a FIFO: written into, as "> FIFO" would
mkfifo "$tmp/fifo"
timeout 20 cat "$tmp/fifo" >"$tmp/fifo.out" &
reader=$!
timeout 20 "$MASQGEN" generate -t nft -o "$tmp/fifo" "$policy" 2>"$tmp/err"
rc=$?
wait "$reader"
expect_exit "output: a FIFO is written" 0 "$rc" "$tmp/err"
expect_kind "output: a FIFO stays a FIFO" "$tmp/fifo" fifo
same_file "output: the FIFO's reader gets the ruleset" "$tmp/want" "$tmp/fifo.out"

# a character device made for the test (the kernel's null device)
if [ "$(id -u)" -eq 0 ] && mknod "$tmp/null" c 1 3 2>/dev/null; then
	"$MASQGEN" generate -t nft -o "$tmp/null" "$policy" 2>"$tmp/err"
	expect_exit "output: a test device is written" 0 $? "$tmp/err"
	expect_kind "output: a test device stays a device" "$tmp/null" chardev
	mode=$(stat -c %a "$tmp/null")
	"$MASQGEN" init-script -o "$tmp/null" "$policy" 2>"$tmp/err"
	expect_exit "output: init-script writes a test device" 0 $? "$tmp/err"
	expect_kind "output: init-script leaves a test device a device" "$tmp/null" chardev
	new_mode=$(stat -c %a "$tmp/null")
	if [ "$new_mode" = "$mode" ]; then
		pass "output: init-script leaves a device's mode alone"
	else
		fail "output: init-script leaves a device's mode alone" "$mode became $new_mode"
	fi
else
	fail "output: a test device is written" "cannot make a device node (needs root)"
fi

# the real /dev/null: written into, never replaced
"$MASQGEN" generate -t nft -o /dev/null "$policy" 2>"$tmp/err"
expect_exit "output: -o /dev/null" 0 $? "$tmp/err"
expect_kind "output: /dev/null stays a character device" /dev/null chardev

# a symbolic link: stays a link, its target gets the ruleset
printf 'old\n' >"$tmp/target.nft"
ln -s target.nft "$tmp/link.nft"
"$MASQGEN" generate -t nft -o "$tmp/link.nft" "$policy" 2>"$tmp/err"
expect_exit "output: a symbolic link is written" 0 $? "$tmp/err"
expect_kind "output: a symbolic link stays a link" "$tmp/link.nft" link
same_file "output: the link's target gets the ruleset" "$tmp/want" "$tmp/target.nft"

# refused: a dangling link, a directory
ln -s missing/x.nft "$tmp/dangling"
"$MASQGEN" generate -t nft -o "$tmp/dangling" "$policy" 2>"$tmp/err"
rc=$?
if [ $rc -ne 0 ] && grep -q 'symbolic link' "$tmp/err" && [ "$(kind "$tmp/dangling")" = link ]; then
	pass "output: a dangling link is refused"
else
	fail "output: a dangling link is refused" "exit $rc: $(head -n 2 "$tmp/err")"
fi
mkdir "$tmp/dir"
"$MASQGEN" generate -t nft -o "$tmp/dir" "$policy" 2>"$tmp/err"
rc=$?
# a system error, said the way diag says every one
want="masqgen: error: cannot write '$tmp/dir': not a regular file, a character device or a FIFO"
if [ $rc -eq 3 ] && [ -z "$(ls "$tmp/dir")" ] && [ "$(cat "$tmp/err")" = "$want" ]; then
	pass "output: a directory is refused"
else
	fail "output: a directory is refused" "exit $rc: $(head -n 2 "$tmp/err")"
fi

# init-script -o DIR: root's, writable by root alone
mkdir -m 755 "$tmp/init"
"$MASQGEN" init-script -t ipchains -o "$tmp/init" "$policy" >/dev/null 2>"$tmp/err"
expect_exit "output: init-script -o DIR" 0 $? "$tmp/err"
modes="$(stat -c %a "$tmp/init/rc.firewall-ipchains") $(stat -c %a "$tmp/init/firewall-ipchains")"
if [ "$modes" = "700 755" ]; then
	pass "output: init-script scripts get their modes"
else
	fail "output: init-script scripts get their modes" "modes $modes"
fi
# refused_dir NAME DIR: init-script -o DIR fails, says why, and writes nothing
refused_dir() {
	"$MASQGEN" init-script -t ipchains -o "$2" "$policy" >/dev/null 2>"$tmp/err"
	rc=$?
	if [ $rc -ne 0 ] && grep -q 'refusing a directory' "$tmp/err" && [ -z "$(ls "$2")" ]; then
		pass "$1"
	else
		fail "$1" "exit $rc"
	fi
}
mkdir -m 775 "$tmp/group"
refused_dir "output: init-script refuses a group-writable directory" "$tmp/group"
if [ "$(id -u)" -eq 0 ]; then
	mkdir -m 755 "$tmp/nobody"
	chown 65534 "$tmp/nobody"
	refused_dir "output: init-script refuses a directory that is not root's" "$tmp/nobody"
fi
