#include "coordinator/task_tracker.h"

#include <algorithm>
#include <cassert>
#include <cstdio>
#include <random>

namespace logsweep::coordinator {
namespace {

using common::Status;
using common::StatusCode;

}  // namespace

std::string TaskTracker::NewJobId() {
  std::random_device rd;
  char buf[33];
  for (int i = 0; i < 4; ++i) {
    std::snprintf(buf + 8 * i, 9, "%08x", static_cast<unsigned>(rd()));
  }
  return std::string(buf, 32);
}

TaskTracker::TaskTracker(uint32_t max_attempts) : max_attempts_(max_attempts) {
  assert(max_attempts_ >= 1 && "max_attempts must be at least 1");
}

std::string TaskTracker::AddJob(std::string client,
                                const common::SubmitJob& submit, TimePoint now,
                                std::string id) {
  if (id.empty()) id = NewJobId();
  while (jobs_.count(id)) id = NewJobId();
  CreateJob(id, std::move(client), submit, now);
  return id;
}

bool TaskTracker::RestoreJob(const std::string& id, std::string client,
                             const common::SubmitJob& submit,
                             const std::vector<common::TaskOutcome>& done,
                             TimePoint now, std::optional<TimePoint> started) {
  if (jobs_.count(id)) return false;
  Job& job = CreateJob(id, std::move(client), submit, now);
  if (started) job.started = *started;
  bool recording = record_outcomes_;
  record_outcomes_ = false;  // already durable
  for (const common::TaskOutcome& outcome : done) {
    if (outcome.ref.task_id >= job.tasks.size()) continue;
    if (job.tasks[outcome.ref.task_id].state != TaskState::kPending) continue;
    Complete(job, outcome.ref.task_id, outcome);
  }
  record_outcomes_ = recording;
  if (job.finished == job.tasks.size() && !job.tasks.empty()) {
    // Complete() queued it; nothing is left to dispatch.
    job.pending.clear();
  }
  return true;
}

std::optional<uint64_t> TaskTracker::AttachClient(const std::string& job_id,
                                                  std::string client,
                                                  bool stream_files) {
  Job* job = FindJob(job_id);
  if (job == nullptr) return std::nullopt;
  job->client = std::move(client);
  job->client_streams = stream_files && job->stream_files;
  if (job->client_streams) {
    // The new client may have missed any of them: send them all again.
    job->unsent.clear();
    for (uint64_t i = 0; i < job->tasks.size(); ++i) {
      TaskState state = job->tasks[i].state;
      if (state == TaskState::kDone || state == TaskState::kFailed) {
        job->unsent.push_back(i);
      }
    }
    if (!job->unsent.empty()) unsent_jobs_.push_back(job_id);
  }
  return job->tasks.size();
}

void TaskTracker::DetachClient(const std::string& client) {
  for (auto& [id, job] : jobs_) {
    if (job.client == client) job.client.clear();
  }
}

std::optional<uint64_t> TaskTracker::Cancel(
    const std::string& job_id, const std::vector<uint64_t>& task_ids) {
  Job* job = FindJob(job_id);
  if (job == nullptr) return std::nullopt;
  uint64_t cancelled = 0;
  auto cancel = [&](uint64_t task_id) {
    if (task_id >= job->tasks.size()) return;
    Task& task = job->tasks[task_id];
    if (task.state != TaskState::kPending && task.state != TaskState::kRunning)
      return;
    common::TaskOutcome outcome;
    outcome.ref = common::TaskRef{job->id, task_id, task.attempt};
    outcome.status = common::CancelledError("cancelled by a client");
    // A pending task stays in `pending`; TakeNext skips finished ones.
    Complete(*job, task_id, outcome);
    ++cancelled;
  };
  if (task_ids.empty()) {
    for (uint64_t i = 0; i < job->tasks.size(); ++i) cancel(i);
  } else {
    for (uint64_t id : task_ids) cancel(id);
  }
  return cancelled;
}

std::vector<TaskTracker::FilesToSend> TaskTracker::TakeFileOutcomes() {
  std::vector<FilesToSend> out;
  for (const std::string& id : unsent_jobs_) {
    Job* job = FindJob(id);
    if (job == nullptr || job->unsent.empty()) continue;
    FilesToSend send;
    send.client = job->client;
    send.files.job_id = id;
    send.files.files.reserve(job->unsent.size());
    for (uint64_t task_id : job->unsent) {
      const Task& task = job->tasks[task_id];
      send.files.files.push_back(common::FileOutcome{
          task_id,
          common::FileReport{task.path, task.status, task.stats, task.attempt,
                             task.warnings},
          job->file_hosts[task_id],
          job->query.count ? job->file_tallies[task_id]
                           : std::vector<common::HostTally>()});
    }
    job->unsent.clear();
    out.push_back(std::move(send));
  }
  unsent_jobs_.clear();
  return out;
}

std::vector<common::TaskOutcome> TaskTracker::TakeCompletedTasks() {
  std::vector<common::TaskOutcome> out;
  out.swap(completed_tasks_);
  return out;
}

TaskTracker::Job& TaskTracker::CreateJob(const std::string& id,
                                         std::string client,
                                         const common::SubmitJob& submit,
                                         TimePoint now) {
  Job& job = jobs_[id];
  job.id = id;
  job.client = std::move(client);
  job.query = submit.query;
  job.merge_partial = submit.merge_partial;
  job.started = now;
  job.stream_files = submit.stream_files;
  job.client_streams = submit.stream_files;
  if (job.stream_files) {
    job.file_hosts.resize(submit.paths.size());
    if (job.query.count) job.file_tallies.resize(submit.paths.size());
  }
  job.tasks.reserve(submit.paths.size());
  for (uint64_t i = 0; i < submit.paths.size(); ++i) {
    Task& task = job.tasks.emplace_back();
    task.path = submit.paths[i];
    job.pending.push_back(i);
  }
  if (job.tasks.empty()) {
    finished_.push_back(id);
  } else {
    job.in_ready_ring = true;
    ready_.push_back(id);
  }
  return job;
}

TaskTracker::Job* TaskTracker::FindJob(const std::string& id) {
  auto it = jobs_.find(id);
  return it == jobs_.end() ? nullptr : &it->second;
}

std::optional<common::TaskAssignment> TaskTracker::TakeNext(
    const std::string& worker, bool trusted) {
  // Each job in the ring gets at most one look per call: a job whose only
  // pending tasks must go to another worker stays in the ring for them.
  for (size_t looks = ready_.size(); looks > 0 && !ready_.empty(); --looks) {
    std::string id = std::move(ready_.front());
    ready_.pop_front();
    Job* job = FindJob(id);
    if (job == nullptr) continue;
    std::optional<uint64_t> task_id;
    for (auto it = job->confirm.begin(); it != job->confirm.end();) {
      const uint64_t candidate = *it;
      auto unconfirmed = job->unconfirmed.find(candidate);
      if (job->tasks[candidate].state != TaskState::kPending ||
          unconfirmed == job->unconfirmed.end()) {
        it = job->confirm.erase(it);  // finished, or no longer waiting
        continue;
      }
      const Unconfirmed& u = unconfirmed->second;
      const bool failed_here =
          !worker.empty() && std::find(u.failed_by.begin(), u.failed_by.end(),
                                       worker) != u.failed_by.end();
      if (failed_here || (!trusted && !u.any_worker)) {
        ++it;
        continue;
      }
      task_id = candidate;
      job->confirm.erase(it);
      break;
    }
    while (!task_id && !job->pending.empty()) {
      uint64_t candidate = job->pending.front();
      job->pending.pop_front();
      if (job->tasks[candidate].state == TaskState::kPending) {
        task_id = candidate;
      }
    }
    if (job->pending.empty() && job->confirm.empty()) {
      job->in_ready_ring = false;
    } else {
      ready_.push_back(id);  // next turn goes to the next job
    }
    if (!task_id) continue;
    Task& task = job->tasks[*task_id];
    task.state = TaskState::kRunning;
    ++task.attempt;
    return common::TaskAssignment{
        common::TaskRef{job->id, *task_id, task.attempt}, task.path, job->query,
        std::nullopt};
  }
  return std::nullopt;
}

void TaskTracker::MakePending(Job& job, uint64_t task_id) {
  job.tasks[task_id].state = TaskState::kPending;
  // Retries go first: they are the job's oldest work.
  if (job.unconfirmed.count(task_id)) {
    job.confirm.push_back(task_id);
  } else {
    job.pending.push_front(task_id);
  }
  if (!job.in_ready_ring) {
    job.in_ready_ring = true;
    ready_.push_back(job.id);
  }
}

void TaskTracker::Complete(Job& job, uint64_t task_id,
                           const common::TaskOutcome& outcome) {
  Task& task = job.tasks[task_id];
  task.stats = outcome.stats;
  task.warnings = outcome.warnings;
  job.totals.Add(outcome.stats);
  if (auto it = job.unconfirmed.find(task_id); it != job.unconfirmed.end()) {
    job.unconfirmed.erase(it);
    --unconfirmed_count_;
  }
  // A --count job's hosts and counts hold the same hosts; an answer with
  // hosts but no tallies (a peer's bug) fails its file rather than print
  // hosts without counts.
  const bool untallied =
      job.query.count && outcome.counts.size() != outcome.hosts.size();
  if (outcome.status.ok() && !untallied) {
    task.state = TaskState::kDone;
    job.hosts.Merge(outcome.hosts);
    if (job.query.count) job.counts.Merge(outcome.counts);
  } else {
    // A failure keeps the stats of what was read, and its partial hosts
    // only when the job asked for them.
    task.state = TaskState::kFailed;
    task.status = outcome.status.ok()
                      ? common::InternalError(
                            "--count: the worker sent hosts without their "
                            "counts")
                      : outcome.status;
    if (job.merge_partial && !untallied) {
      job.hosts.Merge(outcome.hosts);
      if (job.query.count) job.counts.Merge(outcome.counts);
    }
    ++job.failed;
  }
  task.attempt = std::max(task.attempt, outcome.ref.attempt);
  if (job.stream_files) {
    if (untallied) {
      job.file_hosts[task_id].clear();
    } else if (job.query.count) {
      std::vector<std::string>& hosts = job.file_hosts[task_id];
      std::vector<common::HostTally>& tallies = job.file_tallies[task_id];
      hosts.clear();
      tallies.clear();
      for (auto& [host, tally] : outcome.counts.SortedByHost()) {
        hosts.push_back(std::move(host));
        tallies.push_back(tally);
      }
    } else {
      job.file_hosts[task_id] = outcome.hosts.Sorted();
    }
    if (job.client_streams) {
      if (job.unsent.empty()) unsent_jobs_.push_back(job.id);
      job.unsent.push_back(task_id);
    }
  }
  if (record_outcomes_) {
    completed_tasks_.push_back(outcome);
    completed_tasks_.back().ref =
        common::TaskRef{job.id, task_id, task.attempt};
  }
  if (++job.finished == job.tasks.size()) finished_.push_back(job.id);
}

namespace {

// A failure that may be the worker's own view of the file rather than the
// file's: another worker may well read it.
bool MayBeLocal(StatusCode code) {
  return code == StatusCode::kNotFound ||
         code == StatusCode::kPermissionDenied ||
         code == StatusCode::kUnavailable;
}

}  // namespace

TaskTracker::OutcomeEffect TaskTracker::OnOutcome(
    const common::TaskOutcome& outcome, const std::string& worker) {
  OutcomeEffect effect;
  Job* job = FindJob(outcome.ref.job_id);
  if (job == nullptr || outcome.ref.task_id >= job->tasks.size()) {
    effect.accept = Accept::kUnknown;
    return effect;
  }
  const uint64_t task_id = outcome.ref.task_id;
  Task& task = job->tasks[task_id];
  if (outcome.ref.attempt == 0 || outcome.ref.attempt > task.attempt) {
    effect.accept = Accept::kUnknown;
    return effect;
  }
  if (task.state == TaskState::kDone || task.state == TaskState::kFailed) {
    effect.accept = Accept::kStale;
    return effect;
  }
  // The task is running (this or a later attempt) or was requeued after its
  // worker was presumed dead: the first valid answer wins either way.
  const StatusCode code = outcome.status.code();
  auto earlier = job->unconfirmed.find(task_id);
  const bool by_other =
      earlier != job->unconfirmed.end() &&
      (worker.empty() || std::find(earlier->second.failed_by.begin(),
                                   earlier->second.failed_by.end(),
                                   worker) == earlier->second.failed_by.end());
  if (!outcome.status.ok() && MayBeLocal(code)) {
    // Only the attempt now running decides what happens next; an older
    // attempt's complaint is moot once the task has moved on.
    if (task.state != TaskState::kRunning ||
        outcome.ref.attempt != task.attempt) {
      return effect;
    }
    const bool transient = code == StatusCode::kUnavailable;
    const bool agreed =
        by_other && !transient &&
        earlier->second.outcome.status.code() != StatusCode::kUnavailable;
    if (agreed || (transient && ++task.charged >= max_attempts_)) {
      // Two workers could not read it (the second trusted, or the best
      // there was), or transient errors used up its attempts: it fails.
      Complete(*job, task_id, outcome);
      return effect;
    }
    // Try it on another worker before the file fails.
    if (earlier == job->unconfirmed.end()) {
      earlier = job->unconfirmed.emplace(task_id, Unconfirmed{}).first;
      ++unconfirmed_count_;
    }
    Unconfirmed& u = earlier->second;
    if (!worker.empty() && std::find(u.failed_by.begin(), u.failed_by.end(),
                                     worker) == u.failed_by.end()) {
      u.failed_by.push_back(worker);
    }
    u.outcome = outcome;
    effect.awaiting_confirmation = true;
    MakePending(*job, task_id);
    return effect;
  }
  if (earlier != job->unconfirmed.end() && by_other) {
    // Another worker read the file that these could not: their failures
    // were their own.
    effect.contradicted_workers = earlier->second.failed_by;
    effect.contradicted_status = earlier->second.outcome.status;
  }
  Complete(*job, task_id, outcome);
  return effect;
}

void TaskTracker::NoteRunTime(const std::string& job_id,
                              std::chrono::nanoseconds took) {
  Job* job = FindJob(job_id);
  if (job == nullptr) return;
  auto us = static_cast<uint64_t>(std::max<int64_t>(
      1, std::chrono::duration_cast<std::chrono::microseconds>(took).count()));
  size_t bucket =
      std::min<size_t>(63 - __builtin_clzll(us), job->run_times.size() - 1);
  ++job->run_times[bucket];
  ++job->run_time_count;
}

std::optional<common::TaskAssignment> TaskTracker::Speculate(
    const common::TaskRef& ref, std::chrono::nanoseconds running_for,
    const SpeculationRule& rule) {
  Job* job = FindJob(ref.job_id);
  if (job == nullptr || ref.task_id >= job->tasks.size()) return std::nullopt;
  Task& task = job->tasks[ref.task_id];
  if (task.state != TaskState::kRunning || task.attempt != ref.attempt ||
      task.speculated || job->run_time_count == 0) {
    return std::nullopt;
  }
  if (static_cast<double>(job->finished) <
      rule.quantile * static_cast<double>(job->tasks.size())) {
    return std::nullopt;
  }
  // Work still queued goes first (Dispatch empties the ring of ids that
  // no longer wait before an idle worker is looked for).
  if (job->in_ready_ring) return std::nullopt;
  // The median's bucket, taken at its upper end: never below the median.
  uint64_t seen = 0;
  size_t bucket = 0;
  while (bucket + 1 < job->run_times.size() &&
         (seen += job->run_times[bucket]) * 2 < job->run_time_count) {
    ++bucket;
  }
  const std::chrono::microseconds median_bound(uint64_t{2} << bucket);
  const auto threshold = std::max<std::chrono::nanoseconds>(
      rule.min_runtime, std::chrono::duration_cast<std::chrono::nanoseconds>(
                            median_bound * rule.multiplier));
  if (running_for <= threshold) return std::nullopt;
  task.speculated = true;
  ++job->speculated;
  ++task.attempt;
  return common::TaskAssignment{
      common::TaskRef{job->id, ref.task_id, task.attempt}, task.path,
      job->query, std::nullopt};
}

std::optional<common::TaskAssignment> TaskTracker::Describe(
    const common::TaskRef& ref) const {
  auto it = jobs_.find(ref.job_id);
  if (it == jobs_.end() || ref.task_id >= it->second.tasks.size()) {
    return std::nullopt;
  }
  return common::TaskAssignment{ref, it->second.tasks[ref.task_id].path,
                                it->second.query, std::nullopt};
}

bool TaskTracker::Adopt(const common::TaskRef& ref) {
  Job* job = FindJob(ref.job_id);
  if (job == nullptr || ref.task_id >= job->tasks.size() || ref.attempt == 0) {
    return false;
  }
  Task& task = job->tasks[ref.task_id];
  // An attempt older than the last one sent is stale: the task went on to
  // another worker (and came back). Adopted, it would run under a newer
  // attempt than the one held, which no loss or answer of this holder
  // matches: stranded. It stays pending; the stale copy's answer, if it
  // comes, counts as any late answer. A newer attempt than ours is one
  // sent before a restart.
  if (task.state != TaskState::kPending || ref.attempt < task.attempt) {
    return false;
  }
  // It stays in its queue; TakeNext skips tasks that are not pending.
  task.state = TaskState::kRunning;
  task.attempt = ref.attempt;
  return true;
}

bool TaskTracker::OnLost(const common::TaskRef& ref, const std::string& reason,
                         Charge charge) {
  Job* job = FindJob(ref.job_id);
  if (job == nullptr || ref.task_id >= job->tasks.size()) return false;
  Task& task = job->tasks[ref.task_id];
  if (task.state != TaskState::kRunning || task.attempt != ref.attempt) {
    return false;
  }
  if (charge == Charge::kCharged && ++task.charged >= max_attempts_) {
    common::TaskOutcome outcome;
    outcome.ref = ref;
    outcome.status = common::UnavailableError(
        reason + " (gave up after " + std::to_string(task.charged) +
        " attempts lost with their workers)");
    Complete(*job, ref.task_id, outcome);
    return true;
  }
  MakePending(*job, ref.task_id);
  return charge == Charge::kCharged;
}

bool TaskTracker::IsLastAttempt(const common::TaskRef& ref) const {
  auto it = jobs_.find(ref.job_id);
  if (it == jobs_.end() || ref.task_id >= it->second.tasks.size()) {
    return false;
  }
  const Task& task = it->second.tasks[ref.task_id];
  return task.state == TaskState::kRunning && task.attempt == ref.attempt &&
         task.charged + 1 >= max_attempts_;
}

void TaskTracker::Uncharge(const common::TaskRef& ref) {
  Job* job = FindJob(ref.job_id);
  if (job == nullptr || ref.task_id >= job->tasks.size()) return;
  Task& task = job->tasks[ref.task_id];
  if (task.state != TaskState::kPending && task.state != TaskState::kRunning) {
    return;
  }
  if (task.charged > 0) --task.charged;
}

std::vector<TaskTracker::Finished> TaskTracker::TakeFinished(TimePoint now) {
  std::vector<Finished> out;
  for (const std::string& id : finished_) {
    auto it = jobs_.find(id);
    if (it == jobs_.end()) continue;
    Job& job = it->second;
    Finished f;
    f.client = job.client;
    f.result.job_id = job.id;
    f.hosts = std::move(job.hosts);
    f.counts = std::move(job.counts);
    f.result.totals = job.totals;
    f.result.query = common::QueryText(job.query);
    f.result.counted = job.query.count;
    f.result.speculated = job.speculated;
    f.result.elapsed_us = static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::microseconds>(now - job.started)
            .count());
    f.result.files.reserve(job.tasks.size());
    for (Task& task : job.tasks) {
      f.result.files.push_back(common::FileReport{
          std::move(task.path), std::move(task.status), task.stats,
          task.attempt, std::move(task.warnings)});
    }
    f.file_hosts = std::move(job.file_hosts);
    f.file_tallies = std::move(job.file_tallies);
    out.push_back(std::move(f));
    jobs_.erase(it);  // its id may linger in ready_; TakeNext skips it
  }
  finished_.clear();
  return out;
}

