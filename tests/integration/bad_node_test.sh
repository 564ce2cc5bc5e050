#!/usr/bin/env bash
# One bad node among good ones (issue 13): a worker whose view of the files
# is wrong (here --data-root on an empty directory, as a failed mount would
# leave it) fails every file it gets at once. Its failures are confirmed on
# other workers, which read the files, so the job is exact with exit 0; the
# bad worker is quarantined, shown as such by `workers`, logged once.
source "$(dirname "$0")/lib.sh"
LOG_LEVEL=info

generate "$WORK/corpus" 300 --lines 100 --seed 21
mkdir -p "$WORK/empty"
start_coordinator --heartbeat-ms 200
start_worker bad --threads 2 --heartbeat-ms 200 --data-root "$WORK/empty"
wait_for_log "$WORK/coordinator.log" "worker bad registered"
start_worker good1 --threads 1 --heartbeat-ms 200
start_worker good2 --threads 1 --heartbeat-ms 200
wait_for_log "$WORK/coordinator.log" "worker good2 registered"

set +e
timeout 120 "$BIN/logsweep" submit --coordinator "$CLIENTS_EP" "$WORK/corpus" \
  >"$WORK/out.txt" 2>"$WORK/err.txt"
rc=$?
set -e
[ "$rc" -eq 0 ] || fail "exit $rc: $(tail -5 "$WORK/err.txt")"
expect_same "$WORK/corpus/expected.txt" "$WORK/out.txt" "bad node beside good ones"

"$BIN/logsweep" workers --json --coordinator "$CLIENTS_EP" >"$WORK/workers.json"
python3 - "$WORK/workers.json" <<'PY' || fail "workers: $(cat "$WORK/workers.json")"
import json, sys
workers = {w["name"]: w for w in json.load(open(sys.argv[1]))["workers"]}
assert workers["bad"]["quarantined"], workers["bad"]
assert "PERMISSION_DENIED" in workers["bad"]["quarantine_reason"], workers["bad"]
assert not workers["good1"]["quarantined"] and not workers["good2"]["quarantined"]
PY
"$BIN/logsweep" workers --coordinator "$CLIENTS_EP" | grep -q "quarantined (gets no tasks)" ||
  fail "the workers table does not show the quarantine"
[ "$(grep -c "quarantined for" "$WORK/coordinator.log")" -eq 1 ] ||
  fail "quarantine logged $(grep -c "quarantined for" "$WORK/coordinator.log") times"

# A second job: the quarantined worker gets none of it.
before=$(python3 -c 'import json,sys; print({w["name"]: w["tasks_done"] for w in json.load(open(sys.argv[1]))["workers"]}["bad"])' "$WORK/workers.json")
timeout 60 "$BIN/logsweep" submit -q --coordinator "$CLIENTS_EP" "$WORK/corpus" \
  >"$WORK/out2.txt" || fail "second job exited $?"
expect_same "$WORK/corpus/expected.txt" "$WORK/out2.txt" "second job"
"$BIN/logsweep" workers --json --coordinator "$CLIENTS_EP" >"$WORK/workers2.json"
after=$(python3 -c 'import json,sys; print({w["name"]: w["tasks_done"] for w in json.load(open(sys.argv[1]))["workers"]}["bad"])' "$WORK/workers2.json")
[ "$after" -eq "$before" ] || fail "the quarantined worker ran $((after - before)) tasks"
echo "PASS bad_node"
