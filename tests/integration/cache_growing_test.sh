#!/usr/bin/env bash
# Growing files and the result cache (issue 18, docs/cache.md "Growing
# files"). Every answer is compared with a --no-cache run of the same
# files (hosts, and each file's code, lines, matches and bytes), and the
# test checks how each file was answered (cache.files_incremental and each
# file's stats):
#  1. a plain log appended with whole lines, one appended in the middle of
#     its partial last line, one appended with binary junk, and a gzip file
#     that gained a member: each read from its old end (incremental), exact;
#  2. appended again: incremental on top of an incremental entry, exact;
#  3. copytruncate then regrown past the old size, rewritten with the same
#     size and its mtime restored (touch -d), grown with the same mtime,
#     a gzip file rewritten entirely (one member, larger), a gzip file with
#     zero padding that gained a member, a file replaced by rename with
#     more lines: each read in full, exact.
source "$(dirname "$0")/lib.sh"

D="$WORK/logs"
mkdir -p "$D"
# Each file's hosts are its own, so a stale or missing part of any file
# changes the union.
lines() {  # TAG FROM TO
  local tag=$1 i
  for i in $(seq "$2" "$3"); do
    printf '%s.%d - - [01/Nov/2026:00:00:00 +0000] "GET /robots.txt HTTP/1.1" 200 1 "-" "x"\n' "$tag" "$i"
    printf 'other.%s.%d - - [01/Nov/2026:00:00:00 +0000] "GET /a HTTP/1.1" 200 1 "-" "x"\n' "$tag" "$i"
  done
}
lines a 1 300 >"$D/append.log"
lines b 1 300 >"$D/midline.log"
printf 'midB - - [01/Nov/2026:00:00:00 +0000] "GET /robo' >>"$D/midline.log"
lines c 1 300 >"$D/junk.log"
lines d 1 300 | gzip -c >"$D/member.log.gz"
lines e 1 300 >"$D/copytrunc.log"
lines f 1 300 >"$D/same_size.log"
lines g 1 300 >"$D/same_mtime.log"
lines h 1 300 | gzip -c >"$D/rewritten.log.gz"
lines i 1 300 | gzip -c >"$D/padded.log.gz"
head -c 100 /dev/zero >>"$D/padded.log.gz"
lines j 1 300 >"$D/renamed.log"
lines k 1 300 >"$D/untouched.log"
touch -d '2026-11-01 12:00:00' "$D"/*

compare() {  # LABEL CACHED_JSON NOCACHE_JSON: prints each file's path, kind
  python3 - "$@" <<'PY'
import json, sys
label, a, b = sys.argv[1], json.load(open(sys.argv[2])), json.load(open(sys.argv[3]))
def files(d):
    return [(f["path"], f.get("code"), f["stats"]["lines"], f["stats"]["matches"],
             f["stats"]["bytes_read"], f["stats"]["bytes_scanned"]) for f in d["files"]]
if a["hosts"] != b["hosts"]:
    sys.exit(f"FAIL: {label}: hosts differ from --no-cache: "
             f"{sorted(set(a['hosts']) ^ set(b['hosts']))[:10]}")
if files(a) != files(b):
    sys.exit(f"FAIL: {label}: files differ from --no-cache:\n{files(a)}\n{files(b)}")
inc = sum(1 for f in a["files"] if f["stats"]["files_incremental"])
if a["cache"]["files_incremental"] != inc:
    sys.exit(f"FAIL: {label}: cache.files_incremental {a['cache']['files_incremental']} != {inc}")
for f in a["files"]:
    s = f["stats"]
    kind = "cached" if s["files_cached"] else "incremental" if s["files_incremental"] else "full"
    print(f["path"].rsplit("/", 1)[-1], kind, s["bytes_saved"])
PY
}

run_both() {  # LABEL: sets KINDS to "file kind bytes_saved" lines
  local label=$1
  "$BIN/logsweep" run --workers 2 --cache-min-bytes 0 --json -o "$WORK/c.json" "$D" \
    2>"$WORK/c.err" || fail "$label: run exited $?: $(cat "$WORK/c.err")"
  "$BIN/logsweep" run --workers 2 --no-cache --json -o "$WORK/n.json" "$D" \
    2>/dev/null || fail "$label: --no-cache run exited $?"
  KINDS=$(compare "$label" "$WORK/c.json" "$WORK/n.json") || exit 1
}
kind() {  # FILE: how it was answered in the last run
  awk -v f="$1" '$1 == f { print $2 }' <<<"$KINDS"
}
expect() {  # LABEL FILE KIND
  [ "$(kind "$2")" = "$3" ] || fail "$1: $2 was answered '$(kind "$2")', not $3:
$KINDS"
}
has_host() {  # LABEL HOST
  grep -q "\"$2\"" "$WORK/c.json" || fail "$1: host $2 is missing"
}

# Files changed within 2 s are not cached (docs/cache.md): let them age.
sleep 2.2
run_both "first run"
run_both "repeat"
for f in $(ls "$D"); do expect "repeat" "$f" cached; done

# ---- 1 ----
lines a 301 320 >>"$D/append.log"
printf 'ts.txt HTTP/1.1" 200 1 "-" "x"\n' >>"$D/midline.log"
lines bb 1 5 >>"$D/midline.log"
head -c 3000 /dev/urandom >>"$D/junk.log"
lines dd 1 50 | gzip -c >>"$D/member.log.gz"
sleep 2.2
run_both "1: appended"
expect "1" append.log incremental
expect "1" midline.log incremental
expect "1" junk.log incremental
expect "1" member.log.gz incremental
expect "1" untouched.log cached
has_host "1" a.320
has_host "1" midB
has_host "1" dd.50
# The bytes not read are those before each file's old end.
python3 - "$WORK/c.json" <<'PY' || fail "1: bytes_saved"
import json, sys
d = json.load(open(sys.argv[1]))
inc = [f for f in d["files"] if f["stats"]["files_incremental"]]
saved = sum(f["stats"]["bytes_saved"] for f in inc)
if not inc or any(not 0 < f["stats"]["bytes_saved"] < f["stats"]["bytes_read"] for f in inc):
    sys.exit("FAIL: an incremental file saved no bytes, or all of them")
if d["cache"]["bytes_saved_incremental"] != saved:
    sys.exit("FAIL: cache.bytes_saved_incremental is not the files' sum")
PY
grep -q "4 grown files read from their old end" "$WORK/c.err" ||
  fail "1: summary: $(cat "$WORK/c.err")"
echo "ok 1 - appended plain, mid-line, binary junk and a gzip member: read from the old end, exactly"

# ---- 2 ----
printf 'midC - - [01/Nov/2026:00:00:00 +0000] "GET /robots.txt' >>"$D/midline.log"
lines a 321 330 >>"$D/append.log"
lines ddd 1 10 | gzip -c >>"$D/member.log.gz"
sleep 2.2
run_both "2: appended again"
expect "2" append.log incremental
expect "2" midline.log incremental
expect "2" member.log.gz incremental
expect "2" junk.log cached
has_host "2" a.330
has_host "2" ddd.10
# The partial line is no match yet (its request is /robots.txt but it has
# no more fields); completed, it must count.
printf ' HTTP/1.1" 200 1 "-" "x"\n' >>"$D/midline.log"
sleep 2.2
run_both "2: partial line completed"
expect "2" midline.log incremental
has_host "2" midC
echo "ok 2 - grown again: incremental on an incremental entry, the partial line read whole, exactly"

# ---- 3 ----
# copytruncate: emptied, then written past its old size.
: >"$D/copytrunc.log"
lines ee 1 400 >>"$D/copytrunc.log"
# Same size, one byte changed, mtime restored.
printf 'f.X' | dd of="$D/same_size.log" bs=1 conv=notrunc status=none
touch -d '2026-11-01 12:00:00' "$D/same_size.log"
# Grown with its mtime kept: not an append we trust.
lines g 301 310 >>"$D/same_mtime.log"
touch -d '2026-11-01 12:00:00' "$D/same_mtime.log"
# A gzip file written again from scratch, larger.
lines hh 1 400 | gzip -c >"$D/rewritten.log.gz"
# Zero padding after the old last member: a member after it is not read
# by gzip (nor by us), so the file is not an append of members.
lines ii 1 10 | gzip -c >>"$D/padded.log.gz"
# Replaced by rename with more lines.
lines jj 1 400 >"$WORK/new.log"
mv "$WORK/new.log" "$D/renamed.log"
sleep 2.2
run_both "3: rewritten"
for f in copytrunc.log same_size.log same_mtime.log rewritten.log.gz \
  padded.log.gz renamed.log; do
  expect "3" "$f" full
done
has_host "3" ee.400
has_host "3" f.X
has_host "3" g.310
has_host "3" hh.400
has_host "3" jj.400
echo "ok 3 - truncated, rewritten, same mtime, gzip rewritten or padded, renamed: read in full, exactly"
