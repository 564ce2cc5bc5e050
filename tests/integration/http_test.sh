#!/usr/bin/env bash
# The coordinator's --http endpoint (issue 19), with real processes:
#  1. off by default: a coordinator without --http serves nothing;
#  2. /metrics passes `promtool check metrics`; during a job its counters
#     move (files done, bytes scanned) and at the end they equal what the
#     job reported; /api/status shows the job finished in its history;
#  3. hostile HTTP (malformed, oversized, unknown paths, `..`, idle and
#     slow connections held open) gets no answer it must not, never stops
#     the coordinator, and a job run meanwhile is exact and not slowed.
# (Retention of the --state journal: retention_test.sh.)
source "$(dirname "$0")/lib.sh"

PROBE="/usr/bin/python3 $(dirname "$0")/http_probe.py"
command -v promtool >/dev/null ||
  fail "promtool not found (deploy/setup.sh installs Debian's prometheus)"

generate "$WORK/corpus" 48 --lines 3000 --seed 19
generate "$WORK/small" 4 --lines 100 --seed 20
EXPECTED="$WORK/corpus/expected.txt"

# ---- 1 ----
LOG_LEVEL=info start_coordinator --heartbeat-ms 200
grep -q "status page on" "$WORK/coordinator.log" && fail "1: http without --http"
kill -TERM "$COORDINATOR_PID"
wait "$COORDINATOR_PID" || true
echo "ok 1 - off by default"

# ---- 2 ----
"$BIN/logsweep-coordinator" --workers-endpoint 'tcp://127.0.0.1:*' \
  --clients-endpoint 'tcp://127.0.0.1:*' --ready-file "$WORK/ready" \
  --log-level info --heartbeat-ms 200 --http 127.0.0.1:0 \
  --http-publish-ms 100 --state "$WORK/state" \
  2>>"$WORK/coordinator.log" &
COORDINATOR_PID=$!
PIDS+=("$COORDINATOR_PID")
for _ in $(seq 1 200); do [ -f "$WORK/ready" ] && break; sleep 0.05; done
[ -f "$WORK/ready" ] || fail "coordinator did not start"
WORKERS_EP=$(sed -n 's/^workers=//p' "$WORK/ready")
CLIENTS_EP=$(sed -n 's/^clients=//p' "$WORK/ready")
HTTP=$(sed -n 's/^http=//p' "$WORK/ready")
case "$HTTP" in 127.0.0.1:[0-9]*) ;; *) fail "2: http address '$HTTP'" ;; esac
URL="http://$HTTP"
WORKER_BIN=logsweep-test-worker start_worker w1 --threads 2 --slow-ms 60 \
  --heartbeat-ms 200
wait_for_log "$WORK/coordinator.log" "worker w1 registered"

$PROBE get "$URL/metrics" >"$WORK/idle.prom" || fail "2: GET /metrics"
promtool check metrics <"$WORK/idle.prom" || fail "2: promtool on an idle coordinator"

$PROBE watch "$URL/metrics" logsweep_tasks_succeeded_total 30 >"$WORK/watch.txt" &
WATCH=$!
PIDS+=("$WATCH")
"$BIN/logsweep" submit --coordinator "$CLIENTS_EP" "$WORK/corpus" \
  >"$WORK/2.out" 2>"$WORK/2.err" || fail "2: submit: $(cat "$WORK/2.err")"
