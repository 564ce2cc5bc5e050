#!/usr/bin/env bash
# bench/swarm.sh: the coordinator's cost per task against simulated workers
# (issue 15's scale rows). For each number of workers and slots: a fresh
# coordinator (defaults, --log-level warn) and one logsweep-swarm of fake
# workers that answer at once; once every worker has registered, the
# coordinator idles IDLE_S seconds (its idle cost is measured), then
# logsweep-swarm-job submits one job of TASKS synthetic paths, waits for the
# result and checks it. Reported per row:
#   - coordinator CPU per task: utime+stime from /proc/PID/stat (all its
#     threads, libzmq's I/O thread included) from submit to result, divided
#     by TASKS; "net" subtracts the idle cost (heartbeats) over the job's
#     wall time;
#   - tasks/s: TASKS / the client's wall time (submit to checked result);
#   - peak bytes per task: (VmHWM after the job - VmRSS before it) / TASKS;
#     VmHWM / TASKS is shown too (it includes the idle process);
#   - the swarm's own CPU per task, and whether the result was exact.
#
#   bench/swarm.sh [BIN_DIR]          (default: build/bin beside this script)
#
# Environment:
#   WORKERS  "10 100 1000 4000"  worker counts
#   SLOTS    "1 4"               slots per worker
#   TASKS    200000              tasks per job (TASKS_<workers> overrides one
#                                row's, e.g. TASKS_4000=50000)
#   IDLE_S   2                   idle window before the job
#   TRANSPORT tcp                tcp (127.0.0.1) or ipc
#   SWARM_THREADS 1              logsweep-swarm --threads
#   COORDINATOR_FLAGS ""         extra coordinator flags
#   SWARM_FLAGS ""               extra logsweep-swarm flags (e.g. --liveness 10:
#                                workers slower to reconnect)
#   REPORT   (stdout only)       also write the markdown table here
# The swarm needs about 2 descriptors per worker (it raises RLIMIT_NOFILE to
# the hard limit, and past it with CAP_SYS_RESOURCE); when the hard limit is
# too low for a row, its workers are split over several swarm processes.
# The coordinator needs 1 descriptor per worker.
# Progress on stderr; the markdown table on stdout. Exit 1 if a job's result
# was not exact.
set -euo pipefail
export LC_ALL=C

HERE=$(cd "$(dirname "$0")" && pwd)
BIN=${1:-$HERE/../build/bin}
WORKERS=${WORKERS:-"10 100 1000 4000"}
SLOTS=${SLOTS:-"1 4"}
TASKS=${TASKS:-200000}
IDLE_S=${IDLE_S:-2}
TRANSPORT=${TRANSPORT:-tcp}
SWARM_THREADS=${SWARM_THREADS:-1}
COORDINATOR_FLAGS=${COORDINATOR_FLAGS:-}
SWARM_FLAGS=${SWARM_FLAGS:-}
for exe in logsweep-coordinator logsweep-swarm logsweep-swarm-job; do
  [ -x "$BIN/$exe" ] || { echo "swarm.sh: no $BIN/$exe (build it first)" >&2; exit 2; }
done
HZ=$(getconf CLK_TCK)
# Workers one swarm process can hold: 2 descriptors each, 256 spare.
HARD_NOFILE=$(ulimit -Hn)
[ "$HARD_NOFILE" = unlimited ] && HARD_NOFILE=1048576
PER_PROC=$(((HARD_NOFILE - 256) / 2))

WORK=$(mktemp -d "${TMPDIR:-/tmp}/logsweep-swarm-XXXXXX")
PIDS=()
stop_pid() {  # SIGTERM, SIGKILL after 10 s
  local pid=$1 _
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 200); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  local pid
  for pid in "${PIDS[@]:-}"; do [ -n "$pid" ] && stop_pid "$pid"; done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
log() { echo "swarm.sh: $*" >&2; }
die() { log "$*"; exit 1; }

