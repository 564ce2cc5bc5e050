#!/usr/bin/env bash
# The journal's faults (issue 13), with a real coordinator:
#  1. a second coordinator on the same --state is refused, naming the pid;
#  2. a database locked by another process: a submit is refused with a
#     clear error naming the state directory, and nothing is recorded;
#     once the lock is gone, jobs are accepted again;
#  3. a full filesystem (a 4 MiB tmpfs): a submit is refused, never
#     acknowledged without being durable; results of a job that finished
#     while the disk was full are not lost: they become durable once space
#     returns, and `wait` gets them after a restart.
# Needs root (mount); fails, never skips, without it.
source "$(dirname "$0")/lib.sh"
LOG_LEVEL=info
[ "$(id -u)" -eq 0 ] || fail "needs root to mount a small tmpfs"

generate "$WORK/corpus" 40 --lines 200 --seed 31
EXPECTED="$WORK/corpus/expected.txt"

# ---- 1 ----
start_coordinator --heartbeat-ms 200 --state "$WORK/state"
FIRST=$COORDINATOR_PID
set +e
"$BIN/logsweep-coordinator" --workers-endpoint 'tcp://127.0.0.1:*' \
  --clients-endpoint 'tcp://127.0.0.1:*' --state "$WORK/state" \
  --log-level info 2>"$WORK/second.log"
rc=$?
set -e
[ "$rc" -eq 1 ] || fail "1: second coordinator exit $rc"
grep -q "state directory $WORK/state is in use by another coordinator (pid $FIRST)" \
  "$WORK/second.log" || fail "1: $(cat "$WORK/second.log")"
echo "ok 1 - one coordinator per state directory"

# ---- 2 ----
start_worker w1 --threads 2 --heartbeat-ms 200
wait_for_log "$WORK/coordinator.log" "worker w1 registered"
python3 - "$WORK/state/journal.db" "$WORK/locked" "$WORK/release" <<'PY' &
import os, sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN IMMEDIATE")
open(sys.argv[2], "w").close()
while not os.path.exists(sys.argv[3]):
    time.sleep(0.02)
db.execute("ROLLBACK")
PY
LOCKER=$!
PIDS+=("$LOCKER")
for _ in $(seq 1 200); do [ -f "$WORK/locked" ] && break; sleep 0.05; done
set +e
timeout 30 "$BIN/logsweep" submit -q --coordinator "$CLIENTS_EP" "$WORK/corpus" \
  >/dev/null 2>"$WORK/2.err"
rc=$?
set -e
[ "$rc" -eq 1 ] || fail "2: submit to a locked journal: exit $rc: $(cat "$WORK/2.err")"
grep -q "UNAVAILABLE: .*cannot record the job in its state directory.*$WORK/state.*locked" \
  "$WORK/2.err" || fail "2: $(cat "$WORK/2.err")"
touch "$WORK/release"
wait "$LOCKER"
timeout 60 "$BIN/logsweep" submit -q --coordinator "$CLIENTS_EP" "$WORK/corpus" \
  >"$WORK/2.out" || fail "2: submit after the lock exited $?"
expect_same "$EXPECTED" "$WORK/2.out" "2: after the lock"
python3 - "$WORK/state/journal.db" <<'PY' || fail "2: the refused job was recorded"
import sqlite3, sys
n = sqlite3.connect(sys.argv[1]).execute("SELECT COUNT(*) FROM jobs").fetchone()[0]
assert n == 1, n
PY
echo "ok 2 - locked journal: refused, then accepted"

# ---- 3 ----
kill -TERM "$COORDINATOR_PID" "$LAST_WORKER_PID"
wait "$COORDINATOR_PID" "$LAST_WORKER_PID" 2>/dev/null || true
mkdir -p "$WORK/small"
mount -t tmpfs -o size=4m tmpfs "$WORK/small" || fail "3: cannot mount a tmpfs"
# Every process out of the tmpfs before it is unmounted, then the rest.
unmount_and_clean() {
  local pid
  for pid in "${PIDS[@]:-}"; do kill -KILL "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]:-}"; do wait "$pid" 2>/dev/null || true; done
  umount "$WORK/small" 2>/dev/null || true
  cleanup
}
trap unmount_and_clean EXIT
: >"$WORK/coordinator.log"
start_coordinator --heartbeat-ms 200 --state "$WORK/small/state"
W_EP=$WORKERS_EP
C_EP=$CLIENTS_EP
WORKER_BIN=logsweep-test-worker start_worker slow --threads 1 \
  --heartbeat-ms 200 --slow-ms 50
wait_for_log "$WORK/coordinator.log" "worker slow registered"
# Accepted while there is room; the disk fills while it runs.
JOB=$(timeout 30 "$BIN/logsweep" submit --detach --coordinator "$C_EP" "$WORK/corpus")
dd if=/dev/zero of="$WORK/small/fill" bs=64k 2>/dev/null || true
set +e
timeout 30 "$BIN/logsweep" submit -q --coordinator "$C_EP" "$WORK/corpus" \
  >/dev/null 2>"$WORK/3.err"
rc=$?
set -e
[ "$rc" -eq 1 ] || fail "3: submit to a full disk: exit $rc: $(cat "$WORK/3.err")"
grep -q "cannot record the job in its state directory.*$WORK/small/state" "$WORK/3.err" ||
  fail "3: $(cat "$WORK/3.err")"
timeout 60 "$BIN/logsweep" wait -q --coordinator "$C_EP" "$JOB" >"$WORK/3a.out" ||
  fail "3: wait for the job that ran on a full disk exited $?"
expect_same "$EXPECTED" "$WORK/3a.out" "3: job on a full disk"
wait_for_log "$WORK/coordinator.log" "journal in $WORK/small/state: .*full.*retrying" 10
rm -f "$WORK/small/fill"
wait_for_log "$WORK/coordinator.log" "journal in $WORK/small/state: .*retrying" 1
sleep 2  # a commit after the space came back
kill -KILL "$COORDINATOR_PID"
wait "$COORDINATOR_PID" 2>/dev/null || true
# Every file's outcome and the job's end are on disk: nothing was dropped
# while the disk was full.
python3 - "$WORK/small/state/journal.db" "$JOB" <<'PY' || fail "3: results lost"
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
tasks = db.execute("SELECT COUNT(*) FROM tasks WHERE job_id = ?", (sys.argv[2],)).fetchone()[0]
done = db.execute("SELECT finished FROM jobs WHERE id = ?", (sys.argv[2],)).fetchone()[0]
assert tasks == 40 and done == 1, (tasks, done)
PY
"$BIN/logsweep-coordinator" --workers-endpoint "$W_EP" --clients-endpoint "$C_EP" \
  --heartbeat-ms 200 --state "$WORK/small/state" --log-level info \
  2>>"$WORK/coordinator.log" &
COORDINATOR_PID=$!
PIDS+=("$COORDINATOR_PID")
timeout 60 "$BIN/logsweep" wait -q --coordinator "$C_EP" "$JOB" >"$WORK/3b.out" ||
  fail "3: wait after the restart exited $?"
expect_same "$EXPECTED" "$WORK/3b.out" "3: the result became durable once space returned"
grep -q "job $JOB resumed" "$WORK/coordinator.log" &&
  fail "3: the job was run again: its results were never committed"
echo "ok 3 - full disk: refused, results kept, durable once space returns"
echo "PASS journal"
