#!/usr/bin/env bash
# The C++ client library as a user gets it: `cmake --install` this build
# into a scratch prefix, build examples/ on their own with
# find_package(logsweep), and run the example (the Python original written
# with the futures API) against a real coordinator and two workers: its
# hosts must equal the generator's answer, and a missing file is named.
source "$(dirname "$0")/lib.sh"

SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$(cd "$BIN/.." && pwd)

cmake --install "$BUILD" --prefix "$WORK/prefix" >"$WORK/install.log" 2>&1 ||
  fail "cmake --install: $(tail -5 "$WORK/install.log")"
[ -f "$WORK/prefix/include/logsweep/client.h" ] || fail "header not installed"
cmake -S "$SRC/examples" -B "$WORK/examples" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$WORK/prefix" >"$WORK/configure.log" 2>&1 ||
  fail "find_package(logsweep): $(tail -20 "$WORK/configure.log")"
cmake --build "$WORK/examples" >"$WORK/build.log" 2>&1 ||
  fail "building the example: $(tail -20 "$WORK/build.log")"
FIND_ROBOTS="$WORK/examples/find_robots"

generate "$WORK/corpus" 12 --lines 2000 --seed 11
start_coordinator --heartbeat-ms 200
start_worker w1 --threads 2
start_worker w2 --threads 1

"$FIND_ROBOTS" --coordinator "$CLIENTS_EP" "$WORK/corpus"/*.gz \
  >"$WORK/hosts.txt" 2>"$WORK/stderr.txt" ||
  fail "find_robots exited $?: $(cat "$WORK/stderr.txt")"
expect_same "$WORK/corpus/expected.txt" "$WORK/hosts.txt" "installed find_robots"

# The in-tree build of the same example agrees.
"$BIN/find_robots" --coordinator "$CLIENTS_EP" "$WORK/corpus"/*.gz \
  >"$WORK/hosts2.txt" 2>/dev/null || fail "in-tree find_robots"
expect_same "$WORK/corpus/expected.txt" "$WORK/hosts2.txt" "in-tree find_robots"

# A missing file: named on stderr, exit 3, the other files' hosts intact.
set +e
"$FIND_ROBOTS" --coordinator "$CLIENTS_EP" "$WORK/corpus"/*.gz \
  "$WORK/missing.gz" >"$WORK/hosts3.txt" 2>"$WORK/stderr3.txt"
code=$?
set -e
[ "$code" -eq 3 ] || fail "missing file: exit $code, want 3"
grep -q "missing.gz: NOT_FOUND" "$WORK/stderr3.txt" ||
  fail "missing file not named: $(cat "$WORK/stderr3.txt")"
expect_same "$WORK/corpus/expected.txt" "$WORK/hosts3.txt" "with a missing file"
echo "PASS client_package"
