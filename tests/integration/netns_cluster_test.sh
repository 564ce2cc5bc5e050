#!/usr/bin/env bash
# A real cluster on a real (virtual) network: a coordinator, two workers and
# a client, each in its own network namespace, joined by a bridge in a fifth
# ("hub") namespace. Addresses come from 198.18.0.0/24 (the benchmarking
# range) and exist only inside these namespaces, which have no route
# anywhere else, so no traffic leaves them.
#
#   job 1: the corpus is submitted from the client namespace; the printed
#          hosts must equal the generator's expected.txt byte for byte.
#   job 2: 0.2 s after the coordinator accepts it, worker 1's cable is
#          pulled (its veth on the bridge goes down). The coordinator must expire it after
#          liveness x heartbeat (3 x 200 ms) and requeue its in-flight tasks
#          on worker 2; the answer must still be exact.
#   job 3: the cable goes back in; worker 1 must register again on its own
#          (reconnect with backoff) and a third job must be exact; worker
#          1's late answers for job 2 must not disturb it.
#
# Needs root (ip netns). Without it the test FAILS; it never passes silently.
# usage: netns_cluster_test.sh BIN_DIR [REALLOGS_DIR]   (REALLOGS unused)
source "$(dirname "$0")/lib.sh"

PREFIX="lsnt$$"
HUB="$PREFIX-hub"
NS_COORD="$PREFIX-coord"
NS_W1="$PREFIX-w1"
NS_W2="$PREFIX-w2"
NS_CLIENT="$PREFIX-client"
NAMESPACES=()
COORD_IP=198.18.0.1
HEARTBEAT_MS=200
LIVENESS=3

