#!/usr/bin/env bash
# Stragglers (issue 15): one worker is slow (logsweep-test-worker --slow-ms:
# every scan first sleeps 60 s, a node with a dying disk) beside a fast one.
# Once the job's queue is empty and most files are done, the coordinator
# runs a copy of each file the slow worker holds on the fast one: the job
# finishes long before the slow worker would have, exact, and says how many
# files were copied. The same job on the fast worker alone is the measure.
source "$(dirname "$0")/lib.sh"
LOG_LEVEL=info

generate "$WORK/corpus" 60 --lines 200 --seed 15
start_coordinator --heartbeat-ms 200
start_worker fast --threads 2 --heartbeat-ms 200
wait_for_log "$WORK/coordinator.log" "worker fast registered"

# The fast worker alone.
timeout 60 "$BIN/logsweep" submit --json --coordinator "$CLIENTS_EP" \
  "$WORK/corpus" >"$WORK/alone.json" || fail "fast worker alone: exit $?"

WORKER_BIN=logsweep-test-worker start_worker slow --threads 1 \
  --heartbeat-ms 200 --slow-ms 60000
wait_for_log "$WORK/coordinator.log" "worker slow registered"
set +e
timeout 50 "$BIN/logsweep" submit --json --coordinator "$CLIENTS_EP" \
  "$WORK/corpus" >"$WORK/out.json" 2>"$WORK/err.txt"
rc=$?
set -e
[ "$rc" -eq 0 ] || fail "with a slow worker: exit $rc (124: it waited for the slow worker): $(tail -3 "$WORK/err.txt")"
python3 - "$WORK/out.json" "$WORK/alone.json" "$WORK/corpus/expected.txt" <<'PY' || fail "result: $(head -c 600 "$WORK/out.json")"
import json, sys
out, alone = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
expected = open(sys.argv[3]).read().split()
assert out["hosts"] == expected, "hosts differ from the generator's answer"
assert out["failed_files"] == 0
assert out["speculated"] >= 1, out["speculated"]
print("speculation: %d files copied; job %.2f s with the slow worker, %.2f s "
      "on the fast worker alone (the slow worker needs 60 s per file)"
      % (out["speculated"], out["elapsed_seconds"], alone["elapsed_seconds"]))
PY
grep -q "a copy runs on worker fast" "$WORK/coordinator.log" ||
  fail "the coordinator did not log the copy"
echo "PASS speculation"
