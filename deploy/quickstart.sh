#!/usr/bin/env bash
# The main job in one command: set up and build if needed, then run
# `logsweep run` on the logs given, or on a freshly generated sample of
# 40 files when none are given, and print the hosts that requested
# /robots.txt. Extra logsweep flags may come before the paths, e.g.
#   ./deploy/quickstart.sh --path /wp-login.php /var/log/apache2
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$ROOT/deploy/setup.sh"
BIN=${LOGSWEEP_BUILD_DIR:-$ROOT/build}/bin

has_path=0
for a in "$@"; do
  case "$a" in -*) ;; *) has_path=1 ;; esac
done
if [ "$has_path" -eq 0 ]; then
  sample=$(mktemp -d "${TMPDIR:-/tmp}/logsweep-sample-XXXXXX")
  trap 'rm -rf "$sample"' EXIT
  "$BIN/logsweep-gencorpus" --out "$sample" --files 40 --lines 5000 --seed 1
  echo "quickstart: no logs given; scanning a generated sample in $sample" >&2
  set -- "$@" "$sample"
fi
# Not exec: the EXIT trap must still remove the generated sample.
status=0
"$BIN/logsweep" run "$@" || status=$?
exit "$status"
