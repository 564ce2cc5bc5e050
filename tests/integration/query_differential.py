#!/usr/bin/python3
"""Differential test of the query predicates (issue 17).

Random queries -- combinations of --path (one or several, overlapping),
--path-prefix,
--path-regex, --status, --method, --since/--until, --key and --field, in
both collect modes (the host set, and --count: per host the matching
lines and the first and last time among them) --
are run by logsweep-scanfiles (common::FileScanner, the query built by the
CLI's own flag parser) over generated logs full of near misses and over the
real logs in ../shared/reallogs and ../shared/peerlogs, and every count
(lines, matches, malformed, unreadable_method/status/time, untimed
matches), every host and every host's count, first and last
must equal what this file computes on its own: Python's bytes.split(), re
(on patterns RE2 and re read alike), datetime for the time zones.

The reference here is written from docs/cli.md ("The query"), not from the
C++ code.

usage: query_differential.py SCANFILES_BINARY [LOG_DIR...]
"""
import datetime
import gzip
import os
import random
import re
import subprocess
import sys
import tempfile

SMALL = 4096  # --max-line-bytes of the small-buffer runs

MONTHS = [b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug",
          b"Sep", b"Oct", b"Nov", b"Dec"]

PATHS = [b"/robots.txt", b"/robots.txt?x=1", b"/robots.txt.bak",
         b"/Robots.txt", b"/wp-login.php", b"/wp-login.php?a=b",
         b"/xmlrpc.php", b"/.env", b"/.envx", b"/x/.env", b"/admin",
         b"/admin/", b"/admin/users/7", b"/Admin/x", b"/administrator",
         b"/", b"/index.html", b"/img/a.png", b"/api/v1/items?id=9",
         b"/caf\xe9", b"/\xff\xfe"]
METHODS = [b"\"GET", b"\"POST", b"\"HEAD", b"\"PUT", b"\"get", b"\"-\"",
           b"GET", b"\"", b"\"GET\"x"]
STATUSES = [b"200", b"404", b"403", b"301", b"500", b"499", b"400", b"599",
            b"-", b"40x", b"0404", b"1000000000", b"+200", b"200 "]
ZONES = [b"+0000", b"-0700", b"+0530", b"+1400", b"-1200", b"+0545",
         b"-0000", b"+2400", b"+0060", b"x0000"]

# Patterns that RE2 and Python's re read alike, each with the literal the
# rule in docs/cli.md gives it.
REGEXES = [r"^/admin/", r"\.php$", r"^/robots\.txt$", r"login", r"^/$",
           r"^/(wp-login|xmlrpc)\.php", r"[0-9]+$", r"x*", r"^$",
           r"/\.env", r"\?", r"^/img/.*\.png$", r"admin|env",
           r"(?i)^/admin", r"a{2}", r"\d", r"\xe9", r"users/\d+"]


def fail(message):
    print("FAIL: " + message, file=sys.stderr)
    sys.exit(1)


# ---- generated logs --------------------------------------------------------

def stamp(rng):
    day = rng.randint(1, 31)
    month = rng.randrange(12)
    year = rng.choice([2000, 2024, 2026])
    date = b"[%02d/%s/%04d:%02d:%02d:%02d" % (
        day, MONTHS[month], year, rng.randrange(24), rng.randrange(60),
        rng.randrange(60))
    r = rng.random()
    if r < 0.03:
        date = date.replace(MONTHS[month], MONTHS[month].lower())
    elif r < 0.05:
        date = b"[31/Feb/2026:10:00:00"
    elif r < 0.07:
        date = b"-"
    elif r < 0.08:
        date = b"[1/Oct/2026:10:00:00"
    elif r < 0.09:
        date = b"[29/Feb/2024:23:59:59"
    elif r < 0.10:
        date = b"[29/Feb/2100:00:00:00"
    elif r < 0.11:
        date = b"[10/Oct/2026:24:00:00"
    return date, rng.choice(ZONES) + b"]"


