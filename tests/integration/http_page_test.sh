#!/usr/bin/env bash
# The status page in headless Chromium (issue 19): it loads with no console
# error, shows a running job's progress increasing and then finished, and a
# killed worker as gone; a screenshot is kept as a test artifact in
# ARTIFACT_DIR (the third argument; the build directory's artifacts/).
source "$(dirname "$0")/lib.sh"
ARTIFACTS=${3:?usage: $0 BIN_DIR REALLOGS_DIR ARTIFACT_DIR}
mkdir -p "$ARTIFACTS"
CHROMIUM=$(command -v chromium || true)
[ -n "$CHROMIUM" ] || fail "chromium not found (deploy/setup.sh installs it)"

generate "$WORK/corpus" 60 --lines 2000 --seed 23
LOG_LEVEL=info start_coordinator --heartbeat-ms 200 --liveness 3 \
  --http 127.0.0.1:0 --http-publish-ms 200
# start_coordinator removed the ready file; the log names the address.
wait_for_log "$WORK/coordinator.log" "status page on http://"
URL=$(sed -n 's|.*status page on \(http://[^ ]*/\).*|\1|p' "$WORK/coordinator.log" | head -1)
WORKER_BIN=logsweep-test-worker start_worker steady --threads 2 --slow-ms 300 \
  --heartbeat-ms 200
WORKER_BIN=logsweep-test-worker start_worker victim --threads 2 --slow-ms 300 \
  --heartbeat-ms 200
VICTIM=$LAST_WORKER_PID
wait_for_log "$WORK/coordinator.log" "worker victim registered"
wait_for_log "$WORK/coordinator.log" "worker steady registered"

cat >"$WORK/submit.sh" <<SH
#!/usr/bin/env bash
exec "$BIN/logsweep" submit -q --coordinator "$CLIENTS_EP" "$WORK/corpus" >"$WORK/job.out"
SH
chmod +x "$WORK/submit.sh"
/usr/bin/python3 "$(dirname "$0")/page_check.py" "$CHROMIUM" "$URL" \
  "$ARTIFACTS/status_page.png" "$VICTIM" victim "$WORK/submit.sh" ||
  fail "the page: see above; coordinator log: $(tail -5 "$WORK/coordinator.log")"
expect_same "$WORK/corpus/expected.txt" "$WORK/job.out" "the job under the page"
[ -s "$ARTIFACTS/status_page.png" ] || fail "no screenshot"
echo "ok - status page in Chromium; screenshot $ARTIFACTS/status_page.png"
