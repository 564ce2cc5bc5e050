#!/usr/bin/python3
"""Differential test of logsweep's readers and line scanner.

Generates a matrix of files: each format (gzip over both inflate backends,
BGZF, zstd, xz, bzip2, plain) x one or many members/frames/streams x LF or
CRLF x lines around every buffer boundary and far longer than the buffer x
hits in the first and last line, plus padding and skippable frames. The
expected answer of each file is computed here, independently of logsweep:
Python's gzip, bz2, lzma and Debian's python3-zstandard decode the file
(and must give back the text it was made from), and the lines are split
with bytes.split(), exactly as DESIGN.md's Python idea does. Each file is
then scanned by logsweep-scanfiles (common::FileScanner) with a small line
buffer (so most boundary cases cost little) and with the default one, for
several queries, and every count and host must agree byte for byte.

usage: formats_differential.py SCANFILES_BINARY
"""
import bz2
import gzip
import io
import lzma
import os
import random
import struct
import subprocess
import sys
import tempfile
import zlib

import zstandard

SMALL = 4096  # --max-line-bytes of the small-buffer runs (buffer: 8 KiB)
QUERIES = [
    (0, 6, b"/robots.txt"),
    (2, 8, b"200"),
    (3, 1, b"x"),
]


def fail(message):
    print("FAIL: " + message, file=sys.stderr)
    sys.exit(1)


# ---- text ----------------------------------------------------------------

def combined(rng, host, path, agent_len=0):
    agent = b"Mozilla/5.0" + b"a" * agent_len
    status = rng.choice([b"200", b"404", b"304"])
    return (host + b" - - [10/Oct/2000:13:55:36 -0700] \"GET " + path +
            b" HTTP/1.0\" " + status + b" 2326 \"-\" \"" + agent + b"\"")


def host(rng):
    return rng.choice([
        b"10.0.%d.%d" % (rng.randrange(256), rng.randrange(256)),
        b"2001:db8::%x" % rng.randrange(65536),
        b"crawler%d.example" % rng.randrange(100),
        b"h\xff\xfe%d" % rng.randrange(10),  # not UTF-8
    ])


def padded_to(line, length, rng):
    """`line` with its agent field grown so the line is `length` bytes."""
    if len(line) >= length:
        return line
    return line[:-1] + b"z" * (length - len(line)) + line[-1:]


def make_text(rng, eol, long_lengths, hit_first, hit_last, final_newline):
    lines = []
    first_path = b"/robots.txt" if hit_first else b"/index.html"
    lines.append(combined(rng, b"first.example", first_path))
    for length in long_lengths:
        kind = rng.randrange(6)
        path = rng.choice([b"/robots.txt", b"/robots.txt?x", b"/a"])
        if kind == 0:  # long agent: a hit or not, decided early
            lines.append(padded_to(combined(rng, host(rng), path), length, rng))
        elif kind == 1:  # long request path that starts with the value
            lines.append(combined(rng, host(rng), b"/robots.txt" +
                                  b"p" * max(1, length - 90)))
        elif kind == 2:  # long host (under the small key limit), a hit
            lines.append(combined(rng, b"H" * min(length, SMALL - 10),
                                  b"/robots.txt"))
        elif kind == 3:  # few fields, holds the value: malformed
            lines.append(b"a b /robots.txt " + b"c" * length)
        elif kind == 4:  # one long field, no value
            lines.append(b"x" * length)
        else:  # odd separators around a long field
            lines.append(host(rng) + b"\t-\v- [d\fz] \"GET\t/robots.txt " +
                         b"q" * length + b"\r")
        # Ordinary lines between, so the next long line starts elsewhere.
        for _ in range(rng.randrange(4)):
            lines.append(combined(rng, host(rng),
                                  rng.choice([b"/robots.txt", b"/x"])))
    for _ in range(rng.randrange(30)):
        lines.append(rng.choice([b"", b" \t ", b"1 2 3 /robots.txt",
                                 combined(rng, host(rng), b"/robots.txt")]))
    last_path = b"/robots.txt" if hit_last else b"/index.html"
    lines.append(combined(rng, b"last.example", last_path))
    text = eol.join(lines)
    if final_newline:
        text += eol
    return text


# ---- containers ------------------------------------------------------------

def cuts(rng, text, parts):
    points = sorted(rng.randrange(len(text) + 1) for _ in range(parts - 1))
    pieces, start = [], 0
    for p in points + [len(text)]:
        pieces.append(text[start:p])
        start = p
    return pieces


