#include "client/lib/future_state.h"

namespace logsweep::detail {

static_assert(static_cast<int>(ErrorCode::kInternal) ==
                  static_cast<int>(common::StatusCode::kInternal),
              "ErrorCode mirrors common::StatusCode, value for value");

ErrorCode ToPublic(common::StatusCode code) {
  return static_cast<ErrorCode>(code);
}

namespace {

FileStats ToPublicStats(const common::ScanStats& s) {
  return FileStats{s.lines,
                   s.matches,
                   s.malformed,
                   s.bytes_read,
                   s.bytes_scanned,
                   s.unreadable_method,
                   s.unreadable_status,
                   s.unreadable_time};
}

FileResult Failure(const std::string& path, const common::Status& status) {
  FileResult r;
  r.path = path;
  r.code = ToPublic(status.code());
  r.error = status.message();
  return r;
}

}  // namespace

FileResult ToPublic(const common::FileReport& report,
                    std::vector<std::string> hosts,
                    const std::vector<common::HostTally>& tallies) {
  FileResult r;
  r.counts.reserve(tallies.size());
  for (size_t i = 0; i < tallies.size() && i < hosts.size(); ++i) {
    r.counts.push_back(HostCount{hosts[i], tallies[i].count, tallies[i].first,
                                 tallies[i].last});
  }
  r.path = report.path;
  r.code = ToPublic(report.status.code());
  r.error = report.status.ok() ? "" : report.status.message();
  r.hosts = std::move(hosts);
  r.stats = ToPublicStats(report.stats);
  r.attempts = report.attempts;
  return r;
}

bool Resolve(const std::shared_ptr<FileState>& file, FileResult result,
             bool cancelled) {
  std::vector<std::function<void(const TaskFuture&)>> callbacks;
  {
    std::lock_guard<std::mutex> lock(file->mu);
    if (file->done) return false;
    file->result = std::move(result);
    file->done = true;
    file->cancelled = cancelled;
    callbacks.swap(file->callbacks);
  }
  file->cv.notify_all();
  if (auto job = file->job.lock()) {
    std::lock_guard<std::mutex> lock(job->mu);
    job->order.push_back(file->index);
    job->cv.notify_all();
  }
  for (auto& fn : callbacks) {
    file->callback_thread->Post(
        [fn = std::move(fn), future = Access::Future(file)] { fn(future); });
  }
  return true;
}

void FailJob(const std::shared_ptr<JobState>& job,
             const common::Status& status) {
  for (const TaskFuture& f : job->futures) {
    Resolve(Access::State(f), Failure(f.path(), status),
            status.code() == common::StatusCode::kCancelled);
  }
  std::lock_guard<std::mutex> lock(job->mu);
  job->closed = true;
  job->error = status;
  job->cv.notify_all();
}

void CloseJob(const std::shared_ptr<JobState>& job,
              const common::JobResult& result) {
  // Every file's outcome came (FilesDone precedes the result on the same
  // connection, and a re-attach sends them all again); this only covers a
  // coordinator that did not stream, so such files carry no hosts.
  for (size_t t = 0; t < job->task_futures.size() && t < result.files.size();
       ++t) {
    Resolve(Access::State(job->futures[job->task_futures[t]]),
            ToPublic(result.files[t], {}),
            result.files[t].status.code() == common::StatusCode::kCancelled);
  }
  std::lock_guard<std::mutex> lock(job->mu);
  job->closed = true;
  job->elapsed = std::chrono::microseconds(result.elapsed_us);
  job->cv.notify_all();
}

}  // namespace logsweep::detail
