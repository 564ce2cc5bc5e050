#!/usr/bin/env bash
# Per-task overhead of the coordinator and its messaging, and the
# coordinator's memory per queued task.
#
#   bench/overhead.sh [BIN_DIR]        (default: build/bin beside this script)
#
# 1. Overhead: a coordinator and 2 workers (--threads 1) on ipc endpoints
#    in a temporary directory; `logsweep submit -q` of one job of N empty
#    plain .log files (0 lines each, so scanning costs nothing). Reports the
#    wall time of the submit (client start, path expansion, submit, all
#    tasks, result), tasks/s and microseconds per task, the coordinator's
#    own accepted->finished time from its log, and its VmRSS/VmHWM before
#    and after. Repeated RUNS times on a fresh cluster; the median is shown.
# 2. Scale: a coordinator with NO workers; logsweep-submit-many queues one
#    job of BIG_N paths (/nonexistent/f0000001.log ...), detached. The
#    coordinator's VmRSS is read before and after (once it stops growing);
#    bytes per queued task = (after - before) / BIG_N. A second job of the
#    same size is then queued and measured the same way: the first delta
#    also holds heap the decode left behind for reuse, the second is closer
#    to the steady cost.
#
# Environment: N (20000), RUNS (3), BIG_N (1000000).
# Prints a markdown table on stdout; progress on stderr.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
BIN=${1:-$HERE/../build/bin}
N=${N:-20000}
RUNS=${RUNS:-3}
BIG_N=${BIG_N:-1000000}
for exe in logsweep logsweep-coordinator logsweep-worker logsweep-submit-many; do
  [ -x "$BIN/$exe" ] || { echo "overhead.sh: no $BIN/$exe (build it first)" >&2; exit 2; }
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/logsweep-overhead-XXXXXX")
PIDS=()