std::vector<TaskTracker::Progress> TaskTracker::ProgressReports() const {
  std::vector<Progress> out;
  out.reserve(jobs_.size());
  for (const auto& [id, job] : jobs_) {
    common::JobProgress p;
    p.job_id = id;
    p.total = job.tasks.size();
    p.done = job.finished;
    p.failed = job.failed;
    p.bytes_scanned = job.totals.bytes_scanned;
    p.speculated = job.speculated;
    out.push_back(Progress{job.client, std::move(p)});
  }
  return out;
}

std::vector<std::string> TaskTracker::JobIds() const {
  std::vector<std::string> ids;
  ids.reserve(jobs_.size());
  for (const auto& [id, job] : jobs_) ids.push_back(id);
  return ids;
}

std::vector<common::JobStatus> TaskTracker::Statuses(const std::string& job_id,
                                                     TimePoint now) const {
  std::vector<common::JobStatus> out;
  for (auto& p : ProgressReports()) {
    if (!job_id.empty() && p.progress.job_id != job_id) continue;
    const Job& job = jobs_.at(p.progress.job_id);
    common::JobStatus status;
    status.progress = std::move(p.progress);
    status.elapsed_ms = static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::milliseconds>(now - job.started)
            .count());
    status.client_attached = !job.client.empty();
    status.query = common::QueryText(job.query);
    out.push_back(std::move(status));
  }
  return out;
}

}  // namespace logsweep::coordinator
