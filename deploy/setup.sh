#!/usr/bin/env bash
# Installs the Debian 12 packages logsweep needs (when missing) and builds
# it into build/ (Release). Sourced-or-run by quickstart.sh and tests/run.sh.
# Idempotent: a second run only rebuilds what changed.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${LOGSWEEP_BUILD_DIR:-$ROOT/build}

PACKAGES=(
  build-essential cmake pkg-config
  libzmq3-dev cppzmq-dev libprotobuf-dev protobuf-compiler zlib1g-dev
  libzstd-dev liblzma-dev libbz2-dev
  libspdlog-dev libgtest-dev libcli11-dev nlohmann-json3-dev libisal-dev
  libsqlite3-dev clang libclang-rt-14-dev
  libbenchmark-dev libdeflate-dev libre2-dev
  help2man file
  docker-compose python3-yaml iproute2 python3-zmq util-linux
  python3-zstandard
  libcpp-httplib-dev prometheus chromium python3-websocket
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
    missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ ! -f "$BUILD_DIR/CMakeCache.txt" ]; then
  cmake -S "$ROOT" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release >/dev/null ||
    { echo "setup: cmake configure failed" >&2; exit 1; }
fi
log="$BUILD_DIR/build.log"
if ! cmake --build "$BUILD_DIR" -j"$(nproc)" >"$log" 2>&1; then
  tail -n 60 "$log" >&2
  echo "setup: build failed; full log in $log" >&2
  exit 1
fi
echo "setup: built $BUILD_DIR/bin" >&2
