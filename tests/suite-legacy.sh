#!/bin/sh
# Legacy targets: every generated ipchains and ipfwadm script (the golden
# ipchains.out and ipfwadm.out, and the scripts test_legacy builds from
# hand-made IRs) must pass `sh -n` and `shellcheck -s sh`, run to the end
# with stub programs on a 2.2 or 2.0 kernel, and call the tools only in
# ways their manuals allow (tests/legacy/check_legacy.c). The checker
# itself is tested on command lines the tools accept and refuse, and the
# approximations' warnings are pinned (tests/legacy/warn, make golden).
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp_dir)

for t in ipchains ipfwadm; do
  (cd "$TESTS_DIR/legacy/warn" && "$MASQGEN" generate -t "$t" policy.masq) \
    >/dev/null 2>"$tmp/warn.$t.err"
  echo "exit $?" >>"$tmp/warn.$t.err"
  golden_compare "legacy warnings $t" "$tmp/warn.$t.err" "$TESTS_DIR/legacy/warn/$t.err"
done
[ "${GOLDEN:-0}" = 1 ] && exit 0
: "${UNIT_DIR:=$ROOT_DIR/build/default/unit}"
check=${LEGACY_CHECK:-$ROOT_DIR/build/default/check_legacy}
if [ ! -x "$check" ]; then
  fail "legacy checker" "$check not built (make check builds it)"
  exit 0
fi

# The stubs, alone on PATH when the fixtures run: nothing real can run.
bin=$tmp/bin
mkdir -p "$bin"
for p in ipchains ipfwadm ipmasqadm ipportfw modprobe depmod ifconfig uname iptables; do
  cp "$TESTS_DIR/legacy/stub" "$bin/$p"
  chmod +x "$bin/$p"
done

# The checker on the fixtures: good.txt must pass, each bad.txt line must
# fail with its message.
log=$tmp/good.log
: >"$log"
grep -v '^#' "$TESTS_DIR/legacy/good.txt" | while IFS= read -r cmd; do
  [ -n "$cmd" ] && LEGACY_LOG=$log LEGACY_KERNEL=2.2.20 PATH=$bin /bin/sh -c "$cmd"
done
if "$check" "$log" 2>"$tmp/good.err"; then
  pass "legacy checker accepts the HOWTO's command lines"
else
  fail "legacy checker accepts the HOWTO's command lines" "$(cat "$tmp/good.err")"
