#!/usr/bin/env bash
# Every format, and every format error, through `logsweep run` over both
# inflate backends: the good files' hosts exact (gzip with zero padding
# silently, gzip followed by junk with a warning naming the offset), each
# bad file named with its reason on stderr and in --json, exit 3.
source "$(dirname "$0")/lib.sh"

/usr/bin/python3 - "$WORK" <<'PY' || fail "could not make the files"
import bz2, gzip, io, lzma, os, sys, tarfile, zipfile
import zstandard

work = sys.argv[1]
d = os.path.join(work, "files")
os.makedirs(d)
expected = set()

def text(tag, n=300):
    lines = []
    for i in range(n):
        host = b"%s-%d.example" % (tag, i)
        path = b"/robots.txt" if i % 7 == 0 else b"/index.html"
        lines.append(host + b' - - [d z] "GET ' + path + b' HTTP/1.1" 200 1')
    return b"\n".join(lines) + b"\n"

def hosts(t):
    return {l.split()[0] for l in t.split(b"\n")
            if len(l.split()) > 6 and l.split()[6] == b"/robots.txt"}

def write(name, data, good_text=None):
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)
    if good_text is not None:
        expected.update(hosts(good_text))

for tag, name, enc in [
        (b"plain", "good.log", lambda t: t),
        (b"gz", "good.log.gz", gzip.compress),
        (b"zst", "good.log.zst", zstandard.ZstdCompressor().compress),
        (b"xz", "good.log.xz", lzma.compress),
        (b"bz2", "good.log.bz2", bz2.compress),
        (b"zstsniffed", "zstd-content.log.1", zstandard.ZstdCompressor().compress)]:
    t = text(tag)
    write(name, enc(t), t)

a, b = text(b"pad"), text(b"junk")
write("padded.log.gz", gzip.compress(a) + b"\0" * 5000, a)
members = gzip.compress(b[:4000]) + gzip.compress(b[4000:])
write("junk.log.gz", members + b"not gzip\n", b)
open(os.path.join(work, "junk.offset"), "w").write(str(len(members)))
c = text(b"bzjunk")
stream = bz2.compress(c)
write("junk.log.bz2", stream + b"\0\0\0\0", c)
open(os.path.join(work, "bzjunk.offset"), "w").write(str(len(stream)))

