#!/usr/bin/env bash
# CurveZMQ end to end, on loopback TCP:
#  1. `logsweep keygen` writes NAME.key (0600) and NAME.pub, never over an
#     existing pair;
#  2. a coordinator with --curve-secret and --authorized-keys refuses, and
#     logs with address and key, a worker whose key is not listed and a
#     worker presenting a client key; it refuses and logs (from libzmq's
#     handshake events) a worker without CURVE and one with the wrong
#     server key: none of them registers or gets a task;
#  3. per-client job limit by CURVE key: two authorised clients on the same
#     host have separate quotas (--max-jobs-per-client 2);
#  4. an authorised worker then runs the jobs: exact result;
#  5. an unauthorised client, a client without CURVE and a client presenting
#     a worker key cannot submit: a clear error naming the keys, and the
#     coordinator logs the refusal;
#  6. with no flags, every client command reads the coordinator and the
#     CURVE keys from LOGSWEEP_COORDINATOR, LOGSWEEP_CURVE_SERVER_KEY and
#     LOGSWEEP_CURVE_KEY; a flag wins over its variable.
source "$(dirname "$0")/lib.sh"
LOG_LEVEL=info

generate "$WORK/corpus" 8 --lines 1000 --seed 11

# ---- 1 ----
mkdir -p "$WORK/keys" "$WORK/auth/workers" "$WORK/auth/clients"
for name in coordinator w-ok w-stranger c-ok c-ok2 c-stranger; do
  "$BIN/logsweep" keygen "$WORK/keys/$name" >/dev/null ||
    fail "1: keygen $name exited $?"
done
[ "$(stat -c %a "$WORK/keys/c-ok.key")" = 600 ] || fail "1: secret key is not 0600"
[ "$(tr -d '\n' <"$WORK/keys/c-ok.pub" | wc -c)" -eq 40 ] || fail "1: .pub is not 40 Z85 characters"
cp "$WORK/keys/c-ok.key" "$WORK/c-ok.key.before"
if "$BIN/logsweep" keygen "$WORK/keys/c-ok" 2>"$WORK/1.err"; then
  fail "1: keygen overwrote an existing pair"
fi
grep -q "already exists" "$WORK/1.err" || fail "1: no clear overwrite error: $(cat "$WORK/1.err")"
cmp -s "$WORK/keys/c-ok.key" "$WORK/c-ok.key.before" || fail "1: existing key changed"
cp "$WORK/keys/w-ok.pub" "$WORK/auth/workers/"
cp "$WORK/keys/c-ok.pub" "$WORK/keys/c-ok2.pub" "$WORK/auth/clients/"
echo "ok 1 - keygen"

z85() { tr -d '\n' <"$WORK/keys/$1.pub"; }
# Z85 keys hold regex characters: match them as fixed strings.
wait_for_text() { # FILE TEXT [TEXT2]: until a line contains TEXT (or TEXT2)
  local i
  for i in $(seq 1 400); do
    grep -qF -e "$2" -e "${3:-$2}" "$1" 2>/dev/null && return 0
    sleep 0.05
  done
  fail "no '$2' in $1 within 20s: $(tail -5 "$1")"
}
SERVER_KEY="$WORK/keys/coordinator.pub"
client() { # client NAME [logsweep args...]: logsweep with NAME's keys
  local name=$1 sub=$2
  shift 2
  "$BIN/logsweep" "$sub" --coordinator "$CLIENTS_EP" \
    --curve-server-key "$SERVER_KEY" --curve-key "$WORK/keys/$name" "$@"
}

# ---- 2 ----
start_coordinator --heartbeat-ms 200 --max-jobs-per-client 2 \
  --curve-secret "$WORK/keys/coordinator.key" --authorized-keys "$WORK/auth"
grep -qF "CURVE on: public key $(z85 coordinator); 1 worker and 2 client keys" \
  "$WORK/coordinator.log" || fail "2: CURVE not reported on: $(cat "$WORK/coordinator.log")"
start_worker stranger --threads 1 --curve-server-key "$SERVER_KEY" \
  --curve-key "$WORK/keys/w-stranger"
start_worker plain --threads 1
start_worker clientkey --threads 1 --curve-server-key "$SERVER_KEY" \
  --curve-key "$WORK/keys/c-ok.key"
start_worker wrongserver --threads 1 --curve-server-key "$WORK/keys/w-ok.pub" \
  --curve-key "$WORK/keys/w-ok"
