#!/usr/bin/env bash
# The CLI against a real coordinator and worker: workers, status, submit
# --detach, cancel, wait --json --output, usage errors (exit 2), --help on
# every subcommand, an unreachable coordinator named, Ctrl-C on submit (130,
# the job runs on), and the progress line
# seen through a pseudo-terminal: it renders (files, MB/s, ETA, failures)
# and is cleared before the summary; without a terminal it never appears.
source "$(dirname "$0")/lib.sh"

generate "$WORK/corpus" 8 --lines 2000 --seed 5
# A file the worker hangs on (logsweep-test-worker --stall) keeps a job running.
cp "$WORK/corpus/access-00000.log.gz" "$WORK/STALL.log.gz"
LOG_LEVEL=info start_coordinator --heartbeat-ms 200
WORKER_BIN=logsweep-test-worker start_worker w1 --stall STALL --threads 2 --heartbeat-ms 200
LS=("$BIN/logsweep")
EP=(--coordinator "$CLIENTS_EP")

# --help everywhere; bad flags and missing arguments are usage errors.
for cmd in run submit wait status workers cancel; do
  "${LS[@]}" "$cmd" --help >"$WORK/help.txt" || fail "$cmd --help exited $?"
  grep -qi "usage" "$WORK/help.txt" || fail "$cmd --help: $(head -3 "$WORK/help.txt")"
