#!/usr/bin/env bash
# Finding files (docs/cli.md, "Which files are scanned"): a web server's log
# directory as logrotate leaves it (plain, .N, -DATE, .N-DATE.gz, upper
# case, bzip2/xz/zstd, per-host folders, RHEL's access_log), with files that must be
# skipped (README, notes.txt, a hidden file and directory, a FIFO, a
# symlink to a file already taken). Checked: the hosts of exactly the
# right files, the --list-files output and the skipped lines byte for
# byte, the summary's counts, --include/--exclude/--all-files, --json; and
# each path error (missing file, glob matching nothing, empty directory,
# unreadable subdirectory) named before the job, with exit 3 and the other
# files' hosts exact, or exit 2 when nothing is left.
source "$(dirname "$0")/lib.sh"

W=$(realpath -s "$WORK")
L=$W/apache2
mkdir -p "$L/web1" "$L/web2" "$L/.snapshot" "$W/empty" "$W/compressed"

# log FILE: one /robots.txt request from host h-FILE (FILE relative to $L)
# and one other request, compressed as the name says (any case).
log() {
  local text
  text=$(printf '%s - - [31/Oct/2026:10:00:00 +0000] "GET /robots.txt HTTP/1.1" 200 10 "-" "bot"\n192.0.2.1 - - [31/Oct/2026:10:00:01 +0000] "GET /index.html HTTP/1.1" 200 99 "-" "ua"\n' "h-$1")
  case "${1,,}" in
    *.gz) printf '%s\n' "$text" | gzip -9n >"$L/$1" ;;
    *.bz2) printf '%s\n' "$text" | bzip2 >"$L/$1" ;;
    *.xz) printf '%s\n' "$text" | xz >"$L/$1" ;;
    *.zst) printf '%s\n' "$text" | zstd -q >"$L/$1" ;;
    *) printf '%s\n' "$text" >"$L/$1" ;;
  esac
}
TAKEN=(access.log access.log.1 access.log.2.gz access.log-20261031
  access.log.3-20261101.gz ACCESS.LOG.GZ access.log.4.bz2 access.log.5.xz
  error.log web1/access.log web1/access.log.1.gz web1/access.log.2.zst
  web2/access_log web2/access_log-20261031.gz)
for f in "${TAKEN[@]}" README notes.txt .hidden.log .snapshot/access.log; do
  log "$f"
done
mkfifo "$L/pipe.log"                  # opened, it would hang the test
ln -s access.log "$L/current.log"     # the same file as access.log
for f in "${TAKEN[@]}"; do echo "h-$f"; done | LC_ALL=C sort >"$W/taken.hosts"

# hosts_of NAME...: the hosts of those files, sorted as logsweep prints.
hosts_of() {
  local f
  for f in "$@"; do echo "h-$f"; done | LC_ALL=C sort
}

# ls_run NAME ARGS...: logsweep ARGS; stdout, stderr and the exit code in
# $W/NAME.out, NAME.err, $RC.
ls_run() {
  local name=$1
  shift
  set +e
  timeout 60 "$BIN/logsweep" "$@" >"$W/$name.out" 2>"$W/$name.err"
  RC=$?
  set -e
}

# expect_rc NAME CODE
expect_rc() {
  [ "$RC" -eq "$2" ] || fail "$1: exit $RC, expected $2: $(cat "$W/$1.err")"
}

start_coordinator --heartbeat-ms 200
start_worker w1 --threads 2 --heartbeat-ms 200
EP=(--coordinator "$CLIENTS_EP")

# --- The layout with `run`: every log file, nothing else. ---
ls_run run run --workers 2 "$L"
expect_rc run 0
expect_same "$W/taken.hosts" "$W/run.out" "run on the rotated directory"
grep -q "^logsweep: 14 files (0 failed), .*; 6 skipped under directories (--list-files names them)$" \
  "$W/run.err" || fail "run summary: $(cat "$W/run.err")"

# --- --list-files: exactly the files, bytewise order, each with the format
# of its content; skipped with why. ---
ls_run list run --list-files "$L"
expect_rc list 0
cat >"$W/list.expected" <<EOF
gzip	$L/ACCESS.LOG.GZ
plain	$L/access.log
plain	$L/access.log-20261031
plain	$L/access.log.1
gzip	$L/access.log.2.gz
gzip	$L/access.log.3-20261101.gz
bzip2	$L/access.log.4.bz2
xz	$L/access.log.5.xz
plain	$L/error.log
plain	$L/web1/access.log
gzip	$L/web1/access.log.1.gz
zstd	$L/web1/access.log.2.zst
plain	$L/web2/access_log
gzip	$L/web2/access_log-20261031.gz
EOF
expect_same "$W/list.expected" "$W/list.out" "--list-files"
cat >"$W/list.err.expected" <<EOF
logsweep: skipped: $L/.hidden.log: hidden
logsweep: skipped: $L/.snapshot: hidden directory, not searched
logsweep: skipped: $L/README: not named like a log
logsweep: skipped: $L/current.log: same file as $L/access.log
logsweep: skipped: $L/notes.txt: not named like a log
logsweep: skipped: $L/pipe.log: not a regular file (FIFO), not opened
logsweep: 14 files to scan; 6 skipped under directories
EOF
expect_same "$W/list.err.expected" "$W/list.err" "--list-files stderr"
# submit lists the same, without a coordinator to talk to.
ls_run slist submit --coordinator tcp://127.0.0.1:9 --list-files "$L"
expect_rc slist 0
expect_same "$W/list.expected" "$W/slist.out" "submit --list-files"