wait_for_text "$WORK/coordinator.log" "refused workers peer 127.0.0.1: key $(z85 w-stranger) is not authorised"
wait_for_text "$WORK/coordinator.log" "refused workers peer 127.0.0.1: key $(z85 c-ok) is not authorised (it is listed for clients only)"
# Peers failing before ZAP (no CURVE; the wrong server key) are logged from
# libzmq's handshake events, without their address. Which side of a CURVE-
# less handshake notices first is a race: we log a mechanism error, or the
# peer hangs up on seeing our greeting.
wait_for_text "$WORK/coordinator.log" "refused a workers peer at the CURVE handshake on $WORKERS_EP: it does not use CURVE" \
  "a workers peer dropped out of the CURVE handshake on $WORKERS_EP"
wait_for_text "$WORK/coordinator.log" "refused a workers peer at the CURVE handshake on $WORKERS_EP: cryptographic error (a wrong --curve-server-key?)"
# A worker admitted by mistake would have registered at once (it sends its
# hello as soon as the handshake ends); give it a second.
sleep 1
if grep -q "registered" "$WORK/coordinator.log"; then
  fail "2: an unauthorised worker registered: $(grep registered "$WORK/coordinator.log")"
fi
# The CURVE-less worker never reaches ZAP: its handshake fails on the
# mechanism, before any message is read, so it is never heard at all.
grep -q "worker plain" "$WORK/coordinator.log" && fail "2: the worker without CURVE was heard"
grep -q "worker wrongserver" "$WORK/coordinator.log" && fail "2: the worker with the wrong server key was heard"
echo "ok 2 - unauthorised workers refused and logged"

# ---- 3 ----
ID1=$(client c-ok submit --detach -q "$WORK/corpus") || fail "3: first submit"
ID2=$(client c-ok submit --detach -q "$WORK/corpus") || fail "3: second submit"
set +e
client c-ok submit -q "$WORK/corpus" >/dev/null 2>"$WORK/3.err"
rc=$?
set -e
[ "$rc" -ne 0 ] || fail "3: a third job of the same client was accepted"
grep -q "RESOURCE_EXHAUSTED: refused by " "$WORK/3.err" &&
  grep -qF "client $(z85 c-ok) already has 2 unfinished jobs; the limit is 2 per client" \
    "$WORK/3.err" || fail "3: no clear limit error: $(cat "$WORK/3.err")"
ID3=$(client c-ok2 submit --detach -q "$WORK/corpus") ||
  fail "3: another client's key shares the first one's quota"
echo "ok 3 - per-client job limit by key"

# ---- 4 ----
for id in "$ID1" "$ID2" "$ID3"; do
  name=c-ok
  [ "$id" = "$ID3" ] && name=c-ok2
  client "$name" wait -q "$id" >"$WORK/4-$id.out" 2>"$WORK/4-$id.err" &
  PIDS+=("$!")
  eval "WAIT_$id=$!"
  wait_for_log "$WORK/coordinator.log" "attached to job $id"
done
start_worker good --threads 2 --curve-server-key "$SERVER_KEY" \
  --curve-key "$WORK/keys/w-ok"
wait_for_log "$WORK/coordinator.log" "worker good registered"
for id in "$ID1" "$ID2" "$ID3"; do
  pid_var="WAIT_$id"
  wait "${!pid_var}" || fail "4: wait $id exited $?: $(cat "$WORK/4-$id.err")"
  expect_same "$WORK/corpus/expected.txt" "$WORK/4-$id.out" "4: job $id over CURVE"
done
# A fresh job, start to finish, over CURVE.
client c-ok submit -q "$WORK/corpus" >"$WORK/4.out" || fail "4: submit exited $?"
expect_same "$WORK/corpus/expected.txt" "$WORK/4.out" "4: submit over CURVE"
grep -q "registered" <(grep -v "worker good registered" "$WORK/coordinator.log") &&
  fail "4: a worker other than good registered"
echo "ok 4 - authorised worker and clients get exact results"

# ---- 5 ----
expect_refused() { # WHAT: the last submit failed with the CURVE hint
  [ "$rc" -ne 0 ] || fail "5: $1 could submit"
  grep -q "DEADLINE_EXCEEDED: no answer from the coordinator" "$WORK/5.err" ||
    fail "5: $1: $(cat "$WORK/5.err")"
  grep -q "$2" "$WORK/5.err" || fail "5: $1: no hint about keys: $(cat "$WORK/5.err")"
}
set +e
client c-stranger submit -q --connect-timeout-ms 1500 "$WORK/corpus" >/dev/null 2>"$WORK/5.err"
rc=$?
set -e
expect_refused "an unauthorised client" "refused handshake.*authorized-keys/clients/"
wait_for_text "$WORK/coordinator.log" "refused clients peer 127.0.0.1: key $(z85 c-stranger) is not authorised"

