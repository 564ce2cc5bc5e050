// The C++ client library's facade (include/logsweep/client.h): futures,
// jobs and the Client. The shared states are in future_state.h, the I/O
// engine in client_core.h, the protocol in client_session.h.
#include "logsweep/client.h"

#include <mutex>

#include "client/lib/client_core.h"
#include "client/lib/future_state.h"
#include "common/base/host_counts.h"
#include "common/base/host_set.h"
#include "common/base/query.h"
#include "common/base/status.h"
#include "common/discovery/file_finder.h"

namespace logsweep {

std::string_view ToString(ErrorCode code) {
  return common::StatusCodeName(static_cast<common::StatusCode>(code));
}

Error::Error(ErrorCode code, std::string path, const std::string& message)
    : std::runtime_error((path.empty() ? std::string() : path + ": ") +
                         std::string(ToString(code)) + ": " + message),
      code_(code),
      path_(std::move(path)) {}

// ---- TaskFuture ----

const std::string& TaskFuture::path() const { return state_->result.path; }
size_t TaskFuture::index() const { return state_->index; }

bool TaskFuture::done() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->done;
}

bool TaskFuture::cancelled() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->cancelled;
}

void TaskFuture::wait() const {
  std::unique_lock<std::mutex> lock(state_->mu);
  state_->cv.wait(lock, [this] { return state_->done; });
}

std::future_status TaskFuture::wait_for(
    std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lock(state_->mu);
  return state_->cv.wait_for(lock, timeout, [this] { return state_->done; })
             ? std::future_status::ready
             : std::future_status::timeout;
}

FileResult TaskFuture::outcome() const {
  std::unique_lock<std::mutex> lock(state_->mu);
  state_->cv.wait(lock, [this] { return state_->done; });
  return state_->result;
}

std::vector<std::string> TaskFuture::result() const {
  FileResult r = outcome();
  if (!r.ok()) throw Error(r.code, r.path, r.error);
  return std::move(r.hosts);
}

bool TaskFuture::cancel() const {
  auto job = state_->job.lock();
  if (!detail::Resolve(
          state_,
          FileResult{path(), ErrorCode::kCancelled, "cancelled", {}, {}, 0, {}},
          true)) {
    return false;
  }
  if (job) {
    if (auto core = job->client.lock()) {
      core->Cancel(job->id, {state_->task_id});
    }
  }
  return true;
}

void TaskFuture::add_done_callback(
    std::function<void(const TaskFuture&)> fn) const {
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    if (!state_->done) {
      state_->callbacks.push_back(std::move(fn));
      return;
    }
  }
  state_->callback_thread->Post(
      [fn = std::move(fn), future = *this] { fn(future); });
}

// ---- JobResult, AsCompleted, Job ----

bool JobResult::ok() const {
  for (const FileResult& f : files) {
    if (!f.ok()) return false;
  }
  return true;
}

std::vector<FileResult> JobResult::failures() const {
  std::vector<FileResult> out;
  for (const FileResult& f : files) {
    if (!f.ok()) out.push_back(f);
  }
  return out;
}

const TaskFuture& AsCompleted::iterator::operator*() const {
  std::unique_lock<std::mutex> lock(job_->mu);
  job_->cv.wait(lock, [this] { return job_->order.size() > position_; });
  current_ = job_->futures[job_->order[position_]];
  return current_;
}

AsCompleted::iterator AsCompleted::end() const {
  return iterator(job_, job_->futures.size());
}

const std::string& Job::id() const { return state_->id; }
size_t Job::size() const { return state_->futures.size(); }
const TaskFuture& Job::operator[](size_t index) const {
  return state_->futures.at(index);
}
const std::vector<TaskFuture>& Job::futures() const { return state_->futures; }
const std::vector<SkippedFile>& Job::skipped() const { return state_->skipped; }

bool Job::done() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->closed;
}

std::future_status Job::wait_for(std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lock(state_->mu);
  return state_->cv.wait_for(lock, timeout, [this] { return state_->closed; })
             ? std::future_status::ready
             : std::future_status::timeout;
}

JobResult Job::result() const {
  JobResult out;
  {
    std::unique_lock<std::mutex> lock(state_->mu);
    state_->cv.wait(lock, [this] { return state_->closed; });
    if (!state_->error.ok()) {
      throw Error(detail::ToPublic(state_->error.code()), "",
                  state_->error.message());
    }
    out.elapsed = state_->elapsed;
  }
  // Merged from the futures themselves, so the result always agrees with
  // what they say (a file cancelled here counts as cancelled even if its
  // scan finished on the way).
  out.job_id = state_->id;
  out.skipped = state_->skipped;
  common::HostSet hosts;
  common::HostCounts counts;
  out.files.reserve(state_->futures.size());
  for (const TaskFuture& f : state_->futures) {
    out.files.push_back(f.outcome());
    const FileResult& r = out.files.back();
    if (r.ok() || state_->merge_partial) {
      for (const std::string& h : r.hosts) hosts.Insert(h);
      for (const HostCount& c : r.counts) {
        common::HostTally tally;
        tally.count = c.count;
        tally.first = c.first;
        tally.last = c.last;
        counts.MergeHost(c.host, tally);
      }
    }
    out.totals.lines += r.stats.lines;
    out.totals.matches += r.stats.matches;
    out.totals.malformed += r.stats.malformed;
    out.totals.bytes_read += r.stats.bytes_read;
    out.totals.bytes_scanned += r.stats.bytes_scanned;
    out.totals.unreadable_method += r.stats.unreadable_method;
    out.totals.unreadable_status += r.stats.unreadable_status;
    out.totals.unreadable_time += r.stats.unreadable_time;
  }
  out.hosts = hosts.Sorted();
  for (auto& [host, tally] : counts.SortedByHost()) {
    out.counts.push_back(
        HostCount{std::move(host), tally.count, tally.first, tally.last});
  }
  return out;
}

