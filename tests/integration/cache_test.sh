#!/usr/bin/env bash
# The result cache (issue 18, docs/cache.md). Every answer with the cache
# is compared with a --no-cache run of the same files: hosts, and each
# file's code, lines, matches and bytes.
#  1. a repeat run over unchanged files is answered from the cache;
#  2. adversarial changes, each a miss and exact: same size rewritten with
#     the mtime restored (touch -d), copytruncate and regrow, replaced by
#     rename, appended in the middle of a line, appended binary junk, a
#     gzip file with an appended member, mtime set backwards; the one file
#     left alone is still a hit;
#  3. a corrupt cache database and one of another version are rebuilt with
#     a warning, never trusted;
#  4. a coordinator with --state: a second job hits, and still does after
#     the coordinator restarts; a corrupt cache.db there is rebuilt too;
#  5. two jobs at once over overlapping files, and two `logsweep run` at
#     once on one cache: all exact;
#  7. files below --cache-min-bytes are never cached: a repeat run reads
#     them all again (and the cache stays empty).
source "$(dirname "$0")/lib.sh"

D="$WORK/logs"
mkdir -p "$D"
# Each file's hosts are its own, so a stale answer for any one file
# changes the union.
write_log() {  # FILE TAG LINES
  local f=$1 tag=$2 n=$3 i
  for i in $(seq 1 "$n"); do
    printf '%s.%d - - [01/Nov/2026:00:00:00 +0000] "GET /robots.txt HTTP/1.1" 200 1 "-" "x"\n' "$tag" "$i"
    printf 'other.%s.%d - - [01/Nov/2026:00:00:00 +0000] "GET /a HTTP/1.1" 200 1 "-" "x"\n' "$tag" "$i"
  done >"$f"
}
write_log "$D/same_size.log" a 300
write_log "$D/copytrunc.log" b 300
write_log "$D/renamed.log" c 300
write_log "$D/midline.log" d 300
printf 'midA - - [01/Nov/2026:00:00:00 +0000] "GET /robo' >>"$D/midline.log"
write_log "$D/junk.log" e 300
write_log "$WORK/g.log" f 300
gzip -c "$WORK/g.log" >"$D/member.log.gz"
write_log "$D/clock.log" h 300
write_log "$D/untouched.log" i 300
touch -d '2026-11-01 12:00:00' "$D"/*
FILES=$(ls "$D" | wc -l)

# compare LABEL CACHED_JSON NOCACHE_JSON: prints the files answered from
# the cache; fails on any difference in the answer.
compare() {
  python3 - "$@" <<'PY'
import json, sys
label, a, b = sys.argv[1], json.load(open(sys.argv[2])), json.load(open(sys.argv[3]))
def files(d):
    return [(f["path"], f.get("code"), f["stats"]["lines"], f["stats"]["matches"],
             f["stats"]["bytes_read"], f["stats"]["bytes_scanned"]) for f in d["files"]]
if a["hosts"] != b["hosts"]:
    sys.exit(f"FAIL: {label}: hosts differ from --no-cache")
if files(a) != files(b):
    sys.exit(f"FAIL: {label}: files differ from --no-cache:\n{files(a)}\n{files(b)}")
if b["cache"]["files_cached"] != 0:
    sys.exit(f"FAIL: {label}: --no-cache answered from a cache")
print(a["cache"]["files_cached"])
PY
}

# run_both LABEL [run flags...]: a cached and an uncached run of $D;
# sets CACHED to the files answered from the cache.
run_both() {
  local label=$1
  shift
  "$BIN/logsweep" run --workers 2 --cache-min-bytes 0 --json -o "$WORK/c.json" "$@" "$D" \
    2>"$WORK/c.err" || fail "$label: run exited $?: $(cat "$WORK/c.err")"
  "$BIN/logsweep" run --workers 2 --no-cache --json -o "$WORK/n.json" "$@" "$D" \
    2>/dev/null || fail "$label: --no-cache run exited $?"
  CACHED=$(compare "$label" "$WORK/c.json" "$WORK/n.json") || exit 1
}

# ---- 1 ----
# A file changed within 2 s is never cached (its times may not move on
# the next write, docs/cache.md): let the ctimes age.
sleep 2.2
run_both "1: first run"
[ "$CACHED" -eq 0 ] || fail "1: first run answered $CACHED files from cache"
run_both "1: repeat run"
[ "$CACHED" -eq "$FILES" ] || fail "1: repeat run: $CACHED of $FILES from cache"
"$BIN/logsweep" run --workers 2 --cache-min-bytes 0 "$D" >/dev/null 2>"$WORK/1.err"
grep -q "$FILES files from cache" "$WORK/1.err" || fail "1: summary: $(cat "$WORK/1.err")"
echo "ok 1 - a repeat run is answered from the cache, exactly"

# ---- 2 ----
# Same size, other content, mtime restored: only ctime (and the
# fingerprint) can tell.
printf 'a.X' | dd of="$D/same_size.log" bs=1 conv=notrunc status=none
touch -d '2026-11-01 12:00:00' "$D/same_size.log"
# copytruncate: emptied, then written past its old size.
: >"$D/copytrunc.log"
write_log "$D/copytrunc.log" bb 400
touch -d '2026-11-01 12:00:00' "$D/copytrunc.log"
# Replaced by rename, with the old mtime.
write_log "$WORK/new.log" cc 300
touch -d '2026-11-01 12:00:00' "$WORK/new.log"
mv "$WORK/new.log" "$D/renamed.log"
# The partial last line completed, more lines after it.
printf 'ts.txt HTTP/1.1" 200 1 "-" "x"\n' >>"$D/midline.log"
write_log "$WORK/more.log" dd 5
cat "$WORK/more.log" >>"$D/midline.log"
# Binary junk after the last line.
head -c 3000 /dev/urandom >>"$D/junk.log"
# A gzip file that gained a member.
write_log "$WORK/g2.log" ff 50
gzip -c "$WORK/g2.log" >>"$D/member.log.gz"
# Rewritten, with an mtime older than the cached one (a clock set back).
write_log "$D/clock.log" hh 300
touch -d '2001-01-01 00:00:00' "$D/clock.log"
run_both "2: after the changes"
[ "$CACHED" -eq 1 ] || fail "2: $CACHED files from cache; only untouched.log is unchanged"
grep -q '"midA"' "$WORK/c.json" || fail "2: the completed line's host is missing"
grep -q '"ff.50"' "$WORK/c.json" || fail "2: the new gzip member's hosts are missing"
grep -q '"a.X"' "$WORK/c.json" || fail "2: the same-size rewrite was answered stale"
sleep 2.2
run_both "2: changes cached"
run_both "2: changes from cache"
[ "$CACHED" -eq "$FILES" ] || fail "2: afterwards $CACHED of $FILES from cache"
echo "ok 2 - changed files are read again (size, ctime, inode, fingerprint), exactly"

# ---- 3 ----
DB="$XDG_CACHE_HOME/logsweep/cache.db"
[ -f "$DB" ] || fail "3: no cache at $DB"
rm -f "$DB-wal" "$DB-shm"
head -c 8192 /dev/urandom >"$DB"
run_both "3: corrupt cache"
[ "$CACHED" -eq 0 ] || fail "3: a corrupt cache served $CACHED files"
grep -q "result cache $DB was unusable" "$WORK/c.err" ||
  fail "3: no warning about the corrupt cache: $(cat "$WORK/c.err")"
run_both "3: rebuilt cache"
[ "$CACHED" -eq "$FILES" ] || fail "3: rebuilt cache served $CACHED of $FILES"
python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('PRAGMA user_version=99'); c.commit()" "$DB"
run_both "3: cache of another version"
[ "$CACHED" -eq 0 ] || fail "3: a cache of version 99 served $CACHED files"
grep -q "result cache $DB was unusable (version 99, not [0-9]*)" "$WORK/c.err" ||
  fail "3: no warning about the version: $(cat "$WORK/c.err")"
echo "ok 3 - a corrupt or other-version cache is rebuilt with a warning"

# ---- 4 ----
"$BIN/logsweep" run --workers 2 --no-cache --json -o "$WORK/n.json" "$D" 2>/dev/null
submit_json() {  # OUT
  timeout 60 "$BIN/logsweep" submit --coordinator "$CLIENTS_EP" --json -o "$1" "$D" \
    2>>"$WORK/submit.err" || fail "4: submit exited $?: $(cat "$WORK/submit.err")"
}
start_coordinator --heartbeat-ms 200 --state "$WORK/state" --cache-min-bytes 0
W_EP=$WORKERS_EP
C_EP=$CLIENTS_EP
# A coordinator on the same endpoints and state as the first one: the
# worker reconnects to it.
start_again() {
  "$BIN/logsweep-coordinator" --workers-endpoint "$W_EP" \
    --clients-endpoint "$C_EP" --heartbeat-ms 200 --state "$WORK/state" \
    --cache-min-bytes 0 \
    --log-level warn 2>>"$WORK/coordinator.log" &
  COORDINATOR_PID=$!
  PIDS+=("$COORDINATOR_PID")
}
start_worker w1 --threads 2 --heartbeat-ms 200
submit_json "$WORK/4a.json"
[ "$(compare "4: first" "$WORK/4a.json" "$WORK/n.json")" -eq 0 ] || fail "4: first job hit"
submit_json "$WORK/4b.json"
[ "$(compare "4: second" "$WORK/4b.json" "$WORK/n.json")" -eq "$FILES" ] || fail "4: second job missed"
kill -TERM "$COORDINATOR_PID"
wait "$COORDINATOR_PID" 2>/dev/null || true
start_again
submit_json "$WORK/4c.json"
[ "$(compare "4: after restart" "$WORK/4c.json" "$WORK/n.json")" -eq "$FILES" ] ||
  fail "4: no hits after a restart"
kill -TERM "$COORDINATOR_PID"
wait "$COORDINATOR_PID" 2>/dev/null || true
rm -f "$WORK/state/cache.db-wal" "$WORK/state/cache.db-shm"
head -c 8192 /dev/urandom >"$WORK/state/cache.db"
start_again
submit_json "$WORK/4d.json"
[ "$(compare "4: corrupt" "$WORK/4d.json" "$WORK/n.json")" -eq 0 ] || fail "4: corrupt cache served hits"
grep -q "result cache $WORK/state/cache.db was unusable" "$WORK/coordinator.log" ||
  fail "4: no warning: $(tail -5 "$WORK/coordinator.log")"
echo "ok 4 - a coordinator's cache in --state: hits, across a restart; corrupt: rebuilt"

# ---- 5 ----
# Two jobs at once over the same files (the cache as step 4 left it: a
# mix), then again once both filled it; and two `logsweep run` at once.
for round in 1 2; do
  timeout 60 "$BIN/logsweep" submit --coordinator "$CLIENTS_EP" --json \
    -o "$WORK/5a.json" "$D" 2>/dev/null &
  A=$!
  timeout 60 "$BIN/logsweep" submit --coordinator "$CLIENTS_EP" --json \
    -o "$WORK/5b.json" "$D/untouched.log" "$D/junk.log" "$D" 2>/dev/null &
  B=$!
  wait "$A" || fail "5: job A exited $?"
  wait "$B" || fail "5: job B exited $?"
  compare "5: job A round $round" "$WORK/5a.json" "$WORK/n.json" >/dev/null || exit 1
  python3 - "$WORK/5b.json" "$WORK/n.json" <<'PY' || fail "5: job B round $round differs"
import json, sys
b, n = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
assert b["hosts"] == n["hosts"], "hosts"
PY
done
"$BIN/logsweep" run --workers 2 --cache-min-bytes 0 --json -o "$WORK/5c.json" "$D" 2>/dev/null &
A=$!
"$BIN/logsweep" run --workers 2 --cache-min-bytes 0 --json -o "$WORK/5d.json" "$D" 2>/dev/null &
B=$!
wait "$A" || fail "5: run A exited $?"
wait "$B" || fail "5: run B exited $?"
compare "5: run A" "$WORK/5c.json" "$WORK/n.json" >/dev/null || exit 1
compare "5: run B" "$WORK/5d.json" "$WORK/n.json" >/dev/null || exit 1
echo "ok 5 - concurrent jobs over overlapping files are exact"

# ---- cache stats|clear ----
"$BIN/logsweep" cache stats >"$WORK/stats.out"
grep -q "^$DB: $FILES entries, [0-9]* bytes$" "$WORK/stats.out" || fail "stats: $(cat "$WORK/stats.out")"
"$BIN/logsweep" cache clear >/dev/null
"$BIN/logsweep" cache stats | grep -q ": 0 entries, 0 bytes$" || fail "clear did not empty the cache"
"$BIN/logsweep" cache stats --state "$WORK/state" | grep -q "^$WORK/state/cache.db: $FILES entries" ||
  fail "stats --state: $("$BIN/logsweep" cache stats --state "$WORK/state")"
echo "ok 6 - cache stats and clear"

# ---- 7 ----
"$BIN/logsweep" cache clear >/dev/null
LARGEST=$(find "$D" -type f -printf '%s\n' | sort -n | tail -1)
for pass in first repeat; do
  "$BIN/logsweep" run --workers 2 --cache-min-bytes $((LARGEST + 1)) --json \
    -o "$WORK/7.json" "$D" 2>"$WORK/7.err" || fail "7: run exited $?: $(cat "$WORK/7.err")"
  CACHED=$(compare "7: $pass" "$WORK/7.json" "$WORK/n.json") || exit 1
  [ "$CACHED" -eq 0 ] || fail "7: $pass run answered $CACHED files below the floor from cache"
done
"$BIN/logsweep" cache stats | grep -q ": 0 entries, 0 bytes$" ||
  fail "7: files below the floor were cached: $("$BIN/logsweep" cache stats)"
for bad in -5 x; do
  rc=0
  "$BIN/logsweep" run --cache-min-bytes "$bad" "$D" >/dev/null 2>"$WORK/7bad.err" || rc=$?
  [ "$rc" -eq 2 ] && grep -q -- "--cache-min-bytes" "$WORK/7bad.err" ||
    fail "7: --cache-min-bytes $bad: exit $rc: $(cat "$WORK/7bad.err")"
done
echo "ok 7 - files below --cache-min-bytes are read every time, never cached"
