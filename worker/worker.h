#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <zmq.hpp>

#include "common/base/status.h"
#include "common/scan/file_scanner.h"
#include "common/transport/curve.h"
#include "worker/scan_hook.h"

namespace logsweep::worker {

struct WorkerConfig {
  std::string coordinator_endpoint;  // e.g. tcp://host:5555
  std::string name;                  // for logs and status; host:pid
  uint32_t threads = 1;              // scan threads = slots (1 .. 4096)
  // Heartbeat interval (50 ms .. 60 s) and missed beats before the
  // coordinator is presumed gone (2 .. 100): then the worker reconnects.
  std::chrono::milliseconds heartbeat_interval{1000};
  uint32_t liveness = 3;
  // Longest wait between reconnect attempts; doubles up to this.
  std::chrono::milliseconds max_backoff{30000};
  common::ScanOptions scan;
  // Tasks may read only under this directory (see DataRoot).
  std::string data_root = "/";
  // CURVE keys (own pair, coordinator's public key); nullopt: CURVE off.
  std::optional<common::CurveClientKeys> curve;
  // Tests only (see ScanHook); borrowed, must outlive the worker.
  ScanHook* hook = nullptr;
};

// The worker's I/O loop: owns the DEALER socket to the coordinator, feeds a
// ScanPool and takes its results, and moves bytes between them and a
// WorkerSession, which holds the protocol (so the loop
// only carries out its actions). Reconnecting closes the DEALER and opens a
// new one without losing scans in progress. Borrows the context. Created,
// run and destroyed on one thread.
class Worker {
 public:
  Worker(zmq::context_t& context, WorkerConfig config);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // Serves until `stop` is true (checked at least every 200 ms, and at
  // once when `wake_fd`, if not -1, becomes readable: see StopSignalFd).
  // Errors: InvalidArgument for a malformed endpoint or --data-root;
  // Unavailable if polling fails.
  common::Status Run(const std::atomic<bool>& stop, int wake_fd = -1);

 private:
  common::Status Connect();
  void Send(const std::string& payload);

  zmq::context_t& context_;
  WorkerConfig config_;
  std::unique_ptr<zmq::socket_t> dealer_;
};

// This process as a worker: installs the stop signals (and, when
// `parent_pid` > 0, stops with that process: see StopWithParent), makes the
// process's context and serves `config` until SIGINT/SIGTERM. Returns the
// exit code: 0 stopped cleanly, 1 failed. Logging must be set up. Called by
// logsweep-worker's main, and by `logsweep run` in each worker it forks
// (client/local_cluster.h). Third-party exceptions (zmq::error_t from the
// context) propagate.
int ServeWorker(const WorkerConfig& config, int parent_pid);

}  // namespace logsweep::worker
