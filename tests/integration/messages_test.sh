#!/usr/bin/env bash
# The messages a person acts on (issue 20), the way a person sees them:
# usage errors named (exit 2) before anything starts, --output checked and
# written as asked, a wrong port or endpoint said at once on a terminal,
# ids by prefix, finished jobs shown finished with their real time, a
# coordinator restart seen in the progress line and survived with owner
# and timings, a cancelled job summed up in one line (exit 4), a job that
# dies with a coordinator without --state said to be gone, and `run`
# under a long TMPDIR with its workers titled logsweep-worker.
source "$(dirname "$0")/lib.sh"

generate "$WORK/corpus" 8 --lines 2000 --seed 9
cp "$WORK/corpus/access-00000.log.gz" "$WORK/STALL.log.gz"
LS="$BIN/logsweep"

# ---- usage errors, before any coordinator is asked ----
set +e
"$LS" runn >/dev/null 2>"$WORK/e.txt"; code=$?
set -e
[ "$code" -eq 2 ] || fail "unknown command: exit $code"
grep -q "unknown command 'runn'; did you mean 'run'" "$WORK/e.txt" || fail "unknown command: $(cat "$WORK/e.txt")"
set +e
"$LS" status --coordinator 127.0.0.1:25556 >/dev/null 2>"$WORK/e.txt"; code=$?
set -e
[ "$code" -eq 2 ] || fail "endpoint without tcp://: exit $code"
grep -q "tcp://HOST:PORT" "$WORK/e.txt" || fail "endpoint without tcp://: $(cat "$WORK/e.txt")"
set +e
"$LS" submit --path '' --coordinator tcp://127.0.0.1:9 "$WORK/corpus" >"$WORK/o.txt" 2>"$WORK/e.txt"; code=$?
set -e
[ "$code" -eq 2 ] || fail "--path '': exit $code"
grep -q "cannot be empty" "$WORK/e.txt" || fail "--path '': $(cat "$WORK/e.txt")"
[ "$(wc -l <"$WORK/e.txt")" -le 2 ] || fail "--path '': more than the usage error: $(cat "$WORK/e.txt")"
mkdir "$WORK/outdir"
set +e
"$LS" submit -o "$WORK/outdir/" --coordinator tcp://127.0.0.1:9 "$WORK/corpus" 2>"$WORK/e.txt"; code=$?
set -e
[ "$code" -eq 2 ] || fail "-o DIR/: exit $code"
grep -q "is a directory" "$WORK/e.txt" || fail "-o DIR/: $(cat "$WORK/e.txt")"
set +e
"$LS" submit -o "$WORK/no/such/hosts.txt" --coordinator tcp://127.0.0.1:9 --connect-timeout-ms 5000 "$WORK/corpus" 2>"$WORK/e.txt"; code=$?
set -e
[ "$code" -eq 2 ] || fail "-o in a missing directory: exit $code (checked only after the job?)"
grep -q "no answer" "$WORK/e.txt" && fail "-o in a missing directory: checked only after connecting"

LOG_LEVEL=info start_coordinator --heartbeat-ms 200 --state "$WORK/state"
W_EP=$WORKERS_EP
C_EP=$CLIENTS_EP
WORKER_BIN=logsweep-test-worker start_worker worker-with-a-rather-long-name.cluster.example.org \
  --stall STALL --threads 2 --heartbeat-ms 200
EP=(--coordinator "$CLIENTS_EP")
for i in $(seq 1 100); do
  "$LS" workers "${EP[@]}" >"$WORK/workers.txt" && grep -q "1 connected" "$WORK/workers.txt" && break
  sleep 0.05
done
grep -q "RUNNING" "$WORK/workers.txt" && grep -q "MB/s NOW" "$WORK/workers.txt" ||
  fail "workers: $(cat "$WORK/workers.txt")"

# --path that can match nothing: a warning, the job still runs.
"$LS" submit --path robots.txt "${EP[@]}" "$WORK/corpus" >/dev/null 2>"$WORK/e.txt"
grep -q "warning: --path 'robots.txt' does not begin with '/'" "$WORK/e.txt" || fail "--path warning: $(cat "$WORK/e.txt")"

# -o - is stdout; -o onto a symlink writes through it and keeps the mode.
(cd "$WORK" && "$LS" submit -q -o - "${EP[@]}" "$WORK/corpus" >"$WORK/dash.txt")
expect_same "$WORK/corpus/expected.txt" "$WORK/dash.txt" "-o -"
[ ! -e "$WORK/-" ] || fail "-o - made a file named -"
echo old >"$WORK/real.txt"
chmod 600 "$WORK/real.txt"
ln -s real.txt "$WORK/link.txt"
"$LS" submit -q -o "$WORK/link.txt" "${EP[@]}" "$WORK/corpus"
[ -L "$WORK/link.txt" ] || fail "-o replaced the symlink"
expect_same "$WORK/corpus/expected.txt" "$WORK/real.txt" "-o through a symlink"
[ "$(stat -c %a "$WORK/real.txt")" = 600 ] || fail "-o reset the mode: $(stat -c %a "$WORK/real.txt")"

