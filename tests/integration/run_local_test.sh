#!/usr/bin/env bash
# `logsweep run` (local coordinator + worker processes over ipc) on a
# generated corpus of 30 files, given as a directory and as a glob.
source "$(dirname "$0")/lib.sh"

generate "$WORK/corpus" 30 --lines 2000 --plain 3 --seed 11

# Children of this test's runs live under their own TMPDIR, so the check
# for stray processes below cannot see other tests' runs.
mkdir -p "$WORK/tmp"
export TMPDIR="$WORK/tmp"

"$BIN/logsweep" run --workers 2 "$WORK/corpus" >"$WORK/dir.txt" \
  2>"$WORK/dir.err" || fail "run on a directory exited $?: $(cat "$WORK/dir.err")"
expect_same "$WORK/corpus/expected.txt" "$WORK/dir.txt" "run DIR"

"$BIN/logsweep" run --workers 1 --threads 2 "$WORK/corpus/access-*" \
  >"$WORK/glob.txt" 2>/dev/null || fail "run on a glob exited $?"
expect_same "$WORK/corpus/expected.txt" "$WORK/glob.txt" "run GLOB"

# No stray processes are left behind by run.
if pgrep -f "$WORK/tmp/logsweep-run-" >/dev/null; then fail "run left processes"; fi
[ -z "$(ls -A "$WORK/tmp")" ] || fail "run left its directory: $(ls "$WORK/tmp")"


# If `logsweep run` itself is killed, its coordinator and workers follow.
LOGSWEEP_FAULT_STALL=access-0000 "$BIN/logsweep" run -q --workers 2 \
  "$WORK/corpus" >/dev/null 2>&1 &
RUN_PID=$!
for _ in $(seq 1 200); do
  [ "$(pgrep -fc "$WORK/tmp/logsweep-run-")" -ge 3 ] && break
  sleep 0.05
done
[ "$(pgrep -fc "$WORK/tmp/logsweep-run-")" -ge 3 ] || fail "run did not start its children"
sleep 0.3  # the workers are now stuck on file 0 (LOGSWEEP_FAULT_STALL)
kill -KILL "$RUN_PID"
wait "$RUN_PID" 2>/dev/null || true
for _ in $(seq 1 200); do
  pgrep -f "$WORK/tmp/logsweep-run-" >/dev/null || break
  sleep 0.05
done
if pgrep -f "$WORK/tmp/logsweep-run-" >/dev/null; then
  pkill -KILL -f "$WORK/tmp/logsweep-run-" || true
  fail "children outlived a killed logsweep run"
fi
rm -rf "$WORK/tmp"/logsweep-run-*

# Usage errors exit 2.
set +e
"$BIN/logsweep" run >/dev/null 2>&1
rc=$?
set -e
[ "$rc" -eq 2 ] || fail "missing PATH should exit 2, got $rc"
echo "PASS run_local"
