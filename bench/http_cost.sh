#!/usr/bin/env bash
# The cost of the coordinator's --http endpoint on the hot path: the same
# job with and without `--http 127.0.0.1:0`, alternating, on one build in
# one run, so the machine's load falls on both alike.
#
#   bench/http_cost.sh [BIN_DIR]        (default: build/bin beside this script)
#
# Corpora: a) bench/run.sh's corpus a (16 x 64 MiB, seed 1; cached in
# bench/.corpus/http-a), where scanning dominates; t) N empty .log files,
# where per-task bookkeeping dominates (as in bench/overhead.sh). Each round
# starts a coordinator (ipc endpoints) and 2 workers (--threads 1), submits
# once, checks the hosts against expected.txt (corpus a) or that there are
# none (t), and stops them. Reports per corpus and mode the median wall
# time of the submit and the coordinator's CPU time (utime + stime), and
# the ratios on/off.
#
# Environment: ROUNDS (4, each one off and one on), N (20000),
# LOGSWEEP_BENCH_SCALE (full; small: 16 x 4 MiB).
set -euo pipefail
export LC_ALL=C

HERE=$(cd "$(dirname "$0")" && pwd)
BIN=${1:-$HERE/../build/bin}
ROUNDS=${ROUNDS:-4}
N=${N:-20000}
BYTES=67108864
[ "${LOGSWEEP_BENCH_SCALE:-full}" = small ] && BYTES=4194304
CACHE=$HERE/.corpus/http-a-$BYTES
HZ=$(getconf CLK_TCK)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/logsweep-httpcost-XXXXXX")
PIDS=()
cleanup() {
  local p
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill -TERM "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && wait "$p" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
log() { echo "http_cost: $*" >&2; }
fail() { log "FAIL: $*"; exit 1; }
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

if [ ! -f "$CACHE/expected.txt" ]; then
  log "generating corpus a in $CACHE"
  rm -rf "$CACHE"
  "$BIN/logsweep-gencorpus" --out "$CACHE" --files 16 --bytes "$BYTES" \
    --seed 1 --jobs 2 >/dev/null 2>&1 || fail "gencorpus"
fi
mkdir -p "$WORK/t"
for ((i = 1; i <= N; i++)); do printf -v f 'f%07d.log' "$i"; : >"$WORK/t/$f"; done

# one_run CORPUS MODE: prints "WALL_S COORD_CPU_S".
one_run() {
  local corpus=$1 mode=$2 dir http=() w t0 t1 cpu
  dir=$(mktemp -d "$WORK/run-XXXX")
  [ "$mode" = on ] && http=(--http 127.0.0.1:0)
  "$BIN/logsweep-coordinator" --workers-endpoint "ipc://$dir/w" \
    --clients-endpoint "ipc://$dir/c" --ready-file "$dir/ready" \
    --log-level info "${http[@]}" 2>>"$dir/coordinator.log" &
  local coord=$!
  PIDS+=("$coord")
  for _ in $(seq 1 200); do [ -f "$dir/ready" ] && break; sleep 0.05; done
  [ -f "$dir/ready" ] || fail "coordinator did not start"
  local workers=()
  for w in 1 2; do
    "$BIN/logsweep-worker" --coordinator "ipc://$dir/w" --threads 1 \
      --name "w$w" --log-level warn 2>>"$dir/worker$w.log" &
    PIDS+=("$!")
    workers+=("$!")
  done
  for _ in $(seq 1 400); do grep -q "(2 workers)" "$dir/coordinator.log" && break; sleep 0.05; done
  local src=$CACHE
  [ "$corpus" = t ] && src=$WORK/t
  t0=$(date +%s%N)
  timeout 600 "$BIN/logsweep" submit -q --coordinator "ipc://$dir/c" \
    --connect-timeout-ms 60000 "$src" >"$dir/hosts.txt" 2>"$dir/submit.err" ||
    fail "$corpus/$mode: submit: $(head -3 "$dir/submit.err")"
  t1=$(date +%s%N)
  cpu=$(cpu_ticks "$coord")
  if [ "$corpus" = a ]; then
    cmp -s "$CACHE/expected.txt" "$dir/hosts.txt" || fail "$corpus/$mode: hosts differ"
  else
    [ ! -s "$dir/hosts.txt" ] || fail "t/$mode: empty files gave hosts"
  fi
  kill -TERM "$coord" "${workers[@]}" 2>/dev/null || true
  wait "$coord" "${workers[@]}" 2>/dev/null || true
  awk -v a="$t0" -v b="$t1" -v c="$cpu" -v hz="$HZ" \
    'BEGIN { printf "%.3f %.3f\n", (b - a) / 1e9, c / hz }'
}

log "load average: $(uptime | sed 's/.*load average: //')"
echo "| corpus | mode | wall s (median of $ROUNDS) | coordinator CPU s (median) |"
echo "|---|---|---|---|"
for corpus in a t; do
  declare -A WALL=() CPU=()
  for ((r = 1; r <= ROUNDS; r++)); do
    # Alternate which goes first, so a trend in load favours neither.
    modes=(off on)
    [ $((r % 2)) -eq 0 ] && modes=(on off)
    for mode in "${modes[@]}"; do
      read -r wall cpu < <(one_run "$corpus" "$mode")
      log "corpus $corpus round $r $mode: wall ${wall}s, coordinator CPU ${cpu}s"
      WALL[$mode]+="$wall "
      CPU[$mode]+="$cpu "
    done
  done
  for mode in off on; do
    mw=$(printf '%s\n' ${WALL[$mode]} | median)
    mc=$(printf '%s\n' ${CPU[$mode]} | median)
    echo "| $corpus | --http $mode | $mw | $mc |"
    eval "M_${corpus}_${mode}_w=$mw M_${corpus}_${mode}_c=$mc"
  done
  eval "rw=\$(awk -v a=\$M_${corpus}_on_w -v b=\$M_${corpus}_off_w 'BEGIN { printf \"%.3f\", a / b }')"
  eval "rc=\$(awk -v a=\$M_${corpus}_on_c -v b=\$M_${corpus}_off_c 'BEGIN { printf \"%.3f\", (b > 0 ? a / b : 0) }')"
  echo "| $corpus | ratio on/off | $rw | $rc |"
  unset WALL CPU
done
log "load average: $(uptime | sed 's/.*load average: //')"
