#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>
#include <zmq.hpp>

#include "common/scan/file_scanner.h"
#include "common/transport/messages.h"
#include "worker/data_root.h"
#include "worker/scan_hook.h"

namespace logsweep::worker {

// N scan threads fed from a queue. Each thread owns a FileScanner and its
// own inproc PUSH socket, on which it sends each result to the worker's
// I/O thread (which owns the PULL end at `results_endpoint`, bound before
// the pool starts) as two frames: EncodeResultRef(ref), then the encoded
// TaskOutcome. Borrows the context and `hook` (may be null; tests only).
// Submit() is thread-safe; construction and destruction happen on the I/O
// thread. The destructor waits for the scans in progress to end.
class ScanPool {
 public:
  ScanPool(zmq::context_t& context, std::string results_endpoint,
           size_t threads, common::ScanOptions options, DataRoot data_root,
           ScanHook* hook = nullptr);
  ~ScanPool();
  ScanPool(const ScanPool&) = delete;
  ScanPool& operator=(const ScanPool&) = delete;

  void Submit(common::TaskAssignment task);

 private:
  void ThreadMain();

  zmq::context_t& context_;
  const std::string results_endpoint_;
  ScanHook* const hook_;
  const common::ScanOptions options_;
  const DataRoot data_root_;

  // Set first thing by the destructor: scans in progress stop early.
  std::atomic<bool> cancel_{false};
  std::mutex mu_;
  // Guarded by mu_:
  std::deque<common::TaskAssignment> queue_;
  bool stopping_ = false;

  std::condition_variable cv_;
  std::vector<std::thread> threads_;
};

// The first frame of a result on the inproc socket: which task it answers,
// so the I/O thread knows what it no longer holds without decoding the
// outcome. Decode: false for bytes that are not such a frame.
std::string EncodeResultRef(const common::TaskRef& ref);
bool DecodeResultRef(const std::string& bytes, common::TaskRef* ref);

// A file whose mtime or ctime is this close to the time of its scan is
// answered but not offered to the result cache: timestamps are taken from
// a coarse clock (a tick of up to 10 ms here, worse on NFS), so a write
// right after the scan could leave every field of its identity as it was.
inline constexpr std::chrono::seconds kRacyWindow{2};

// True when `id` changed less than kRacyWindow before `now` (or after it).
bool ChangedRecently(const common::FileIdentity& id,
                     std::chrono::system_clock::time_point now);

// Runs one task to its outcome (used by ScanPool; exposed for tests).
// The task's path is resolved under `data_root` first. The file is opened
// once; its identity is taken before and after the scan. When
// `task.cached` equals the identity before, the outcome is `unchanged`
// without a scan; otherwise an OK outcome carries the identity when its
// fstat fields did not change during the scan and it is older than
// kRacyWindow.
common::TaskOutcome RunTask(const common::TaskAssignment& task,
                            common::FileScanner& scanner,
                            const DataRoot& data_root);

}  // namespace logsweep::worker
