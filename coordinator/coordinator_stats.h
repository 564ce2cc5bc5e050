#pragma once

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>

#include "common/base/clock.h"
#include "common/base/scan_stats.h"
#include "common/base/status.h"

namespace logsweep::coordinator {

using common::TimePoint;

// A Prometheus-style histogram with fixed upper bounds (cumulative counts
// are computed when rendered). A value type; not thread-safe.
class Histogram {
 public:
  static constexpr size_t kMaxBuckets = 16;
  // `bounds`: ascending upper bounds, at most kMaxBuckets; +Inf is implied.
  template <size_t N>
  explicit Histogram(const std::array<double, N>& bounds) : size_(N) {
    static_assert(N <= kMaxBuckets);
    for (size_t i = 0; i < N; ++i) bounds_[i] = bounds[i];
  }
  void Observe(double value);

  size_t size() const { return size_; }  // finite buckets
  double bound(size_t i) const { return bounds_[i]; }
  // Observations <= bound(i), not cumulative; index size() is +Inf.
  uint64_t bucket(size_t i) const { return counts_[i]; }
  uint64_t count() const { return count_; }
  double sum() const { return sum_; }

 private:
  std::array<double, kMaxBuckets> bounds_{};
  std::array<uint64_t, kMaxBuckets + 1> counts_{};
  size_t size_;
  uint64_t count_ = 0;
  double sum_ = 0;
};

// A file that failed, for the status page's "recent failures".
struct FailureRecord {
  std::string job_id;
  std::string path;
  std::string reason;
  TimePoint at;
};

// A finished job, for the page's history (since this coordinator started).
struct JobRecord {
  std::string job_id;
  std::string state;  // "done", "failed" (some files failed), "cancelled"
  uint64_t files = 0;
  uint64_t failed = 0;
  uint64_t bytes_scanned = 0;
  uint64_t matches = 0;
  std::chrono::microseconds elapsed{0};
  TimePoint finished_at;
};

// A worker that left the registry, for the page ("gone" workers).
struct GoneWorker {
  std::string name;
  std::string reason;
  TimePoint at;
};

// What the coordinator has counted, as published in snapshots: a value.
// Bounded: every list keeps its newest entries.
struct CoordinatorCounters {
  static constexpr size_t kMaxFailures = 50;
  static constexpr size_t kMaxJobs = 200;
  static constexpr size_t kMaxGone = 100;
  static constexpr std::array<double, 10> kMessageBounds = {
      64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216};
  static constexpr std::array<double, 12> kLatencyBounds = {
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5};
  static constexpr std::array<double, 12> kTaskBounds = {
      0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10, 60, 300};

  uint64_t jobs_submitted = 0;
  uint64_t jobs_done = 0;
  uint64_t jobs_failed = 0;  // finished with some files failed
  uint64_t jobs_cancelled = 0;
  uint64_t tasks_dispatched = 0;
  uint64_t tasks_succeeded = 0;
  // Attempts lost with their worker (dead, gone, stopped, undelivered) or
  // timed out: each goes back to the queue, or fails on its last charge.
  uint64_t tasks_retried = 0;
  // Copies of stragglers run on an idle worker (speculation).
  uint64_t tasks_speculated = 0;
  uint64_t results_stale = 0;  // late or duplicate answers dropped
  std::map<std::string, uint64_t> tasks_failed;  // by status code name
  common::ScanStats scanned;                     // accepted outcomes only
  uint64_t workers_registered = 0;               // hellos of new workers
  uint64_t workers_lost = 0;                     // dropped as dead or gone
  uint64_t journal_pruned_jobs = 0;
  Histogram message_in_bytes{kMessageBounds};
  Histogram message_out_bytes{kMessageBounds};
  Histogram journal_commit_seconds{kLatencyBounds};
  Histogram journal_prune_seconds{kLatencyBounds};
  double journal_prune_max_seconds = 0;  // the longest batch
  Histogram task_seconds{kTaskBounds};
  std::deque<FailureRecord> failures;
  std::deque<JobRecord> jobs;
  std::deque<GoneWorker> gone;
};

// Counts what the coordinator does, for /metrics and the status page, so
// that coordinator.cc calls one method per event and nothing else. Owns
// its counters; the HTTP thread sees copies of them in published snapshots
// only. Owned by the coordinator's I/O thread.
class CoordinatorStats {
 public:
  const CoordinatorCounters& counters() const { return c_; }

  void NoteSubmit() { ++c_.jobs_submitted; }
  void NoteMessageIn(size_t bytes) { c_.message_in_bytes.Observe(bytes); }
  void NoteMessageOut(size_t bytes) { c_.message_out_bytes.Observe(bytes); }
  void NoteDispatch() { ++c_.tasks_dispatched; }
  // An accepted outcome (success or failure) of an attempt; `took`: from
  // its dispatch to its answer, when known (the worker registry keeps each
  // attempt's send time, so nothing per task is kept here).
  void NoteOutcome(const common::Status& status, const common::ScanStats& stats,
                   std::optional<TimePoint::duration> took);
  void NoteStale() { ++c_.results_stale; }
  void NoteRetried(size_t attempts) { c_.tasks_retried += attempts; }
  void NoteSpeculated() { ++c_.tasks_speculated; }
  void NoteWorkerRegistered() { ++c_.workers_registered; }
  void NoteGone(GoneWorker worker);
  void NoteFailure(FailureRecord record);
  void NoteJob(JobRecord record);
  void NoteJournalCommit(std::chrono::duration<double> took) {
    c_.journal_commit_seconds.Observe(took.count());
  }
  void NoteJournalPrune(std::chrono::duration<double> took) {
    c_.journal_prune_seconds.Observe(took.count());
    c_.journal_prune_max_seconds =
        std::max(c_.journal_prune_max_seconds, took.count());
  }
  void NotePruned(uint64_t jobs) { c_.journal_pruned_jobs += jobs; }

 private:
  CoordinatorCounters c_;
};

}  // namespace logsweep::coordinator
