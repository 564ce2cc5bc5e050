#!/usr/bin/env bash
# Worker and coordinator faults, each with an exact result:
#  1. a worker SIGKILLed mid-task: its tasks run elsewhere;
#  2. a worker frozen (SIGSTOP) past expiry, then resumed: dropped, its late
#     results ignored, it registers again and gets new work;
#  3. a scan that hangs while heartbeats go on: --task-timeout-ms reassigns it;
#  4. a task that hangs everywhere: fails after --max-attempts, job completes;
#  5. the coordinator SIGKILLed and restarted: workers reconnect by themselves;
#  6. a job submitted with no workers: a worker that joins later runs it;
#  7. the coordinator SIGKILLed with --state mid-job: the job resumes;
#  8. a worker stopped with SIGTERM: it says goodbye, its tasks move at once.
# Hangs are injected with logsweep-test-worker --stall (a ScanHook).
source "$(dirname "$0")/lib.sh"
LOG_LEVEL=info
SUBMIT=(timeout 120 "$BIN/logsweep" submit -q)

generate "$WORK/corpus" 30 --lines 1500 --seed 5
EXPECTED="$WORK/corpus/expected.txt"

# ---- 1. SIGKILL mid-task ----
start_coordinator --heartbeat-ms 200 --liveness 3
WORKER_BIN=logsweep-test-worker start_worker doomed --stall access-0000 --threads 2
DOOMED=$LAST_WORKER_PID
wait_for_log "$WORK/coordinator.log" "worker doomed registered"
"${SUBMIT[@]}" --coordinator "$CLIENTS_EP" "$WORK/corpus" >"$WORK/1.out" &
SUBMIT_PID=$!
wait_for_log "$WORK/doomed.log" "stalling"
start_worker healthy --threads 2
HEALTHY=$LAST_WORKER_PID
kill -KILL "$DOOMED"
wait "$SUBMIT_PID" || fail "1: submit exited $?"
expect_same "$EXPECTED" "$WORK/1.out" "1: worker killed mid-task"
wait_for_log "$WORK/coordinator.log" "worker doomed .* is dead"
echo "ok 1 - SIGKILL mid-task"

# ---- 2. SIGSTOP past expiry, then SIGCONT ----
start_worker frozen --threads 1
FROZEN=$LAST_WORKER_PID
wait_for_log "$WORK/coordinator.log" "worker frozen registered"
kill -STOP "$FROZEN"
"${SUBMIT[@]}" --coordinator "$CLIENTS_EP" "$WORK/corpus" >"$WORK/2.out" ||
  fail "2: submit exited $?"
expect_same "$EXPECTED" "$WORK/2.out" "2: frozen worker"
wait_for_log "$WORK/coordinator.log" "worker frozen .* is dead"
kill -CONT "$FROZEN"
# A second registration line (the first one is from before the freeze).
for _ in $(seq 1 200); do
  [ "$(grep -c 'worker frozen registered' "$WORK/coordinator.log")" -ge 2 ] && break
  sleep 0.05
done
[ "$(grep -c 'worker frozen registered' "$WORK/coordinator.log")" -ge 2 ] ||
  fail "2: resumed worker did not register again"
# Only the resumed worker left: the next job proves it gets work.
kill -KILL "$HEALTHY" 2>/dev/null || true
"${SUBMIT[@]}" --coordinator "$CLIENTS_EP" "$WORK/corpus" >"$WORK/2b.out" ||
  fail "2b: submit exited $?"
expect_same "$EXPECTED" "$WORK/2b.out" "2b: resumed worker alone"
kill -TERM "$COORDINATOR_PID" "$FROZEN"
wait "$COORDINATOR_PID" "$FROZEN" 2>/dev/null || true
echo "ok 2 - SIGSTOP/SIGCONT"

# ---- 3. a hanging scan is reassigned by --task-timeout-ms ----
: >"$WORK/coordinator.log"
start_coordinator --heartbeat-ms 200 --task-timeout-ms 1000
WORKER_BIN=logsweep-test-worker start_worker staller --stall access-00007 --threads 2 --heartbeat-ms 200
wait_for_log "$WORK/coordinator.log" "worker staller registered"
"${SUBMIT[@]}" --coordinator "$CLIENTS_EP" "$WORK/corpus" >"$WORK/3.out" &
SUBMIT_PID=$!
# The staller alone has work until it hangs on file 7 (heartbeats go on).
wait_for_log "$WORK/staller.log" "stalling"
start_worker fine --threads 1
wait "$SUBMIT_PID" || fail "3: submit exited $?"
expect_same "$EXPECTED" "$WORK/3.out" "3: task timeout"
grep -q "timed out on worker staller" "$WORK/coordinator.log" ||
  fail "3: the hanging task was not timed out"
