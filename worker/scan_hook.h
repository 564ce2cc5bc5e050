#pragma once

#include "common/transport/messages.h"

namespace logsweep::worker {

// A seam for tests, in the manner of LevelDB's Env: ScanPool calls it on a
// scan thread before each scan, so a test can make a scan hang (a stalled
// filesystem) or run slow without any branch on the environment in
// production code. Production passes none. Implementations are
// thread-safe: every scan thread calls them.
class ScanHook {
 public:
  virtual ~ScanHook() = default;

  // Before `task` is scanned. May block (until Unblock) or sleep. False:
  // drop the task without an answer, as a scan that never ends would.
  virtual bool BeforeScan(const common::TaskAssignment& task) = 0;

  // The pool is stopping: a blocked BeforeScan must return soon.
  virtual void Unblock() = 0;
};

}  // namespace logsweep::worker
