#!/usr/bin/env bash
# --json keeps hosts and paths that are not UTF-8 exactly: "h\xfe", "h\xff"
# and a real "h\u{FFFD}" stay three different JSON values whose bytes_hex
# decode to the bytes of the log, a file under a Latin-1 directory name
# keeps its name; the plain output is the raw bytes.
source "$(dirname "$0")/lib.sh"

D=$(realpath -s "$WORK")/logs
mkdir -p "$D" "$D/caf"$'\xe9'
hit() { printf '%s - - [31/Oct/2026:10:00:00 +0000] "GET /robots.txt HTTP/1.1" 200 1 "-" "-"\n' "$1"; }
{
  hit $'h\xfe'
  hit $'h\xff'
  hit $'h\xef\xbf\xbd'
  hit ok
} >"$D/access.log"
hit latin >"$D/caf"$'\xe9'"/access.log"
printf '%s\n' $'h\xef\xbf\xbd' $'h\xfe' $'h\xff' latin ok | LC_ALL=C sort >"$WORK/expected.txt"

"$BIN/logsweep" run --workers 1 "$D" >"$WORK/plain.txt" 2>"$WORK/plain.err" ||
  fail "run exited $?: $(cat "$WORK/plain.err")"
expect_same "$WORK/expected.txt" "$WORK/plain.txt" "plain output, raw bytes"

"$BIN/logsweep" run --workers 1 --json "$D" >"$WORK/out.json" 2>"$WORK/json.err" ||
  fail "run --json exited $?: $(cat "$WORK/json.err")"
python3 - "$WORK/out.json" "$WORK/expected.txt" "$D" <<'PY' || fail "--json: $(cat "$WORK/out.json")"
import json, os, sys
doc = json.load(open(sys.argv[1]))
want = open(sys.argv[2], "rb").read().split(b"\n")[:-1]
def raw(v):
    return bytes.fromhex(v["bytes_hex"]) if isinstance(v, dict) else v.encode()
hosts = doc["hosts"]
assert [raw(h) for h in hosts] == want, hosts
assert len({json.dumps(h, sort_keys=True) for h in hosts}) == len(hosts), "two hosts share a JSON value"
assert {"text": "h\ufffd", "bytes_hex": "68fe"} in hosts, hosts
assert {"text": "h\ufffd", "bytes_hex": "68ff"} in hosts, hosts
assert "h\ufffd" in hosts, hosts  # valid UTF-8: a plain string
paths = sorted(raw(f["path"]) for f in doc["files"])
d = os.fsencode(sys.argv[3])
assert paths == [d + b"/access.log", d + b"/caf\xe9/access.log"], paths
PY
echo "PASS json_bytes"
