#!/usr/bin/env bash
# bench/run.sh: logsweep benchmark driver.
#
# Generates (once, cached) two deterministic corpora with logsweep-gencorpus:
#   a) few large files:  16 x 64 MiB uncompressed (1 GiB)
#   b) many small files: 20,000 x ~20 KiB uncompressed
# then, for each corpus, times logsweep against the Python original
# (bench/baselines/findrobots.py), zcat|awk|sort and GNU parallel, and
# against the inflate-only / inflate+scan ceilings (pigz, igzip,
# logsweep-scanbench); then the nightly case of the result cache (30
# rotated logs and a growing access.log, with the cache against a full
# rescan) and the coordinator against simulated workers (bench/swarm.sh).
# Every tool that prints hosts is checked byte for byte
# against the corpus's expected.txt; a mismatch marks its row FAIL and the
# script exits 1 at the end.
#
# Figures are wall-clock seconds, the median of LOGSWEEP_BENCH_RUNS runs, with
# the page cache hot (one untimed `cat FILES >/dev/null` per corpus first;
# dropping the cache needs root and a quiet machine, so hot cache is the
# stated condition). MB/s is 10^6 bytes of *uncompressed* log data per second.
#
# Usage: ./bench/run.sh
# Environment:
#   LOGSWEEP_BUILD_DIR     build tree holding bin/ (default: ROOT/build)
#   LOGSWEEP_BENCH_DIR     corpus cache and raw results (default: ROOT/bench/.corpus)
#   LOGSWEEP_BENCH_RUNS    timed runs per row, median reported (default: 3)
#   LOGSWEEP_BENCH_SCALE   full (default) or small (16 x 4 MiB and 2,000 x 20 KiB:
#                          a quick check; its report goes to the cache dir,
#                          not docs/)
#   LOGSWEEP_BENCH_SLOW_S  a row whose first run takes longer than this is not
#                          repeated (default: 20), to bound the total runtime
#   LOGSWEEP_BENCH_SKIP_S  on corpus b, a baseline whose time estimated from its
#                          corpus-a throughput exceeds this is skipped (default: 60)
#   LOGSWEEP_BENCH_REPORT  where the markdown report is written
#                          (default: ROOT/docs/BENCHMARKS.md at full scale)
#   LOGSWEEP_BENCH_PYTHON  Python interpreter for the baseline (default: python3)
#   LOGSWEEP_BENCH_SWARM_WORKERS  simulated worker counts for the scale rows
#                          (default: "10 1000 10000"; small scale "10 100")
#   LOGSWEEP_BENCH_SWARM_TASKS    tasks per scale row (default 100000; small 20000)
#   LOGSWEEP_BENCH_HUGE_TASKS     also one job of this many tasks (e.g. 10000000)
#                          on 10 simulated workers; off by default (minutes)
# Exit status: 0 all checks passed; 1 some row FAILed (or a setup error).
set -euo pipefail
export LC_ALL=C  # bytewise sort, '.' as decimal point in printf/awk

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${LOGSWEEP_BUILD_DIR:-$ROOT/build}
BIN=$BUILD_DIR/bin
BENCH_DIR=${LOGSWEEP_BENCH_DIR:-$ROOT/bench/.corpus}
RUNS=${LOGSWEEP_BENCH_RUNS:-3}
SCALE=${LOGSWEEP_BENCH_SCALE:-full}
SLOW_S=${LOGSWEEP_BENCH_SLOW_S:-20}
SKIP_S=${LOGSWEEP_BENCH_SKIP_S:-60}
FINDROBOTS=$ROOT/bench/baselines/findrobots.py

# The awk program every shell baseline runs: field 7 is the request path.
# shellcheck disable=SC2016  # $7 and $1 are awk's, not the shell's
AWK_PROG='$7=="/robots.txt"{print $1}'

die() { echo "run.sh: $*" >&2; exit 1; }
say() { echo "$*" >&2; }  # progress goes to stderr; stdout gets the report

[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "LOGSWEEP_BENCH_RUNS must be a positive integer"
case $SCALE in
  full)
    # gencorpus flags per corpus; the cache is keyed on them (see prepare_corpus)
    GEN_A=(--files 16 --bytes 67108864 --seed 1 --jobs 2)
    GEN_B=(--files 20000 --bytes 20480 --seed 2 --jobs 2)
    REPORT=${LOGSWEEP_BENCH_REPORT:-$ROOT/docs/BENCHMARKS.md} ;;
  small)
    GEN_A=(--files 16 --bytes 4194304 --seed 1 --jobs 2)
    GEN_B=(--files 2000 --bytes 20480 --seed 2 --jobs 2)
    REPORT=${LOGSWEEP_BENCH_REPORT:-$BENCH_DIR/BENCHMARKS-small.md} ;;
  *) die "LOGSWEEP_BENCH_SCALE must be full or small, not '$SCALE'" ;;
esac

for b in logsweep logsweep-gencorpus logsweep-scanbench; do
  [[ -x $BIN/$b ]] || die "$BIN/$b not found: build first (cmake -S . -B build -DCMAKE_BUILD_TYPE=Release && cmake --build build -j2) or set LOGSWEEP_BUILD_DIR"