expect_same "$EXPECTED" "$WORK/2.out" "2: the job"
sleep 0.3
kill "$WATCH" 2>/dev/null || true
wait "$WATCH" 2>/dev/null || true
# Values seen while the job ran: at least three distinct ones strictly
# between nothing and everything, never going down.
/usr/bin/python3 - "$WORK/watch.txt" <<'PY' || fail "2: succeeded_total over the job: $(tr '\n' ' ' <"$WORK/watch.txt")"
import sys
v = [float(x) for x in open(sys.argv[1]) if x.strip()]
assert all(a <= b for a, b in zip(v, v[1:])), "went down"
assert len({x for x in v if 0 < x < 48}) >= 3, "did not move during the job"
PY
$PROBE get "$URL/metrics" >"$WORK/after.prom" || fail "2: GET /metrics after"
promtool check metrics <"$WORK/after.prom" || fail "2: promtool after a job"
metric() { $PROBE metric "$URL/metrics" "$@"; }
[ "$(metric logsweep_tasks_succeeded_total)" = 48 ] || fail "2: succeeded $(metric logsweep_tasks_succeeded_total)"
[ "$(metric logsweep_tasks_dispatched_total)" = 48 ] || fail "2: dispatched"
[ "$(metric logsweep_jobs_finished_total 'outcome="done"')" = 1 ] || fail "2: jobs done"
[ "$(metric logsweep_jobs_submitted_total)" = 1 ] || fail "2: jobs submitted"
[ "$(metric logsweep_workers_connected)" = 1 ] || fail "2: workers"
[ "$(metric logsweep_per_worker_tasks_done_total 'worker="w1"')" = 48 ] || fail "2: per worker"
[ "$(metric logsweep_task_duration_seconds_count)" = 48 ] || fail "2: task latency count"
[ "$(metric logsweep_journal_commit_seconds_count)" != 0 ] || fail "2: journal latency"
matches=$(sed -n 's/.* \([0-9]*\) matches.*/\1/p' "$WORK/2.err")
[ -n "$matches" ] && [ "$(metric logsweep_matches_total)" = "$matches" ] ||
  fail "2: matches $(metric logsweep_matches_total), the job said $matches"
$PROBE get "$URL/api/status" >"$WORK/status.json" || fail "2: /api/status"
/usr/bin/python3 - "$WORK/status.json" <<'PY' || fail "2: /api/status: $(head -c 600 "$WORK/status.json")"
import json, sys
d = json.load(open(sys.argv[1]))
h = d["history"]
assert len(h) == 1 and h[0]["state"] == "done" and h[0]["files"] == 48, h
assert len(h[0]["id"]) == 32, "loopback shows the full id"
assert d["workers"]["total"] == 1 and d["workers"]["items"][0]["name"] == "w1"
assert d["jobs"] == [] and d["summary"]["tasks_succeeded"] == 48
PY
echo "ok 2 - metrics pass promtool, move during a job and end exact"

# ---- 3 ----
$PROBE hostile 127.0.0.1 "${HTTP##*:}" >"$WORK/hostile.txt" 2>&1 ||
  fail "3: $(cat "$WORK/hostile.txt")"
cat "$WORK/hostile.txt"
$PROBE hold 127.0.0.1 "${HTTP##*:}" 60 3 >"$WORK/hold.txt" 2>&1 &
HOLD=$!
PIDS+=("$HOLD")
wait_for_log "$WORK/hold.txt" "holding"
start=$(date +%s%N)
timeout 60 "$BIN/logsweep" submit -q --coordinator "$CLIENTS_EP" "$WORK/corpus" \
  >"$WORK/3.out" || fail "3: submit during hostile HTTP exited $?"
took_ms=$((($(date +%s%N) - start) / 1000000))
expect_same "$EXPECTED" "$WORK/3.out" "3: the job during hostile HTTP"
wait "$HOLD" || true
kill -0 "$COORDINATOR_PID" || fail "3: the coordinator died"
grep -q "did not run for" "$WORK/coordinator.log" &&
  fail "3: the poll loop stalled: $(grep 'did not run for' "$WORK/coordinator.log")"
# 48 files x 60 ms on 2 slots is ~1.5 s; hostile HTTP must not add seconds.
[ "$took_ms" -lt 6000 ] || fail "3: the job took ${took_ms} ms"
$PROBE get "$URL/metrics" >/dev/null || fail "3: /metrics after the hostile clients"
echo "ok 3 - hostile HTTP: $(grep -c '^ok' "$WORK/hostile.txt") cases refused, job exact in ${took_ms} ms"