# A job by prefix; once finished it is shown finished, with its real time.
job=$("$LS" submit --detach "${EP[@]}" "$WORK/corpus")
"$LS" wait "${job:0:7}" --json -o "$WORK/done.json" "${EP[@]}" 2>/dev/null
python3 - "$WORK/done.json" "$job" <<'PY' || fail "wait by prefix: $(head -c 400 "$WORK/done.json")"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["job_id"] == sys.argv[2], d["job_id"]
assert d["elapsed_seconds"] > 0, d["elapsed_seconds"]
PY
"$LS" status "${job:0:7}" "${EP[@]}" >"$WORK/finished.txt"
grep -q "$job finished" "$WORK/finished.txt" || fail "status of a finished job: $(cat "$WORK/finished.txt")"
grep -q "unfinished" "$WORK/finished.txt" && fail "a finished job shown as unfinished: $(cat "$WORK/finished.txt")"
"$LS" status "$job" --json "${EP[@]}" | python3 -c '
import json, sys
j = json.load(sys.stdin)["jobs"][0]
assert j["finished"] and j["elapsed_seconds"] > 0, j' || fail "status --json of a finished job"

# A wrong port, on a terminal: said at once, while still waiting; the
# workers endpoint answers that it is the workers endpoint.
python3 - "$LS" "$W_EP" <<'PY' || fail "wrong port on a terminal"
import os, pty, select, socket, sys, time
ls, workers_ep = sys.argv[1:3]
s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close()
ep = "tcp://127.0.0.1:%d" % port
pid, fd = pty.fork()
if pid == 0:
    os.execv(ls, [ls, "status", "--coordinator", ep, "--connect-timeout-ms", "5000"])
out, start = b"", time.time()
while time.time() - start < 2 and b"no answer yet" not in out:
    if select.select([fd], [], [], 0.1)[0]:
        out += os.read(fd, 4096)
assert b"no answer yet from the coordinator at " + ep.encode() in out, out
assert os.waitpid(pid, os.WNOHANG)[0] == 0, "gave up at once instead of waiting"
os.kill(pid, 9); os.waitpid(pid, 0)
t = time.time()
import subprocess
r = subprocess.run([ls, "status", "--coordinator", workers_ep, "--connect-timeout-ms", "5000"],
                   capture_output=True)
assert r.returncode == 1 and b"workers endpoint" in r.stderr, r
assert time.time() - t < 3, "the workers endpoint was not said at once"
PY

# A coordinator restart seen on a terminal: the progress line says the
# coordinator is unreachable and since when, then that it is back. The job
# keeps its owner (full id in the list, prefixes work) and its timings;
# cancelled, it ends with one summary and exit 4.
echo "$COORDINATOR_PID" >"$WORK/coordinator.pid"
set +e
python3 - "$LS" "$BIN/logsweep-coordinator" "$W_EP" "$C_EP" "$WORK" <<'PY'
import json, os, pty, re, select, subprocess, sys, time
ls, coord, wep, cep, work = sys.argv[1:6]
pid, fd = pty.fork()
if pid == 0:
    os.execv(ls, [ls, "submit", "--coordinator", cep, work + "/corpus", work + "/STALL.log.gz"])
out = b""
def read_until(pattern, seconds):
    global out
    end = time.time() + seconds
    while time.time() < end:
        if pattern in out:
            return True
        if select.select([fd], [], [], 0.1)[0]:
            try:
                out += os.read(fd, 65536)
            except OSError:
                return pattern in out
    return pattern in out
assert read_until(b"8/9 files", 20), out
status = json.loads(subprocess.check_output([ls, "status", "--json", "--coordinator", cep]))
job = status["jobs"][0]["job_id"]
submitted = time.time() - status["jobs"][0]["elapsed_seconds"]
with open(work + "/coordinator.pid") as f:
    cpid = int(f.read())
os.kill(cpid, 15)
assert read_until(b"unreachable since", 10), out[-600:]
assert re.search(rb"coordinator at tcp://127\.0\.0\.1:\d+ unreachable since \d\d:\d\d:\d\d", out), out[-600:]
log = open(work + "/coordinator.log", "ab")
new = subprocess.Popen([coord, "--workers-endpoint", wep, "--clients-endpoint", cep,
                        "--state", work + "/state", "--heartbeat-ms", "200",
                        "--log-level", "info"], stderr=log)
with open(work + "/coordinator2.pid", "w") as f:
    f.write(str(new.pid))
assert read_until(b"answers again", 15), out[-600:]
# The owner survives: the list shows the whole id; a prefix finds it.
listing = subprocess.check_output([ls, "status", "--coordinator", cep]).decode()
assert job in listing, listing
one = json.loads(subprocess.check_output([ls, "status", job[:6], "--json", "--coordinator", cep]))
elapsed = one["jobs"][0]["elapsed_seconds"]
assert elapsed >= time.time() - submitted - 1.5, (elapsed, time.time() - submitted)
subprocess.check_call([ls, "cancel", job[:6], "--coordinator", cep], stdout=subprocess.DEVNULL)
end = time.time() + 20
while time.time() < end:
    done, code = os.waitpid(pid, os.WNOHANG)
    if done:
        break
    read_until(b"\0", 0.2)