def gzip_members(rng, text, parts):
    return b"".join(gzip.compress(p, compresslevel=rng.choice([1, 6, 9]))
                    for p in cuts(rng, text, parts))


def bgzf(text):
    """BGZF (SAM/BAM spec 4.1): members of <= 64 KiB input with a 'BC'
    extra field holding the member's size - 1, then the empty EOF member."""
    out = bytearray()
    for start in range(0, len(text), 65280):
        block = text[start:start + 65280]
        c = zlib.compressobj(6, zlib.DEFLATED, -15)
        deflated = c.compress(block) + c.flush()
        size = 12 + 6 + len(deflated) + 8
        out += b"\x1f\x8b\x08\x04\x00\x00\x00\x00\x00\xff\x06\x00BC\x02\x00"
        out += struct.pack("<H", size - 1) + deflated
        out += struct.pack("<II", zlib.crc32(block), len(block) & 0xffffffff)
    out += bytes.fromhex("1f8b08040000000000ff0600424302001b0003000000000000000000")
    return bytes(out)


def skippable(payload, nibble=0):
    return struct.pack("<II", 0x184D2A50 | nibble, len(payload)) + payload


def zstd_frames(rng, text, parts, with_skippable):
    out = b""
    if with_skippable:
        out += skippable(b"header", 0)
    for p in cuts(rng, text, parts):
        c = zstandard.ZstdCompressor(level=rng.choice([1, 3, 9]),
                                     write_checksum=rng.choice([True, False]),
                                     write_content_size=rng.choice([True, False]))
        out += c.compress(p)
        if with_skippable and rng.randrange(2):
            out += skippable(b"s" * rng.randrange(300), rng.randrange(16))
    return out


def xz_streams(rng, text, parts, padding):
    out = b""
    for p in cuts(rng, text, parts):
        check = rng.choice([lzma.CHECK_CRC64, lzma.CHECK_CRC32,
                            lzma.CHECK_SHA256, lzma.CHECK_NONE])
        out += lzma.compress(p, format=lzma.FORMAT_XZ, check=check, preset=1)
        if padding:
            out += b"\0" * (4 * rng.randrange(3))
    return out


def bzip2_streams(rng, text, parts):
    return b"".join(bz2.compress(p, compresslevel=rng.choice([1, 9]))
                    for p in cuts(rng, text, parts))


def reference_decode(fmt, data):
    """The text as Python's own decoders read `data`."""
    if fmt in ("gzip", "bgzf"):
        return gzip.decompress(data)
    if fmt == "zstd":
        reader = zstandard.ZstdDecompressor().stream_reader(
            io.BytesIO(data), read_across_frames=True)
        return reader.read()
    if fmt == "xz":
        # lzma.decompress stops at stream padding; walk the streams (and
        # the padding, zeros in multiples of 4, xz file format 2.2) here.
        out = b""
        while data:
            d = lzma.LZMADecompressor(lzma.FORMAT_XZ)
            out += d.decompress(data)
            if not d.eof:
                fail("xz reference: a stream does not end")
            data = d.unused_data
            padding = len(data) - len(data.lstrip(b"\0"))
            if padding % 4:
                fail("xz reference: padding not a multiple of 4")
            data = data[padding:]
        return out
    if fmt == "bzip2":
        return bz2.decompress(data)
    return data


# ---- the reference answer ----------------------------------------------------

def expected(text, query):
    key_field, match_field, value = query
    last = max(key_field, match_field)
    lines = text.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()  # the piece after the final newline is no line
    hosts, matches, malformed = set(), 0, 0
    for line in lines:
        fields = line.split()
        if len(fields) > last:
            if fields[match_field] == value:
                matches += 1
                hosts.add(fields[key_field])
        elif value in line:
            malformed += 1
    return (len(lines), matches, malformed, len(text),
            ",".join(sorted(h.hex() for h in hosts)))


# ---- the matrix ----------------------------------------------------------------

