#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "client/lib/callback_thread.h"
#include "common/base/status.h"
#include "common/transport/messages.h"
#include "logsweep/client.h"

namespace logsweep::detail {

class ClientCore;

// The library's internals reach a TaskFuture's state through this one door.
struct Access {
  static const std::shared_ptr<FileState>& State(const TaskFuture& f) {
    return f.state_;
  }
  static TaskFuture Future(std::shared_ptr<FileState> state) {
    return TaskFuture(std::move(state));
  }
};

// The shared state behind one TaskFuture: resolved exactly once (Resolve),
// then read by any thread. Thread-safe through `mu`.
struct FileState {
  std::mutex mu;
  std::condition_variable cv;
  // Guarded by mu:
  bool done = false;
  bool cancelled = false;
  FileResult result;  // path set from the start
  std::vector<std::function<void(const TaskFuture&)>> callbacks;
  // Set before the future is handed out, then constant:
  size_t index = 0;      // in JobState::futures
  uint64_t task_id = 0;  // in the job sent, for a file that was sent
  std::weak_ptr<JobState> job;
  std::shared_ptr<CallbackThread> callback_thread;
};

// The shared state behind one Job. Thread-safe through `mu`.
struct JobState {
  // Set before the Job is handed out, then constant:
  std::string id;  // empty for a job that was not sent (nothing to scan)
  bool merge_partial = false;
  // The files sent and the path errors (never sent), in argument order.
  std::vector<TaskFuture> futures;
  std::vector<size_t> task_futures;  // task id -> index in futures
  std::vector<SkippedFile> skipped;
  std::weak_ptr<ClientCore> client;

  std::mutex mu;
  std::condition_variable cv;
  // Guarded by mu:
  std::vector<size_t> order;  // indices of done futures, in finishing order
  bool closed = false;        // the coordinator's result came, or it was lost
  common::Status error;       // why the job was lost, if it was
  std::chrono::microseconds elapsed{0};
};

// Makes `file` done with `result`, once: later calls return false. Runs
// its callbacks on its callback thread and wakes its waiters.
bool Resolve(const std::shared_ptr<FileState>& file, FileResult result,
             bool cancelled);

// Every unfinished file of the job fails with `status`; the job closes
// with it as its error.
void FailJob(const std::shared_ptr<JobState>& job,
             const common::Status& status);

// The job's result came: files not resolved yet (a coordinator that did
// not stream them) take their reports; the job closes.
void CloseJob(const std::shared_ptr<JobState>& job,
              const common::JobResult& result);

// Conversions from the wire's types to the public ones.
ErrorCode ToPublic(common::StatusCode code);
// `tallies`: parallel to `hosts` (a --count query), else empty.
FileResult ToPublic(const common::FileReport& report,
                    std::vector<std::string> hosts,
                    const std::vector<common::HostTally>& tallies = {});

}  // namespace logsweep::detail