def line(rng):
    host = rng.choice([b"10.0.0.%d" % rng.randrange(40), b"2001:db8::%x" %
                       rng.randrange(30), b"host-%d.example" % rng.randrange(9)])
    date, zone = stamp(rng)
    method = rng.choice(METHODS)
    path = rng.choice(PATHS)
    status = rng.choice(STATUSES)
    sep = rng.choice([b" ", b" ", b" ", b"\t", b"  "])
    fields = [host, b"-", b"-", date, zone, method, path, b"HTTP/1.1\"",
              status, b"%d" % rng.randrange(5000), b"\"-\"",
              b"\"Mozilla/5.0 (X11)\""]
    r = rng.random()
    if r < 0.03:
        fields = fields[:rng.randrange(1, 9)]  # short line
    elif r < 0.05:
        fields = [b"vhost.example:80"] + fields  # shifted
    elif r < 0.07:
        # A "-" request: no method, path or protocol.
        fields = fields[:5] + [b"\"-\"", status, b"0", b"\"-\"", b"\"-\""]
    text = sep.join(fields)
    if rng.random() < 0.05:
        text += b"\r"
    return text


def build(dirname, rng):
    files = []
    for i in range(6):
        lines = [line(rng) for _ in range(rng.randrange(200, 3000))]
        if i == 1:
            # Lines longer than the small buffer: a long path, a long agent.
            lines.insert(3, line(rng) + b" " + b"a" * (3 * SMALL))
            lines.insert(7, b"10.1.1.1 - - [10/Oct/2026:10:00:00 +0000] \"GET "
                         b"/admin/" + b"b" * (2 * SMALL) + b" HTTP/1.1\" 404 1")
        text = b"\n".join(lines)
        if i % 2 == 0:
            text += b"\n"
        path = os.path.join(dirname, "gen%d.log" % i)
        if i % 3 == 0:
            path += ".gz"
            data = gzip.compress(text, 1)
        else:
            data = text
        with open(path, "wb") as f:
            f.write(data)
        files.append(path)
    return files


# ---- the reference -----------------------------------------------------------

def regex_literal(p):
    """docs/cli.md: the longest run of plain characters (or escaped
    punctuation) at the top level, dropping one a quantifier follows; none
    with a top-level |, (?, \\Q or another backslash-letter escape than
    \\d \\D \\s \\S \\w \\W \\b \\B \\A \\z."""
    if "(?" in p or "\\Q" in p:
        return ""
    best, run, depth, i = "", "", 0, 0

    def skip_class(j):
        j += 1
        if j < len(p) and p[j] == "^":
            j += 1
        if j < len(p) and p[j] == "]":
            j += 1
        while j < len(p) and p[j] != "]":
            j += 2 if p[j] == "\\" else 1
        return j

    while i < len(p):
        c = p[i]
        if c == "|" and depth == 0:
            return ""
        if depth > 0:
            if c == "\\":
                i += 1
            elif c == "(":
                depth += 1
            elif c == ")":
                depth -= 1
            elif c == "[":
                i = skip_class(i)
            i += 1
            continue
        if c in "*?+{":
            run = run[:-1]
            best = max(best, run, key=len)
            run = ""
            m = re.match(r"\{[0-9]+(,[0-9]*)?\}", p[i:]) if c == "{" else None
            if m:
                i += len(m.group(0)) - 1
        elif c == "\\" and i + 1 < len(p) and not (p[i + 1].isascii() and p[i + 1].isalnum()):
            i += 1
            run += p[i]
        elif c not in "\\^$.|?*+()[]{}":
            run += c
        else:
            best = max(best, run, key=len)
            run = ""
            if c == "\\":
                i += 1
                if i >= len(p) or p[i] not in "dDsSwWbBAz":
                    return ""
            elif c == "(":
                depth += 1
            elif c == "[":
                i = skip_class(i)
        i += 1
    return max(best, run, key=len)


