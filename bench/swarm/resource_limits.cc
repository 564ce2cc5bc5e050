#include "bench/swarm/resource_limits.h"

#include <sys/resource.h>

#include <cerrno>
#include <string>

namespace logsweep::swarm {

size_t DescriptorsNeeded(size_t workers) { return 2 * workers + 256; }

common::Status RaiseFileLimit(size_t needed) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) {
    return common::ErrnoStatus(errno, "getrlimit(RLIMIT_NOFILE)");
  }
  if (limit.rlim_cur >= needed) return common::OkStatus();
  rlimit want = limit;
  want.rlim_cur = limit.rlim_max;
  if (want.rlim_cur < needed) {
    // Only a privileged process (CAP_SYS_RESOURCE) may raise the hard limit.
    want.rlim_cur = needed;
    want.rlim_max = needed;
  }
  if (setrlimit(RLIMIT_NOFILE, &want) == 0 && want.rlim_cur >= needed) {
    return common::OkStatus();
  }
  if (want.rlim_max != limit.rlim_max) {
    // Not allowed past the hard limit: take what we may, then report.
    want = limit;
    want.rlim_cur = limit.rlim_max;
    (void)setrlimit(RLIMIT_NOFILE, &want);
  }
  return common::ResourceExhaustedError(
      "this swarm needs about " + std::to_string(needed) +
      " file descriptors; RLIMIT_NOFILE allows " +
      std::to_string(limit.rlim_cur) + " (hard limit " +
      std::to_string(limit.rlim_max) +
      "): raise it (ulimit -Hn, or LimitNOFILE=), run as root, or split the "
      "workers over several swarm processes");
}

common::Status ConfigureContext(zmq::context_t& context, size_t workers,
                                int io_threads) {
  if (io_threads < 1 || io_threads > 64) {
    return common::InvalidArgumentError("io threads must be 1 .. 64");
  }
  constexpr size_t kMargin = 64;  // sockets beside the workers' (none yet)
  size_t sockets = 2 * workers + kMargin;
  int ceiling = zmq_ctx_get(context.handle(), ZMQ_SOCKET_LIMIT);
  if (ceiling > 0 && sockets > static_cast<size_t>(ceiling)) {
    if (workers + kMargin > static_cast<size_t>(ceiling)) {
      return common::ResourceExhaustedError(
          std::to_string(workers) + " workers need " +
          std::to_string(workers + kMargin) + " sockets; this libzmq allows " +
          std::to_string(ceiling) +
          " per context: split them over several swarm processes");
    }
    sockets = static_cast<size_t>(ceiling);
  }
  if (zmq_ctx_set(context.handle(), ZMQ_MAX_SOCKETS,
                  static_cast<int>(sockets)) != 0 ||
      zmq_ctx_set(context.handle(), ZMQ_IO_THREADS, io_threads) != 0) {
    return common::ErrnoStatus(zmq_errno(), "zmq_ctx_set");
  }
  return common::OkStatus();
}

}  // namespace logsweep::swarm
