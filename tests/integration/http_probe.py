#!/usr/bin/python3
"""Helpers for http_test.sh, talking to the coordinator's --http endpoint
over loopback with the standard library only.

  http_probe.py get URL                  print the body (exit 1 unless 200)
  http_probe.py metric URL NAME [LABELS] print one sample's value (0 if absent)
  http_probe.py watch URL NAME SECONDS   print NAME every 0.2 s for SECONDS
  http_probe.py hostile HOST PORT        send hostile requests; exit 1 when
                                         one gets an answer it must not
  http_probe.py hold HOST PORT N SECONDS keep N idle and N slow connections
                                         open for SECONDS (bounded)
"""
import socket
import sys
import time
import urllib.error
import urllib.request


def get(url):
    with urllib.request.urlopen(url, timeout=10) as r:
        return r.status, r.read().decode()


def sample(text, name, labels=""):
    want = name + ("{" + labels + "}" if labels else "")
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        key, _, value = line.rpartition(" ")
        if key == want:
            return float(value)
    return 0.0


def raw(host, port, data, read=True, timeout=8):
    """Sends bytes, returns what came back (b'' when the server closed)."""
    s = socket.create_connection((host, port), timeout=timeout)
    try:
        try:
            s.sendall(data)
        except OSError:
            return b""  # closed on us mid-send: refused, which is fine
        if not read:
            return b""
        out = b""
        while True:
            try:
                chunk = s.recv(65536)
            except (socket.timeout, OSError):
                break
            if not chunk:
                break
            out += chunk
            if len(out) > 1 << 20 or complete(out):
                break
        return out
    finally:
        s.close()


def complete(reply):
    """Whether `reply` holds a whole response with a Content-Length."""
    head, sep, body = reply.partition(b"\r\n\r\n")
    if not sep:
        return False
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length" and value.strip().isdigit():
            return len(body) >= int(value)
    return False


def status_of(reply):
    first = reply.split(b"\r\n", 1)[0].split()
    return int(first[1]) if len(first) >= 2 and first[1].isdigit() else 0


def hostile(host, port):
    bad = []
    # Each: (what, bytes, acceptable status codes; 0 = connection closed).
    cases = [
        ("malformed request line", b"GARBAGE\r\n\r\n", {0, 400}),
        ("binary junk", bytes(range(256)) * 8, {0, 400}),
        ("unknown method", b"BREW /metrics HTTP/1.1\r\nHost: x\r\n\r\n",
         {0, 400, 404, 405}),
        ("unknown path", b"GET /no/such/thing HTTP/1.1\r\nHost: x\r\n"
         b"Connection: close\r\n\r\n", {404}),
        ("dot-dot path", b"GET /../../../../etc/passwd HTTP/1.1\r\nHost: x\r\n"
         b"Connection: close\r\n\r\n", {0, 400, 404}),
        ("encoded dot-dot", b"GET /%2e%2e/%2e%2e/etc/passwd HTTP/1.1\r\n"
         b"Host: x\r\nConnection: close\r\n\r\n", {0, 400, 404}),
        ("dot-dot after an asset", b"GET /app.js/../../etc/passwd HTTP/1.1\r\n"
         b"Host: x\r\nConnection: close\r\n\r\n", {0, 400, 404}),
        ("huge header", b"GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: " +
         b"a" * 200000 + b"\r\nConnection: close\r\n\r\n", {0, 400, 413, 431}),
        ("many headers", b"GET /metrics HTTP/1.1\r\n" +
         b"".join(b"X-%d: y\r\n" % i for i in range(5000)) +
         b"Connection: close\r\n\r\n", {0, 200, 400, 413, 431}),
        ("huge URI", b"GET /" + b"a" * 100000 + b" HTTP/1.1\r\nHost: x\r\n"
         b"Connection: close\r\n\r\n", {0, 400, 404, 414}),
        ("huge body", b"POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: "
         b"104857600\r\nConnection: close\r\n\r\n" + b"z" * 65536,
         {0, 400, 404, 405, 413}, 2),
        ("negative length", b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -5"
         b"\r\nConnection: close\r\n\r\n", {0, 400, 404, 405, 413}, 2),
        ("truncated request", b"GET /metr", {0, 400, 408}, 1),
    ]
    for what, data, ok, *wait in cases:
        t0 = time.time()
        reply = raw(host, port, data, timeout=wait[0] if wait else 8)
        code = status_of(reply)
        if code not in ok or b"root:" in reply:
            bad.append("%s: got %d %r" % (what, code, reply[:120]))
        else:
            print("ok - %s: %s (%.1f s)" % (what, code or "closed", time.time() - t0))
    for line in bad:
        print("FAIL - " + line, file=sys.stderr)
    return 1 if bad else 0


def hold(host, port, n, seconds):
    idle = []
    slow = []
    for _ in range(n):
        try:
            idle.append(socket.create_connection((host, port), timeout=2))
            s = socket.create_connection((host, port), timeout=2)
            s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\n")
            slow.append(s)
        except OSError:
            pass
    print("holding %d idle and %d slow connections" % (len(idle), len(slow)),
          flush=True)
    end = time.time() + seconds
    while time.time() < end:
        for s in slow:
            try:
                s.sendall(b"X-Drip: 1\r\n")  # a header, never the end
            except OSError:
                pass
        time.sleep(0.5)
    for s in idle + slow:
        s.close()
    return 0


def main():
    cmd = sys.argv[1]
    if cmd == "get":
        try:
            code, body = get(sys.argv[2])
        except urllib.error.HTTPError as e:
            print(e.read().decode(), end="")
            return 1
        sys.stdout.write(body)
        return 0 if code == 200 else 1
    if cmd == "metric":
        _, body = get(sys.argv[2])
        labels = sys.argv[4] if len(sys.argv) > 4 else ""
        print("%g" % sample(body, sys.argv[3], labels))
        return 0
    if cmd == "watch":
        end = time.time() + float(sys.argv[4])
        while time.time() < end:
            try:
                _, body = get(sys.argv[2])
                print("%g" % sample(body, sys.argv[3]), flush=True)
            except OSError:
                pass
            time.sleep(0.2)
        return 0
    if cmd == "hostile":
        return hostile(sys.argv[2], int(sys.argv[3]))
    if cmd == "hold":
        return hold(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]),
                    float(sys.argv[5]))
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