def build(dirname, rng):
    """Writes the files; returns [(path, fmt, text)]."""
    boundaries = [SMALL - 1, SMALL, SMALL + 1, 2 * SMALL - 1, 2 * SMALL,
                  2 * SMALL + 1, 3 * SMALL + 7, 10 * SMALL, 100_000]
    files = []
    n = 0
    for eol in (b"\n", b"\r\n"):
        for variant in range(6):
            lengths = rng.sample(boundaries, k=4) if variant else boundaries
            text = make_text(rng, eol, lengths, hit_first=variant % 2 == 0,
                             hit_last=variant % 3 != 2,
                             final_newline=variant % 2 == 1)
            parts = 1 if variant < 2 else rng.randrange(2, 6)
            made = [
                ("plain", "log", text),
                ("gzip", "log.gz", gzip_members(rng, text, parts)),
                ("bgzf", "log.bgz", bgzf(text)),
                ("zstd", "log.zst", zstd_frames(rng, text, parts,
                                                 variant >= 3)),
                ("xz", "log.xz", xz_streams(rng, text, parts, variant >= 3)),
                ("bzip2", "log.bz2", bzip2_streams(rng, text, parts)),
            ]
            for fmt, suffix, data in made:
                if reference_decode(fmt, data) != text:
                    fail(f"Python's {fmt} decoder does not give back the text")
                # Half the files under a name that promises nothing.
                name = f"f{n:03d}.{suffix}" if n % 2 else f"f{n:03d}.log.1"
                path = os.path.join(dirname, name)
                with open(path, "wb") as f:
                    f.write(data)
                files.append((path, fmt, text))
                n += 1
    # The default buffer (1 MiB lines): a 3 MiB hit, a 3 MiB line without
    # newline at the end, in every format.
    text = (combined(rng, b"before", b"/robots.txt") + b"\n" +
            padded_to(combined(rng, b"3mib", b"/robots.txt"), 3 << 20, rng) +
            b"\n" + b"a b /robots.txt " + b"c" * (3 << 20))
    for fmt, suffix, data in [
            ("plain", "log", text), ("gzip", "log.gz", gzip.compress(text)),
            ("zstd", "log.zst", zstandard.ZstdCompressor().compress(text)),
            ("xz", "log.xz", lzma.compress(text, preset=1)),
            ("bzip2", "log.bz2", bz2.compress(text, 1))]:
        path = os.path.join(dirname, f"big.{suffix}")
        with open(path, "wb") as f:
            f.write(data)
        files.append((path, fmt, text))
    return files


def run(binary, paths, args):
    out = subprocess.run([binary, *args, *paths], check=True,
                         stdout=subprocess.PIPE).stdout
    rows = {}
    for line in out.decode("utf-8", "surrogateescape").splitlines():
        cols = line.split("\t")
        rows[cols[0]] = cols
    return rows


def main():
    binary = sys.argv[1]
    rng = random.Random(20261130)
    backends = ["zlib"]
    if subprocess.run([binary, "--inflate", "isa-l", "/dev/null"],
                      stdout=subprocess.DEVNULL,
                      stderr=subprocess.DEVNULL).returncode != 2:
        backends.append("isa-l")
    with tempfile.TemporaryDirectory(prefix="logsweep-formats-") as tmp:
        files = build(tmp, rng)
        small = [f for f in files if not os.path.basename(f[0]).startswith("big.")]
        checked = 0
        for query in QUERIES:
            qargs = ["--key-field", str(query[0]), "--match-field",
                     str(query[1]), "--value", query[2].decode()]
            runs = [(small, ["--max-line-bytes", str(SMALL)]),
                    (files, [])]
            for subset, extra in runs:
                for backend in backends:
                    rows = run(binary, [f[0] for f in subset],
                               qargs + extra + ["--inflate", backend])
                    for path, fmt, text in subset:
                        if backend != "zlib" and fmt not in ("gzip", "bgzf"):
                            continue
                        cols = rows.get(path)
                        what = (f"{os.path.basename(path)} ({fmt}, {backend}, "
                                f"query {query}, {extra or 'default buffer'})")
                        if cols is None:
                            fail(f"{what}: no output")
                        if cols[1] != "OK":
                            fail(f"{what}: {cols[1]}: {cols[8]}")
                        if cols[7]:
                            fail(f"{what}: unexpected warning: {cols[7]}")
                        got = (int(cols[2]), int(cols[3]), int(cols[4]),
                               int(cols[5]), cols[6])
                        want = expected(text, query)
                        if got != want:
                            fail(f"{what}: got lines, matches, malformed, bytes "
                                 f"= {got[:4]} and {got[4].count(',') + bool(got[4])} "
                                 f"hosts, want {want[:4]} and "
                                 f"{want[4].count(',') + bool(want[4])} hosts"
                                 + ("" if got[4] == want[4] else
                                    " (host sets differ)"))
                        checked += 1
        print(f"PASS formats_differential ({len(files)} files, {checked} scans "
              f"compared, backends {', '.join(backends)})")


if __name__ == "__main__":
    main()
