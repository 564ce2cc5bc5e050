#!/usr/bin/python3
"""Sends hostile traffic to a running coordinator: garbage bytes, empty and
multi-frame messages, wrong protocol versions, an oversized message, results
for unknown jobs from an unregistered worker, and a flood of connections.
Exits 0 when every send went out; the caller then checks that the
coordinator still serves a real job exactly."""
import sys

import zmq

workers_ep, clients_ep = sys.argv[1], sys.argv[2]
ctx = zmq.Context()

def dealer(ep):
    s = ctx.socket(zmq.DEALER)
    s.setsockopt(zmq.LINGER, 2000)
    s.setsockopt(zmq.SNDTIMEO, 2000)
    s.connect(ep)
    return s

# protocol_version=4, outcomes { items { result { ref { job_id: "nope"
# task_id: 7 } } } } (a TaskResult for a job that does not exist),
# sender=worker.
unknown_result = (bytes([0x08, 0x04, 0x3A, 0x0E, 0x0A, 0x0C, 0x0A, 0x0A,
                         0x0A, 0x08]) +
                  b"\x0a\x04nope\x10\x07" + b"\x78\x01")
garbage = [
    b"",
    b"\xff" * 64,
    b"\x08\x05",                    # protocol version 5
    b"\x08\x02",                    # version 2
    b"\x08\x03\x78\x01",            # version 3 (before --count), a worker
    b"\x08\x04\x78\x01",            # version 4 from a worker, no body
    b"\x08\x04\x12\x02\x10\x00\x78\x01",  # hello with 0 slots
    unknown_result,
]
for ep in (workers_ep, clients_ep):
    s = dealer(ep)
    for g in garbage:
        s.send(g)
    s.send_multipart([b"two", b"frames"])
    s.send_multipart([b"a", b"b", b"c"])
    s.close()

# Larger than ZMQ_MAXMSGSIZE (256 MiB): libzmq drops the connection.
big = dealer(clients_ep)
big.send(b"\x00" * (257 << 20))
big.close()

# Many short-lived peers.
for _ in range(200):
    s = dealer(clients_ep)
    s.send(b"\xff\xff")
    s.close()
ctx.term()
print("hostile traffic sent")