done
set +e
"${LS[@]}" status --bogus >/dev/null 2>&1; [ $? -eq 2 ] || fail "bad flag: not exit 2"
"${LS[@]}" cancel "${EP[@]}" >/dev/null 2>&1; [ $? -eq 2 ] || fail "cancel without JOB: not exit 2"
# A bad query is named with exit 2 before anything is sent: the coordinator
# named here does not exist, so a query that got that far would exit 1.
for q in "--path-regex (a|'(a'" "--path-regex $(printf 'a%.0s' {1..5000})|over 4096 bytes" \
         "--since yesterday|--since: time 'yesterday'" "--status 4x|--status '4x'"; do
  flags=${q%%|*} says=${q#*|}
  # shellcheck disable=SC2086
  "${LS[@]}" submit --coordinator tcp://127.0.0.1:9 --connect-timeout-ms 300 \
    $flags "$WORK" >/dev/null 2>"$WORK/query.txt"
  code=$?
  [ "$code" -eq 2 ] || fail "query $flags: exit $code, want 2"
  grep -qF -- "$says" "$WORK/query.txt" || fail "query $flags: $(cat "$WORK/query.txt")"
done
"${LS[@]}" status --coordinator tcp://127.0.0.1:9 --connect-timeout-ms 300 \
  >/dev/null 2>"$WORK/unreachable.txt"
code=$?
set -e
[ "$code" -eq 1 ] || fail "unreachable coordinator: exit $code, want 1"
grep -q "tcp://127.0.0.1:9" "$WORK/unreachable.txt" ||
  fail "unreachable coordinator not named: $(cat "$WORK/unreachable.txt")"

# workers: the worker with its slots, as a table and as JSON.
for i in $(seq 1 100); do
  "${LS[@]}" workers "${EP[@]}" >"$WORK/workers.txt" && grep -q w1 "$WORK/workers.txt" && break
  sleep 0.05
done
grep -q "workers: 1 connected" "$WORK/workers.txt" || fail "workers: $(cat "$WORK/workers.txt")"
"${LS[@]}" workers --json "${EP[@]}" >"$WORK/workers.json"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["workers"][0]["slots"]==2 and "jobs" not in d, d' \
  "$WORK/workers.json" || fail "workers --json: $(cat "$WORK/workers.json")"

# submit --detach, status while it runs, cancel, then wait --json --output.
job=$("${LS[@]}" submit --detach "${EP[@]}" "$WORK/corpus" "$WORK/STALL.log.gz")
[[ "$job" =~ ^[0-9a-f]{32}$ ]] || fail "job id: '$job'"
for i in $(seq 1 200); do
  "${LS[@]}" status "$job" --json "${EP[@]}" >"$WORK/status.json"
  python3 -c 'import json,sys; j=json.load(open(sys.argv[1]))["jobs"][0]; sys.exit(0 if j["done"]==8 and j["total"]==9 else 1)' \
    "$WORK/status.json" && break
  sleep 0.05
done
python3 -c 'import json,sys; j=json.load(open(sys.argv[1]))["jobs"][0]; assert j["done"]==8, j' \
  "$WORK/status.json" || fail "status JOB: $(cat "$WORK/status.json")"
"${LS[@]}" status "${EP[@]}" >"$WORK/status.txt"
grep -q "$job" "$WORK/status.txt" && grep -q "8/9" "$WORK/status.txt" ||
  fail "status: $(cat "$WORK/status.txt")"
# Attach first: without --state a finished job is forgotten once reported.
timeout 60 "${LS[@]}" wait "$job" --json -o "$WORK/result.json" "${EP[@]}" >"$WORK/wait.out" 2>"$WORK/wait.err" &
waiter=$!
wait_for_log "$WORK/coordinator.log" "attached to job $job"
"${LS[@]}" cancel "$job" "${EP[@]}" >"$WORK/cancel.txt" || fail "cancel exited $?"
grep -q "cancelled 1 unfinished files" "$WORK/cancel.txt" || fail "cancel: $(cat "$WORK/cancel.txt")"
set +e
wait "$waiter"
code=$?
set -e
[ "$code" -eq 4 ] || fail "wait after cancel: exit $code, want 4: $(cat "$WORK/wait.err")"
grep -q "9 files (0 failed, 1 cancelled)" "$WORK/wait.err" || fail "wait after cancel: $(cat "$WORK/wait.err")"
grep -q "CANCELLED" "$WORK/wait.err" && fail "wait after cancel lists cancelled files: $(cat "$WORK/wait.err")"
[ ! -s "$WORK/wait.out" ] || fail "--output: stdout not empty"
python3 - "$WORK/result.json" "$WORK/corpus/expected.txt" <<'PY' || fail "wait --json: $(head -c 600 "$WORK/result.json")"
import json, sys
doc = json.load(open(sys.argv[1]))
want = open(sys.argv[2], 'rb').read().decode().split()
assert doc["hosts"] == want, "hosts differ"
bad = [f for f in doc["files"] if not f["ok"]]
assert len(bad) == 1 and bad[0]["code"] == "CANCELLED" and "STALL" in bad[0]["path"], bad
assert doc["failed_files"] == 1 and len(doc["files"]) == 9
PY
# A finished job is kept (in memory, also without --state) for status/wait.
"${LS[@]}" status "$job" "${EP[@]}" >"$WORK/finished.txt" 2>&1 ||
  fail "status of a finished job: $(cat "$WORK/finished.txt")"
grep -q "9/9" "$WORK/finished.txt" || fail "status of a finished job: $(cat "$WORK/finished.txt")"
"${LS[@]}" status 0123456789abcdef0123456789abcdef "${EP[@]}" >/dev/null 2>"$WORK/gone.txt" &&
  fail "status of an unknown job succeeded"
grep -q "NOT_FOUND" "$WORK/gone.txt" || fail "status of unknown job: $(cat "$WORK/gone.txt")"

# --output: the hosts in the file, nothing on stdout.
"${LS[@]}" submit -q "${EP[@]}" -o "$WORK/hosts.txt" "$WORK/corpus" >"$WORK/stdout.txt"
expect_same "$WORK/corpus/expected.txt" "$WORK/hosts.txt" "submit --output"
[ ! -s "$WORK/stdout.txt" ] || fail "--output: stdout not empty"

# Not a terminal: no progress line at all.
"${LS[@]}" submit "${EP[@]}" "$WORK/corpus" >/dev/null 2>"$WORK/plain.err"
if grep -q $'\033\\[K' "$WORK/plain.err"; then fail "progress escape codes without a terminal"; fi

# A terminal: the progress line renders, then is cleared before the summary.
python3 - "$BIN/logsweep" "$CLIENTS_EP" "$WORK" <<'PY' || fail "progress line on a terminal"
import json, os, pty, select, subprocess, sys, time
logsweep, ep, work = sys.argv[1:4]
pid, fd = pty.fork()
if pid == 0:
    os.execv(logsweep, [logsweep, "submit", "--coordinator", ep,
                        work + "/corpus", work + "/STALL.log.gz"])
out = b""
def read_for(seconds, until=None):
    global out
    end = time.time() + seconds
    while time.time() < end:
        r, _, _ = select.select([fd], [], [], 0.1)
        if r:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                return False
            if not chunk:
                return False
            out += chunk
            if until and until in out:
                return True
    return True
read_for(20, until=b"8/9 files")
assert b"\r\x1b[K" in out and b"8/9 files" in out, out
assert b"ETA" in out[out.find(b"8/9 files"):], out
status = json.loads(subprocess.check_output(
    [logsweep, "status", "--json", "--coordinator", ep]))
for job in status["jobs"]:
    subprocess.check_call([logsweep, "cancel", job["job_id"], "--coordinator", ep],
                          stdout=subprocess.DEVNULL)
deadline = time.time() + 30
while time.time() < deadline and read_for(1):
    pass
end = time.time() + 10
while True:
    done, code = os.waitpid(pid, os.WNOHANG)
    if done:
        break
    if time.time() > end:
        os.kill(pid, 9)
        raise SystemExit("the job did not end after cancel: %r" % out[-400:])
    time.sleep(0.05)
assert os.waitstatus_to_exitcode(code) == 4, code
last_progress = out.rfind(b"files, ")
summary = out.find(b"logsweep: 9 files (0 failed, 1 cancelled)")
assert summary > last_progress > 0, out
clear = out.rfind(b"\r\x1b[K", 0, summary)
assert clear > last_progress, "progress not cleared before the summary: %r" % out[-400:]
PY

# Ctrl-C on a waiting submit: exit 130, the job runs on, and the message
# says how to wait for it. Last, as its stalled file may hold a worker slot.
"${LS[@]}" submit "${EP[@]}" "$WORK/STALL.log.gz" >/dev/null 2>"$WORK/int.err" &
submitter=$!
wait_for_log "$WORK/coordinator.log" "accepted: 1 files"
kill -INT "$submitter"
wait_exit "$submitter" "an interrupted submit"
[ "$EXIT_CODE" -eq 130 ] || fail "interrupted submit: exit $EXIT_CODE, want 130: $(cat "$WORK/int.err")"
# The whole command, endpoint included, so that pasting it works.
int_job=$(sed -n "s|.*logsweep wait --coordinator $CLIENTS_EP \([0-9a-f]\{32\}\).*|\1|p" "$WORK/int.err")
[ -n "$int_job" ] || fail "interrupted submit names no job to wait for: $(cat "$WORK/int.err")"
"${LS[@]}" status "$int_job" "${EP[@]}" >"$WORK/int.status" ||
  fail "the interrupted job is gone: $(cat "$WORK/int.status")"
"${LS[@]}" cancel "$int_job" "${EP[@]}" >/dev/null || fail "cancel of the interrupted job"
echo "PASS cli"