def log_time(date, zone):
    m = re.fullmatch(rb"\[(\d\d)/([A-Z][a-z][a-z])/(\d{4}):(\d\d):(\d\d):(\d\d)",
                     date)
    z = re.fullmatch(rb"([+-])(\d\d)(\d\d)\]", zone)
    if not m or not z or m.group(2) not in MONTHS:
        return None
    zh, zm = int(z.group(2)), int(z.group(3))
    if zh > 23 or zm > 59:
        return None
    try:
        tz = datetime.timezone((-1 if z.group(1) == b"-" else 1) *
                               datetime.timedelta(hours=zh, minutes=zm))
        t = datetime.datetime(int(m.group(3)), MONTHS.index(m.group(2)) + 1,
                              int(m.group(1)), int(m.group(4)),
                              int(m.group(5)), int(m.group(6)), tzinfo=tz)
    except ValueError:
        return None
    return int(t.timestamp())


def reference(text, q, cap=None):
    """Counts and hosts of one file's text under query `q` (a dict), and
    whether the scan must fail: with a --path-regex, a path longer than
    `cap` (--max-line-bytes) is an error (docs/cli.md). With q["count"],
    also each host's [count, first, last] (times None when no matching
    line of the host had a readable one) and c["untimed"], the matching
    lines without a readable time."""
    path_f = q["field"] - 1
    key_f = q["key"] - 1
    need = [key_f, path_f]
    if q["methods"]:
        need.append(path_f - 1)
    if q["statuses"]:
        need.append(path_f + 2)
    if q["since"] is not None or q["until"] is not None:
        need.append(path_f - 2)
    last = max(need)
    literal = b""
    if len(set(q["paths"])) == 1:  # a repeated --path counts once
        literal = q["paths"][0]
    if len(q["prefix"]) > len(literal):
        literal = q["prefix"]
    if q["regex"]:
        r = regex_literal(q["regex"]).encode("latin-1")
        if len(r) > len(literal):
            literal = r
    # docs/cli.md: with several distinct --path values a short line counts
    # when it holds any of them; otherwise when it holds the one literal.
    literals = [literal]
    if len(set(q["paths"])) > 1:
        literals = list(set(q["paths"]))
    regex = re.compile(q["regex"].encode("latin-1")) if q["regex"] else None
    c = {"lines": 0, "matches": 0, "malformed": 0, "um": 0, "us": 0, "ut": 0,
         "untimed": 0}
    hosts = set()
    tallies = {}
    lines = text.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    for ln in lines:
        c["lines"] += 1
        f = ln.split()
        if len(f) <= last:
            if any(lit in ln for lit in literals):
                c["malformed"] += 1
            continue
        path = f[path_f]
        if cap is not None and regex is not None and len(path) > cap:
            return None, None, None
        if q["paths"] and path not in q["paths"]:
            continue
        if q["prefix"] and not path.startswith(q["prefix"]):
            continue
        if regex is not None and not regex.search(path):
            continue
        if q["methods"]:
            m = f[path_f - 1]
            if len(m) < 2 or m[:1] != b"\"" or b"\"" in m[1:]:
                c["um"] += 1
                continue
            if m[1:] not in q["methods"]:
                continue
        if q["statuses"]:
            s = f[path_f + 2]
            if not re.fullmatch(rb"[0-9]{1,9}", s):
                c["us"] += 1
                continue
            if not any(lo <= int(s) <= hi for lo, hi in q["statuses"]):
                continue
        if q["since"] is not None or q["until"] is not None:
            t = log_time(f[path_f - 3], f[path_f - 2])
            if t is None:
                c["ut"] += 1
                continue
            if q["since"] is not None and t < q["since"]:
                continue
            if q["until"] is not None and t >= q["until"]:
                continue
        c["matches"] += 1
        hosts.add(f[key_f])
        if q.get("count"):
            t = log_time(f[path_f - 3], f[path_f - 2]) if path_f >= 3 else None
            tally = tallies.setdefault(f[key_f], [0, None, None])
            tally[0] += 1
            if t is None:
                c["untimed"] += 1
            else:
                tally[1] = t if tally[1] is None else min(tally[1], t)
                tally[2] = t if tally[2] is None else max(tally[2], t)
    return c, hosts, tallies


