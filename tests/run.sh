#!/usr/bin/env bash
# The whole test suite in one command: set up and build if needed, then run
# every unit and integration test with ctest.
#   ./tests/run.sh          unit + integration tests (Release build), without
#                           the container tests (ctest label "container")
#   ./tests/run.sh --full   also the container tests (the docker-compose
#                           cluster, the Debian package), the suite under
#                           ASan+UBSan and TSan, and each fuzz target for
#                           FUZZ_SECONDS (CI does this)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
full=0
if [ "${1:-}" = "--full" ]; then
  full=1
  shift
fi
"$ROOT/deploy/setup.sh"
select=(-LE container)
[ "$full" -eq 1 ] && select=()
(cd "${LOGSWEEP_BUILD_DIR:-$ROOT/build}" &&
  ctest --output-on-failure -j2 --timeout 300 "${select[@]}" "$@")
if [ "$full" -eq 1 ]; then
  "$ROOT/tests/sanitize.sh"
  FUZZ_SECONDS=${FUZZ_SECONDS:-30} "$ROOT/tests/fuzz/run.sh"
fi