AsCompleted Job::as_completed() const { return AsCompleted(state_); }

size_t Job::cancel() const {
  std::vector<uint64_t> cancelled;
  for (const TaskFuture& f : state_->futures) {
    if (detail::Resolve(
            f.state_,
            FileResult{
                f.path(), ErrorCode::kCancelled, "cancelled", {}, {}, 0, {}},
            true)) {
      cancelled.push_back(f.state_->task_id);
    }
  }
  size_t count = cancelled.size();
  if (count > 0) {
    if (auto core = state_->client.lock()) {
      core->Cancel(state_->id, std::move(cancelled));
    }
  }
  return count;
}

// ---- Client ----

Client::Client(std::string endpoint, ClientOptions options)
    : core_(
          std::make_shared<detail::ClientCore>(std::move(endpoint), options)) {}

Client::~Client() = default;

const std::string& Client::endpoint() const { return core_->endpoint(); }

Job Client::submit(const std::vector<std::string>& paths, const Query& query,
                   const JobOptions& options) {
  common::FindOptions find;
  find.include = options.find.include;
  find.exclude = options.find.exclude;
  find.all_files = options.find.all_files;
  auto found = common::FindFiles(paths, find);
  if (!found.ok()) {
    throw Error(detail::ToPublic(found.status().code()), "",
                found.status().message());
  }
  auto job = std::make_shared<detail::JobState>();
  job->merge_partial = options.merge_partial;
  job->client = core_;
  for (const common::SkippedEntry& s : found->skipped) {
    job->skipped.push_back(
        SkippedFile{s.path, std::string(common::SkipReasonName(s.reason)),
                    s.detail, s.directory});
  }
  common::SubmitJob submit;
  submit.query.key_field = query.key_field;
  submit.query.match_field = query.match_field;
  submit.query.match_value = query.match_value;
  submit.query.more_values = query.more_values;
  submit.query.path_prefix = query.path_prefix;
  submit.query.path_regex = query.path_regex;
  submit.query.count = query.count;
  for (const auto& [low, high] : query.statuses) {
    submit.query.statuses.push_back(common::StatusRange{low, high});
  }
  submit.query.methods = query.methods;
  if (query.since != 0) submit.query.since = query.since;
  if (query.until != 0) submit.query.until = query.until;
  // The method, time and status move with the path (vhost prefixes).
  const uint32_t path = query.match_field;
  submit.query.method_field = path >= 1 ? path - 1 : 0;
  submit.query.time_field = path >= 3 ? path - 3 : 0;
  submit.query.status_field = path + 2;
  if (common::Status s = common::ValidateQuery(submit.query); !s.ok()) {
    throw Error(ErrorCode::kInvalidArgument, "", s.message());
  }
  submit.merge_partial = options.merge_partial;
  submit.stream_files = true;
  submit.paths = found->files;
  job->futures.reserve(found->files.size() + found->errors.size());
  auto add_future = [&](const std::string& path) {
    auto file = std::make_shared<detail::FileState>();
    file->index = job->futures.size();
    file->result.path = path;
    file->job = job;
    file->callback_thread = core_->callbacks();
    job->futures.push_back(TaskFuture(file));
    return file;
  };
  // Files and path errors in argument order; the errors are done at once.
  auto error = found->errors.begin();
  for (size_t t = 0; t <= found->files.size(); ++t) {
    for (; error != found->errors.end() && error->files_before == t; ++error) {
      FileResult failed;
      failed.path = error->path;
      failed.code = detail::ToPublic(error->status.code());
      failed.error = error->status.message();
      detail::Resolve(add_future(error->path), std::move(failed), false);
    }
    if (t == found->files.size()) break;
    add_future(found->files[t])->task_id = t;
    job->task_futures.push_back(job->futures.size() - 1);
  }
  if (submit.paths.empty() && !paths.empty()) {
    // Every path failed here: nothing to send, the job is over.
    std::lock_guard<std::mutex> lock(job->mu);
    job->closed = true;
    return Job(std::move(job));
  }
  common::Status accepted = core_->Submit(job, std::move(submit));
  if (!accepted.ok()) {
    throw Error(detail::ToPublic(accepted.code()), "", accepted.message());
  }
  return Job(std::move(job));
}

std::vector<std::vector<std::string>> Client::map(
    const std::vector<std::string>& paths, const Query& query) {
  Job job = submit(paths, query);
  std::vector<std::vector<std::string>> out;
  out.reserve(job.size());
  for (const TaskFuture& f : job.futures()) out.push_back(f.result());
  return out;
}

std::vector<std::vector<HostCount>> Client::map_counts(
    const std::vector<std::string>& paths, Query query) {
  Job job = submit(paths, query.Count());
  std::vector<std::vector<HostCount>> out;
  out.reserve(job.size());
  for (const TaskFuture& f : job.futures()) {
    FileResult r = f.outcome();
    if (!r.ok()) throw Error(r.code, r.path, r.error);
    out.push_back(std::move(r.counts));
  }
  return out;
}

}  // namespace logsweep