# Every compression suffix is a log name; the content decides the format,
# and one logsweep does not read is named (exit 3: the scan would fail it).
for z in gzip bzip2 xz zstd lz4; do
  ext=$(case $z in gzip) echo gz ;; bzip2) echo bz2 ;; zstd) echo zst ;; *) echo $z ;; esac)
  echo "h-x" | $z -c >"$W/compressed/access.log.1.$ext"
done
: >"$W/compressed/access.log.1.zip"
ls_run zlist run --list-files "$W/compressed"
expect_rc zlist 3
printf 'bzip2\t%s\ngzip\t%s\nlz4\t%s\nxz\t%s\nzstd\t%s\n' \
  "$W/compressed/access.log.1.bz2" "$W/compressed/access.log.1.gz" \
  "$W/compressed/access.log.1.lz4" "$W/compressed/access.log.1.xz" \
  "$W/compressed/access.log.1.zst" >"$W/zlist.expected"
expect_same "$W/zlist.expected" "$W/zlist.out" "compressed names"
grep -qx "logsweep: error: $W/compressed/access.log.1.lz4: INVALID_ARGUMENT: unsupported format: lz4" \
  "$W/zlist.err" || fail "lz4 not named: $(cat "$W/zlist.err")"
grep -qx "logsweep: skipped: $W/compressed/access.log.1.zip: not named like a log" \
  "$W/zlist.err" || fail "zip archive: $(cat "$W/zlist.err")"

# --- --include, --exclude (exclude wins), --all-files, with submit. ---
ls_run inc submit "${EP[@]}" --include '*.txt' "$L"
expect_rc inc 0
hosts_of "${TAKEN[@]}" notes.txt >"$W/inc.expected"
expect_same "$W/inc.expected" "$W/inc.out" "--include '*.txt'"
grep -q "; 5 skipped under directories" "$W/inc.err" || fail "--include summary: $(cat "$W/inc.err")"

ls_run exc submit "${EP[@]}" --exclude 'error*' --exclude web2/ "$L"
expect_rc exc 0
hosts_of access.log access.log.1 access.log.2.gz access.log-20261031 \
  access.log.3-20261101.gz ACCESS.LOG.GZ access.log.4.bz2 access.log.5.xz \
  web1/access.log web1/access.log.1.gz web1/access.log.2.zst >"$W/exc.expected"
expect_same "$W/exc.expected" "$W/exc.out" "--exclude 'error*' --exclude web2/"

ls_run both submit "${EP[@]}" --include '*.txt' --exclude 'notes.*' "$L"
expect_same "$W/taken.hosts" "$W/both.out" "--exclude wins over --include"

# Anchored patterns match from $L only; case matters. current.log, the
# same file as the excluded access.log, is taken in its place.
ls_run anchored submit "${EP[@]}" --exclude 'web1/*.gz' --exclude '/access.log*' "$L"
hosts_of ACCESS.LOG.GZ access.log error.log web1/access.log \
  web1/access.log.2.zst web2/access_log web2/access_log-20261031.gz \
  >"$W/anchored.expected"
expect_same "$W/anchored.expected" "$W/anchored.out" "anchored --exclude"

ls_run all submit "${EP[@]}" --all-files "$L"
expect_rc all 0
hosts_of "${TAKEN[@]}" README notes.txt .hidden.log .snapshot/access.log >"$W/all.expected"
expect_same "$W/all.expected" "$W/all.out" "--all-files"
grep -q "; 2 skipped under directories" "$W/all.err" || fail "--all-files summary: $(cat "$W/all.err")"

# --- --json: the skipped entries with their reasons, and the total. ---
ls_run json submit "${EP[@]}" --json "$L"
expect_rc json 0
python3 - "$W/json.out" "$L" <<'PY' || fail "--json: $(head -c 800 "$W/json.out")"
import json, sys
doc = json.load(open(sys.argv[1])); L = sys.argv[2]
assert doc["path_errors"] == [], doc["path_errors"]
assert doc["skipped"]["total"] == 6, doc["skipped"]
got = {(e["path"][len(L) + 1:], e["reason"]) for e in doc["skipped"]["paths"]}
assert got == {(".hidden.log", "hidden"), (".snapshot", "hidden"),
               ("README", "not_log_name"), ("notes.txt", "not_log_name"),
               ("current.log", "same_file"), ("pipe.log", "not_regular_file")}, got
