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

#include "common/base/clock.h"
#include "common/scan/file_scanner.h"
#include "common/transport/messages.h"
#include "worker/data_root.h"
#include "worker/scan_hook.h"

namespace logsweep::worker {

// One finished task: what it answers (so the I/O thread knows what it no
// longer holds without decoding) and its outcome, encoded by
// common::EncodeOutcome.
struct ScanResult {
  common::TaskRef ref;
  std::string payload;
};

// N scan threads fed from a queue. Finished results wait in the pool and
// are handed to the worker's I/O thread together: once as many are
// finished as tasks wait to start (the coordinator's credit then refills
// the queue in one batch before it runs dry), when no task waits, or when
// the oldest has waited kHandOverWait. Small files thus cost the I/O
// thread a wake-up and the coordinator a message per batch, not per file.
// The I/O thread polls wake_fd() (an eventfd: readable when TakeResults
// may have something, or a timer must start) and sleeps no longer than
// NextHandOver(). Borrows `hook` (may be null; tests only). Submit and
// TakeResults are thread-safe; construction and destruction happen on the
// I/O thread. The destructor waits for the scans in progress to end.
class ScanPool {
 public:
  static constexpr std::chrono::milliseconds kHandOverWait{10};

  ScanPool(size_t threads, common::ScanOptions options, DataRoot data_root,
           ScanHook* hook = nullptr);
  ~ScanPool();
  ScanPool(const ScanPool&) = delete;
  ScanPool& operator=(const ScanPool&) = delete;

  void Submit(common::TaskAssignment task);

  int wake_fd() const { return wake_fd_; }
  // Every finished result, if it is time to hand them over (above), else
  // none. Clears wake_fd().
  std::vector<ScanResult> TakeResults(common::TimePoint now);
  // When results finished now would be handed over by the wait alone;
  // TimePoint::max() when none is finished.
  common::TimePoint NextHandOver();

 private:
  void ThreadMain();
  bool ReadyLocked(common::TimePoint now) const;

  ScanHook* const hook_;
  const common::ScanOptions options_;
  const DataRoot data_root_;
  const int wake_fd_;

  // Set first thing by the destructor: scans in progress stop early.
  std::atomic<bool> cancel_{false};
  std::mutex mu_;
  // Guarded by mu_:
  std::deque<common::TaskAssignment> queue_;
  std::vector<ScanResult> done_;
  common::TimePoint first_done_{};  // when done_ last became non-empty
  bool stopping_ = false;

  std::condition_variable cv_;
  std::vector<std::thread> threads_;
};

// A file whose mtime or ctime is this close to the time of its scan is
// answered but not offered to the result cache: timestamps are taken from
// a coarse clock (a tick of up to 10 ms here, worse on NFS), so a write
// right after the scan could leave every field of its identity as it was.
inline constexpr std::chrono::seconds kRacyWindow{2};

// True when `id` changed less than kRacyWindow before `now` (or after it).
bool ChangedRecently(const common::FileIdentity& id,
                     std::chrono::system_clock::time_point now);

// Runs one task to its outcome (used by ScanPool; exposed for tests).
// The task's path is opened under `data_root` (DataRoot::Open). The file is
// opened once; its identity is taken before and after the scan. When
// `task.cached` equals the identity before, the outcome is `unchanged`
// without a scan; otherwise an OK outcome carries the identity when its
// fstat fields did not change during the scan and it is older than
// kRacyWindow.
common::TaskOutcome RunTask(const common::TaskAssignment& task,
                            common::FileScanner& scanner,
                            const DataRoot& data_root);

}  // namespace logsweep::worker