# ---- queries -----------------------------------------------------------------

def iso(t, rng):
    """Unix seconds as ISO 8601 in a random offset (the same instant)."""
    minutes = rng.choice([0, 120, -420, 330, 345])
    tz = datetime.timezone(datetime.timedelta(minutes=minutes))
    d = datetime.datetime.fromtimestamp(t, tz)
    if minutes == 0 and rng.random() < 0.5:
        return d.strftime("%Y-%m-%dT%H:%M:%SZ")
    return d.isoformat()


def random_query(rng):
    while True:
        q = {"paths": [], "prefix": b"", "regex": "", "statuses": [],
             "methods": [], "since": None, "until": None, "key": 1,
             "field": 7}
        args = []
        if rng.random() < 0.4:
            # Sometimes more values than are searched in one pass (8).
            q["paths"] = rng.sample(PATHS, rng.choice([1, 2, 3, 3, 5, 10]))
            if rng.random() < 0.2:
                q["paths"].append(q["paths"][0])  # overlapping values
            for p in q["paths"]:
                args += ["--path", p]
        if rng.random() < 0.3:
            q["prefix"] = rng.choice([b"/admin", b"/admin/", b"/robots.txt",
                                      b"/wp-", b"/", b"/.e", b"/caf\xe9"])
            args += ["--path-prefix", q["prefix"]]
        if rng.random() < 0.3:
            q["regex"] = rng.choice(REGEXES)
            args += ["--path-regex", q["regex"].encode("latin-1")]
        if rng.random() < 0.4:
            specs = rng.sample(["404", "4xx", "200-299", "5xx", "301",
                                "0-99", "499-500"], rng.randint(1, 2))
            for s in specs:
                if s.endswith("xx"):
                    lo = int(s[0]) * 100
                    q["statuses"].append((lo, lo + 99))
                elif "-" in s:
                    lo, hi = s.split("-")
                    q["statuses"].append((int(lo), int(hi)))
                else:
                    q["statuses"].append((int(s), int(s)))
            args += ["--status", ",".join(specs)]
        if rng.random() < 0.3:
            q["methods"] = rng.sample([b"GET", b"POST", b"HEAD", b"get"],
                                      rng.randint(1, 2))
            for m in q["methods"]:
                args += ["--method", m]
        if rng.random() < 0.35:
            base = int(datetime.datetime(
                rng.choice([2000, 2024, 2026]), rng.randint(1, 12),
                rng.randint(1, 28), rng.randrange(24),
                tzinfo=datetime.timezone.utc).timestamp())
            if rng.random() < 0.7:
                q["since"] = base
                args += ["--since", iso(base, rng).encode()]
            if rng.random() < 0.6:
                q["until"] = base + rng.choice([1, 3600, 86400 * 40,
                                                86400 * 400])
                args += ["--until", iso(q["until"], rng).encode()]
        if rng.random() < 0.15:
            q["key"] = rng.choice([7, 9, 1])
            args += ["--key", str(q["key"]).encode()]
        if rng.random() < 0.1:
            q["field"] = 8  # the vhost layout
            args += ["--field", b"8"]
        if rng.random() < 0.3:
            q["count"] = True
            args += ["--count"]
        if not (q["paths"] or q["prefix"] or q["regex"] or q["statuses"] or
                q["methods"] or q["since"] is not None or
                q["until"] is not None):
            q["paths"] = [b"/robots.txt"]  # the default, with no predicate
        return q, args


def run(binary, paths, args):
    out = subprocess.run([binary, *args, *paths], check=True,
                         stdout=subprocess.PIPE).stdout
    rows = {}
    for row in out.split(b"\n"):
        if row:
            cols = row.split(b"\t")
            rows[os.fsdecode(cols[0])] = cols
    return rows


TOTALS = {"matches": 0, "malformed": 0, "um": 0, "us": 0, "ut": 0,
          "untimed": 0, "counted": 0}


