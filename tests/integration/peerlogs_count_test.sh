#!/usr/bin/env bash
# `--count` over the real logs of ../shared/peerlogs (read in place, never
# copied): every host's count, first and last seen must equal what an
# independent reference computes in Python (bytes.split(), the time read
# with its own offset by query_differential.py's log_time), and the hosts
# must be the case's .expected file. Issue 17.
#  1. `logsweep run --count` over the whole folder (the headline query,
#     every file): the merged tallies; run again, answered from the result
#     cache, the same; `--top 5` and `--json` agree with them.
#  2. Every MANIFEST.tsv case (file and query) through `logsweep submit
#     --count` to one coordinator and two workers.
#  3. `submit --detach --count` and `wait` (whole, and --top 2); --top on
#     a job without --count, and --top 0/x/-1, exit 2.
# Usage: peerlogs_count_test.sh BIN_DIR PEERLOGS_DIR
source "$(dirname "$0")/lib.sh"

PEERLOGS=${2:-}
[ -n "$PEERLOGS" ] && [ -f "$PEERLOGS/MANIFEST.tsv" ] ||
  fail "peer logs not found at '$PEERLOGS' (expected shared/peerlogs beside the repository, with MANIFEST.tsv; set LOGSWEEP_PEERLOGS_DIR)"
P=$(realpath -s "$PEERLOGS")
HERE=$(cd "$(dirname "$0")" && pwd)

for pass in scan cache; do
  "$BIN/logsweep" run --count --workers 2 --cache-min-bytes 0 "$P" >"$WORK/run-$pass.txt" \
    2>"$WORK/run-$pass.err" ||
    fail "run --count ($pass): $(tail -3 "$WORK/run-$pass.err")"
done
# The second run's answers came from the cache's --count entries.
grep -q " 0 scanned in full" "$WORK/run-cache.err" ||
  fail "run --count again was not answered from the cache: $(tail -1 "$WORK/run-cache.err")"
"$BIN/logsweep" run --top 5 -q --workers 2 "$P" >"$WORK/top.txt" ||
  fail "run --top 5"
"$BIN/logsweep" run --count --json -q --workers 2 "$P" >"$WORK/run.json" ||
  fail "run --count --json"

start_coordinator --heartbeat-ms 200
start_worker w1 --threads 2 --heartbeat-ms 200
start_worker w2 --threads 2 --heartbeat-ms 200

python3 - "$BIN/logsweep" "$CLIENTS_EP" "$P" "$WORK" "$HERE" <<'PY'
import concurrent.futures, gzip, json, os, subprocess, sys, time

logsweep, endpoint, root, work, here = sys.argv[1:6]
sys.path.insert(0, here)
from query_differential import log_time  # the reference's time reading


def fail(message):
    sys.exit("FAIL: " + message)


def iso(t):
    return "-" if t is None else time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                               time.gmtime(t))


def text_of(path):
    data = open(path, "rb").read()
    return gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data


def tallies(text, query, into):
    """Adds each host's [count, first, last] for lines whose 7th field
    (bytes.split()) is `query`, into `into`."""
    for ln in text.split(b"\n"):
        f = ln.split()
        if len(f) < 7 or f[6] != query:
            continue
        t = log_time(f[3], f[4])
        tally = into.setdefault(f[0], [0, None, None])
        tally[0] += 1
        if t is not None:
            tally[1] = t if tally[1] is None else min(tally[1], t)
            tally[2] = t if tally[2] is None else max(tally[2], t)
    return into


def printed(tallied):
    """What --count prints: by host bytewise."""
    return b"".join(b"%s\t%d\t%s\t%s\n" % (h, n, iso(a).encode(),
                                           iso(b).encode())
                    for h, (n, a, b) in sorted(tallied.items()))


lines = open(os.path.join(root, "MANIFEST.tsv"), "rb").read().split(b"\n")
col = {n.decode(): i for i, n in enumerate(lines[0].split(b"\t"))}
cases = [l.split(b"\t") for l in lines[1:] if l]
files = sorted({c[col["file"]].decode() for c in cases})
texts = {f: text_of(os.path.join(root, f)) for f in files}

# 1. The whole folder, the headline query.
whole = {}
for f in files:
    tallies(texts[f], b"/robots.txt", whole)
want = printed(whole)
expected_hosts = set()
for c in cases:
    if bytes.fromhex(c[col["query_hex"]].decode()) == b"/robots.txt":
        e = open(os.path.join(root, c[col["expected_file"]].decode()), "rb")
        expected_hosts |= set(e.read().split())
if set(whole) != expected_hosts:
    fail("the reference's hosts are not the .expected files' (%d vs %d)" %
         (len(whole), len(expected_hosts)))
if sum(n for n, _, _ in whole.values()) < 1000:
    fail("too few counted lines to mean much")
