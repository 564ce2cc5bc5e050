#!/usr/bin/env bash
# --log-format json (issue 19): every line the coordinator and a worker
# write, and the log lines of `logsweep run`'s processes, is one JSON
# object with time, level, component, pid and message; lines about a task
# carry job and task (and worker); a path that is not UTF-8 still gives
# valid JSON, with the message's bytes kept in message_bytes_hex; the
# worker's line about that file carries its path.
source "$(dirname "$0")/lib.sh"

generate "$WORK/corpus" 6 --lines 300 --seed 41
bad="$WORK/corpus/bad-"$'\xff'".log.gz"
head -c 200 "$WORK/corpus/access-00000.log.gz" >"$bad"  # truncated

LOG_LEVEL=debug start_coordinator --heartbeat-ms 200 --log-format json
LOG_LEVEL=debug start_worker w1 --threads 2 --heartbeat-ms 200 --log-format json
wait_for_log "$WORK/coordinator.log" '"worker w1 registered'
set +e
"$BIN/logsweep" submit -q --coordinator "$CLIENTS_EP" "$WORK/corpus" \
  >"$WORK/submit.out" 2>"$WORK/submit.err"
code=$?
set -e
[ "$code" -eq 3 ] || fail "submit with a truncated file exited $code, want 3"
kill -TERM "$COORDINATOR_PID" "$LAST_WORKER_PID"
wait "$COORDINATOR_PID" "$LAST_WORKER_PID" 2>/dev/null || true

# run logs warnings only; a damaged result cache gives it one to write.
mkdir -p "$XDG_CACHE_HOME/logsweep"
echo "not a database" >"$XDG_CACHE_HOME/logsweep/cache.db"
set +e
"$BIN/logsweep" run -q --workers 2 --log-format json "$WORK/corpus" \
  >"$WORK/run.out" 2>"$WORK/run.err"
code=$?
set -e
[ "$code" -eq 3 ] || fail "run with a truncated file exited $code, want 3"
cmp -s "$WORK/submit.out" "$WORK/run.out" || fail "run and submit differ"

/usr/bin/python3 - "$WORK/coordinator.log" "$WORK/w1.log" "$WORK/run.err" <<'PY'
import json, sys
keys = {"time", "level", "component", "pid", "message"}
hexed = []
def lines(path):
    return open(path, "rb").read().split(b"\n")[:-1]
for path, component in ((sys.argv[1], "coordinator"), (sys.argv[2], "worker")):
    objs = []
    for raw in lines(path):
        obj = json.loads(raw.decode("utf-8"))  # valid UTF-8 and JSON, or raise
        assert keys <= obj.keys(), (path, obj)
        assert obj["component"] == component and obj["time"].endswith("Z"), obj
        objs.append(obj)
    assert len(objs) >= 3, (path, len(objs))
    tasks = [o for o in objs if "job" in o and "task" in o]
    if component == "coordinator":
        assert tasks, "%s: no line with job and task" % path
        assert any(o.get("worker") == "w1" for o in objs), "no worker field"
    else:
        assert any("bad-" in o.get("path", "") for o in objs), \
            "%s: no line with the failed file's path" % path
    hexed += [o["message_bytes_hex"] for o in objs if "message_bytes_hex" in o]
    print("%s: %d JSON lines, %d with job and task" % (path, len(objs), len(tasks)))
# The worker names the file whose name is not UTF-8: its bytes are kept.
name = "bad-\xff.log.gz".encode("latin-1").hex()
assert any(name in h for h in hexed), "the truncated file's name lost its bytes"
# logsweep run: its processes' log lines are JSON; its own messages (the
# summary, errors of the command) are the CLI's and start with "logsweep".
n = 0
for raw in lines(sys.argv[3]):
    if raw.startswith(b"{"):
        obj = json.loads(raw.decode("utf-8"))
        assert keys <= obj.keys(), obj
        n += 1
    else:
        assert raw.startswith(b"logsweep") or raw.startswith(b"  "), raw
assert n >= 1, "run wrote no JSON log line (the damaged cache's warning)"
print("run: %d JSON log lines" % n)
PY
echo "ok - every log line is a JSON object with time, level, component, pid, message"