def check(binary, paths, texts, q, args, extra, what):
    rows = run(binary, paths, args + extra)
    for path in paths:
        cols = rows[path]
        cap = int(extra[1]) if extra else None
        want, hosts, tallies = reference(texts[path], q, cap)
        if want is None:
            if cols[1] != b"RESOURCE_EXHAUSTED" or \
                    b"request path is longer" not in cols[8]:
                fail("%s %s: want a path too long, got %s" % (what, path, cols))
            continue
        if cols[1] != b"OK":
            fail("%s %s: %s" % (what, path, cols))
        got = {"lines": int(cols[2]), "matches": int(cols[3]),
               "malformed": int(cols[4]), "um": int(cols[9]),
               "us": int(cols[10]), "ut": int(cols[11]),
               "untimed": int(cols[12])}
        got_hosts = set(bytes.fromhex(h.decode()) for h in cols[6].split(b",")
                        if h)
        if got != want or got_hosts != hosts:
            fail("%s %s with %s %s:\n  logsweep  %s %d hosts\n  reference %s "
                 "%d hosts\n  only logsweep: %s\n  only reference: %s" % (
                     what, path, args, extra, got, len(got_hosts), want,
                     len(hosts), sorted(got_hosts - hosts)[:5],
                     sorted(hosts - got_hosts)[:5]))
        got_tallies = {}
        for t in cols[13].split(b","):
            if t:
                h, n, first, last = t.split(b":")
                got_tallies[bytes.fromhex(h.decode())] = [
                    int(n), None if first == b"-" else int(first),
                    None if last == b"-" else int(last)]
        if got_tallies != tallies:
            diff = sorted(h for h in set(got_tallies) | set(tallies)
                          if got_tallies.get(h) != tallies.get(h))
            fail("%s %s with %s %s: --count differs for %d hosts, e.g. %s: "
                 "logsweep %s, reference %s" % (
                     what, path, args, extra, len(diff), diff[0],
                     got_tallies.get(diff[0]), tallies.get(diff[0])))
        if q.get("count"):
            TOTALS["counted"] += sum(t[0] for t in tallies.values())
        for k in TOTALS:
            if k in got:
                TOTALS[k] += got[k]


def read_text(path):
    with open(path, "rb") as f:
        data = f.read()
    return gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data


def real_files(dirs):
    out = []
    for d in dirs:
        if not os.path.isdir(d):
            continue
        for name in sorted(os.listdir(d)):
            path = os.path.join(d, name)
            if (name.endswith(".log") or name.endswith(".log.gz")) and \
                    os.path.isfile(path):
                out.append(path)
    return out


def main():
    binary = sys.argv[1]
    rng = random.Random(int(os.environ.get("QUERY_DIFF_SEED", "17")))
    queries = int(os.environ.get("QUERY_DIFF_QUERIES", "120"))
    with tempfile.TemporaryDirectory(prefix="logsweep-query-") as tmp:
        generated = build(tmp, rng)
        texts = {p: read_text(p) for p in generated}
        for n in range(queries):
            q, args = random_query(rng)
            extra = ["--max-line-bytes", str(SMALL)] if n % 2 else []
            check(binary, generated, texts, q, args, extra, "generated")
        real, rtexts = [], {}
        for p in real_files(sys.argv[2:]):
            try:
                rtexts[p] = read_text(p)
            except (EOFError, OSError, gzip.BadGzipFile):
                continue  # the broken files are other tests' business
            real.append(p)
        real_queries = [random_query(rng) for _ in range(15)]
        for q, args in real_queries if real else []:
            check(binary, real, rtexts, q, args, [], "real")
    print("query_differential: %d queries on %d generated files, %d on %d "
          "real files: all agree (%s)" % (queries, len(generated),
                                         len(real_queries), len(real),
                                         TOTALS))
    # A test that compared nothing would pass too.
    if min(TOTALS.values()) == 0:
        fail("some count was never exercised: %s" % TOTALS)


if __name__ == "__main__":
    main()