for name in ("run-scan.txt", "run-cache.txt"):
    got = open(os.path.join(work, name), "rb").read()
    if got != want:
        g = set(got.splitlines()); w = set(want.splitlines())
        fail("%s: %d lines, reference %d; only logsweep %r, only reference %r"
             % (name, len(got.splitlines()), len(want.splitlines()),
                sorted(g - w)[:3], sorted(w - g)[:3]))
top = sorted(whole.items(), key=lambda e: (-e[1][0], e[0]))[:5]
got_top = open(os.path.join(work, "top.txt"), "rb").read()
if got_top != b"".join(printed({h: t}) for h, t in top):
    fail("--top 5: %r" % got_top)
doc = json.load(open(os.path.join(work, "run.json")))
got = [(c["host"].encode(), c["count"], c["first"], c["last"])
       for c in doc["counts"]]
ref = [(h, n, None if a is None else iso(a), None if b is None else iso(b))
       for h, (n, a, b) in sorted(whole.items())]
if got != ref:
    fail("--json counts differ from the reference")
if doc["totals"]["matches"] != sum(n for n, _, _ in whole.values()):
    fail("--json totals.matches %d" % doc["totals"]["matches"])
print("whole folder: %d hosts, %d lines counted, scan and cache agree" % (
    len(whole), sum(n for n, _, _ in whole.values())))


# 2. Every case, through submit.
def run(case):
    name = case[col["file"]].decode()
    query = bytes.fromhex(case[col["query_hex"]].decode())
    expected = set(open(os.path.join(
        root, case[col["expected_file"]].decode()), "rb").read().split())
    ref = tallies(texts[name], query, {})
    p = subprocess.run(
        [os.fsencode(logsweep), b"submit", b"-q", b"--count",
         b"--coordinator", endpoint.encode(), b"--path", query,
         os.fsencode(os.path.join(root, name))],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
    if p.returncode != 0:
        return "%s, query %r: exit %d: %s" % (
            name, query, p.returncode, p.stderr.decode(errors="replace"))
    if set(ref) != expected:
        return "%s, query %r: the reference's hosts are not %s" % (
            name, query, case[col["expected_file"]].decode())
    if p.stdout != printed(ref):
        return "%s, query %r: logsweep %r, reference %r" % (
            name, query, p.stdout[:200], printed(ref)[:200])
    return None


with concurrent.futures.ThreadPoolExecutor(4) as pool:
    failures = [f for f in pool.map(run, cases) if f]
for f in failures:
    print("FAIL: " + f, file=sys.stderr)
if failures:
    sys.exit("%d of %d peerlogs --count cases differ" % (len(failures),
                                                          len(cases)))
print("PASS peerlogs --count (%d cases, %d files)" % (len(cases), len(files)))
PY

# 3. submit --detach --count, then `wait --top 2`: the same two hosts as
# run --top 5's first two; --top on a job that did not count, and --top 0,
# exit 2 (the latter before anything is sent: no coordinator listens there).
EP=(--coordinator "$CLIENTS_EP")
job=$("$BIN/logsweep" submit --detach -q --count "${EP[@]}" "$P") ||
  fail "3: submit --detach --count"
"$BIN/logsweep" wait -q --top 2 "${EP[@]}" "$job" >"$WORK/wait-top.txt" ||
  fail "3: wait --top 2"
head -2 "$WORK/top.txt" >"$WORK/top2.txt"
expect_same "$WORK/top2.txt" "$WORK/wait-top.txt" "3: wait --top 2"
"$BIN/logsweep" wait -q "${EP[@]}" "$job" >"$WORK/wait-all.txt" || fail "3: wait"
expect_same "$WORK/run-scan.txt" "$WORK/wait-all.txt" "3: wait of a --count job"
plain=$("$BIN/logsweep" submit --detach -q "${EP[@]}" "$P") || fail "3: submit"
rc=0
"$BIN/logsweep" wait -q --top 3 "${EP[@]}" "$plain" >/dev/null 2>"$WORK/3.err" || rc=$?
[ "$rc" -eq 2 ] && grep -q "did not count" "$WORK/3.err" ||
  fail "3: wait --top of a job without --count: exit $rc: $(cat "$WORK/3.err")"
for bad in 0 x -1; do
  rc=0
  timeout 5 "$BIN/logsweep" submit --top "$bad" --coordinator tcp://127.0.0.1:1 \
    "$P" >/dev/null 2>"$WORK/3.err" || rc=$?
  [ "$rc" -eq 2 ] && grep -q -- "--top" "$WORK/3.err" ||
    fail "3: --top $bad: exit $rc: $(cat "$WORK/3.err")"
  grep -q "no answer\|connect" "$WORK/3.err" && fail "3: --top $bad tried to connect"
  [ "$bad" != 0 ] || grep -q -- "--top: N must be at least 1" "$WORK/3.err" ||
    fail "3: --top 0 said: $(cat "$WORK/3.err")"
done
echo "PASS submit --count, wait --top, --top errors"
