#!/usr/bin/env bash
# Every real log in ../shared/reallogs through `logsweep run`, checked
# against its .expected answer exactly. The truncated file must fail (exit
# 3) with its path named; with --merge-partial its 77 hosts are merged.
source "$(dirname "$0")/lib.sh"

[ -n "$REALLOGS" ] && [ -d "$REALLOGS" ] ||
  fail "real logs folder not found at '$REALLOGS' (expected shared/reallogs beside the repository)"

count=0
for gz in "$REALLOGS"/*.log.gz; do
  name=$(basename "$gz" .log.gz)
  expected="$REALLOGS/$name.expected"
  set +e
  "$BIN/logsweep" run --workers 2 "$gz" >"$WORK/$name.out" 2>"$WORK/$name.err"
  rc=$?
  set -e
  if [ "$name" = nasty-truncated ]; then
    [ "$rc" -eq 3 ] || fail "$name: exit $rc, expected 3"
    grep -q "error: $gz: DATA_LOSS: truncated" "$WORK/$name.err" ||
      fail "$name: error does not name the file: $(cat "$WORK/$name.err")"
    "$BIN/logsweep" run --workers 2 --merge-partial "$gz" \
      >"$WORK/$name.partial" 2>/dev/null && fail "$name: partial run exited 0"
    expect_same "$expected" "$WORK/$name.partial" "$name --merge-partial"
  else
    [ "$rc" -eq 0 ] || fail "$name: exit $rc: $(cat "$WORK/$name.err")"
    expect_same "$expected" "$WORK/$name.out" "$name"
  fi
  count=$((count + 1))
done
[ "$count" -ge 7 ] || fail "only $count real logs found in $REALLOGS"

# All of them in one job: the union of the good files' answers.
set +e
"$BIN/logsweep" run --workers 2 "$REALLOGS" >"$WORK/all.out" 2>"$WORK/all.err"
rc=$?
set -e
[ "$rc" -eq 3 ] || fail "all logs: exit $rc, expected 3"
for f in "$REALLOGS"/*.expected; do
  case "$f" in *nasty-truncated*) continue ;; esac
  cat "$f"
done | LC_ALL=C sort -u >"$WORK/all.expected"
expect_same "$WORK/all.expected" "$WORK/all.out" "all real logs in one job"
echo "PASS reallogs ($count files)"
