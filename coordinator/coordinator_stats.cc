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

void CoordinatorStats::NoteOutcome(const common::Status& status,
                                   const common::ScanStats& stats,
                                   std::optional<TimePoint::duration> took) {
  if (status.ok()) {
    ++c_.tasks_succeeded;
  } else {
    ++c_.tasks_failed[std::string(common::StatusCodeName(status.code()))];
  }
  c_.scanned.Add(stats);
  if (took) {
    c_.task_seconds.Observe(std::chrono::duration<double>(*took).count());
  }
}

void CoordinatorStats::NoteFailure(FailureRecord record) {
  PushBounded(c_.failures, std::move(record),
              CoordinatorCounters::kMaxFailures);
}

void CoordinatorStats::NoteJob(JobRecord record) {
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
