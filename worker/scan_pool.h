#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>
#include <zmq.hpp>

#include "common/file_scanner.h"
#include "common/messages.h"
#include "worker/data_root.h"

namespace logsweep::worker {

// N scan threads fed from a queue. Each thread owns a FileScanner and its
// own inproc PUSH socket, on which it sends each encoded TaskOutcome to the
// worker's I/O thread (which owns the PULL end at `results_endpoint`, bound
// before the pool starts). See stall_substring_ for the one test hook. Borrows
// the context. Submit() is thread-safe; construction and destruction happen on
// the I/O thread. The destructor waits for the scans in progress to end.
class ScanPool {
 public:
  ScanPool(zmq::context_t& context, std::string results_endpoint,
           size_t threads, common::ScanOptions options, DataRoot data_root);
  ~ScanPool();
  ScanPool(const ScanPool&) = delete;
  ScanPool& operator=(const ScanPool&) = delete;

  void Submit(common::TaskAssignment task);

 private:
  void ThreadMain();

  zmq::context_t& context_;
  const std::string results_endpoint_;
  // Fault injection for tests, from $LOGSWEEP_FAULT_STALL: a scan of a path
  // containing this string hangs until shutdown, as on a stalled
  // filesystem, while heartbeats go on. Empty (the default): off.
  const std::string stall_substring_;
  const common::ScanOptions options_;
  const DataRoot data_root_;

  std::mutex mu_;
  // Guarded by mu_:
  std::deque<common::TaskAssignment> queue_;
  bool stopping_ = false;

  std::condition_variable cv_;
  // Threads held by LOGSWEEP_FAULT_STALL wait here, not on cv_: a
  // notify_one for a new task must reach a thread that can take it.
  std::condition_variable stall_cv_;
  std::vector<std::thread> threads_;
};

// Runs one task to its outcome (used by ScanPool; exposed for tests).
// The task's path is resolved under `data_root` first.
common::TaskOutcome RunTask(const common::TaskAssignment& task,
                            common::FileScanner& scanner,
                            const DataRoot& data_root);

}  // namespace logsweep::worker