grep -q "worker staller .* is dead" "$WORK/coordinator.log" &&
  fail "3: staller was expired, but it kept heartbeating"
echo "ok 3 - task timeout"

# ---- 4. a task that hangs on every worker fails after max attempts ----
kill -TERM "$COORDINATOR_PID" 2>/dev/null
wait "$COORDINATOR_PID" 2>/dev/null || true
: >"$WORK/coordinator.log"
start_coordinator --heartbeat-ms 200 --task-timeout-ms 500 --max-attempts 2
WORKER_BIN=logsweep-test-worker start_worker s1 --stall access-00003 --threads 2
WORKER_BIN=logsweep-test-worker start_worker s2 --stall access-00003 --threads 2
wait_for_log "$WORK/coordinator.log" "worker s2 registered"
set +e
"${SUBMIT[@]}" --coordinator "$CLIENTS_EP" "$WORK/corpus" >"$WORK/4.out" 2>"$WORK/4.err"
rc=$?
set -e
[ "$rc" -eq 3 ] || fail "4: exit $rc, expected 3: $(cat "$WORK/4.err")"
grep -q "access-00003.log.gz: UNAVAILABLE: .*gave up after 2 attempts" "$WORK/4.err" ||
  fail "4: no max-attempts error: $(cat "$WORK/4.err")"