flg = bytearray(gzip.compress(text(b"flg")))
flg[3] |= 0x20
write("flags.log.gz", bytes(flg))
write("plain-named.log.gz", text(b"named"))
z = zstandard.ZstdCompressor(write_checksum=True).compress(text(b"z", 3000))
write("truncated.log.zst", z[: len(z) // 2])
x = bytearray(lzma.compress(text(b"x", 3000)))
for i in range(200, 240):
    x[i] ^= 0x5A
write("corrupt.log.xz", bytes(x))
bz = bz2.compress(text(b"bz", 3000))
write("truncated.log.bz2", bz[:-50])

buf = io.BytesIO()
with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
    zf.writestr("access.log", text(b"zip"))
write("logs.zip", buf.getvalue())
buf = io.BytesIO()
with tarfile.open(fileobj=buf, mode="w") as tf:
    data = text(b"tar")
    info = tarfile.TarInfo("access.log")
    info.size = len(data)
    tf.addfile(info, io.BytesIO(data))
write("logs.tar.log", buf.getvalue())
write("logs.tar.gz", gzip.compress(buf.getvalue()))
write("archive.log", b"\x37\x7a\xbc\xaf\x27\x1c\x00\x04" + b"\0" * 100)
write("access.log.lz4", b"\x04\x22\x4d\x18\x64\x40\xa7" + b"\0" * 20)

with open(os.path.join(work, "expected.txt"), "wb") as f:
    for h in sorted(expected):
        f.write(h + b"\n")
PY

F="$WORK/files"
JUNK_OFFSET=$(cat "$WORK/junk.offset")
BZJUNK_OFFSET=$(cat "$WORK/bzjunk.offset")
for inflate in zlib isal; do
  if [ "$inflate" = isal ] && ! "$BIN/logsweep" run --inflate isal --workers 1 \
      "$F/good.log.gz" >/dev/null 2>&1; then
    echo "skip isal: not built in"
    continue
  fi
  set +e
  "$BIN/logsweep" run --workers 2 --inflate "$inflate" "$F"/* \
    >"$WORK/$inflate.out" 2>"$WORK/$inflate.err"
  rc=$?
  set -e
  err="$WORK/$inflate.err"
  [ "$rc" -eq 3 ] || fail "$inflate: exit $rc, expected 3: $(cat "$err")"
  expect_same "$WORK/expected.txt" "$WORK/$inflate.out" "$inflate: hosts"
  expect_line() {
    grep -qxF -- "$1" "$err" || fail "$inflate: no line '$1' in: $(cat "$err")"
  }
  expect_line "logsweep: warning: $F/junk.log.gz: trailing garbage after gzip member 2 at offset $JUNK_OFFSET ignored"
  expect_line "logsweep: warning: $F/junk.log.bz2: trailing garbage after bzip2 stream 1 at offset $BZJUNK_OFFSET ignored"
  expect_line "logsweep: error: $F/flags.log.gz: DATA_LOSS: corrupt gzip member 1 near offset 0: reserved header flag bits set (FLG 0x20)"
  expect_line "logsweep: error: $F/plain-named.log.gz: DATA_LOSS: not gzip: the name says gzip, the content is plain text"
  expect_line "logsweep: error: $F/logs.zip: INVALID_ARGUMENT: unsupported format: zip"
  expect_line "logsweep: error: $F/logs.tar.log: INVALID_ARGUMENT: unsupported format: tar"
  expect_line "logsweep: error: $F/logs.tar.gz: INVALID_ARGUMENT: unsupported format: tar inside gzip"
  expect_line "logsweep: error: $F/archive.log: INVALID_ARGUMENT: unsupported format: 7z"
  expect_line "logsweep: error: $F/access.log.lz4: INVALID_ARGUMENT: unsupported format: lz4"
  grep -q "^logsweep: error: $F/truncated.log.zst: DATA_LOSS: truncated: unexpected end of file inside zstd frame 1 after [0-9]* compressed bytes$" "$err" ||
    fail "$inflate: truncated zstd not named: $(cat "$err")"
  grep -q "^logsweep: error: $F/corrupt.log.xz: DATA_LOSS: corrupt xz stream 1 near offset [0-9]*: " "$err" ||
    fail "$inflate: corrupt xz not named: $(cat "$err")"
  grep -q "^logsweep: error: $F/truncated.log.bz2: DATA_LOSS: truncated: unexpected end of file inside bzip2 stream 1 after [0-9]* compressed bytes$" "$err" ||
    fail "$inflate: truncated bzip2 not named: $(cat "$err")"
  [ "$(grep -c '^logsweep: warning: ' "$err")" -eq 2 ] ||
    fail "$inflate: expected exactly 2 warnings: $(cat "$err")"
  grep -q "19 files (10 failed)" "$err" || fail "$inflate: summary: $(tail -1 "$err")"

  set +e
  "$BIN/logsweep" run --workers 2 --inflate "$inflate" --json "$F"/* \
    >"$WORK/$inflate.json" 2>/dev/null
  set -e
  /usr/bin/python3 - "$WORK/$inflate.json" "$F" "$JUNK_OFFSET" <<'PY' ||
import json, sys
doc = json.load(open(sys.argv[1]))
f, offset = sys.argv[2], sys.argv[3]
files = {x["path"]: x for x in doc["files"]}
junk = files[f + "/junk.log.gz"]
assert junk["ok"] and junk["warnings"] == [
    "trailing garbage after gzip member 2 at offset %s ignored" % offset], junk
assert files[f + "/padded.log.gz"]["warnings"] == [], files[f + "/padded.log.gz"]
z = files[f + "/logs.zip"]
assert not z["ok"] and z["code"] == "INVALID_ARGUMENT", z
assert z["error"] == "unsupported format: zip", z
assert all("warnings" in x for x in doc["files"])
PY
    fail "$inflate: --json warnings or errors: $(head -c 3000 "$WORK/$inflate.json")"
  echo "ok - $inflate"
done
echo "PASS formats"
