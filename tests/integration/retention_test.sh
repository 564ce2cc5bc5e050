#!/usr/bin/env bash
# The --state journal's history and its retention (issue 19), with real
# processes:
#  1. `logsweep jobs` lists a finished, a failed-file, a cancelled and a
#     running job, newest first, with their states, files and failures, as
#     a table and as JSON; --limit cuts the list;
#  2. after a coordinator restart with the same --state they are all still
#     listed, the same;
#  3. restarted with a short --keep-jobs, the finished ones are pruned (gone
#     from `jobs`, unknown to `wait`) and the running one stays;
#  4. 36 jobs under --keep-jobs 1s: every job exact, and the journal's
#     size stops growing (bounded), with the longest pruning batch reported.
source "$(dirname "$0")/lib.sh"

PROBE="/usr/bin/python3 $(dirname "$0")/http_probe.py"
generate "$WORK/ok" 6 --lines 500 --seed 31
mkdir -p "$WORK/bad"
cp "$WORK/ok/access-00000.log.gz" "$WORK/bad/good.log.gz"
head -c 300 "$WORK/ok/access-00001.log.gz" >"$WORK/bad/cut.log.gz"  # truncated
mkdir -p "$WORK/stall1" "$WORK/stall2"
cp "$WORK/ok/access-00002.log.gz" "$WORK/stall1/STALL-a.log.gz"
cp "$WORK/ok/access-00003.log.gz" "$WORK/stall1/fine.log.gz"
cp "$WORK/ok/access-00004.log.gz" "$WORK/stall2/STALL-b.log.gz"
LS=("$BIN/logsweep")

LOG_LEVEL=info start_coordinator --heartbeat-ms 200 --state "$WORK/state" \
  --keep-jobs 1h
EP=(--coordinator "$CLIENTS_EP")
WORKER_BIN=logsweep-test-worker start_worker w1 --stall STALL --threads 3 \
  --heartbeat-ms 200

# ---- 1 ----
"${LS[@]}" submit -q "${EP[@]}" "$WORK/ok" >"$WORK/done.out" ||
  fail "1: the finished job exited $?"
expect_same "$WORK/ok/expected.txt" "$WORK/done.out" "1: the finished job"
set +e
"${LS[@]}" submit -q "${EP[@]}" "$WORK/bad" >/dev/null 2>"$WORK/bad.err"
code=$?
set -e
[ "$code" -eq 3 ] || fail "1: the job with a bad file exited $code, want 3"
cancelled=$("${LS[@]}" submit --detach "${EP[@]}" "$WORK/stall1")
running=$("${LS[@]}" submit --detach "${EP[@]}" "$WORK/stall2")
# The cancelled job's fine file finishes first, so its files are exact.
for _ in $(seq 1 100); do
  "${LS[@]}" status --json "${EP[@]}" "$cancelled" | grep -q '"done": *1' && break
  sleep 0.05
done
"${LS[@]}" cancel "${EP[@]}" "$cancelled" >/dev/null || fail "1: cancel"
set +e
"${LS[@]}" wait -q "${EP[@]}" "$cancelled" >/dev/null 2>&1
code=$?
set -e
[ "$code" -eq 4 ] || fail "1: wait for the cancelled job exited $code, want 4"

check_list() {  # WHAT FILE: the four jobs, newest first
  /usr/bin/python3 - "$2" "$running" "$cancelled" <<'PY' || fail "$1: $(cat "$2")"
import json, sys
jobs = json.load(open(sys.argv[1]))["jobs"]
running, cancelled = sys.argv[2], sys.argv[3]
got = [(j["state"], j["files"], j["done"], j["failed"]) for j in jobs]
want = [("running", 1, 0, 0), ("cancelled", 2, 2, 1), ("failed", 2, 2, 1),
        ("done", 6, 6, 0)]
assert got == want, got
assert jobs[0]["job_id"] == running and jobs[1]["job_id"] == cancelled, jobs
assert all(len(j["job_id"]) == 32 and j["submitted"].endswith("Z") for j in jobs)
assert jobs[0]["submitted_unix_ms"] >= jobs[3]["submitted_unix_ms"] > 0
PY
}
"${LS[@]}" jobs --json "${EP[@]}" >"$WORK/jobs1.json" || fail "1: jobs --json"
check_list 1 "$WORK/jobs1.json"
"${LS[@]}" jobs "${EP[@]}" >"$WORK/jobs1.txt" || fail "1: jobs"
grep -q "^jobs: 4 newest" "$WORK/jobs1.txt" || fail "1: table: $(cat "$WORK/jobs1.txt")"
for state in running cancelled failed done; do
  grep -q " $state " "$WORK/jobs1.txt" || fail "1: no $state row: $(cat "$WORK/jobs1.txt")"
