#!/usr/bin/env bash
# Soak (issue 13): several clients submit jobs back to back while workers
# are SIGKILLed, SIGSTOPped (past their expiry, or not) and added, and the
# coordinator is SIGKILLed and restarted with --state. Every job must come
# back exact with exit 0; none may be lost or hang. Defaults everywhere
# (--max-attempts 3, 1 s heartbeats): nothing is tuned to make it pass.
#   soak_test.sh BIN REALLOGS [SECONDS]   (default 30 s; CI runs the default)
source "$(dirname "$0")/lib.sh"
LOG_LEVEL=info
DURATION=${3:-30}
CLIENTS=3
RANDOM=1313  # the same chaos every run

generate "$WORK/corpus" 60 --lines 400 --seed 41
EXPECTED="$WORK/corpus/expected.txt"

start_coordinator --state "$WORK/state"
W_EP=$WORKERS_EP
C_EP=$CLIENTS_EP
restart_coordinator() {
  kill -KILL "$COORDINATOR_PID"
  wait "$COORDINATOR_PID" 2>/dev/null || true
  sleep "$1"
  "$BIN/logsweep-coordinator" --workers-endpoint "$W_EP" \
    --clients-endpoint "$C_EP" --state "$WORK/state" --log-level info \
    2>>"$WORK/coordinator.log" &
  COORDINATOR_PID=$!
  PIDS+=("$COORDINATOR_PID")
}

# Workers scan each file in 40 ms or more, so jobs are long enough to be hit.
WORKERS=()
n_workers=0
add_worker() {
  n_workers=$((n_workers + 1))
  WORKER_BIN=logsweep-test-worker start_worker "w$n_workers" --threads 2 \
    --slow-ms 40
  WORKERS+=("$LAST_WORKER_PID")
}
for _ in 1 2 3 4; do add_worker; done

# Each client submits until told to stop; a line per job in its log.
client_loop() {
  local c=$1 i=0 rc
  while [ ! -f "$WORK/stop" ]; do
    i=$((i + 1))
    set +e
    timeout 180 "$BIN/logsweep" submit -q --coordinator "$C_EP" \
      --connect-timeout-ms 30000 "$WORK/corpus" >"$WORK/c$c.out" 2>"$WORK/c$c.err"
    rc=$?
    set -e
    if [ "$rc" -eq 0 ] && cmp -s "$EXPECTED" "$WORK/c$c.out"; then
      echo "ok" >>"$WORK/client-$c.jobs"
    else
      echo "FAIL job $i: exit $rc: $(tail -3 "$WORK/c$c.err" | tr '\n' ' ')" >>"$WORK/client-$c.jobs"
    fi
  done
}
CLIENT_PIDS=()
for c in $(seq 1 "$CLIENTS"); do
  client_loop "$c" &
  CLIENT_PIDS+=("$!")
  PIDS+=("$!")
done

# Chaos, one action every 1-3 s.
end=$((SECONDS + DURATION))
actions=0
while [ "$SECONDS" -lt "$end" ]; do
  sleep "$((1 + RANDOM % 3))"
  live=()
  for pid in "${WORKERS[@]}"; do kill -0 "$pid" 2>/dev/null && live+=("$pid"); done
  victim=${live[$((RANDOM % ${#live[@]}))]}
  case $((RANDOM % 5)) in
    0) kill -KILL "$victim"; add_worker; echo "chaos: SIGKILL worker $victim, one added" ;;
    1) kill -STOP "$victim"; sleep "$((1 + RANDOM % 4))"; kill -CONT "$victim"
       echo "chaos: SIGSTOP worker $victim a while" ;;
    2) [ "${#live[@]}" -lt 6 ] && add_worker; echo "chaos: worker added" ;;
    3|4) restart_coordinator "0.$((RANDOM % 10))"; echo "chaos: coordinator SIGKILLed, restarted" ;;
  esac
  actions=$((actions + 1))
done >"$WORK/chaos.log"
touch "$WORK/stop"
for pid in "${CLIENT_PIDS[@]}"; do
  wait_exit "$pid" "a client loop" 200
done
ok=$(cat "$WORK"/client-*.jobs 2>/dev/null | grep -c '^ok' || true)
bad=$(cat "$WORK"/client-*.jobs 2>/dev/null | grep -v '^ok' || true)
echo "soak: $DURATION s, $actions chaos actions, $ok jobs exact"
[ -z "$bad" ] || fail "jobs not exact:
$bad
chaos: $(tail -5 "$WORK/chaos.log")"
[ "$ok" -ge "$CLIENTS" ] || fail "only $ok jobs finished in $DURATION s"
echo "PASS soak"
