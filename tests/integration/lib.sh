# Helpers for the integration tests. Source it; it sets BIN and REALLOGS
# from the arguments, a scratch directory $WORK removed on exit, and kills
# every background process the test started.
set -euo pipefail

BIN=${1:?usage: $0 BIN_DIR [REALLOGS_DIR]}
REALLOGS=${2:-}
# logsweep prints absolute, normalised paths; compare like with like.
if [ -n "$REALLOGS" ] && [ -d "$REALLOGS" ]; then REALLOGS=$(cd "$REALLOGS" && pwd -P); fi
WORK=$(mktemp -d "${TMPDIR:-/tmp}/logsweep-it-XXXXXX")
# `logsweep run` keeps a result cache under $XDG_CACHE_HOME (docs/cache.md):
# each test has its own, never the user's.
export XDG_CACHE_HOME="$WORK/xdg-cache"
PIDS=()

cleanup() {
  local pid
  for pid in "${PIDS[@]:-}"; do
    [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${PIDS[@]:-}"; do
    [ -n "$pid" ] && wait "$pid" 2>/dev/null || true
  done
  rm -rf "$WORK"
}
trap cleanup EXIT

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# expect_same EXPECTED ACTUAL WHAT: byte-for-byte comparison with a diff.
expect_same() {
  if ! cmp -s "$1" "$2"; then
    diff <(head -c 4000 "$1") <(head -c 4000 "$2") | head -20 >&2 || true
    fail "$3: output differs from $1"
  fi
}

# start_coordinator: binds to free loopback ports, sets WORKERS_EP and
# CLIENTS_EP. Extra flags are passed through.
start_coordinator() {
  "$BIN/logsweep-coordinator" --workers-endpoint 'tcp://127.0.0.1:*' \
    --clients-endpoint 'tcp://127.0.0.1:*' --ready-file "$WORK/ready" \
    --log-level "${LOG_LEVEL:-warn}" "$@" 2>>"$WORK/coordinator.log" &
  COORDINATOR_PID=$!
  PIDS+=("$COORDINATOR_PID")
  local i
  for i in $(seq 1 200); do
    [ -f "$WORK/ready" ] && break
    sleep 0.05
  done
  [ -f "$WORK/ready" ] || fail "coordinator did not start"
  WORKERS_EP=$(sed -n 's/^workers=//p' "$WORK/ready")
  CLIENTS_EP=$(sed -n 's/^clients=//p' "$WORK/ready")
  rm -f "$WORK/ready"
}

# wait_for_log FILE PATTERN [SECONDS]: until a line matches, or fail.
wait_for_log() {
  local file=$1 pattern=$2 limit=${3:-20} i
  for i in $(seq 1 $((limit * 20))); do
    grep -q -- "$pattern" "$file" 2>/dev/null && return 0
    sleep 0.05
  done
  fail "no '$pattern' in $file within ${limit}s: $(tail -5 "$file" 2>/dev/null)"
}

# wait_exit PID WHAT [SECONDS]: waits for background job PID to end and
# sets EXIT_CODE; after SECONDS (10) it is killed and the test fails.
wait_exit() {
  local pid=$1 what=$2 limit=${3:-10} i
  for i in $(seq 1 $((limit * 20))); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  if kill -0 "$pid" 2>/dev/null; then
    kill -KILL "$pid" 2>/dev/null || true
    fail "$what did not end within ${limit}s"
  fi
  set +e
  wait "$pid"
  EXIT_CODE=$?
  set -e
}

# start_worker NAME [flags...]: a worker connected to $WORKERS_EP.
# With WORKER_BIN=logsweep-test-worker, faults can be injected (--stall
# SUBSTR, --slow-ms N; see tests/worker/test_worker_main.cc).
start_worker() {
  local name=$1
  shift
  "$BIN/${WORKER_BIN:-logsweep-worker}" --coordinator "$WORKERS_EP" \
    --name "$name" --log-level "${LOG_LEVEL:-warn}" "$@" \
    2>>"$WORK/$name.log" &
  PIDS+=("$!")
  LAST_WORKER_PID=$!
}

# generate DIR FILES [flags...]: a corpus and its expected.txt.
generate() {
  local dir=$1 files=$2
  shift 2
  "$BIN/logsweep-gencorpus" --out "$dir" --files "$files" "$@" 2>/dev/null
}
