#!/usr/bin/env bash
# Coordinator restarts mid-job, repeated, with real workers (issue 13):
#  1. SIGTERM and SIGKILL, restarted after 1 s and after 0.4 s (shorter than
#     the workers' liveness: they keep reconnecting, their heartbeats queue
#     up and arrive at the new coordinator in a burst), with --state, three
#     workers: every run exact, exit 0, no file failed; then a --count job
#     restarted by each signal: the same counts as a run without restarts;
#  2. a submit sent to a frozen coordinator, which is then killed and
#     restarted: the submit still ends with the exact result, one job made
#     (the resend of a submit that reached a dying coordinator over an
#     established connection is client_library_test's
#     SubmitLostInACrashLandsOnceAfterTheRestart);
#  3. a worker on the clients endpoint and a client on the workers endpoint
#     are told so, on both sides, within seconds; --version everywhere.
# RESTARTS=N (default 3) runs per signal and delay; --long (third argument)
# runs 10 of each, as issue 13 asks.
source "$(dirname "$0")/lib.sh"
LOG_LEVEL=info
RESTARTS=${RESTARTS:-3}
[ "${3:-}" = "--long" ] && RESTARTS=10

# 300 files that three slowed-down workers (20 ms per file) take ~2 s for.
generate "$WORK/corpus" 300 --lines 100 --seed 13
EXPECTED="$WORK/corpus/expected.txt"

start_coordinator --heartbeat-ms 200 --state "$WORK/state"
W_EP=$WORKERS_EP
C_EP=$CLIENTS_EP
for w in w1 w2 w3; do
  WORKER_BIN=logsweep-test-worker start_worker "$w" --threads 1 \
    --heartbeat-ms 200 --slow-ms 20
done
wait_for_log "$WORK/coordinator.log" "worker w3 registered"

# A coordinator on the same endpoints and state as the first one.
start_again() {
  "$BIN/logsweep-coordinator" --workers-endpoint "$W_EP" \
    --clients-endpoint "$C_EP" --heartbeat-ms 200 --state "$WORK/state" \
    --log-level info 2>>"$WORK/coordinator.log" &
  COORDINATOR_PID=$!
  PIDS+=("$COORDINATOR_PID")
}

restart_coordinator() {  # restart_coordinator SIGNAL DELAY
  kill "-$1" "$COORDINATOR_PID"
  wait "$COORDINATOR_PID" 2>/dev/null || true
  sleep "$2"
  start_again
}

# ---- 1 ----
run=0
for sig in TERM KILL; do
  for delay in 1 0.4; do
    for i in $(seq 1 "$RESTARTS"); do
      run=$((run + 1))
      set +e
      timeout 60 "$BIN/logsweep" submit --coordinator "$C_EP" --json \
        -o "$WORK/1.json" "$WORK/corpus" 2>"$WORK/1.err" &
      submit=$!
      set -e
      sleep 0.5
      restart_coordinator "$sig" "$delay"
      wait_exit "$submit" "1: submit of run $run" 60
      [ "$EXIT_CODE" -eq 0 ] ||
        fail "1: run $run (SIG$sig, ${delay}s): exit $EXIT_CODE: $(tail -5 "$WORK/1.err")"
      python3 - "$WORK/1.json" "$EXPECTED" <<'PY' ||
import json, sys
doc = json.load(open(sys.argv[1]))
want = open(sys.argv[2], 'rb').read().decode().split()
bad = [f for f in doc["files"] if not f["ok"]]
assert not bad, bad[:3]
assert len(doc["files"]) == 300, len(doc["files"])
assert doc["hosts"] == want, "hosts differ"
PY
        fail "1: run $run (SIG$sig, ${delay}s) not exact"
    done
  done