# Processes first (bounded: TERM, then KILL after 5 s), then the namespaces;
# deleting a namespace removes the veths and the bridge in it.
netns_cleanup() {
  local status=$? pid ns
  for pid in "${PIDS[@]:-}"; do
    [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null || true
  done
  for _ in $(seq 1 50); do
    local alive=0
    for pid in "${PIDS[@]:-}"; do
      [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && alive=1
    done
    [ "$alive" -eq 0 ] && break
    sleep 0.1
  done
  for pid in "${PIDS[@]:-}"; do
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
      echo "netns: pid $pid ignored SIGTERM for 5 s; killing it" >&2
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done
  # Anything still inside our namespaces was started by this run.
  for ns in "${NAMESPACES[@]:-}"; do
    [ -n "$ns" ] || continue
    for pid in $(ip netns pids "$ns" 2>/dev/null); do
      kill -KILL "$pid" 2>/dev/null || true
    done
    ip netns del "$ns" 2>/dev/null || true
  done
  if [ "$status" -ne 0 ] && [ -d "$WORK" ]; then
    for f in "$WORK"/*.log; do
      [ -f "$f" ] && { echo "--- $(basename "$f") (last 20 lines)" >&2; tail -n 20 "$f" >&2; }
    done
  fi
  cleanup
}
trap netns_cleanup EXIT
trap 'exit 130' INT TERM

# Seconds since the epoch, with milliseconds.
now() { date +%s.%3N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

# wait_for SECONDS WHAT COMMAND...: poll every 50 ms until COMMAND succeeds.
wait_for() {
  local limit=$1 what=$2
  shift 2
  for _ in $(seq 1 $((limit * 20))); do
    "$@" && return 0
    sleep 0.05
  done
  fail "timed out after ${limit}s waiting for $what"
}

# ---- the network -----------------------------------------------------------
command -v ip >/dev/null || fail "ip (iproute2) not found; deploy/setup.sh installs it"
if ! ip netns add "$HUB" 2>"$WORK/netns.err"; then
  fail "cannot create network namespaces (uid $(id -u)): $(cat "$WORK/netns.err");" \
    "this test needs root (CAP_SYS_ADMIN and CAP_NET_ADMIN)"
fi
NAMESPACES+=("$HUB")
ip -n "$HUB" link add br0 type bridge
ip -n "$HUB" link set br0 up
ip -n "$HUB" link set lo up

# add_node NS HUB_SIDE_VETH ADDRESS: a namespace whose eth0 is plugged into
# the hub's bridge. The veth is created inside the namespaces, so no link
# name ever appears in (or can clash with) the host's namespace.
add_node() {
  local ns=$1 port=$2 addr=$3
  ip netns add "$ns" || fail "ip netns add $ns"
  NAMESPACES+=("$ns")
  ip -n "$HUB" link add "$port" type veth peer name eth0 netns "$ns"
  ip -n "$HUB" link set "$port" master br0 up
  ip -n "$ns" link set lo up
  ip -n "$ns" addr add "$addr/24" dev eth0
  ip -n "$ns" link set eth0 up
}
add_node "$NS_COORD" hcoord "$COORD_IP"
add_node "$NS_W1" hw1 198.18.0.2
add_node "$NS_W2" hw2 198.18.0.3
add_node "$NS_CLIENT" hclient 198.18.0.4
for ns in "${NAMESPACES[@]}"; do
  [ "$ns" = "$HUB" ] && continue
  # Nothing but the /24 is reachable from the nodes.
  routes=$(ip -n "$ns" route show | grep -v '^198\.18\.0\.0/24 ' || true)
  [ -z "$routes" ] || fail "$ns has unexpected routes: $routes"
done

# ---- the corpus: big enough that a job lasts a few seconds on two
# single-threaded workers with zlib inflate (ISA-L is ~3x faster), so the
# cable can be pulled mid-job.
generate "$WORK/corpus" 40 --lines 100000 --seed 11 --level 1 --jobs 2 ||
  fail "corpus generation"
[ -s "$WORK/corpus/expected.txt" ] || fail "generator wrote no expected.txt"

# ---- the cluster -------------------------------------------------------------
# Background processes are started with `ip netns exec` directly (it execs
# the program), so $! is the program's own pid.
ip netns exec "$NS_COORD" "$BIN/logsweep-coordinator" \
  --workers-endpoint "tcp://$COORD_IP:5555" --clients-endpoint "tcp://$COORD_IP:5556" \
  --heartbeat-ms "$HEARTBEAT_MS" --liveness "$LIVENESS" --ready-file "$WORK/ready" \
  --log-level info 2>>"$WORK/coordinator.log" &
PIDS+=("$!")
wait_for 10 "the coordinator's ready file" test -s "$WORK/ready"

start_ns_worker() {
  local ns=$1 name=$2
  ip netns exec "$ns" "$BIN/logsweep-worker" --coordinator "tcp://$COORD_IP:5555" \
    --name "$name" --threads 1 --inflate zlib \
    --heartbeat-ms "$HEARTBEAT_MS" --liveness "$LIVENESS" \
    --log-level info 2>>"$WORK/$name.log" &
  PIDS+=("$!")
}
start_ns_worker "$NS_W1" w1
start_ns_worker "$NS_W2" w2

registrations() { grep -c "worker $1 registered" "$WORK/coordinator.log" || true; }
both_registered() { [ "$(registrations w1)" -ge 1 ] && [ "$(registrations w2)" -ge 1 ]; }
wait_for 15 "both workers to register over 198.18.0.0/24" both_registered
# The client namespace reaches the clients port, and only over the bridge.
ip netns exec "$NS_CLIENT" timeout 5 bash -c "</dev/tcp/$COORD_IP/5556" ||
  fail "client namespace cannot reach $COORD_IP:5556"

# submit OUT ERR: one job from the client namespace, at most 120 s.
submit() {
  ip netns exec "$NS_CLIENT" timeout 120 "$BIN/logsweep" submit \
    --coordinator "tcp://$COORD_IP:5556" "$WORK/corpus" >"$1" 2>"$2"
}

# ---- job 1: the whole cluster ---------------------------------------------
t0=$(now)
submit "$WORK/hosts1.txt" "$WORK/submit1.err" ||
  fail "job 1: submit exited $?: $(cat "$WORK/submit1.err")"
t1=$(now)
expect_same "$WORK/corpus/expected.txt" "$WORK/hosts1.txt" "job 1 (two workers)"
grep -q "40 files (0 failed)" "$WORK/submit1.err" || fail "job 1 summary: $(cat "$WORK/submit1.err")"
echo "job 1: exact, $(elapsed "$t0" "$t1") s"

# ---- job 2: worker 1 is cut off mid-job --------------------------------------
dead_before=$(grep -c "worker w1 (peer .*) is dead" "$WORK/coordinator.log" || true)
accepted_before=$(grep -c "job .* accepted: " "$WORK/coordinator.log" || true)
job2_accepted() {
  [ "$(grep -c "job .* accepted: " "$WORK/coordinator.log" || true)" -gt "$accepted_before" ]
}
t0=$(now)
ip netns exec "$NS_CLIENT" timeout 120 "$BIN/logsweep" submit \
  --coordinator "tcp://$COORD_IP:5556" "$WORK/corpus" \
  >"$WORK/hosts2.txt" 2>"$WORK/submit2.err" &
SUBMIT_PID=$!
PIDS+=("$SUBMIT_PID")
# Cut 0.2 s after the coordinator accepted the job, when both workers are
# busy (each holds its slot plus prefetched tasks), rather than at a fixed time after
# the client starts: the cut stays mid-job even if scanning gets much faster.
wait_for 15 "the coordinator to accept job 2" job2_accepted
sleep 0.2
kill -0 "$SUBMIT_PID" 2>/dev/null ||
  fail "job 2 finished within 0.2 s of being accepted, before the cut:" \
    "the corpus is too small to test failover on this machine"
t_cut=$(now)
ip -n "$HUB" link set hw1 down
status=0
wait "$SUBMIT_PID" || status=$?
t1=$(now)
[ "$status" -eq 0 ] || fail "job 2: submit exited $status: $(cat "$WORK/submit2.err")"
expect_same "$WORK/corpus/expected.txt" "$WORK/hosts2.txt" "job 2 (worker 1 cut off mid-job)"
grep -q "40 files (0 failed)" "$WORK/submit2.err" || fail "job 2 summary: $(cat "$WORK/submit2.err")"

# The coordinator must have declared w1 dead, with tasks to requeue (else the
# cut did not test failover), within a bounded time of the cut.
dead_line=$(grep "worker w1 (peer .*) is dead" "$WORK/coordinator.log" |
  sed -n "$((dead_before + 1))p" || true)
[ -n "$dead_line" ] || fail "job 2: the coordinator never declared w1 dead"
requeued=$(sed -n 's/.*requeueing \([0-9]*\) tasks.*/\1/p' <<<"$dead_line")
[ "${requeued:-0}" -ge 1 ] ||
  fail "job 2: w1 held no task when cut ($dead_line); failover was not exercised"
dead_at=$(date -d "$(cut -c1-23 <<<"$dead_line" | tr T ' ')" +%s.%3N) ||
  fail "cannot read the time of: $dead_line"
expiry=$(elapsed "$t_cut" "$dead_at")
documented=$(awk -v h="$HEARTBEAT_MS" -v l="$LIVENESS" 'BEGIN { printf "%.2f", h * l / 1000 }')
awk -v e="$expiry" -v d="$documented" 'BEGIN { exit !(e >= d - 0.25 && e <= d + 2.0) }' ||
  fail "job 2: w1 declared dead ${expiry} s after the cut; documented ${documented} s ($dead_line)"
echo "job 2: exact, $(elapsed "$t0" "$t1") s; w1 expired ${expiry} s after the cut" \
  "(documented ${documented} s), ${requeued} task(s) requeued"

# ---- job 3: the cable goes back in -------------------------------------------
reg_before=$(registrations w1)
ip -n "$HUB" link set hw1 up
# The worker's reconnect backoff doubles up to 30 s, so allow 40 s.
t0=$(now)
w1_registered_again() { [ "$(registrations w1)" -gt "$reg_before" ]; }
wait_for 40 "w1 to register again after the link came back" w1_registered_again
echo "w1 registered again $(elapsed "$t0" "$(now)") s after the link came back"
submit "$WORK/hosts3.txt" "$WORK/submit3.err" ||
  fail "job 3: submit exited $?: $(cat "$WORK/submit3.err")"
expect_same "$WORK/corpus/expected.txt" "$WORK/hosts3.txt" "job 3 (w1 back)"
grep -q "40 files (0 failed)" "$WORK/submit3.err" || fail "job 3 summary: $(cat "$WORK/submit3.err")"
kill -0 "${PIDS[0]}" 2>/dev/null || fail "the coordinator exited"
echo "PASS netns_cluster"
