#pragma once

#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <thread>
#include <vector>
#include <zmq.hpp>

#include "common/base/logging.h"
#include "common/base/status.h"
#include "common/scan/gzip_stream.h"

namespace logsweep::worker {
struct WorkerConfig;
}  // namespace logsweep::worker

namespace logsweep::client {

// The one-machine mode of `logsweep run`, like a process pool: N worker
// processes and a coordinator on a thread of this process. Workers reach
// the coordinator over an ipc:// socket in a private temporary directory
// (under $TMPDIR, else /tmp); this process's clients reach it over inproc.
// Owns the worker processes, the coordinator thread, the directory and the
// process's ZeroMQ context (made by Start, after the forks); the destructor
// stops everything and removes the directory. Owned by one thread.
//
// Workers are forked without exec and serve as logsweep-worker does
// (worker::ServeWorker), so they start with everything this process has
// loaded: an exec would spend ~14 ms of CPU per child loading libzmq and
// its libraries before main. Their comm name is logsweep-worker. Fork needs
// a process with one thread: call Start before anything starts a thread (a
// zmq::context_t does; use context() instead of making one), and before
// common::InstallStopSignals (the workers would share its wake-up pipe).
class LocalCluster {
 public:
  struct Options {
    unsigned workers = 1;
    unsigned threads_per_worker = 1;
    common::InflateBackend backend = common::DefaultInflateBackend();
    std::string log_level = "warn";  // for the workers and the coordinator
    // The result cache's database (docs/cache.md); empty: no cache.
    std::string cache_path;
    uint64_t cache_max_bytes = uint64_t{1} << 30;
    uint64_t cache_min_bytes = uint64_t{64} << 10;  // files smaller: not cached
    common::LogFormat log_format = common::LogFormat::kText;  // and theirs
  };

  LocalCluster() = default;
  ~LocalCluster();
  LocalCluster(const LocalCluster&) = delete;
  LocalCluster& operator=(const LocalCluster&) = delete;

  // Starts the workers, then the coordinator, and returns once it listens
  // (workers register as they come up). Call once. Errors: Internal (this
  // process already runs a second thread, Start was called before, or the
  // coordinator could not be set up), InvalidArgument (bad log level), or
  // the errno of a failed step (temporary directory, socket, fork) as
  // ErrnoStatus maps it. Workers already forked are stopped by Stop.
  common::Status Start(const Options& options);

  // The process's context, for clients of clients_endpoint(). Only after
  // a successful Start.
  zmq::context_t& context() { return *context_; }

  // The endpoint clients submit to (inproc: only through context()).
  const std::string& clients_endpoint() const { return clients_endpoint_; }

  // Number of worker processes still running.
  size_t LiveWorkers();

  // Process ids of the workers started (-1: one seen exited).
  const std::vector<pid_t>& worker_pids() const { return workers_; }

  // Sends SIGTERM to the workers and returns at once: they stop on their
  // own while the caller does something else, then Stop reaps them.
  void SignalWorkersToStop();

  // Stops the workers (SIGTERM, then SIGKILL after 5 s), then the
  // coordinator; idempotent. Close every socket made on context() first.
  void Stop();

 private:
  // Forks a worker process serving `config`; the child first closes
  // `close_in_child` (the coordinator's listening socket).
  common::StatusOr<pid_t> ForkWorker(const worker::WorkerConfig& config,
                                     int close_in_child);

  bool started_ = false;
  std::string dir_;
  std::string clients_endpoint_;
  std::vector<pid_t> workers_;
  std::optional<zmq::context_t> context_;
  std::thread coordinator_;
  std::atomic<bool> stop_{false};
  int wake_fd_ = -1;  // eventfd: wakes the coordinator's poll loop on Stop
};

}  // namespace logsweep::client