done
[[ -r $FINDROBOTS ]] || die "$FINDROBOTS missing"

have() { command -v "$1" >/dev/null 2>&1; }

# Resolve the real interpreter once (a pyenv shim would add its own start-up
# time to every timed run); no Python means the Python rows are skipped.
PY=""
if have "${LOGSWEEP_BENCH_PYTHON:-python3}"; then
  PY=$("${LOGSWEEP_BENCH_PYTHON:-python3}" -c 'import sys; print(sys.executable)')
fi

# Is ISA-L logsweep's default inflate? scanbench prints the default in --help.
SB_HELP=$("$BIN/logsweep-scanbench" --help 2>&1 || true)
if [[ $SB_HELP == *"=isa-l"* ]]; then DEFAULT_INFLATE=isal; else DEFAULT_INFLATE=zlib; fi

RESULTS=$BENCH_DIR/results-$SCALE  # raw outputs and the log; never in git
mkdir -p "$RESULTS"
LOG=$RESULTS/run.log
: >"$LOG"
SCRIPT_START=$EPOCHREALTIME
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?")
FAILED=0

# A cluster that is already up, the way a cluster is used: a coordinator and
# two one-thread workers over ipc, started once for the whole run, so
# `logsweep submit` rows pay no process start-up.
WARM=$RESULTS/warm
rm -rf "$WARM" && mkdir -p "$WARM"
WARM_PIDS=()
stop_warm() { ((${#WARM_PIDS[@]})) && kill "${WARM_PIDS[@]}" 2>/dev/null; wait 2>/dev/null; return 0; }
trap stop_warm EXIT
"$BIN/logsweep-coordinator" --workers-endpoint "ipc://$WARM/w" \
  --clients-endpoint "ipc://$WARM/c" --ready-file "$WARM/ready" \
  --log-level warn 2>>"$WARM/log" &
WARM_PIDS+=($!)
for _ in $(seq 1 200); do [[ -f $WARM/ready ]] && break; sleep 0.05; done
[[ -f $WARM/ready ]] || die "the benchmark's coordinator did not start (see $WARM/log)"
for i in 1 2; do
  "$BIN/logsweep-worker" --coordinator "ipc://$WARM/w" --threads 1 \
    --name "bench-$i" --log-level warn 2>>"$WARM/log" &
  WARM_PIDS+=($!)
done

# ---------------------------------------------------------------- helpers --

elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }

median() {
  printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 }
    END { if (NR % 2) printf "%.3f", v[(NR + 1) / 2];
          else printf "%.3f", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# prepare_corpus DIR GENCORPUS-FLAGS...: reuse DIR when its expected.txt, the
# generator summary and a stamp equal to the flags are there and it holds the
# right number of .gz files; otherwise regenerate it (into DIR.tmp, then
# renamed, so an interrupted run never leaves a half corpus that looks valid).
# gencorpus is deterministic, so the same flags give the same bytes.
prepare_corpus() {
  local dir=$1; shift
  local stamp="gencorpus $*" nfiles=0 f
  local -a existing=()
  for ((f = 1; f <= $#; f++)); do
    [[ ${!f} == --files ]] && { local g=$((f + 1)); nfiles=${!g}; }
  done
  if [[ -f $dir/expected.txt && -f $dir/gencorpus.out && -f $dir/stamp ]] &&
     [[ $(cat "$dir/stamp") == "$stamp" ]]; then
    existing=("$dir"/access-*.log.gz)
    if [[ ${#existing[@]} -eq $nfiles && -f ${existing[0]} ]]; then
      say "corpus $dir: cached ($stamp)"
      return 0
    fi
  fi
  say "corpus $dir: generating ($stamp) ..."
  rm -rf "$dir" "$dir.tmp"
  mkdir -p "$dir.tmp"
  local t0=$EPOCHREALTIME
  "$BIN/logsweep-gencorpus" --out "$dir.tmp" "$@" >"$dir.tmp/gencorpus.out" 2>&1 ||
    { cat "$dir.tmp/gencorpus.out" >&2; die "logsweep-gencorpus failed"; }
  echo "$stamp" >"$dir.tmp/stamp"
  mv "$dir.tmp" "$dir"
  say "corpus $dir: generated in $(elapsed "$t0" "$EPOCHREALTIME") s"
}

# ------------------------------------------------- the commands under test --
# Each runs inside the corpus directory (FILES holds relative names, which
# keeps 20,000 paths far below ARG_MAX) and prints hosts, or the scanbench
# line, on stdout. A failing command must return non-zero.

ls_run() {  # ls_run WORKERS [EXTRA FLAGS...]: the system, coordinator + workers
  # --no-cache: these rows measure scanning, not the result cache (below).
  local w=$1; shift
  "$BIN/logsweep" run --no-cache --workers "$w" "$@" -q "$CORPUS_DIR"
}
# The result cache (docs/cache.md), each in a cache of its own.
ls_cache_cold() {  # a first run with the cache on: an empty cache each time
  local xdg
  xdg=$(mktemp -d "$RESULTS/xdg-cold-XXXXXX")
  XDG_CACHE_HOME=$xdg "$BIN/logsweep" run --workers 2 -q "$CORPUS_DIR"
  local rc=$?
  rm -rf "$xdg"
  return "$rc"
}
ls_cache_hit() {  # a repeat run over the unchanged corpus (filled before)
  XDG_CACHE_HOME="$RESULTS/xdg-hit-$CORPUS" "$BIN/logsweep" run --workers 2 -q "$CORPUS_DIR"
}
ls_submit() {  # to the warm cluster above
  "$BIN/logsweep" submit --coordinator "ipc://$WARM/c" -q "$CORPUS_DIR"
}
py_serial() { "$PY" "$FINDROBOTS" --serial "$CORPUS_DIR"; }
py_pool()   { "$PY" "$FINDROBOTS" --pool "$1" "$CORPUS_DIR"; }
zcat_awk()  { zcat "${FILES[@]}" | awk "$AWK_PROG" | sort -u; }
par_awk() {  # par_awk [PARALLEL FLAGS...]: zcat|awk per job, then one sort -u
  printf '%s\n' "${FILES[@]}" |
    parallel -j2 "$@" "zcat {} | LC_ALL=C awk '$AWK_PROG'" | sort -u
}
pigz_dc()   { pigz -dc "${FILES[@]}" >/dev/null; }
igzip_1()   { igzip -dc "${FILES[@]}" >/dev/null; }
igzip_2() {  # two processes, each inflating one half of the file list
  local half=$(((${#FILES[@]} + 1) / 2)) pid rc=0
  igzip -dc "${FILES[@]:0:half}" >/dev/null &
  pid=$!
  igzip -dc "${FILES[@]:half}" >/dev/null || rc=$?
  wait "$pid" || rc=$?
  return "$rc"
}
scanbench() { "$BIN/logsweep-scanbench" "${FILES[@]}" "$@"; }

# ------------------------------------------------------------- the rows --
# Per-corpus rows (reset by bench_corpus): bench_row/skip_row register them,
# run_rounds times them. Rounds are interleaved (run 1 of every row, then run
# 2 of every row, ...) so a burst of other work on the machine spreads over
# many rows' single runs instead of spoiling all runs of one row; the median
# then discards it.
declare -a R_ID R_LABEL R_KIND R_CHECK R_CMD R_TIMES R_ACTIVE R_RUNS R_WALL R_STATUS
declare -A A_MBPS  # corpus-a MB/s per row id, for the corpus-b estimates

add_row() {  # add_row ID LABEL KIND CHECK CMD ACTIVE STATUS
  R_ID+=("$1"); R_LABEL+=("$2"); R_KIND+=("$3"); R_CHECK+=("$4"); R_CMD+=("$5")
  R_ACTIVE+=("$6"); R_STATUS+=("$7"); R_TIMES+=(""); R_RUNS+=(0); R_WALL+=("")
}

# bench_row ID KIND CHECK LABEL CMD...
#   KIND  logsweep | baseline | ceiling. A logsweep row also gets its % of
#         the 2-thread inflate+scan ceiling; a baseline is skipped on corpus
#         b when its corpus-a throughput predicts more than SKIP_S seconds.
#   CHECK hosts: stdout must equal expected.txt byte for byte;
#         count: scanbench's hosts=N must equal expected.txt's line count;
#         none:  inflate only, nothing to check.
#   CMD   a function above and its arguments (words without spaces).
bench_row() {
  local id=$1 kind=$2 check=$3 label=$4; shift 4
  if [[ $CORPUS == b && $kind == baseline && -n ${A_MBPS[$id]:-} ]]; then
    local est
    est=$(awk -v b="$CORPUS_BYTES" -v m="${A_MBPS[$id]}" 'BEGIN { printf "%.0f", b / 1e6 / m }')
    if ((est > SKIP_S)); then
      say "  $label: skipped (estimated ${est} s from corpus a)"
      add_row "$id" "$label" "$kind" "$check" "$*" 0 "skipped (est. ${est} s > ${SKIP_S} s)"
      return 0
    fi
  fi
  add_row "$id" "$label" "$kind" "$check" "$*" 1 ok
}

skip_row() {  # skip_row ID LABEL KIND REASON: a tool that is not installed
  say "  $2: skipped ($4)"
  add_row "$1" "$2" "$3" none "" 0 "skipped ($4)"
}

# run_once I ROUND: one timed run of row I, then its check. A failure marks
# the row FAIL and retires it; so does (budget) a first run over SLOW_S.
run_once() {
  local i=$1 round=$2 rc=0 t0 t1 t got
  local out=$RESULTS/$CORPUS-${R_ID[$i]}.out label=${R_LABEL[$i]}
  local -a cmd
  read -r -a cmd <<<"${R_CMD[$i]}"
  echo "== $CORPUS ${R_ID[$i]} run $round: ${cmd[*]}" >>"$LOG"
  t0=$EPOCHREALTIME
  "${cmd[@]}" >"$out" 2>>"$LOG" || rc=$?
  t1=$EPOCHREALTIME
  if ((rc != 0)); then
    R_STATUS[i]="FAIL (exit $rc)"
  else
    t=$(elapsed "$t0" "$t1")
    R_TIMES[i]+="${R_TIMES[i]:+ }$t"
    case ${R_CHECK[$i]} in
      hosts)
        if ! cmp -s "$out" "$CORPUS_DIR/expected.txt"; then
          R_STATUS[i]="FAIL (output differs)"
          { echo "$label: output differs from expected.txt:"
            diff "$out" "$CORPUS_DIR/expected.txt" | head -20 || true; } >>"$LOG"
        fi ;;
      count)
        got=$(sed -n 's/.*hosts=\([0-9]*\).*/\1/p' "$out")
        if [[ $got != "$EXPECTED_HOSTS" ]]; then
          R_STATUS[i]="FAIL (hosts=${got:-?}, expected $EXPECTED_HOSTS)"
        fi ;;
      none) ;;
      *) die "bad check ${R_CHECK[$i]}" ;;
    esac
  fi
  if [[ ${R_STATUS[i]} == ok ]]; then
    say "  [$CORPUS run $round/$RUNS] $label: $t s"
  else
    say "  [$CORPUS run $round/$RUNS] $label: ${R_STATUS[i]}"
  fi
  if [[ ${R_STATUS[i]} != ok ]]; then
    R_ACTIVE[i]=0
    FAILED=1
  elif ((round == 1)) && awk -v t="$t" -v s="$SLOW_S" 'BEGIN { exit !(t > s) }'; then
    R_ACTIVE[i]=0  # budget: a slow row is timed once, not RUNS times
  fi
}

run_rounds() {  # time every active row RUNS times, interleaved; then medians
  local round i
  local -a times
  for ((round = 1; round <= RUNS; round++)); do
    for i in "${!R_ID[@]}"; do
      ((R_ACTIVE[i])) && run_once "$i" "$round"
    done
  done
  for i in "${!R_ID[@]}"; do
    read -r -a times <<<"${R_TIMES[i]}"
    R_RUNS[i]=${#times[@]}
    ((${#times[@]} > 0)) && R_WALL[i]=$(median "${times[@]}")
    say "  ${R_LABEL[i]}: ${R_TIMES[i]:-no run} -> ${R_WALL[i]:-n/a} s (${R_STATUS[i]})"
  done
  return 0
}

# ----------------------------------------------------------- one corpus --

bench_corpus() {  # bench_corpus a|b TITLE DIR
  CORPUS=$1
  local title=$2
  CORPUS_DIR=$3
  R_ID=(); R_LABEL=(); R_KIND=(); R_CHECK=(); R_CMD=(); R_TIMES=(); R_ACTIVE=()
  R_RUNS=(); R_WALL=(); R_STATUS=()
  cd "$CORPUS_DIR"
  FILES=(access-*.log.gz)
  NFILES=${#FILES[@]}
  EXPECTED_HOSTS=$(wc -l <expected.txt)
  # Uncompressed size and line count from the generator's summary line.
  CORPUS_BYTES=$(sed -n 's/.* \([0-9][0-9]*\) bytes uncompressed.*/\1/p' gencorpus.out)
  local lines gz_bytes
  lines=$(sed -n 's/.* \([0-9][0-9]*\) lines.*/\1/p' gencorpus.out)
  [[ -n $CORPUS_BYTES ]] || die "cannot read the uncompressed size from $CORPUS_DIR/gencorpus.out"
  gz_bytes=$(du -cb "${FILES[@]}" | tail -n 1 | cut -f1)

  say "corpus $CORPUS ($title): warming the page cache"
  cat "${FILES[@]}" >/dev/null

  local parallel_label="GNU parallel -j2, zcat|awk per file, sort -u"
  local -a parallel_flags=()
  if ((NFILES > 1000)); then
    # One job per file costs GNU parallel tens of ms each (20,000 files:
    # many minutes), so on many small files each job gets a batch (-X
    # spreads the list evenly over the 2 job slots).
    parallel_flags=(-X)
    parallel_label="GNU parallel -j2 -X, zcat|awk per batch, sort -u"
  fi

  local ls_default="logsweep run --workers 2"
  bench_row ls2 logsweep hosts "$ls_default ($DEFAULT_INFLATE)" ls_run 2
  bench_row ls1 logsweep hosts "logsweep run --workers 1 ($DEFAULT_INFLATE)" ls_run 1
  bench_row ls2warm logsweep hosts "logsweep submit to a running coordinator + 2 workers" ls_submit
  bench_row ls2cold logsweep hosts "$ls_default, result cache on, empty (first run)" ls_cache_cold
  rm -rf "$RESULTS/xdg-hit-$CORPUS"
  XDG_CACHE_HOME="$RESULTS/xdg-hit-$CORPUS" "$BIN/logsweep" run --workers 2 -q "$CORPUS_DIR" >/dev/null ||
    die "filling the result cache failed"
  bench_row ls2hit logsweep hosts "$ls_default, repeat over the unchanged corpus (hits: files of 64 KiB or more)" ls_cache_hit
  if [[ $DEFAULT_INFLATE == isal ]]; then
    bench_row ls2zlib logsweep hosts "logsweep run --workers 2 --inflate zlib" ls_run 2 --inflate zlib
  fi
  if [[ -n $PY ]]; then
    bench_row pyserial baseline hosts "python findrobots.py --serial" py_serial
    bench_row pypool2 baseline hosts "python findrobots.py --pool 2" py_pool 2
  else
    skip_row pyserial "python findrobots.py --serial" baseline "python3 not found"
    skip_row pypool2 "python findrobots.py --pool 2" baseline "python3 not found"
  fi
  bench_row zcatawk baseline hosts "zcat | awk | sort -u (serial)" zcat_awk
  if have parallel; then
    bench_row parallel baseline hosts "$parallel_label" par_awk "${parallel_flags[@]}"
  else
    skip_row parallel "$parallel_label" baseline "GNU parallel not installed"
  fi
  if have pigz; then
    bench_row pigz ceiling none "pigz -dc (inflate only, 1 thread)" pigz_dc
  else
    skip_row pigz "pigz -dc (inflate only, 1 thread)" ceiling "pigz not installed"
  fi
  if have igzip; then
    bench_row igzip1 ceiling none "igzip -dc, 1 process (inflate only)" igzip_1
    bench_row igzip2 ceiling none "igzip -dc, 2 processes (inflate only)" igzip_2
  else
    skip_row igzip1 "igzip -dc, 1 process (inflate only)" ceiling "igzip (package isal) not installed"
    skip_row igzip2 "igzip -dc, 2 processes (inflate only)" ceiling "igzip (package isal) not installed"
  fi
  bench_row sbnm1 ceiling none "logsweep-scanbench --no-match --threads 1 (inflate only)" scanbench --no-match --threads 1
  bench_row sbnm2 ceiling none "logsweep-scanbench --no-match --threads 2 (inflate only)" scanbench --no-match --threads 2
  bench_row sb1 ceiling count "logsweep-scanbench --threads 1 (inflate+scan)" scanbench --threads 1
  bench_row sb2 ceiling count "logsweep-scanbench --threads 2 (inflate+scan ceiling)" scanbench --threads 2
  # The headline question with --count (issue 17: under 5% more than sb1):
  # the same fast path, and the time read of each matching line.
  bench_row sb1c ceiling count "logsweep-scanbench --threads 1 --count" scanbench --threads 1 --count
  # Other queries (issue 17, docs/cli.md "How fast"), each against sb1: a
  # prefix and a pattern with a literal stay near it; a status alone has no
  # literal, so every line is split.
  bench_row sbpre1 ceiling none "logsweep-scanbench --threads 1 --path-prefix /robots.txt" scanbench --threads 1 --path-prefix /robots.txt
  bench_row sbre1 ceiling count "logsweep-scanbench --threads 1 --path-regex '^/robots\.txt\$'" scanbench --threads 1 --path-regex '^/robots\.txt$'
  bench_row sbst1 ceiling none "logsweep-scanbench --threads 1 --status 404 (no literal)" scanbench --threads 1 --status 404
  # Three --path values in one pass: common ones (about 14% of the
  # generated lines match), and /robots.txt with two that never occur (the
  # headline's matches: the cost of searching for three literals).
  bench_row sbp3 ceiling none "logsweep-scanbench --threads 1 --path /wp-login.php --path /xmlrpc.php --path /.env" scanbench --threads 1 --path /wp-login.php --path /xmlrpc.php --path /.env
  bench_row sbp3r ceiling count "logsweep-scanbench --threads 1 --path /robots.txt --path /.git/config --path /phpmyadmin/" scanbench --threads 1 --path /robots.txt --path /.git/config --path /phpmyadmin/
  run_rounds
  cd "$ROOT"

  render_table "$title" "$lines" "$gz_bytes" >>"$TABLES"
}

# render_table TITLE LINES GZ_BYTES: the markdown for the current corpus.
render_table() {
  local title=$1 lines=$2 gz_bytes=$3 i ls2_wall="" ceil_wall=""
  for i in "${!R_ID[@]}"; do
    [[ ${R_ID[$i]} == ls2 && ${R_STATUS[$i]} == ok ]] && ls2_wall=${R_WALL[$i]}
    [[ ${R_ID[$i]} == sb2 && ${R_STATUS[$i]} == ok ]] && ceil_wall=${R_WALL[$i]}
  done
  echo "### Corpus $CORPUS: $title"
  echo
  awk -v n="$NFILES" -v u="$CORPUS_BYTES" -v z="$gz_bytes" -v l="$lines" -v h="$EXPECTED_HOSTS" \
    'BEGIN { printf "%d files, %.1f MB uncompressed (%.1f MB gzip), %d lines, %d expected hosts.\n", n, u / 1e6, z / 1e6, l, h }'
  echo
  local files_hdr="" files_sep=""
  if [[ $CORPUS == b ]]; then files_hdr=" files/s |"; files_sep="---:|"; fi
  echo "| tool | runs | wall s (median) | MB/s |$files_hdr logsweep-2w speed vs this | % of 2-thread ceiling | check |"
  echo "|---|---:|---:|---:|$files_sep---:|---:|---|"
  for i in "${!R_ID[@]}"; do
    awk -v label="${R_LABEL[$i]}" -v runs="${R_RUNS[$i]}" -v wall="${R_WALL[$i]}" \
        -v status="${R_STATUS[$i]}" -v kind="${R_KIND[$i]}" -v bytes="$CORPUS_BYTES" \
        -v nfiles="$NFILES" -v ls2="$ls2_wall" -v ceil="$ceil_wall" -v showfiles="$CORPUS" \
        -v nocheck="$([[ ${R_CHECK[$i]} == none ]] && echo 1 || echo 0)" '
      BEGIN {
        if (wall == "") { mbps = "-"; fps = "-"; ratio = "-"; pct = "-"; w = "-" }
        else {
          w = sprintf("%.2f", wall)
          mbps = sprintf("%.0f", bytes / 1e6 / wall)
          fps = sprintf("%.0f", nfiles / wall)
          ratio = (ls2 == "") ? "-" : sprintf("%.2fx", wall / ls2)
          pct = (kind == "logsweep" && ceil != "") ? sprintf("%.0f%%", 100 * ceil / wall) : ""
        }
        gsub(/\|/, "\\|", label)  # a literal | would split the markdown cell
        check = (status == "ok" && kind == "ceiling" && nocheck) ? "not checked" : status
        printf "| %s | %s | %s | %s |", label, runs, w, mbps
        if (showfiles == "b") printf " %s |", fps
        printf " %s | %s | %s |\n", ratio, pct, check
      }'
  done
  echo
  # The query rows against the headline scan (sb1), from this same run.
  local sb1_wall="" ratios=""
  for i in "${!R_ID[@]}"; do
    [[ ${R_ID[$i]} == sb1 && ${R_STATUS[$i]} == ok ]] && sb1_wall=${R_WALL[$i]}
  done
  if [[ -n $sb1_wall ]]; then
    for i in "${!R_ID[@]}"; do
      case ${R_ID[$i]} in sb1c | sbpre1 | sbre1 | sbst1 | sbp3 | sbp3r) ;; *) continue ;; esac
      [[ ${R_STATUS[$i]} == ok && -n ${R_WALL[$i]} ]] || continue
      ratios+=$(awk -v id="${R_ID[$i]}" -v w="${R_WALL[$i]}" -v b="$sb1_wall" \
        'BEGIN { printf "%s %.2fx, ", id, w / b }')
    done
    [[ -n $ratios ]] && { echo "Query rows, wall time / the headline scan's (sb1) in this run: ${ratios%, }."; echo; }
  fi
}

# ------------------------------------------------------------------ main --

TABLES=$RESULTS/tables.md
: >"$TABLES"

mkdir -p "$BENCH_DIR"
DIR_A=$BENCH_DIR/$SCALE-a
DIR_B=$BENCH_DIR/$SCALE-b
prepare_corpus "$DIR_A" "${GEN_A[@]}"
prepare_corpus "$DIR_B" "${GEN_B[@]}"

bench_corpus a "few large files (${GEN_A[*]})" "$DIR_A"
# Corpus-a throughput of each baseline, to decide which are too slow for b.
for i in "${!R_ID[@]}"; do
  if [[ -n ${R_WALL[$i]} ]]; then
    A_MBPS[${R_ID[$i]}]=$(awk -v b="$CORPUS_BYTES" -v w="${R_WALL[$i]}" 'BEGIN { printf "%.3f", b / 1e6 / w }')
  fi
done
bench_corpus b "many small files (${GEN_B[*]})" "$DIR_B"

# The nightly case (issue 18): 30 rotated gzip logs and today's plain
# access.log, grown by 1/30 of its size before each round (untimed, then
# past the cache's 2 s racy window); each round times a run with the result
# cache (30 hits, the grown log read from its old end) and a full rescan
# (--no-cache), and checks that both print the same hosts.
nightly_rows() {
  local dir=$BENCH_DIR/$SCALE-nightly per_file=$1 round t0 t1 hit full
  local xdg=$RESULTS/xdg-nightly hits=() fulls=() ok=ok chunk=$RESULTS/nightly-chunk
  rm -rf "$dir" "$xdg"
  "$BIN/logsweep-gencorpus" --out "$dir" --files 31 --bytes "$per_file" --seed 3 --jobs 2 \
    >"$RESULTS/nightly-gencorpus.out" 2>&1 || die "logsweep-gencorpus (nightly) failed"
  rm -f "$dir/expected.txt" "$dir/gencorpus.out"
  zcat "$dir/access-00030.log.gz" >"$dir/access.log" && rm "$dir/access-00030.log.gz"
  head -c $((per_file / 30)) "$dir/access.log" | sed '$d' >"$chunk"  # whole lines
  sleep 2.1  # entries are kept only for files unchanged for 2 s (racy window)
  XDG_CACHE_HOME=$xdg "$BIN/logsweep" run --workers 2 -q "$dir" >/dev/null ||
    die "filling the result cache (nightly) failed"
  for ((round = 0; round < RUNS; round++)); do
    cat "$chunk" >>"$dir/access.log"
    sleep 2.1
    t0=$EPOCHREALTIME
    XDG_CACHE_HOME=$xdg "$BIN/logsweep" run --workers 2 "$dir" \
      >"$RESULTS/nightly-hit.out" 2>"$RESULTS/nightly-hit.err" || ok=FAIL
    t1=$EPOCHREALTIME
    grep -q ' 30 files from cache .* 1 grown files read from their old end' "$RESULTS/nightly-hit.err" ||
      ok="FAIL (not 30 hits and 1 grown: $(tail -1 "$RESULTS/nightly-hit.err"))"
    hits+=("$(elapsed "$t0" "$t1")")
    t0=$EPOCHREALTIME
    "$BIN/logsweep" run --no-cache --workers 2 -q "$dir" >"$RESULTS/nightly-full.out" || ok=FAIL
    t1=$EPOCHREALTIME
    fulls+=("$(elapsed "$t0" "$t1")")
    cmp -s "$RESULTS/nightly-hit.out" "$RESULTS/nightly-full.out" || ok="FAIL (answers differ)"
  done
  hit=$(printf '%s\n' "${hits[@]}" | sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
  full=$(printf '%s\n' "${fulls[@]}" | sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
  [[ $ok == ok ]] || FAILED=1
  echo "### The nightly case: 30 rotated logs and a growing access.log (result cache)"
  echo
  awk -v b="$per_file" 'BEGIN { printf "31 files of %.1f MB uncompressed (30 gzip, 1 plain growing by %.2f MB a round), %d rounds.\n", b / 1e6, b / 30 / 1e6, '"$RUNS"' }'
  echo
  echo "| run | wall s (median) | full rescan / this | check |"
  echo "|---|---:|---:|---|"
  awk -v h="$hit" -v f="$full" -v ok="$ok" 'BEGIN {
    printf "| logsweep run --workers 2 --no-cache (full rescan) | %.3f | 1.00x | %s |\n", f, ok
    printf "| logsweep run --workers 2, result cache (30 hits, 1 read from its old end) | %.3f | %.1fx | %s |\n", h, f / h, ok }'
  echo
  rm -rf "$dir" "$xdg"
}
if [[ $SCALE == full ]]; then
  nightly_rows 8388608 >>"$TABLES"
else
  nightly_rows 1048576 >>"$TABLES"
fi

# The coordinator at scale (issue 15): bench/swarm.sh drives a fresh
# coordinator with simulated workers that answer at once, and reports its
# CPU per task, tasks/s and peak bytes per task, one checked job per row.
if [[ $SCALE == full ]]; then
  SWARM_WORKERS=${LOGSWEEP_BENCH_SWARM_WORKERS:-"10 1000 10000"}
  SWARM_TASKS=${LOGSWEEP_BENCH_SWARM_TASKS:-100000}
else
  SWARM_WORKERS=${LOGSWEEP_BENCH_SWARM_WORKERS:-"10 100"}
  SWARM_TASKS=${LOGSWEEP_BENCH_SWARM_TASKS:-20000}
fi
say "scale rows: bench/swarm.sh, workers $SWARM_WORKERS, $SWARM_TASKS tasks per job"
{
  echo "### The coordinator against simulated workers (bench/swarm.sh)"
  echo
  echo "Each row: a fresh coordinator, \`logsweep-swarm\` fake workers that answer every"
  echo "task at once (1 descriptor pair per worker; several swarm processes past the"
  echo "descriptor limit), one job of synthetic paths checked for exactness. CPU is the"
  echo "coordinator's utime+stime (all threads) from submit to result, per task."
  echo
  WORKERS=$SWARM_WORKERS SLOTS="1 4" TASKS=$SWARM_TASKS \
    bash "$ROOT/bench/swarm.sh" "$BIN" 2>>"$LOG" | sed -n '/^| workers/,$p' || FAILED=1
  if [[ -n ${LOGSWEEP_BENCH_HUGE_TASKS:-} ]]; then
    echo
    echo "One job of $LOGSWEEP_BENCH_HUGE_TASKS tasks (LOGSWEEP_BENCH_HUGE_TASKS):"
    echo
    WORKERS=10 SLOTS=4 TASKS=$LOGSWEEP_BENCH_HUGE_TASKS \
      bash "$ROOT/bench/swarm.sh" "$BIN" 2>>"$LOG" | sed -n '/^| workers/,$p' || FAILED=1
  fi
  echo
} >>"$TABLES"

TOTAL_S=$(elapsed "$SCRIPT_START" "$EPOCHREALTIME")
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?")

# ----------------------------------------------------------------- report --

pkg_version() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || echo "not installed"; }
compiler() {
  local cxx
  cxx=$(sed -n 's/^CMAKE_CXX_COMPILER:[A-Z]*=//p' "$BUILD_DIR/CMakeCache.txt" 2>/dev/null || true)
  "${cxx:-c++}" --version 2>/dev/null | head -n 1 || echo "unknown"
}
build_type=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$BUILD_DIR/CMakeCache.txt" 2>/dev/null || true)
cpu_model=$(lscpu 2>/dev/null | sed -n 's/^Model name:[[:space:]]*//p' | head -n 1)
mem_total=$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo "unknown")
py_version=$([[ -n $PY ]] && "$PY" -c 'import platform; print(platform.python_version())' || echo "none")

{
  echo "# logsweep benchmarks"
  echo
  echo "Generated by \`bench/run.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC') (scale: $SCALE, $RUNS runs per row, total script time ${TOTAL_S%.*} s)."
  echo
  echo "## Machine"
  echo
  echo "- CPU: ${cpu_model:-unknown}, \`nproc\` = $(nproc)"
  echo "- Memory: $mem_total; kernel $(uname -r)"
  echo "- Compiler: $(compiler)${build_type:+, CMAKE_BUILD_TYPE=$build_type}"
  echo "- zlib1g $(pkg_version zlib1g), libisal2 $(pkg_version libisal2), pigz $(pkg_version pigz), parallel $(pkg_version parallel), Python $py_version"
  echo "- logsweep binaries: \`$BIN\` (default inflate: $DEFAULT_INFLATE); this script's checkout is at commit $commit"
  echo "- Load average at start / end: $LOAD_START / $LOAD_END"
  if awk -v a="${LOAD_START%% *}" -v b="${LOAD_END%% *}" -v n="$(nproc)" \
       'BEGIN { exit !(a > n / 2 || b > n / 2) }'; then
    echo
    echo "**Warning:** other work was running (1-minute load above half the cores), so these"
    echo "figures are noisy, ceilings included; rerun on a quiet machine before quoting them."
  fi
  echo
  echo "## How to run"
  echo
  echo '```'
  echo './bench/run.sh                              # full scale: 1 GiB in 16 files, 20,000 small files'
  echo 'LOGSWEEP_BENCH_SCALE=small ./bench/run.sh   # quick check (16 x 4 MiB, 2,000 x 20 KiB)'
  echo '```'
  echo
  echo "Environment: \`LOGSWEEP_BUILD_DIR\` (default \`build\`), \`LOGSWEEP_BENCH_DIR\` (corpus cache,"
  echo "default \`bench/.corpus\`), \`LOGSWEEP_BENCH_RUNS\` (default 3), \`LOGSWEEP_BENCH_SCALE\`"
  echo "(\`full\` or \`small\`), \`LOGSWEEP_BENCH_SLOW_S\` (default 20), \`LOGSWEEP_BENCH_SKIP_S\`"
  echo "(default 60), \`LOGSWEEP_BENCH_REPORT\`, \`LOGSWEEP_BENCH_PYTHON\`. The corpora are generated"
  echo "once by \`logsweep-gencorpus\` (deterministic) and reused while their generator flags are unchanged."
  echo
  echo "## Results"
  echo
  cat "$TABLES"
  echo "## Reading the tables"
  echo
  echo "- Hot page cache (one untimed \`cat\` of the corpus first); wall-clock seconds, median of"
  echo "  the runs shown (a row whose first run took over ${SLOW_S} s is timed once; on corpus b a"
  echo "  baseline whose corpus-a throughput predicts over ${SKIP_S} s is skipped)."
  echo "- MB/s is 10^6 bytes of uncompressed log data per second of wall time, start-up included."
  echo "- \"logsweep-2w speed vs this\" is this row's wall time / \`logsweep run --workers 2\`'s:"
  echo "  above 1x logsweep is that many times faster; below 1x the row is faster (the ceilings)."
  echo "- \"logsweep submit to a running coordinator + 2 workers\": the cluster (started once by"
  echo "  this script, over ipc) is already up, as on a cluster; \`logsweep run\` rows include"
  echo "  starting and stopping a coordinator and the worker processes."
  echo "- \"% of 2-thread ceiling\" compares a logsweep row with \`logsweep-scanbench --threads 2\`:"
  echo "  the same reader and matcher in one process with no coordinator and no messaging."
  echo "- check: hosts rows are compared byte for byte with the generator's expected.txt;"
  echo "  scanbench inflate+scan rows by host count; inflate-only rows are not checked."
  echo "- pigz inflates on one thread (only its compression is parallel). igzip 2 processes"
  echo "  splits the file list in halves."
  echo "- GNU parallel costs tens of ms per job here, so with over 1,000 files it runs"
  echo "  with \`-X\` (the file list spread over the 2 job slots, one zcat per batch) instead of"
  echo "  one job per file, which would take many minutes on corpus b."
  echo "- findrobots.py --pool uses \`pool.map(find_robots, files, chunksize=len(files) // (4 * N))\`."
  echo "- Absolute figures depend on the machine and on whatever else runs on it; the ratios"
  echo "  within one run of the script are what count."
} >"$RESULTS/report.md"

mkdir -p "$(dirname "$REPORT")"
cp "$RESULTS/report.md" "$REPORT"
cat "$RESULTS/report.md"
say "report written to $REPORT; raw outputs and log in $RESULTS; total ${TOTAL_S} s"
if ((FAILED)); then
  say "run.sh: some rows FAILED (see the check column and $LOG)"
  exit 1
fi