else:
    raise SystemExit("the job did not end after cancel: %r" % out[-400:])
read_until(b"\0", 0.3)
assert os.waitstatus_to_exitcode(code) == 4, (code, out[-600:])
assert b"9 files (0 failed, 1 cancelled)" in out, out[-600:]
assert b"CANCELLED" not in out, out[-600:]
PY
rc=$?
set -e
[ -f "$WORK/coordinator2.pid" ] && PIDS+=("$(cat "$WORK/coordinator2.pid")")
[ "$rc" -eq 0 ] || fail "restart on a terminal"
kill -TERM "$(cat "$WORK/coordinator2.pid")" 2>/dev/null || true

# A coordinator without --state stopped mid-job: the client says the job is
# gone (not "reattach later"), and the coordinator warns.
LOG_LEVEL=info start_coordinator --heartbeat-ms 200
WORKER_BIN=logsweep-test-worker start_worker w2 --stall STALL --heartbeat-ms 200
"$LS" submit --coordinator "$CLIENTS_EP" "$WORK/STALL.log.gz" >/dev/null 2>"$WORK/gone.err" &
submitter=$!
wait_for_log "$WORK/coordinator.log" "accepted: 1 files from client"
kill -TERM "$COORDINATOR_PID"
wait_exit "$submitter" "a submit whose coordinator stopped" 10
[ "$EXIT_CODE" -eq 1 ] || fail "job gone: exit $EXIT_CODE"
grep -q "is gone" "$WORK/gone.err" || fail "job gone: $(cat "$WORK/gone.err")"
grep -q "reattach" "$WORK/gone.err" && fail "job gone, yet: $(cat "$WORK/gone.err")"
wait_for_log "$WORK/coordinator.log" "unfinished jobs, which are lost"

# run under a TMPDIR too long for a socket path; its workers titled.
long="$WORK/$(printf 'd%.0s' $(seq 1 100))"
mkdir -p "$long"
TMPDIR=$long "$LS" run -q --workers 2 "$WORK/corpus" >"$WORK/run.txt" || fail "run under a long TMPDIR"
expect_same "$WORK/corpus/expected.txt" "$WORK/run.txt" "run under a long TMPDIR"
# Real logs (when given) make the job last long enough to look.
# Without them, a generated corpus large enough to take a moment.
if [ -n "$REALLOGS" ] && [ -d "$REALLOGS" ]; then
  ln -s "$REALLOGS" "$WORK/real"
else
  generate "$WORK/real" 8 --lines 100000 --seed 9
fi
python3 - "$LS" "$WORK" <<'PY' || fail "run's workers are not titled logsweep-worker"
import os, subprocess, sys, time
ls, work = sys.argv[1:3]
# The job is short: look often, and judge each worker on a second look
# (its title is set right after the fork); a run too short to be seen
# twice (no real logs beside the repository, a fast machine) is repeated.
for attempt in range(10):
    p = subprocess.Popen([ls, "run", "-q", "--workers", "2", "--threads", "1",
                          work + "/corpus", work + "/real"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    seen, titles = set(), {}
    while p.poll() is None and len(titles) < 2:
        for d in os.listdir("/proc"):
            if not d.isdigit() or d in titles:
                continue
            try:
                with open("/proc/%s/stat" % d) as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) != p.pid:
                        continue
                with open("/proc/%s/cmdline" % d, "rb") as f:
                    cmdline = f.read().rstrip(b"\0")
            except (OSError, ValueError, IndexError):
                continue
            if d in seen:
                titles[d] = cmdline
            seen.add(d)
        time.sleep(0.002)
    p.wait()
    if titles:
        break
assert titles and all(t == b"logsweep-worker" for t in titles.values()), titles
PY

# The coordinator binds a host name, and refuses one endpoint for both.
"$BIN/logsweep-coordinator" --workers-endpoint 'tcp://localhost:*' --clients-endpoint 'tcp://localhost:*' \
  --ready-file "$WORK/ready2" 2>"$WORK/c2.log" &
c2=$!
PIDS+=("$c2")
for i in $(seq 1 100); do [ -f "$WORK/ready2" ] && break; sleep 0.05; done
[ -f "$WORK/ready2" ] || fail "binding localhost: $(cat "$WORK/c2.log")"
kill -TERM "$c2"
set +e
"$BIN/logsweep-coordinator" --workers-endpoint tcp://127.0.0.1:5999 --clients-endpoint tcp://127.0.0.1:5999 2>"$WORK/c3.log"
code=$?
set -e
[ "$code" -eq 2 ] && grep -q "need an endpoint each" "$WORK/c3.log" || fail "same endpoint twice: $code $(cat "$WORK/c3.log")"
echo "PASS messages"
