#!/usr/bin/env bash
# The test suite under sanitizers: everything under AddressSanitizer +
# UndefinedBehaviorSanitizer (build-asan/), and the worker (unit tests plus
# the multi-process runs, whose worker threads share sockets' neighbours)
# under ThreadSanitizer (build-tsan/). Any report fails the run.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
JOBS=$(nproc)

build() {  # build DIR SANITIZERS [TARGETS...]
  local dir=$1 sanitize=$2
  shift 2
  if [ ! -f "$dir/CMakeCache.txt" ]; then
    # -g1: line tables for the sanitizers' stack traces, without the full
    # debug info that would make the build much slower.
    cmake -S "$ROOT" -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG" \
      -DLOGSWEEP_SANITIZE="$sanitize" -DLOGSWEEP_BUILD_BENCH=OFF \
      -DLOGSWEEP_MAN_PAGES=OFF >/dev/null
  fi
  local targets=()
  for t in "$@"; do targets+=(--target "$t"); done
  cmake --build "$dir" -j"$JOBS" "${targets[@]}" >"$dir/build.log" 2>&1 ||
    { tail -n 40 "$dir/build.log" >&2; exit 1; }
}

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
echo "sanitize: address,undefined (whole suite)" >&2
build "$ROOT/build-asan" address,undefined
# Every unit test, and the integration tests that reach every process's
# code (jobs, faults, formats, discovery, the journal, hostile peers). Left
# out, to keep CI under 40 minutes: the scale tests (label scale: a
# coordinator keeping up with thousands of workers, which ASan's cost
# defeats by design), the long repetitions of paths covered here
# (restarts, soak, load, peerlogs, curve), the tests that need a
# private network or a package build (netns, client_package, deploy), and
# the status page in Chromium (http_page: the page, not memory).
(cd "$ROOT/build-asan" && ctest --output-on-failure -j2 --timeout 600 \
  -E '^deploy\.|netns|client_package|restarts|soak|load|peerlogs|curve|http_page' \
  -LE scale)

# libzmq is not TSan-instrumented; see tests/tsan.supp. Races in our own
# code are still reported (checked by removing ScanPool::Submit's lock).
export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$ROOT/tests/tsan.supp"
echo "sanitize: thread (worker, client library)" >&2
build "$ROOT/build-tsan" thread worker_test client_library_test worker \
  coordinator client logsweep-gencorpus test_worker
(cd "$ROOT/build-tsan" && ctest --output-on-failure --timeout 600 \
  -R 'ScanPool|RunTask|ClientLibrary|integration\.(cluster_tcp|run_local|faults)')
