#!/usr/bin/env bash
# LeakSanitizer on short training and inference runs against the addon (issue 15):
#   bash scripts/lsan_check.sh [steps=8]      (npm run leakcheck:lsan)
# Runs test/reliability/leak_child.mjs (Trainer steps, the README's eager loop, forwardAsync
# calls, save/load round trips) on the release build with gcc's standalone LeakSanitizer
# preloaded; it checks for leaks when the process exits. Proof that the check ran: its tracer's
# log line ("Attached to thread", verbosity=2), and leaks planted on purpose
# (scripts/lsan/planted_leak.c, 64 blocks of 4,242 bytes) that it must report. Any other leak
# is a finding.
# Suppressions, if ever needed, go in scripts/lsan/suppressions.txt with the reason beside each.
# Exits 1 on any other leak, or when the check did not run.
set -euo pipefail
cd "$(dirname "$0")/.."
steps=${1:-8}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
gcc -shared -fPIC -O2 -g -o "$work/planted_leak.so" scripts/lsan/planted_leak.c
liblsan=$(g++ -print-file-name=liblsan.so)
status=0
for mode in trainer loop forwardAsync saveLoad; do
  log="$work/$mode.log"
  set +e
  LD_PRELOAD="$liblsan:$work/planted_leak.so" \
    LSAN_OPTIONS="exitcode=23:verbosity=2:suppressions=$PWD/scripts/lsan/suppressions.txt:print_suppressions=1" \
    node --expose-gc test/reliability/leak_child.mjs "$mode" "$steps" "$work" >"$log" 2>&1
  rc=$?
  set -e
  # One record per leak: its header line and its stack, up to the blank line after it.
  records=$(awk '/^(Direct|Indirect) leak of/{r=$0; next} r!="" && NF==0 {print r; r=""} r!="" {r=r" | "$0}' "$log")
  planted=$(grep -c 'planted_leak' <<<"$records" || true)
  others=$(grep -v 'planted_leak' <<<"$records" | grep -c . || true)
  ran=$(grep -c 'Attached to thread' "$log" || true)
  echo "lsan: $mode, $steps steps: exit $rc, check ran: $([ "$ran" -gt 0 ] && echo yes || echo NO), planted leaks reported: $planted, other leaks: $others"
  if [ "$ran" -eq 0 ] || [ "$planted" -ne 1 ] || [ "$others" -ne 0 ] || [ "$rc" -ne 23 ]; then
    status=1
    sed -n '/ERROR: LeakSanitizer/,$p' "$log" | head -80
  fi
done
exit $status