set +e
client w-ok submit -q --connect-timeout-ms 1500 "$WORK/corpus" >/dev/null 2>"$WORK/5.err"
rc=$?
set -e
expect_refused "a client with a worker key" "refused handshake"
wait_for_text "$WORK/coordinator.log" "refused clients peer 127.0.0.1: key $(z85 w-ok) is not authorised (it is listed for workers only)"

set +e
"$BIN/logsweep" submit -q --connect-timeout-ms 1500 --coordinator "$CLIENTS_EP" \
  "$WORK/corpus" >/dev/null 2>"$WORK/5.err"
rc=$?
set -e
expect_refused "a client without CURVE" "If it runs with CURVE, pass --curve-server-key"
wait_for_text "$WORK/coordinator.log" "refused a clients peer at the CURVE handshake on $CLIENTS_EP: it does not use CURVE" \
  "a clients peer dropped out of the CURVE handshake on $CLIENTS_EP"

set +e
"$BIN/logsweep" submit -q --coordinator "$CLIENTS_EP" --curve-key "$WORK/keys/c-ok" \
  "$WORK/corpus" >/dev/null 2>"$WORK/5.err"
rc=$?
set -e
[ "$rc" -eq 2 ] && grep -q "go together" "$WORK/5.err" ||
  fail "5: --curve-key alone: exit $rc: $(cat "$WORK/5.err")"
kill -0 "$COORDINATOR_PID" || fail "coordinator died"
echo "ok 5 - unauthorised clients refused and logged"

# ---- 6 ----
env_client() { # env_client SUBCOMMAND [args...]: logsweep with no connect flags
  LOGSWEEP_COORDINATOR="$CLIENTS_EP" LOGSWEEP_CURVE_SERVER_KEY="$SERVER_KEY" \
    LOGSWEEP_CURVE_KEY="$WORK/keys/c-ok" "$BIN/logsweep" "$@"
}
env_client submit -q "$WORK/corpus" >"$WORK/6.out" 2>"$WORK/6.err" ||
  fail "6: submit from the environment exited $?: $(cat "$WORK/6.err")"
expect_same "$WORK/corpus/expected.txt" "$WORK/6.out" "6: submit from the environment"
ID6=$(env_client submit --detach -q "$WORK/corpus") || fail "6: submit --detach"
env_client wait -q "$ID6" >"$WORK/6w.out" || fail "6: wait $ID6 exited $?"
expect_same "$WORK/corpus/expected.txt" "$WORK/6w.out" "6: wait from the environment"
env_client status "$ID6" >/dev/null || fail "6: status from the environment exited $?"
env_client workers | grep -q "good" || fail "6: workers from the environment"
# The job is over: the coordinator's answer (reached over CURVE) says so.
set +e
env_client cancel "$ID6" >/dev/null 2>"$WORK/6.err"
rc=$?
set -e
[ "$rc" -eq 1 ] && grep -qF "refused by $CLIENTS_EP: no unfinished job $ID6" "$WORK/6.err" ||
  fail "6: cancel from the environment: exit $rc: $(cat "$WORK/6.err")"
# Flags win: a wrong --coordinator or --curve-key given on the command line
# is used, whatever the environment says.
set +e
env_client status --coordinator tcp://127.0.0.1:1 --connect-timeout-ms 500 \
  >/dev/null 2>"$WORK/6.err"
rc=$?
set -e
[ "$rc" -eq 1 ] && grep -q "tcp://127.0.0.1:1" "$WORK/6.err" ||
  fail "6: --coordinator did not win over LOGSWEEP_COORDINATOR: exit $rc: $(cat "$WORK/6.err")"
set +e
env_client status --curve-key "$WORK/keys/c-stranger" --connect-timeout-ms 1500 \
  >/dev/null 2>"$WORK/6.err"
rc=$?
set -e
[ "$rc" -eq 1 ] || fail "6: --curve-key did not win over LOGSWEEP_CURVE_KEY: exit $rc"
# Only the endpoint in the environment: CURVE stays off, and is refused.
set +e
LOGSWEEP_COORDINATOR="$CLIENTS_EP" "$BIN/logsweep" status --connect-timeout-ms 1500 \
  >/dev/null 2>"$WORK/6.err"
rc=$?
set -e
[ "$rc" -eq 1 ] && grep -qF "$CLIENTS_EP" "$WORK/6.err" ||
  fail "6: LOGSWEEP_COORDINATOR alone: exit $rc: $(cat "$WORK/6.err")"
echo "ok 6 - client commands read the coordinator and keys from the environment"
echo "PASS curve"