done
"${LS[@]}" jobs --json --limit 2 "${EP[@]}" >"$WORK/jobs-2.json"
/usr/bin/python3 -c 'import json,sys; j=json.load(open(sys.argv[1]))["jobs"]; assert [x["state"] for x in j]==["running","cancelled"], j' \
  "$WORK/jobs-2.json" || fail "1: --limit 2: $(cat "$WORK/jobs-2.json")"
echo "ok 1 - jobs lists finished, failed, cancelled and running jobs"

# ---- 2 ----
restart() {
  kill -TERM "$COORDINATOR_PID"
  wait "$COORDINATOR_PID" || true
  LOG_LEVEL=info start_coordinator --heartbeat-ms 200 --state "$WORK/state" "$@"
  EP=(--coordinator "$CLIENTS_EP")
}
done_id=$("${LS[@]}" jobs --json "${EP[@]}" |
  /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["jobs"][3]["job_id"])')
restart --keep-jobs 1h
"${LS[@]}" jobs --json "${EP[@]}" >"$WORK/jobs2.json" || fail "2: jobs --json"
check_list 2 "$WORK/jobs2.json"
echo "ok 2 - the list survives a coordinator restart"

# ---- 3 ----
sleep 1.2
restart --keep-jobs 1s
for _ in $(seq 1 100); do
  "${LS[@]}" jobs --json "${EP[@]}" >"$WORK/jobs3.json" || fail "3: jobs"
  grep -q '"done"' "$WORK/jobs3.json" || break
  sleep 0.05
done
/usr/bin/python3 - "$WORK/jobs3.json" "$running" <<'PY' || fail "3: $(cat "$WORK/jobs3.json")"
import json, sys
jobs = json.load(open(sys.argv[1]))["jobs"]
assert [(j["job_id"], j["state"]) for j in jobs] == [(sys.argv[2], "running")], jobs
PY
set +e
"${LS[@]}" wait -q "${EP[@]}" "$done_id" >/dev/null 2>"$WORK/wait3.err"
code=$?
set -e
[ "$code" -ne 0 ] && grep -q "unknown\|not found\|NOT_FOUND" "$WORK/wait3.err" ||
  fail "3: wait for a pruned job: exit $code: $(cat "$WORK/wait3.err")"
"${LS[@]}" cancel "${EP[@]}" "$running" >/dev/null || fail "3: cancel the running job"
echo "ok 3 - pruned jobs are gone, the running one stays"

# ---- 4 ----
kill -TERM "$COORDINATOR_PID"
wait "$COORDINATOR_PID" || true
generate "$WORK/many" 40 --lines 400 --seed 32
LOG_LEVEL=info start_coordinator --heartbeat-ms 200 --state "$WORK/state4" \
  --keep-jobs 1s --http 127.0.0.1:0
HTTP=$(sed -n 's|.*status page on http://\([^/]*\)/.*|\1|p' "$WORK/coordinator.log" | tail -1)
EP=(--coordinator "$CLIENTS_EP")
start_worker w2 --threads 2 --heartbeat-ms 200
sizes="$WORK/sizes.txt"
# Jobs take milliseconds here: paced 0.2 s apart, about five are younger
# than --keep-jobs 1s at any time (plus up to a second of pruning lag).
for i in $(seq 1 36); do
  sleep 0.2
  "${LS[@]}" submit -q "${EP[@]}" "$WORK/many" >"$WORK/4.out" || fail "4: job $i exited $?"
  expect_same "$WORK/many/expected.txt" "$WORK/4.out" "4: job $i"
  /usr/bin/python3 - "$WORK/state4/journal.db" >>"$sizes" <<'PY'
import sqlite3, sys
db = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
pages = db.execute("PRAGMA page_count").fetchone()[0]
size = db.execute("PRAGMA page_size").fetchone()[0]
tasks = db.execute("SELECT count(*) FROM tasks").fetchone()[0]
print(pages * size, tasks)
PY
done
/usr/bin/python3 - "$sizes" <<'PY' || fail "4: the journal kept growing: $(tr '\n' ' ' <"$sizes")"
import sys
rows = [tuple(map(int, l.split())) for l in open(sys.argv[1])]
size = [r[0] for r in rows]
tasks = [r[1] for r in rows]
early, late = max(size[10:20]), max(size[26:])
print("journal bytes: after jobs 11-20 at most %d, after jobs 27-36 at most %d;"
      " task rows at most %d after job 10 (36 jobs x 40 files = 1440 without"
      " retention)" % (early, late, max(tasks[10:])))
assert late <= early * 1.5, "grew from %d to %d" % (early, late)
assert max(tasks[10:]) <= 12 * 40, tasks
PY
pruned=$($PROBE metric "http://$HTTP/metrics" logsweep_journal_pruned_jobs_total)
longest=$($PROBE metric "http://$HTTP/metrics" logsweep_journal_prune_max_seconds)
[ "${pruned%.*}" -ge 24 ] || fail "4: only $pruned jobs pruned"
echo "ok 4 - 36 jobs exact under --keep-jobs 1s, journal bounded; $pruned pruned, longest batch ${longest} s"
