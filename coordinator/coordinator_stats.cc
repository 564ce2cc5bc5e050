#include "coordinator/coordinator_stats.h"

#include <chrono>
#include <utility>

namespace logsweep::coordinator {
namespace {

template <class T>
void PushBounded(std::deque<T>& list, T item, size_t limit) {
  list.push_back(std::move(item));
  while (list.size() > limit) list.pop_front();
}

}  // namespace

void Histogram::Observe(double value) {
  size_t i = 0;
  while (i < size_ && value > bounds_[i]) ++i;
  ++counts_[i];
  ++count_;
  sum_ += value;
}

void CoordinatorStats::NoteDispatch(const std::string& job_id, uint64_t task_id,
                                    TimePoint now) {
  ++c_.tasks_dispatched;
  if (time_tasks_) dispatched_at_[job_id][task_id] = now;
}

void CoordinatorStats::NoteOutcome(const std::string& job_id, uint64_t task_id,
                                   const common::Status& status,
                                   const common::ScanStats& stats,
                                   TimePoint now) {
  if (status.ok()) {
    ++c_.tasks_succeeded;
  } else {
    ++c_.tasks_failed[std::string(common::StatusCodeName(status.code()))];
  }
  c_.scanned.Add(stats);
  auto job = dispatched_at_.find(job_id);
  if (job == dispatched_at_.end()) return;
  auto task = job->second.find(task_id);
  if (task == job->second.end()) return;
  c_.task_seconds.Observe(
      std::chrono::duration<double>(now - task->second).count());
  job->second.erase(task);
}

void CoordinatorStats::NoteFailure(FailureRecord record) {
  PushBounded(c_.failures, std::move(record),
              CoordinatorCounters::kMaxFailures);
}

void CoordinatorStats::NoteJob(JobRecord record) {
  dispatched_at_.erase(record.job_id);
  if (record.state == "cancelled") {
    ++c_.jobs_cancelled;
  } else if (record.state == "failed") {
    ++c_.jobs_failed;
  } else {
    ++c_.jobs_done;
  }
  PushBounded(c_.jobs, std::move(record), CoordinatorCounters::kMaxJobs);
}

void CoordinatorStats::NoteGone(GoneWorker worker) {
  ++c_.workers_lost;
  PushBounded(c_.gone, std::move(worker), CoordinatorCounters::kMaxGone);
}

}  // namespace logsweep::coordinator
