#!/usr/bin/env bash
# `logsweep submit --remote`: a client that does not see the logs. Two
# workers with --data-root; the client runs in a directory where none of
# the paths exist, so every path is expanded by a worker:
#  1. a relative directory and a relative glob, relative to the data root:
#     the exact answer; the client never looked at them;
#  2. an absolute path under the root: the same as its relative twin;
#  3. every miss named, never silent (a missing file, a glob that matches
#     nothing, a directory without logs, a symlink out of the root), exit 3,
#     and the other paths still scanned exactly;
#  4. --list-files prints the files as the workers see them;
#  5. --include and --exclude reach the worker;
#  6. nothing found at all: exit 2, "no files to scan";
#  7. the only worker holding the listing task dies (it stalls listing,
#     then is killed): the coordinator hands the listing to another worker
#     and the job is exact.
source "$(dirname "$0")/lib.sh"
LOG_LEVEL=info

DATA="$WORK/data"  # the workers' --data-root
generate "$DATA/site-a" 6 --lines 2000 --plain 2 --seed 31
generate "$DATA/site-b" 4 --lines 2000 --seed 32
generate "$WORK/outside" 2 --lines 500 --seed 33
ln -s "$WORK/outside" "$DATA/escape"
mkdir "$DATA/empty"
touch "$DATA/empty/README"
LC_ALL=C sort -u "$DATA/site-a/expected.txt" "$DATA/site-b/expected.txt" >"$WORK/expected-ab.txt"

start_coordinator --heartbeat-ms 200
start_worker w1 --threads 2 --data-root "$DATA"
W1_PID=$LAST_WORKER_PID
start_worker w2 --threads 2 --data-root "$DATA"
W2_PID=$LAST_WORKER_PID
wait_for_log "$WORK/coordinator.log" "worker w1 registered"
wait_for_log "$WORK/coordinator.log" "worker w2 registered"

mkdir "$WORK/client"
cd "$WORK/client"
remote() { "$BIN/logsweep" submit --coordinator "$CLIENTS_EP" --remote "$@"; }

# ---- 1 ----
[ ! -e site-a ] || fail "1: the client sees site-a"
remote -q site-a 'site-b/*.log*' >1.out 2>1.err || fail "1: exit $?: $(cat 1.err)"
expect_same "$WORK/expected-ab.txt" 1.out "1: a relative directory and glob"
# Without --remote the client looks here, and finds nothing.
set +e
"$BIN/logsweep" submit --coordinator "$CLIENTS_EP" -q site-a >/dev/null 2>1l.err
rc=$?
set -e
[ "$rc" -eq 2 ] || fail "1: without --remote, site-a was found here (exit $rc)"
echo "ok 1 - relative paths expanded by a worker under its data root"

# ---- 2 ----
remote -q "$DATA/site-a" >2.out 2>2.err || fail "2: exit $?: $(cat 2.err)"
expect_same "$DATA/site-a/expected.txt" 2.out "2: an absolute path under the root"
echo "ok 2 - absolute path under the root"

# ---- 3 ----
set +e
remote site-a missing.log 'nope/*.gz' empty escape >3.out 2>3.err
rc=$?
set -e
[ "$rc" -eq 3 ] || fail "3: exit $rc, want 3: $(cat 3.err)"
for want in "error: missing.log: NOT_FOUND: $DATA/missing.log" \
  "error: nope/\*.gz: NOT_FOUND" "error: empty: NOT_FOUND: $DATA/empty" \
  "error: escape: PERMISSION_DENIED"; do
  grep -q "$want" 3.err || fail "3: no '$want' in: $(cat 3.err)"
done
grep -q "warning: empty: 1 files or directories skipped" 3.err ||
  fail "3: the skipped README is not counted: $(cat 3.err)"
expect_same "$DATA/site-a/expected.txt" 3.out "3: the paths that gave files"
grep -q "6 files (0 failed)" 3.err || fail "3: summary: $(tail -3 3.err)"
echo "ok 3 - every remote miss named, exit 3, the rest exact"

# ---- 4 ----
remote --list-files -q site-b >4.out 2>4.err || fail "4: exit $?: $(cat 4.err)"
find "$DATA/site-b" -name '*.log*' | LC_ALL=C sort | sed 's/^/-\t/' >4.want
expect_same 4.want 4.out "4: --list-files"
echo "ok 4 - --list-files names the workers' files"

# ---- 5 ----
remote --list-files -q --exclude '*.gz' site-a >5.out 2>5.err || fail "5: exit $?: $(cat 5.err)"
[ "$(wc -l <5.out)" -eq 2 ] && ! grep -q '\.gz$' 5.out ||
  fail "5: --exclude '*.gz' did not reach the worker: $(cat 5.out)"
remote --list-files -q --include 'README' empty >5i.out 2>5i.err || fail "5: --include: $(cat 5i.err)"
grep -qxF -- "-	$DATA/empty/README" 5i.out || fail "5: --include did not reach the worker: $(cat 5i.out)"
echo "ok 5 - --include and --exclude reach the worker"

# ---- 6 ----
set +e
remote missing.log >6.out 2>6.err
rc=$?
set -e
[ "$rc" -eq 2 ] && grep -q "no files to scan" 6.err && grep -q "error: missing.log: NOT_FOUND" 6.err ||
  fail "6: exit $rc: $(cat 6.err)"
echo "ok 6 - nothing found: exit 2"

# ---- 7 ----
WORKER_BIN=logsweep-test-worker start_worker staller --threads 1 --data-root "$DATA" --stall site-b
STALLER_PID=$LAST_WORKER_PID
wait_for_log "$WORK/coordinator.log" "worker staller registered"
kill -TERM "$W1_PID" "$W2_PID"
wait_for_log "$WORK/coordinator.log" "worker w1 is stopping"
wait_for_log "$WORK/coordinator.log" "worker w2 is stopping"
remote -q site-b >7.out 2>7.err &
CLIENT=$!
wait_for_log "$WORK/staller.log" "stalling on site-b$"
start_worker w3 --threads 2 --data-root "$DATA"
wait_for_log "$WORK/coordinator.log" "worker w3 registered"
kill -KILL "$STALLER_PID"
wait_exit "$CLIENT" "the client of job 7" 30
[ "$EXIT_CODE" -eq 0 ] || fail "7: exit $EXIT_CODE: $(cat 7.err)"
expect_same "$DATA/site-b/expected.txt" 7.out "7: the listing retried on another worker"
grep -q "worker staller (peer .*) is dead: .*; requeueing 1 tasks" "$WORK/coordinator.log" ||
  fail "7: the staller's listing task was not requeued: $(grep staller "$WORK/coordinator.log" | tail -3)"
echo "ok 7 - a listing lost with its worker runs on another"
echo "PASS remote"