# stop_pid PID: SIGTERM, then SIGKILL after 5 s; never waits longer.
stop_pid() {
  local pid=$1 i
  kill -TERM "$pid" 2>/dev/null || return 0
  for i in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

stop_all() {
  local pid
  for pid in "${PIDS[@]:-}"; do
    [ -n "$pid" ] && stop_pid "$pid"
  done
  PIDS=()
}

cleanup() {
  stop_all
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fail() {
  echo "overhead.sh: $*" >&2
  exit 1
}
log() { echo "overhead.sh: $*" >&2; }

# rss_kb PID FIELD: VmRSS or VmHWM of PID, in kB.
rss_kb() { awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"; }

now_ns() { date +%s%N; }

# cpu_ticks PID: user + system CPU time of PID so far, in clock ticks.
cpu_ticks() { sed 's/^.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'; }
HZ=$(getconf CLK_TCK)

# wait_for_log FILE PATTERN SECONDS
wait_for_log() {
  local file=$1 pattern=$2 limit=$3 i
  for i in $(seq 1 $((limit * 20))); do
    grep -q -- "$pattern" "$file" 2>/dev/null && return 0
    sleep 0.05
  done
  fail "no '$pattern' in $file within ${limit}s: $(tail -3 "$file" 2>/dev/null)"
}

# log_ns FILE PATTERN: the timestamp (ns) of the first log line matching.
log_ns() {
  local stamp
  stamp=$(grep -m1 -- "$2" "$1" | cut -d' ' -f1)
  [ -n "$stamp" ] || fail "no '$2' in $1"
  date -d "$stamp" +%s%N
}

# start_coordinator DIR: ipc endpoints in DIR; sets COORD_PID, WORKERS_EP,
# CLIENTS_EP.
start_coordinator() {
  local dir=$1 i
  mkdir -p "$dir"
  WORKERS_EP="ipc://$dir/workers"
  CLIENTS_EP="ipc://$dir/clients"
  "$BIN/logsweep-coordinator" --workers-endpoint "$WORKERS_EP" \
    --clients-endpoint "$CLIENTS_EP" --ready-file "$dir/ready" \
    --log-level info 2>>"$dir/coordinator.log" &
  COORD_PID=$!
  PIDS+=("$COORD_PID")
  for i in $(seq 1 200); do
    [ -f "$dir/ready" ] && return 0
    kill -0 "$COORD_PID" 2>/dev/null || break
    sleep 0.05
  done
  fail "coordinator did not start: $(tail -3 "$dir/coordinator.log")"
}

# wait_rss_settled PID: until VmRSS is unchanged for 2 s (max 120 s).
wait_rss_settled() {
  local pid=$1 last=-1 same=0 cur i
  for i in $(seq 1 240); do
    cur=$(rss_kb "$pid" VmRSS)
    if [ "$cur" = "$last" ]; then
      same=$((same + 1))
      [ "$same" -ge 4 ] && return 0
    else
      same=0
      last=$cur
    fi
    sleep 0.5
  done
  log "warning: VmRSS of $pid still changing after 120 s"
}

median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

LOAD_BEFORE=$(uptime | sed 's/.*load average: //')
log "load average: $LOAD_BEFORE"

# ---- 1. per-task overhead ----
FILES="$WORK/files"
mkdir -p "$FILES"
log "creating $N empty files"
for ((i = 1; i <= N; i++)); do
  printf -v name 'f%07d.log' "$i"
  : >"$FILES/$name"
done

ROWS=()
WALL=() COORD=() CCPU=() WCPU=() RSS0=() RSS1=() HWM1=()
for ((run = 1; run <= RUNS; run++)); do
  dir="$WORK/run$run"
  start_coordinator "$dir"
  WORKER_PIDS=()
  for w in 1 2; do
    "$BIN/logsweep-worker" --coordinator "$WORKERS_EP" --threads 1 \
      --name "w$w" --log-level warn 2>>"$dir/worker$w.log" &
    PIDS+=("$!")
    WORKER_PIDS+=("$!")
  done
  wait_for_log "$dir/coordinator.log" "(2 workers)" 20
  rss0=$(rss_kb "$COORD_PID" VmRSS)
  ccpu0=$(cpu_ticks "$COORD_PID")
  wcpu0=$(($(cpu_ticks "${WORKER_PIDS[0]}") + $(cpu_ticks "${WORKER_PIDS[1]}")))

  t0=$(now_ns)
  set +e
  timeout 600 "$BIN/logsweep" submit -q --coordinator "$CLIENTS_EP" \
    --connect-timeout-ms 60000 "$FILES" >"$dir/hosts.txt" 2>"$dir/submit.err"
  rc=$?
  set -e
  t1=$(now_ns)
  [ "$rc" -eq 0 ] || fail "run $run: submit exited $rc: $(head -3 "$dir/submit.err")"
  [ ! -s "$dir/hosts.txt" ] || fail "run $run: empty files gave hosts"

  wait_for_log "$dir/coordinator.log" "finished: $N files, 0 failed" 10
  acc=$(log_ns "$dir/coordinator.log" "accepted: $N files")
  fin=$(log_ns "$dir/coordinator.log" "finished: $N files")
  rss1=$(rss_kb "$COORD_PID" VmRSS)
  hwm1=$(rss_kb "$COORD_PID" VmHWM)
  ccpu=$(($(cpu_ticks "$COORD_PID") - ccpu0))
  wcpu=$(($(cpu_ticks "${WORKER_PIDS[0]}") + $(cpu_ticks "${WORKER_PIDS[1]}") - wcpu0))
  stop_all
  ccpu_us=$(awk -v t="$ccpu" -v hz="$HZ" -v n="$N" 'BEGIN { printf "%.1f", t / hz * 1e6 / n }')
  wcpu_us=$(awk -v t="$wcpu" -v hz="$HZ" -v n="$N" 'BEGIN { printf "%.1f", t / hz * 1e6 / n }')

  wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
  coord=$(awk -v a="$acc" -v b="$fin" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
  us=$(awk -v s="$wall" -v n="$N" 'BEGIN { printf "%.1f", s * 1e6 / n }')
  log "run $run: wall ${wall}s (coordinator ${coord}s), ${us} us/task, CPU us/task coordinator ${ccpu_us} workers ${wcpu_us}, RSS ${rss0} -> ${rss1} kB (HWM ${hwm1} kB)"
  WALL+=("$wall") COORD+=("$coord") CCPU+=("$ccpu_us") WCPU+=("$wcpu_us")
  RSS0+=("$rss0") RSS1+=("$rss1") HWM1+=("$hwm1")
  ROWS+=("| run $run | $wall | $(awk -v s="$wall" -v n="$N" 'BEGIN { printf "%.0f", n / s }') | $us | $coord | $(awk -v s="$coord" -v n="$N" 'BEGIN { printf "%.1f", s * 1e6 / n }') | $ccpu_us | $wcpu_us | $rss0 | $rss1 | $hwm1 |")
done

m_wall=$(printf '%s\n' "${WALL[@]}" | median)
m_coord=$(printf '%s\n' "${COORD[@]}" | median)
m_ccpu=$(printf '%s\n' "${CCPU[@]}" | median)
m_wcpu=$(printf '%s\n' "${WCPU[@]}" | median)
m_rss0=$(printf '%s\n' "${RSS0[@]}" | median)
m_rss1=$(printf '%s\n' "${RSS1[@]}" | median)
m_hwm1=$(printf '%s\n' "${HWM1[@]}" | median)

# ---- 2. memory per queued task ----
dir="$WORK/scale"
start_coordinator "$dir"
sleep 0.5
big0=$(rss_kb "$COORD_PID" VmRSS)
SCALE_ROWS=()
for job in 1 2; do
  log "queueing job $job of $BIG_N tasks (no workers)"
  before=$(rss_kb "$COORD_PID" VmRSS)
  t0=$(now_ns)
  timeout 600 "$BIN/logsweep-submit-many" --coordinator "$CLIENTS_EP" \
    --count "$BIG_N" >"$dir/job$job.id" 2>"$dir/submit$job.err" ||
    fail "submit-many exited $?: $(head -3 "$dir/submit$job.err")"
  t1=$(now_ns)
  wait_rss_settled "$COORD_PID"
  after=$(rss_kb "$COORD_PID" VmRSS)
  hwm=$(rss_kb "$COORD_PID" VmHWM)
  secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", (b - a) / 1e9 }')
  per=$(awk -v a="$before" -v b="$after" -v n="$BIG_N" 'BEGIN { printf "%.0f", (b - a) * 1024 / n }')
  log "job $job: RSS $before -> $after kB (HWM $hwm kB), $per bytes/task, submit ${secs}s"
  SCALE_ROWS+=("| job $job ($BIG_N tasks queued) | $before | $after | $hwm | **$per** | $secs |")
done
total_per=$(awk -v a="$big0" -v b="$after" -v n="$BIG_N" 'BEGIN { printf "%.0f", (b - a) * 1024 / (2 * n) }')
stop_all

LOAD_AFTER=$(uptime | sed 's/.*load average: //')

# ---- report ----
cat <<EOF
### Per-task overhead: $N empty files, coordinator + 2 workers (--threads 1), ipc

load average before: $LOAD_BEFORE; after: $LOAD_AFTER ($(nproc) CPUs)

| run | wall s | tasks/s | us/task | coordinator s (accepted->finished) | coord us/task | coord CPU us/task | workers CPU us/task | VmRSS before kB | VmRSS after kB | VmHWM kB |
|---|---|---|---|---|---|---|---|---|---|---|
EOF
printf '%s\n' "${ROWS[@]}"
echo "| **median** | $m_wall | $(awk -v s="$m_wall" -v n="$N" 'BEGIN { printf "%.0f", n / s }') | $(awk -v s="$m_wall" -v n="$N" 'BEGIN { printf "%.1f", s * 1e6 / n }') | $m_coord | $(awk -v s="$m_coord" -v n="$N" 'BEGIN { printf "%.1f", s * 1e6 / n }') | $m_ccpu | $m_wcpu | $m_rss0 | $m_rss1 | $m_hwm1 |"
cat <<EOF

### Coordinator memory per queued task (no workers), target < 512 bytes

| job | VmRSS before kB | VmRSS after kB | VmHWM kB | bytes/task | submit s |
|---|---|---|---|---|---|
EOF
printf '%s\n' "${SCALE_ROWS[@]}"
echo
echo "Both jobs together: $total_per bytes/task ((VmRSS after job 2 - VmRSS at start) / $((2 * BIG_N)))."
