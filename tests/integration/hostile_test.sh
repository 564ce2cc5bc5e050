#!/usr/bin/env bash
# Hostile inputs that need a real cluster:
#  1. hostile peers (garbage, wrong frame counts, wrong versions, oversized,
#     unknown jobs, a flood of connections): the coordinator stays up, logs,
#     and then serves a real job exactly;
#  2. a file the worker may not read (worker runs as nobody): PERMISSION_DENIED;
#  3. a gzip bomb holding one 1 GiB line without newline: the worker's memory
#     stays bounded, the line is decided exactly as it streams past (one
#     line; not malformed: it does not hold the value), the job goes on.
source "$(dirname "$0")/lib.sh"
LOG_LEVEL=info

generate "$WORK/corpus" 12 --lines 1000 --seed 9
start_coordinator --heartbeat-ms 200

# ---- 1 ----
/usr/bin/python3 "$(dirname "$0")/hostile_peer.py" "$WORKERS_EP" "$CLIENTS_EP" ||
  fail "1: could not send hostile traffic"
kill -0 "$COORDINATOR_PID" || fail "1: coordinator died"
grep -q "dropped a 3-frame message" "$WORK/coordinator.log" || fail "1: frame count not logged"
grep -q "protocol version 5" "$WORK/coordinator.log" || fail "1: version not logged"
grep -q "protocol version 3, expected 4" "$WORK/coordinator.log" || fail "1: a peer of the release before --count not refused by name"
grep -q "refused a peer on the clients endpoint" "$WORK/coordinator.log" || fail "1: client garbage not logged"
start_worker w1 --threads 2
W1=$LAST_WORKER_PID
timeout 60 "$BIN/logsweep" submit -q --coordinator "$CLIENTS_EP" "$WORK/corpus" \
  >"$WORK/1.out" || fail "1: submit after hostile traffic exited $?"
expect_same "$WORK/corpus/expected.txt" "$WORK/1.out" "1: after hostile peers"
echo "ok 1 - hostile peers"

# ---- 2 ----
if id nobody >/dev/null 2>&1 && command -v setpriv >/dev/null; then
  chmod 755 "$WORK"
  cp "$WORK/corpus/access-00000.log.gz" "$WORK/secret.log.gz"
  chmod 600 "$WORK/secret.log.gz"
  chmod -R a+rX "$WORK/corpus"
  setpriv --reuid=nobody --regid=nogroup --clear-groups \
    "$BIN/logsweep-worker" --coordinator "$WORKERS_EP" --name nobody \
    --threads 1 --log-level warn 2>>"$WORK/nobody.log" &
  NOBODY=$!
  PIDS+=("$NOBODY")
  kill -TERM "$W1"
  wait_for_log "$WORK/coordinator.log" "worker nobody registered"
  set +e
  timeout 60 "$BIN/logsweep" submit --coordinator "$CLIENTS_EP" \
    "$WORK/secret.log.gz" "$WORK/corpus" >"$WORK/2.out" 2>"$WORK/2.err"
  rc=$?
  set -e
  [ "$rc" -eq 3 ] || fail "2: exit $rc, expected 3: $(cat "$WORK/2.err")"
  grep -q "error: $WORK/secret.log.gz: PERMISSION_DENIED" "$WORK/2.err" ||
    fail "2: permission error not named: $(cat "$WORK/2.err")"
  expect_same "$WORK/corpus/expected.txt" "$WORK/2.out" "2: readable files"
  echo "ok 2 - permission denied"
else
  fail "2: needs root, the user nobody and setpriv (util-linux)"
fi

# ---- 3 ----
head -c $((1 << 30)) /dev/zero | tr '\0' 'x' | gzip -1 >"$WORK/bomb.log.gz"
start_worker bomber --threads 1
BOMBER=$LAST_WORKER_PID
kill -TERM "$NOBODY" 2>/dev/null || true
wait_for_log "$WORK/coordinator.log" "worker bomber registered"
timeout 120 "$BIN/logsweep" submit --coordinator "$CLIENTS_EP" \
  "$WORK/bomb.log.gz" "$WORK/corpus" >"$WORK/3.out" 2>"$WORK/3.err" ||
  fail "3: exit $?: $(cat "$WORK/3.err")"
expect_same "$WORK/corpus/expected.txt" "$WORK/3.out" "3: with a gzip bomb"
grep -q " 12001 lines (0 malformed)" "$WORK/3.err" ||
  fail "3: the 1 GiB line is not counted as one line that is not malformed: $(cat "$WORK/3.err")"
rss_kb=$(awk '/^VmHWM/{print $2}' "/proc/$BOMBER/status")
echo "worker peak RSS with a 1 GiB line: ${rss_kb} KiB"
[ "$rss_kb" -lt 102400 ] || fail "3: worker peak RSS ${rss_kb} KiB (over 100 MiB)"
echo "ok 3 - gzip bomb, 1 GiB line"
echo "PASS hostile"