fi
n=0
grep -v '^#' "$TESTS_DIR/legacy/bad.txt" >"$tmp/bad.txt"
while IFS= read -r line; do
  [ -n "$line" ] || continue
  n=$((n + 1))
  msg=${line%%|*}
  cmd=${line#*|}
  log=$tmp/bad$n.log
  : >"$log"
  LEGACY_LOG=$log LEGACY_KERNEL=2.2.20 PATH=$bin /bin/sh -c "$cmd"
  if "$check" "$log" 2>"$tmp/bad.err"; then
    fail "legacy checker rejects: $cmd" "accepted"
  elif grep -qF -- "$msg" "$tmp/bad.err"; then
    pass "legacy checker rejects: $cmd"
  else
    fail "legacy checker rejects: $cmd" "wanted '$msg', got: $(cat "$tmp/bad.err")"
  fi
done <"$tmp/bad.txt"

# Prepare script $1 to run against the stubs and a fake /proc in $2:
# every program variable must point at a stub and nothing may name /proc.
stub_script() {
  sed -e "s|^IPCHAINS=.*|IPCHAINS=$bin/ipchains|" \
    -e "s|^IPFWADM=.*|IPFWADM=$bin/ipfwadm|" \
    -e "s|^IPMASQADM=.*|IPMASQADM=$bin/ipmasqadm|" \
    -e "s|^IPPORTFW=.*|IPPORTFW=$bin/ipportfw|" \
    -e "s|^DEPMOD=.*|DEPMOD=$bin/depmod|" \
    -e "s|^MODPROBE=.*|MODPROBE=$bin/modprobe|" \
    -e "s|^IFCONFIG=.*|IFCONFIG=$bin/ifconfig|" \
    -e "s|^UNAME=.*|UNAME=$bin/uname|" \
    -e "s|^PROC=.*|PROC=$2/proc|" "$1" >"$2/script.sh"
  if grep -E "^[A-Z]+=/" "$2/script.sh" | grep -Ev "^[A-Z]+=$bin/|^PROC=$2/proc\$|^AWK=/bin/awk\$" |
    grep -q .; then
    echo "a program path the test does not replace"
    return 1
  fi
  if grep -v '^PROC=' "$2/script.sh" | grep -v '^ *#' | grep -q '/proc'; then
    echo "names /proc directly"
    return 1
  fi
}

# Run a prepared script: $1 work dir, $2 kernel release, $3 external address.
run_stubbed() {
  rm -rf "$1/proc" "$1/log"
  mkdir -p "$1/proc/sys/net/ipv4/conf/all"
  : >"$1/log"
  LEGACY_LOG=$1/log LEGACY_KERNEL=$2 LEGACY_EXTIP=$3 PATH="$bin:/usr/bin:/bin" \
    sh "$1/script.sh" >"$1/out" 2>"$1/err"
}

# check_script NAME SCRIPT ERA(ipchains|ipfwadm)
check_script() {
  name=$1
  script=$2
  era=$3
  if [ "$era" = ipchains ]; then
    kernel=2.2.20 other=2.0.40 tools='ipchains|ipmasqadm'
  else
    kernel=2.0.40 other=2.2.20 tools='ipfwadm|ipportfw'
  fi
  if sh -n "$script" 2>"$tmp/err"; then
    pass "$name: sh -n"
  else
    fail "$name: sh -n" "$(cat "$tmp/err")"
  fi
  if ! command -v shellcheck >/dev/null; then
    fail "$name: shellcheck" "shellcheck is not installed (make deps)"
  elif shellcheck -s sh "$script" >"$tmp/err" 2>&1; then
    pass "$name: shellcheck"
  else
    fail "$name: shellcheck" "$(head -n 20 "$tmp/err")"
  fi
  work=$tmp/work
  rm -rf "$work"
  mkdir -p "$work"
  if ! why=$(stub_script "$script" "$work"); then
    fail "$name: runs with stubs" "$why"
    return
  fi
  run_stubbed "$work" "$kernel" 203.0.113.7
  rc=$?
  if [ $rc -ne 0 ]; then
    fail "$name: runs on Linux $kernel" "exit $rc: $(cat "$work/err")"
  elif ! "$check" "$work/log" 2>"$tmp/err"; then
    fail "$name: every command is valid" "$(head -n 20 "$tmp/err")"
  elif cut -f1 "$work/log" | grep -Evq "^(uname|ifconfig|depmod|modprobe|$tools)\$"; then
    fail "$name: runs only $era's tools" "$(cut -f1 "$work/log" | sort -u | tr '\n' ' ')"
  elif [ "$(cat "$work/proc/sys/net/ipv4/ip_forward" 2>/dev/null)" != 1 ]; then
    fail "$name: enables forwarding" "ip_forward not written"
  else
    pass "$name: runs on Linux $kernel, every command valid"
  fi
  for k in "$other" 6.1.0; do
    run_stubbed "$work" "$k" 203.0.113.7
    rc=$?
    if [ $rc -eq 1 ] && grep -q "this script is for Linux" "$work/err" &&
      [ "$(cut -f1 "$work/log" | sort -u)" = uname ]; then
      pass "$name: refuses Linux $k"
    else
      fail "$name: refuses Linux $k" "exit $rc, ran: $(cut -f1 "$work/log" | tr '\n' ' ')"
    fi
  done
  if grep -q '^IFCONFIG=' "$script"; then
    run_stubbed "$work" "$kernel" ""
    rc=$?
    if [ $rc -eq 1 ] && grep -q "has no IPv4 address" "$work/err" &&
      ! cut -f1 "$work/log" | grep -Eq "^($tools)\$"; then
      pass "$name: stops when the external address is missing"
    else
      fail "$name: stops when the external address is missing" "exit $rc"
    fi
  fi
}

found=0
for dir in "$TESTS_DIR"/golden/*/; do
  for era in ipchains ipfwadm; do
    [ -f "$dir$era.out" ] || continue
    found=$((found + 1))
    check_script "legacy $(basename "$dir") $era" "$dir$era.out" "$era"
  done
done
if [ -x "$UNIT_DIR/test_legacy" ]; then
  mkdir -p "$tmp/unit"
  "$UNIT_DIR/test_legacy" --write "$tmp/unit" >/dev/null 2>&1
  for script in "$tmp"/unit/*.sh; do
    [ -f "$script" ] || continue
    found=$((found + 1))
    era=${script%.sh}
    era=${era##*.}
    check_script "legacy unit $(basename "$script" .sh)" "$script" "$era"
  done
fi
if [ "$found" -eq 0 ]; then
  fail "legacy scripts" "no ipchains or ipfwadm script to check"
fi