assert len(doc["files"]) == 14 and len(doc["hosts"]) == 14
PY

# --- Globs: ** and braces. ---
# Globs are case-sensitive (ACCESS.LOG.GZ is not access*.gz) and match
# files of any name; braces give literal words here.
ls_run glob submit "${EP[@]}" "$L/**/access*.gz" "$L/web{2/access_log,1/access.log}"
expect_rc glob 0
hosts_of access.log.2.gz access.log.3-20261101.gz web1/access.log.1.gz \
  web2/access_log-20261031.gz web2/access_log web1/access.log | LC_ALL=C sort \
  >"$W/glob.expected"
expect_same "$W/glob.expected" "$W/glob.out" "** and braces"

# --- Path errors: named before the job, the rest exact, exit 3. ---
chmod 755 "$WORK"
mkdir -p "$L/web3"
log web3/access.log
chmod 000 "$L/web3"
# As root every directory is readable: run the client as nobody.
as_nobody=()
[ "$(id -u)" -eq 0 ] && as_nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups)
set +e
timeout 60 "${as_nobody[@]}" "$BIN/logsweep" submit "${EP[@]}" "$L" "$W/acess.log" \
  "$W/none-*.log" "$W/empty" "$L/web{1,4}" >"$W/errs.out" 2>"$W/errs.err"
RC=$?
set -e
chmod 755 "$L/web3" && rm -r "$L/web3"
expect_rc errs 3
expect_same "$W/taken.hosts" "$W/errs.out" "hosts beside path errors"
cat >"$W/errs.expected" <<EOF
logsweep: error: $L/web3: PERMISSION_DENIED: cannot read directory: Permission denied
logsweep: error: $W/acess.log: NOT_FOUND: no such file or directory
logsweep: error: $W/none-*.log: NOT_FOUND: no file or directory matches this glob
logsweep: error: $W/empty: NOT_FOUND: no files to scan in this directory (it is empty)
logsweep: error: $L/web4: NOT_FOUND: no such file or directory (from $L/web{1,4})
EOF
head -5 "$W/errs.err" >"$W/errs.head"
expect_same "$W/errs.expected" "$W/errs.head" "path errors, first on stderr"
grep -q "; 5 path errors (named above)$" "$W/errs.err" || fail "errors summary: $(cat "$W/errs.err")"
if grep -q "resolve" "$W/errs.err" "$WORK/w1.log"; then
  fail "a path error reached a worker: $(cat "$W/errs.err")"
fi

# The same in --json: path_errors, the hosts still exact.
ls_run errsjson submit "${EP[@]}" --json "$L" "$W/acess.log"
expect_rc errsjson 3
python3 - "$W/errsjson.out" "$W/acess.log" "$W/taken.hosts" <<'PY' || fail "path errors in --json: $(head -c 800 "$W/errsjson.out")"
import json, sys
doc = json.load(open(sys.argv[1]))
assert doc["path_errors"] == [{"path": sys.argv[2], "code": "NOT_FOUND",
                               "error": "no such file or directory"}], doc["path_errors"]
assert doc["hosts"] == open(sys.argv[3]).read().split(), doc["hosts"]
PY

# submit --detach: the job is sent with the rest, its id printed, exit 3.
ls_run detach submit "${EP[@]}" --detach "$L" "$W/acess.log"
expect_rc detach 3
grep -qE '^[0-9a-f]{32}$' "$W/detach.out" || fail "--detach: no job id: $(cat "$W/detach.out")"
grep -qx "logsweep: error: $W/acess.log: NOT_FOUND: no such file or directory" \
  "$W/detach.err" || fail "--detach: path not named: $(cat "$W/detach.err")"

# Nothing left to scan: exit 2, each path named, no job sent.
ls_run none run "$W/empty" "$W/acess.log"
expect_rc none 2
cat >"$W/none.expected" <<EOF
logsweep: error: $W/empty: NOT_FOUND: no files to scan in this directory (it is empty)
logsweep: error: $W/acess.log: NOT_FOUND: no such file or directory
logsweep: no files to scan
EOF
expect_same "$W/none.expected" "$W/none.err" "nothing to scan"
[ ! -s "$W/none.out" ] || fail "nothing to scan: stdout not empty"
ls_run nonelist run --list-files "$W/empty"
expect_rc nonelist 2

# A file named explicitly is scanned whatever its name.
ls_run readme run "$L/README"
expect_rc readme 0
hosts_of README >"$W/readme.expected"
expect_same "$W/readme.expected" "$W/readme.out" "README named explicitly"

# A directory holding only skipped files says what it skipped.
mkdir "$W/docs" && cp "$L/README" "$L/notes.txt" "$W/docs/"
ls_run docsdir run "$W/docs"
expect_rc docsdir 2
grep -qx "logsweep: error: $W/docs: NOT_FOUND: no files to scan in this directory (2 skipped: 2 not named like a log)" \
  "$W/docsdir.err" || fail "directory without logs: $(cat "$W/docsdir.err")"

echo "PASS discovery"
