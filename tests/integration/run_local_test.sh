#!/usr/bin/env bash
# `logsweep run` (local coordinator + worker processes over ipc) on a
# generated corpus of 30 files, given as a directory and as a glob.
source "$(dirname "$0")/lib.sh"

generate "$WORK/corpus" 30 --lines 2000 --plain 3 --seed 11

# Each run gets a session of its own (setsid), so the checks for stray
# processes see only that run's workers, not other tests' processes. The
# workers are forked, not exec'd: their command line is the run's own.
mkdir -p "$WORK/tmp"
export TMPDIR="$WORK/tmp"
# run_in_session SIDFILE ARGS...: runs `logsweep ARGS` as the leader of a
# new session and writes its session id to SIDFILE first.
run_in_session() {
  local sidfile=$1
  shift
  setsid -w bash -c 'echo $$ >"$0"; exec "$@"' "$sidfile" "$BIN/logsweep" "$@"
}

run_in_session "$WORK/dir.sid" run --workers 2 "$WORK/corpus" >"$WORK/dir.txt" \
  2>"$WORK/dir.err" || fail "run on a directory exited $?: $(cat "$WORK/dir.err")"
expect_same "$WORK/corpus/expected.txt" "$WORK/dir.txt" "run DIR"

run_in_session "$WORK/glob.sid" run --workers 1 --threads 2 \
  "$WORK/corpus/access-*" >"$WORK/glob.txt" 2>/dev/null || fail "run on a glob exited $?"
expect_same "$WORK/corpus/expected.txt" "$WORK/glob.txt" "run GLOB"

# No stray processes are left behind by run, nor its directory.
for sid in "$WORK/dir.sid" "$WORK/glob.sid"; do
  if pgrep -s "$(cat "$sid")" >/dev/null; then
    fail "run left processes: $(pgrep -a -s "$(cat "$sid")")"
  fi
done
[ -z "$(ls -A "$WORK/tmp")" ] || fail "run left its directory: $(ls "$WORK/tmp")"

# A log too big to finish soon keeps a run busy: one line, then 200 GB of
# a sparse file's zeros (no disk used). Stopping cancels its scan.
mkdir -p "$WORK/huge"
printf 'x - - [01/Jan/2026:00:00:00 +0000] "GET / HTTP/1.1" 200 1\n' >"$WORK/huge/huge.log"
truncate -s 200G "$WORK/huge/huge.log"

# The workers are processes of their own, named logsweep-worker.
run_in_session "$WORK/kill.sid" run -q \
  --workers 2 "$WORK/huge" "$WORK/corpus" >/dev/null 2>&1 &
RUN_PID=$!
SID=""
for _ in $(seq 1 200); do
  [ -s "$WORK/kill.sid" ] && SID=$(cat "$WORK/kill.sid") &&
    [ "$(pgrep -c -x logsweep-worker -s "$SID")" -ge 2 ] && break
  sleep 0.05
done
[ -n "$SID" ] || fail "run did not start"
if [ "$(pgrep -c -x logsweep-worker -s "$SID")" -lt 2 ]; then
  pgrep -a -s "$SID" >&2 || true
  pkill -KILL -s "$SID" || true
  fail "run did not start 2 worker processes"
fi

# If `logsweep run` itself is killed, its workers follow. It leads its
# session, so its pid is the session id.
sleep 0.3  # a worker is now deep in the huge file
kill -KILL "$SID"
wait "$RUN_PID" 2>/dev/null || true
for _ in $(seq 1 200); do
  pgrep -s "$SID" >/dev/null || break
  sleep 0.05
done
if pgrep -s "$SID" >/dev/null; then
  pkill -KILL -s "$SID" || true
  fail "workers outlived a killed logsweep run"
fi
rm -rf "$WORK/tmp"/logsweep-run-*

# Ctrl-C (SIGINT) on `logsweep run`: exit 130, its workers reaped and its
# directory removed before it exits.
run_in_session "$WORK/int.sid" run -q \
  --workers 2 "$WORK/huge" "$WORK/corpus" >/dev/null 2>"$WORK/int.err" &
INT_PID=$!
SID=""
for _ in $(seq 1 200); do
  [ -s "$WORK/int.sid" ] && SID=$(cat "$WORK/int.sid") &&
    [ "$(pgrep -c -x logsweep-worker -s "$SID")" -ge 2 ] && break
  sleep 0.05
done
[ -n "$SID" ] || fail "run did not start: $(cat "$WORK/int.err")"
sleep 0.5  # the job is running: the huge file takes minutes
kill -INT "$SID"
wait_exit "$INT_PID" "an interrupted run"
[ "$EXIT_CODE" -eq 130 ] || fail "interrupted run: exit $EXIT_CODE, want 130: $(cat "$WORK/int.err")"
grep -q "logsweep: interrupted" "$WORK/int.err" || fail "interrupted run said: $(cat "$WORK/int.err")"
if pgrep -s "$SID" >/dev/null; then
  pkill -KILL -s "$SID" || true
  fail "an interrupted run left processes"
fi
[ -z "$(ls -A "$WORK/tmp")" ] || fail "an interrupted run left its directory: $(ls "$WORK/tmp")"

# Usage errors exit 2.
set +e
"$BIN/logsweep" run >/dev/null 2>&1
rc=$?
set -e
[ "$rc" -eq 2 ] || fail "missing PATH should exit 2, got $rc"
echo "PASS run_local"