# The other 29 files' hosts: the answer without file 3's lines.
zcat $(ls "$WORK"/corpus/*.gz | grep -v access-00003) |
  LC_ALL=C awk '$7=="/robots.txt"{print $1}' | LC_ALL=C sort -u >"$WORK/4.expected"
expect_same "$WORK/4.expected" "$WORK/4.out" "4: other files"
echo "ok 4 - max attempts"

# ---- 5. coordinator killed and restarted on the same endpoints ----
kill -TERM "$COORDINATOR_PID" 2>/dev/null
wait "$COORDINATOR_PID" 2>/dev/null || true
: >"$WORK/coordinator.log"
start_coordinator --heartbeat-ms 200
W_EP=$WORKERS_EP
C_EP=$CLIENTS_EP
start_worker r1 --threads 1 --heartbeat-ms 200
start_worker r2 --threads 1 --heartbeat-ms 200
wait_for_log "$WORK/coordinator.log" "worker r2 registered"
kill -KILL "$COORDINATOR_PID"
wait "$COORDINATOR_PID" 2>/dev/null || true
: >"$WORK/coordinator.log"
start_coordinator --heartbeat-ms 200
# Rebind the very same ports (the first run chose them).
kill -TERM "$COORDINATOR_PID"
wait "$COORDINATOR_PID" 2>/dev/null || true
"$BIN/logsweep-coordinator" --workers-endpoint "$W_EP" --clients-endpoint "$C_EP" \
  --heartbeat-ms 200 --log-level info 2>>"$WORK/coordinator.log" &
COORDINATOR_PID=$!
PIDS+=("$COORDINATOR_PID")
wait_for_log "$WORK/coordinator.log" "worker r1 registered" 20
wait_for_log "$WORK/coordinator.log" "worker r2 registered" 20
"${SUBMIT[@]}" --coordinator "$C_EP" "$WORK/corpus" >"$WORK/5.out" ||
  fail "5: submit exited $?"
expect_same "$EXPECTED" "$WORK/5.out" "5: after coordinator restart"
echo "ok 5 - coordinator restart"

# ---- 6. a worker joining an already running job ----
kill -TERM "$COORDINATOR_PID" 2>/dev/null
wait "$COORDINATOR_PID" 2>/dev/null || true
: >"$WORK/coordinator.log"
start_coordinator --heartbeat-ms 200
"${SUBMIT[@]}" --coordinator "$CLIENTS_EP" "$WORK/corpus" >"$WORK/6.out" &
SUBMIT_PID=$!
wait_for_log "$WORK/coordinator.log" "accepted: 30 files"
start_worker late --threads 2
wait "$SUBMIT_PID" || fail "6: submit exited $?"
expect_same "$EXPECTED" "$WORK/6.out" "6: late worker"
echo "ok 6 - worker joins mid-job"

# ---- 7. coordinator crash with --state: the job resumes, finished files
# are not scanned again, the attached client and `logsweep wait` get it ----
kill -TERM "$COORDINATOR_PID" 2>/dev/null
wait "$COORDINATOR_PID" 2>/dev/null || true
: >"$WORK/coordinator.log"
start_coordinator --heartbeat-ms 200 --state "$WORK/state"
W_EP=$WORKERS_EP
C_EP=$CLIENTS_EP
WORKER_BIN=logsweep-test-worker start_worker halfway --stall access-0002 --threads 1 --heartbeat-ms 200
HALFWAY=$LAST_WORKER_PID
wait_for_log "$WORK/coordinator.log" "worker halfway registered"
JOB=$("${SUBMIT[@]}" --detach --coordinator "$C_EP" "$WORK/corpus")
[[ "$JOB" =~ ^[0-9a-f]{32}$ ]] || fail "7: --detach printed '$JOB'"
"${SUBMIT[@]}" --coordinator "$C_EP" --path /robots.txt "$WORK/corpus" >"$WORK/7a.out" &
ATTACHED=$!
# Files 0-19 finish; the worker hangs on file 20 and up.
wait_for_log "$WORK/halfway.log" "stalling"
sleep 0.5
kill -KILL "$COORDINATOR_PID" "$HALFWAY"
wait "$COORDINATOR_PID" "$HALFWAY" 2>/dev/null || true
"$BIN/logsweep-coordinator" --workers-endpoint "$W_EP" --clients-endpoint "$C_EP" \
  --heartbeat-ms 200 --state "$WORK/state" --log-level info 2>>"$WORK/coordinator.log" &
COORDINATOR_PID=$!
PIDS+=("$COORDINATOR_PID")
wait_for_log "$WORK/coordinator.log" "job $JOB resumed"
done_before=$(sed -n "s/.*job $JOB resumed: \([0-9]*\) of 30.*/\1/p" "$WORK/coordinator.log")
[ "${done_before:-0}" -ge 10 ] || fail "7: only '${done_before}' files were kept"
start_worker rescuer --threads 2 --heartbeat-ms 200
"$BIN/logsweep" wait -q --coordinator "$C_EP" "$JOB" >"$WORK/7.out" ||
  fail "7: wait exited $?"
expect_same "$EXPECTED" "$WORK/7.out" "7: resumed job"
wait "$ATTACHED" || fail "7: the attached client exited $?"
expect_same "$EXPECTED" "$WORK/7a.out" "7: client that stayed attached"
# A finished job's result stays available from the journal.
"$BIN/logsweep" wait -q --coordinator "$C_EP" "$JOB" >"$WORK/7b.out" ||
  fail "7: second wait exited $?"
expect_same "$EXPECTED" "$WORK/7b.out" "7: finished job from the journal"
echo "ok 7 - coordinator crash with --state"

# ---- 8. a worker stopped with SIGTERM says goodbye ----
# Expiry is 10 s here, so only the goodbye explains a prompt requeue: the
# coordinator must log it, and the job must still be exact.
kill -TERM "$COORDINATOR_PID"
wait "$COORDINATOR_PID" 2>/dev/null || true
: >"$WORK/coordinator.log"
start_coordinator --heartbeat-ms 200 --liveness 50
WORKER_BIN=logsweep-test-worker start_worker leaving --stall access-00003 --threads 2 --heartbeat-ms 200
LEAVING=$LAST_WORKER_PID
wait_for_log "$WORK/coordinator.log" "worker leaving registered"
"${SUBMIT[@]}" --coordinator "$CLIENTS_EP" "$WORK/corpus" >"$WORK/8.out" &
SUBMIT_PID=$!
wait_for_log "$WORK/leaving.log" "stalling"
start_worker staying --threads 2 --heartbeat-ms 200
kill -TERM "$LEAVING"
wait_for_log "$WORK/coordinator.log" "worker leaving is stopping; requeueing its [1-9]" 5
wait "$SUBMIT_PID" || fail "8: submit exited $?"
expect_same "$EXPECTED" "$WORK/8.out" "8: worker stopped with SIGTERM"
echo "ok 8 - SIGTERM goodbye"
echo "PASS faults"