done
# A --count job across restarts: its tallies come back from the journal
# (the tasks answered before the restart) and from the workers (the rest),
# each file counted once.
"$BIN/logsweep" run -q --no-cache --count "$WORK/corpus" >"$WORK/counts.want"
[ -s "$WORK/counts.want" ] || fail "1: no counts from run"
for sig in TERM KILL; do
  run=$((run + 1))
  set +e
  timeout 60 "$BIN/logsweep" submit -q --count --coordinator "$C_EP" \
    -o "$WORK/counts.got" "$WORK/corpus" 2>"$WORK/1.err" &
  submit=$!
  set -e
  sleep 0.5
  restart_coordinator "$sig" 0.4
  wait_exit "$submit" "1: --count submit of run $run" 60
  [ "$EXIT_CODE" -eq 0 ] ||
    fail "1: --count run $run (SIG$sig): exit $EXIT_CODE: $(tail -5 "$WORK/1.err")"
  cmp -s "$WORK/counts.want" "$WORK/counts.got" ||
    fail "1: --count run $run (SIG$sig) differs: $(diff "$WORK/counts.want" "$WORK/counts.got" | head -5)"
done
grep -q "gave up after" "$WORK/coordinator.log" &&
  fail "1: attempts were used up: $(grep -m3 'gave up after' "$WORK/coordinator.log")"
echo "ok 1 - $run coordinator restarts mid-job, every one exact (2 of them --count)"

# ---- 2 ----
# The coordinator is frozen: the submit reaches its host but not it.
kill -STOP "$COORDINATOR_PID"
accepted_before=$(grep -c "accepted: 300 files" "$WORK/coordinator.log" || true)
timeout 60 "$BIN/logsweep" submit -q --coordinator "$C_EP" \
  --connect-timeout-ms 20000 "$WORK/corpus" >"$WORK/2.out" 2>"$WORK/2.err" &
submit=$!
sleep 0.5
kill -KILL "$COORDINATOR_PID"
kill -CONT "$COORDINATOR_PID" 2>/dev/null || true
wait "$COORDINATOR_PID" 2>/dev/null || true
start_again
wait_exit "$submit" "2: submit to a killed coordinator" 60
[ "$EXIT_CODE" -eq 0 ] || fail "2: exit $EXIT_CODE: $(cat "$WORK/2.err")"
expect_same "$EXPECTED" "$WORK/2.out" "2: submit lost in a restart"
accepted_after=$(grep -c "accepted: 300 files" "$WORK/coordinator.log")
[ $((accepted_after - accepted_before)) -eq 1 ] ||
  fail "2: $((accepted_after - accepted_before)) jobs accepted, want 1"
echo "ok 2 - a submit lost in a restart lands exactly once"

# ---- 3 ----
"$BIN/logsweep-worker" --coordinator "$C_EP" --name misplaced \
  --heartbeat-ms 200 --log-level info 2>"$WORK/misplaced.log" &
MISPLACED=$!
PIDS+=("$MISPLACED")
wait_for_log "$WORK/misplaced.log" "the coordinator refuses this worker.*clients endpoint" 5
wait_for_log "$WORK/coordinator.log" "refused a peer on the clients endpoint.*a worker connected" 5
set +e
timeout 20 "$BIN/logsweep" status --coordinator "$W_EP" >/dev/null 2>"$WORK/3.err"
rc=$?
set -e
[ "$rc" -eq 1 ] || fail "3: status on the workers endpoint: exit $rc: $(cat "$WORK/3.err")"
grep -q "a client connected to the coordinator's workers endpoint" "$WORK/3.err" ||
  fail "3: client not told: $(cat "$WORK/3.err")"
for b in logsweep logsweep-coordinator logsweep-worker; do
  "$BIN/$b" --version | grep -Eq "^$b [0-9]+\.[0-9]+\.[0-9]+ \(protocol [0-9]+\)$" ||
    fail "3: $b --version: $("$BIN/$b" --version)"
done
echo "ok 3 - wrong endpoints named on both sides"
echo "PASS restarts"