cpu_ticks() { sed 's/^.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'; }
status_kb() { awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"; }
wait_file() {  # wait_file FILE SECONDS PID
  local _
  for _ in $(seq 1 $(($2 * 10))); do
    [ -f "$1" ] && return 0
    kill -0 "$3" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
ROWS=()
FAILED=0
for workers in $WORKERS; do
  for slots in $SLOTS; do
    var=TASKS_$workers
    tasks=${!var:-$TASKS}
    row=$WORK/w$workers-s$slots
    mkdir -p "$row"
    if [ "$TRANSPORT" = ipc ]; then
      wep="ipc://$row/w" cep="ipc://$row/c"
    else
      wep='tcp://127.0.0.1:*' cep='tcp://127.0.0.1:*'
    fi
    # shellcheck disable=SC2086  # COORDINATOR_FLAGS is a list of flags
    "$BIN/logsweep-coordinator" --workers-endpoint "$wep" --clients-endpoint "$cep" \
      --ready-file "$row/ready" --log-level warn $COORDINATOR_FLAGS 2>"$row/coordinator.log" &
    cpid=$!
    PIDS+=("$cpid")
    wait_file "$row/ready" 20 "$cpid" || die "coordinator did not start: $(tail -3 "$row/coordinator.log")"
    wep=$(sed -n 's/^workers=//p' "$row/ready")
    cep=$(sed -n 's/^clients=//p' "$row/ready")
    procs=$(((workers + PER_PROC - 1) / PER_PROC))
    spids=()
    for ((p = 0; p < procs; p++)); do
      n=$((workers / procs + (p < workers % procs ? 1 : 0)))
      # shellcheck disable=SC2086  # SWARM_FLAGS is a list of flags
      "$BIN/logsweep-swarm" --coordinator "$wep" --workers "$n" --slots "$slots" \
        --threads "$SWARM_THREADS" --name-prefix "swarm$p" --ready-file "$row/swarm$p.ready" \
        --json "$row/swarm$p.json" --report-ms 0 $SWARM_FLAGS 2>"$row/swarm$p.log" >/dev/null &
      spids+=($!)
      PIDS+=($!)
    done
    for ((p = 0; p < procs; p++)); do
      wait_file "$row/swarm$p.ready" 300 "${spids[p]}" ||
        die "$workers workers did not all register: $(tail -3 "$row/swarm$p.log")"
    done
    sleep 1  # registration's tail
    idle0=$(cpu_ticks "$cpid")
    sleep "$IDLE_S"
    idle1=$(cpu_ticks "$cpid")
    rss0=$(status_kb "$cpid" VmRSS)
    c0=$(cpu_ticks "$cpid")
    s0=0
    for p in "${spids[@]}"; do s0=$((s0 + $(cpu_ticks "$p"))); done
    t0=$(date +%s%N)
    log "$workers workers x $slots slots: job of $tasks tasks ..."
    set +e
    "$BIN/logsweep-swarm-job" --coordinator "$cep" --paths "$tasks" \
      --json "$row/job.json" >"$row/job.out" 2>&1
    rc=$?
    set -e
    t1=$(date +%s%N)
    c1=$(cpu_ticks "$cpid")
    s1=0
    for p in "${spids[@]}"; do s1=$((s1 + $(cpu_ticks "$p"))); done
    hwm=$(status_kb "$cpid" VmHWM)
    load=$(cut -d' ' -f1 /proc/loadavg)
    for p in "${spids[@]}"; do stop_pid "$p"; done
    stop_pid "$cpid"
    # Reregisters and reconnects over the swarm's life: nonzero means the
    # coordinator lost track of live workers (issue 13), which inflates the
    # row's cost.
    storms=$(python3 -c 'import json, sys
r = c = 0
for f in sys.argv[1:]:
    d = json.load(open(f))["counters"]
    r += d["reregisters"]; c += d["reconnects"]
print("%d / %d" % (r, c))' "$row"/swarm*.json 2>/dev/null || echo "? / ?")
    PIDS=()
    check=OK
    if [ "$rc" != 0 ]; then
      check="FAIL ($(grep -E 'PROBLEM' "$row/job.out" | head -1 | cut -c1-120))"
      FAILED=1
    fi
    ROWS+=("$(awk -v w="$workers" -v s="$slots" -v n="$tasks" -v hz="$HZ" \
      -v i0="$idle0" -v i1="$idle1" -v idle="$IDLE_S" -v c0="$c0" -v c1="$c1" \
      -v s0="$s0" -v s1="$s1" -v t0="$t0" -v t1="$t1" -v rss0="$rss0" -v hwm="$hwm" \
      -v load="$load" -v check="$check" -v storms="$storms" -v procs="$procs" 'BEGIN {
        wall = (t1 - t0) / 1e9
        cpu_us = (c1 - c0) / hz * 1e6
        idle_us_per_s = (i1 - i0) / hz * 1e6 / idle
        net = cpu_us - idle_us_per_s * wall
        printf "| %d | %d | %d | %.1f | %.1f | %.0f | %.0f | %.0f | %.0f | %.1f (%d proc) | %s | %.1f | %s | %s |",
          w, s, n, cpu_us / n, net / n, n / wall, idle_us_per_s / w,
          (hwm - rss0) * 1024 / n, hwm * 1024 / n, (s1 - s0) / hz * 1e6 / n,
          procs, storms, wall, load, check
      }')")
    log "${ROWS[-1]}"
  done
done
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)

{
  echo "Coordinator cost against logsweep-swarm ($(nproc) cores, $(lscpu 2>/dev/null | sed -n 's/^Model name:[[:space:]]*//p' | head -1)),"
  echo "commit $(git -C "$HERE" rev-parse --short HEAD 2>/dev/null || echo '?'), transport $TRANSPORT, load average $LOAD_START at start, $LOAD_END at end."
  echo
  echo "| workers | slots | tasks | coord. CPU µs/task | net of idle | tasks/s | idle µs/worker/s | peak B/task (HWM-RSS0) | HWM B/task | swarm CPU µs/task | reregisters / reconnects | wall s | load | check |"
  echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
  printf '%s\n' "${ROWS[@]}"
} | tee "${REPORT:-/dev/null}"
exit "$FAILED"
