#!/usr/bin/env bash
# Every case of ../shared/peerlogs/MANIFEST.tsv (real access logs from 14
# projects' test suites and sample data: nginx, Apache, Traefik, CloudFront,
# vhost and syslog-wrapped lines, IPv6, CRLF, non-ASCII; plain and gzip,
# multi-member too), each file with each of its queries (query_hex is the
# exact request path), through `logsweep submit` to one coordinator and two
# workers: the hosts must equal the case's .expected file byte for byte,
# and the exit status must be 0. Every failing case is listed, with why.
# And the folder as a whole: --list-files finds exactly its 108 logs.
# Usage: peerlogs_test.sh BIN_DIR PEERLOGS_DIR
source "$(dirname "$0")/lib.sh"

PEERLOGS=${2:-}
[ -n "$PEERLOGS" ] && [ -f "$PEERLOGS/MANIFEST.tsv" ] ||
  fail "peer logs not found at '$PEERLOGS' (expected shared/peerlogs beside the repository, with MANIFEST.tsv; set LOGSWEEP_PEERLOGS_DIR)"

# The directory walk takes every log in the folder and nothing else
# (MANIFEST.tsv, SOURCES.md and the .expected files are skipped), the .gz
# ones detected as gzip and the others as plain text.
P=$(realpath -s "$PEERLOGS")
"$BIN/logsweep" run --list-files "$P" >"$WORK/list.txt" 2>"$WORK/list.err" ||
  fail "--list-files on the peer logs: $(tail -3 "$WORK/list.err")"
cut -f1 "$P/MANIFEST.tsv" | tail -n +2 | LC_ALL=C sort -u |
  awk -v dir="$P" '{ printf "%s\t%s/%s\n", ($0 ~ /\.gz$/ ? "gzip" : "plain"), dir, $0 }' \
  >"$WORK/list.expected"
expect_same "$WORK/list.expected" "$WORK/list.txt" "--list-files on the peer logs"

start_coordinator --heartbeat-ms 200
start_worker w1 --threads 2 --heartbeat-ms 200
start_worker w2 --threads 2 --heartbeat-ms 200

python3 - "$BIN/logsweep" "$CLIENTS_EP" "$PEERLOGS" <<'PY'
import concurrent.futures, os, subprocess, sys

logsweep, endpoint, root = sys.argv[1:4]
lines = open(os.path.join(root, "MANIFEST.tsv"), "rb").read().split(b"\n")
header = lines[0].split(b"\t")
col = {name.decode(): i for i, name in enumerate(header)}
cases = [l.split(b"\t") for l in lines[1:] if l]
assert len(cases) >= 363, "MANIFEST.tsv has only %d cases" % len(cases)

def run(case):
    name = case[col["file"]].decode()
    query = bytes.fromhex(case[col["query_hex"]].decode())
    expected_file = os.path.join(root, case[col["expected_file"]].decode())
    expected = open(expected_file, "rb").read()
    path = os.path.join(root, name)
    p = subprocess.run(
        [os.fsencode(logsweep), b"submit", b"-q", b"--coordinator",
         endpoint.encode(), b"--path", query, os.fsencode(path)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
    if p.returncode != 0:
        return "%s, query %r: exit %d: %s" % (
            name, query, p.returncode, p.stderr.decode(errors="replace").strip())
    if p.stdout != expected:
        got, want = set(p.stdout.split(b"\n")), set(expected.split(b"\n"))
        return "%s, query %r: %d hosts, expected %d (%s); missing %r, extra %r" % (
            name, query, len(p.stdout.splitlines()), len(expected.splitlines()),
            case[col["expected_file"]].decode(),
            sorted(want - got)[:3], sorted(got - want)[:3])
    return None

with concurrent.futures.ThreadPoolExecutor(4) as pool:
    failures = [f for f in pool.map(run, cases) if f]
for f in failures:
    print("FAIL: " + f, file=sys.stderr)
if failures:
    sys.exit("%d of %d peerlogs cases differ" % (len(failures), len(cases)))
print("PASS peerlogs (%d cases, %d files)" % (
    len(cases), len({c[col["file"]] for c in cases})))
PY
