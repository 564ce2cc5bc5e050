#pragma once

#include <cstddef>
#include <zmq.hpp>

#include "common/base/status.h"

namespace logsweep::swarm {

// File descriptors a swarm of `workers` needs: each DEALER holds its
// mailbox's eventfd and its connection's socket, plus a margin for libzmq's
// own threads, the epoll sets and stdio.
size_t DescriptorsNeeded(size_t workers);

// Raises RLIMIT_NOFILE's soft limit to at least `needed` descriptors:
// to the hard limit, and past it when the process may (root). Errors:
// ResourceExhausted naming both limits and what to do. Call from main,
// before starting threads.
common::Status RaiseFileLimit(size_t needed);

// Sets ZMQ_MAX_SOCKETS on `context` (before any socket is made) for a
// swarm of `workers`, and ZMQ_IO_THREADS. A closed socket is reaped by
// libzmq later, so a worker that reconnects briefly holds two: it asks for
// two per worker, within libzmq's ceiling (ZMQ_SOCKET_LIMIT). Errors:
// ResourceExhausted when that ceiling is below one per worker;
// InvalidArgument for io_threads outside 1 .. 64.
common::Status ConfigureContext(zmq::context_t& context, size_t workers,
                                int io_threads);

}  // namespace logsweep::swarm
