#!/usr/bin/env bash
# The whole test suite in one command: set up and build if needed, then run
# every unit and integration test with ctest.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$ROOT/deploy/setup.sh"
cd "${LOGSWEEP_BUILD_DIR:-$ROOT/build}"
ctest --output-on-failure -j2 --timeout 300 "$@"
