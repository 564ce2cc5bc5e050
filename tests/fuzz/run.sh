#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) into build-fuzz/ and
# runs each for FUZZ_SECONDS (default 30) over a copy of the checked-in seed
# corpus. A crash, leak, or broken invariant fails the run and leaves the
# reproducer in build-fuzz/artifacts/.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${LOGSWEEP_FUZZ_BUILD_DIR:-$ROOT/build-fuzz}
SECONDS_EACH=${FUZZ_SECONDS:-30}

if [ ! -f "$BUILD/CMakeCache.txt" ]; then
  CC=clang CXX=clang++ cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DLOGSWEEP_FUZZ=ON -DLOGSWEEP_BUILD_TESTS=OFF \
    -DLOGSWEEP_SANITIZE=address,undefined >/dev/null
fi
cmake --build "$BUILD" -j"$(nproc)" --target codec_fuzz scanner_fuzz >"$BUILD/build.log" 2>&1 ||
  { tail -n 40 "$BUILD/build.log" >&2; exit 1; }

mkdir -p "$BUILD/artifacts"
for target in codec_fuzz scanner_fuzz; do
  corpus=$(mktemp -d)
  cp "$ROOT/tests/fuzz/corpus/${target%_fuzz}/"* "$corpus/"
  echo "fuzz: $target for ${SECONDS_EACH}s" >&2
  if ! "$BUILD/bin/$target" -max_total_time="$SECONDS_EACH" \
      -timeout=10 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
      -artifact_prefix="$BUILD/artifacts/$target-" "$corpus" \
      >"$BUILD/$target.log" 2>&1; then
    tail -n 40 "$BUILD/$target.log" >&2
    echo "fuzz: $target FAILED (reproducer in $BUILD/artifacts)" >&2
    rm -rf "$corpus"
    exit 1
  fi
  grep -E "stat::number_of_executed_units|stat::peak_rss_mb" "$BUILD/$target.log" >&2 || true
  rm -rf "$corpus"
done
echo "fuzz: all targets passed" >&2
