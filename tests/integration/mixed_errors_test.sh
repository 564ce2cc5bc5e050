#!/usr/bin/env bash
# One job with good files, a missing file, random bytes named .gz, an empty
# .gz, an empty directory named like a log and a corrupt file: exit 3, each
# bad file or path named on stderr with its reason, the good files' hosts
# exact. The missing file and the empty directory are named by the client
# before the job is sent; the others by the workers.
source "$(dirname "$0")/lib.sh"

generate "$WORK/good" 20 --lines 1500 --seed 3
head -c 5000 /dev/urandom >"$WORK/garbage.gz"
: >"$WORK/empty.gz"
mkdir -p "$WORK/adir.log.gz"
cp "$WORK/good/access-00000.log.gz" "$WORK/corrupt.gz"
printf '\377\377\377\377\377\377\377\377' |
  dd of="$WORK/corrupt.gz" bs=1 seek=200 conv=notrunc 2>/dev/null

set +e
"$BIN/logsweep" run --workers 2 "$WORK/good" "$WORK/missing.log.gz" \
  "$WORK/garbage.gz" "$WORK/empty.gz" "$WORK/adir.log.gz" "$WORK/corrupt.gz" \
  >"$WORK/hosts.txt" 2>"$WORK/err.txt"
rc=$?
set -e
[ "$rc" -eq 3 ] || fail "exit $rc, expected 3: $(cat "$WORK/err.txt")"
expect_same "$WORK/good/expected.txt" "$WORK/hosts.txt" "good files' hosts"
grep -qx "logsweep: error: $WORK/missing.log.gz: NOT_FOUND: no such file or directory" \
  "$WORK/err.txt" || fail "missing file not named: $(cat "$WORK/err.txt")"
grep -qx "logsweep: error: $WORK/adir.log.gz: NOT_FOUND: no files to scan in this directory (it is empty)" \
  "$WORK/err.txt" || fail "empty directory not named: $(cat "$WORK/err.txt")"
# Named before the job ran: the first lines, before any worker's error.
head -2 "$WORK/err.txt" | grep -q "missing.log.gz" || fail "missing file named late"
grep -q "error: $WORK/garbage.gz: DATA_LOSS: not gzip" "$WORK/err.txt" || fail "garbage not named"
grep -q "error: $WORK/empty.gz: DATA_LOSS: empty file" "$WORK/err.txt" || fail "empty not named"
grep -q "error: $WORK/corrupt.gz: DATA_LOSS" "$WORK/err.txt" || fail "corrupt not named"
# Neither path became a task: 20 good files and 3 bad ones were scanned.
grep -q "23 files (3 failed).*; 2 path errors (named above)" "$WORK/err.txt" ||
  fail "summary: $(tail -1 "$WORK/err.txt")"
echo "PASS mixed_errors"
