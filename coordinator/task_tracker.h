#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <list>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/base/clock.h"
#include "common/base/host_counts.h"
#include "common/base/host_set.h"
#include "common/base/query.h"
#include "common/base/scan_stats.h"
#include "common/base/status.h"
#include "common/transport/messages.h"

namespace logsweep::coordinator {

using common::TimePoint;

// Whether losing an attempt counts towards a task's max_attempts.
enum class Charge : uint8_t {
  kCharged,  // it reached a worker that then failed to answer
  kFree,     // it never reached a worker, or the worker left in good order
};

// The state of one task's future.
enum class TaskState : uint8_t { kPending, kRunning, kDone, kFailed };

// Jobs, their tasks' futures, the dispatch queue and the merge of results.
// Each task is PENDING -> RUNNING(attempt k) -> DONE | FAILED; a job is
// finished when all its tasks are. Exactly one outcome is accepted per task
// (the first valid one), so merged counts are exact even when a stale
// attempt answers late. Dispatch is round-robin between jobs, so a large
// job cannot starve a small one.
//
// Attempt numbers name each hand-out and only grow; separately, a task is
// charged for each attempt that reached a worker which then failed to
// answer (or answered UNAVAILABLE), and fails after max_attempts charges.
// A failure that may be the worker's own view of the file (NOT_FOUND,
// PERMISSION_DENIED, UNAVAILABLE) is confirmed on a different worker before
// the file fails; a success there contradicts the first worker (see
// OutcomeEffect). Owned by the coordinator's I/O thread.
class TaskTracker {
 public:
  explicit TaskTracker(uint32_t max_attempts);
  TaskTracker(const TaskTracker&) = delete;
  TaskTracker& operator=(const TaskTracker&) = delete;

  // 128 random bits in hex: job ids are capabilities, so not guessable.
  static std::string NewJobId();

  // Creates a job of one task per path, owned by `client` (a peer id), with
  // id `id` (empty: a new one), and returns its id. An empty job is
  // finished at once.
  std::string AddJob(std::string client, const common::SubmitJob& submit,
                     TimePoint now, std::string id = std::string());

  // Re-creates a job from the journal after a restart: `done` holds the
  // outcomes already recorded (not re-run, not re-recorded). `client` may be
  // empty (nobody attached yet). `started`: when it was submitted (its
  // elapsed time counts from then; default `now`). False if the id exists.
  bool RestoreJob(const std::string& id, std::string client,
                  const common::SubmitJob& submit,
                  const std::vector<common::TaskOutcome>& done, TimePoint now,
                  std::optional<TimePoint> started = std::nullopt);

  // Makes `client` the peer that hears about job `job_id` (a client
  // re-attaching with `logsweep wait`). With `stream_files`, and if the job
  // was submitted streaming, every file finished so far is reported again
  // by TakeFileOutcomes. Returns the job's task count, or nullopt: no such
  // unfinished job.
  std::optional<uint64_t> AttachClient(const std::string& job_id,
                                       std::string client,
                                       bool stream_files = false);

  // `client` is gone: its jobs run on with nobody attached.
  void DetachClient(const std::string& client);

  // Cancels tasks of a job (none listed: all): each one not finished yet
  // finishes now as Cancelled; a running attempt's answer will be stale.
  // Returns how many were cancelled, or nullopt: no such unfinished job.
  std::optional<uint64_t> Cancel(const std::string& job_id,
                                 const std::vector<uint64_t>& task_ids);

  // Files of streaming jobs finished since the last call, with the peer
  // that owns each job. Call before TakeFinished, which forgets the jobs.
  struct FilesToSend {
    std::string client;
    common::FilesDone files;
  };
  std::vector<FilesToSend> TakeFileOutcomes();

  // When on, every task's final outcome is kept for TakeCompletedTasks (the
  // coordinator journals them).
  void set_record_outcomes(bool on) { record_outcomes_ = on; }
  std::vector<common::TaskOutcome> TakeCompletedTasks();

  // The next pending task that may run on the worker with key `worker`
  // (empty: any), round-robin over jobs, now RUNNING with a new attempt
  // number; nullopt when none is pending for that worker. A task waiting
  // for its failure to be confirmed never goes to a worker that failed it,
  // and goes only to a `trusted` worker (one that has read files and has
  // had no failure of its own contradicted) unless ReviewUnconfirmed found
  // none to wait for.
  std::optional<common::TaskAssignment> TakeNext(
      const std::string& worker = std::string(), bool trusted = true);

  // Speculation: a copy of a straggler on another worker. The merge is an
  // idempotent union and the first answer of any attempt is accepted, so
  // a duplicate is safe; the slower answer is dropped as stale.
  struct SpeculationRule {
    // Only once this share of the job's tasks has finished and none waits
    // in its queue.
    double quantile = 0.75;
    // Only for a task running longer than this many times the median time
    // of the job's successful tasks (as measured, in powers of two)...
    double multiplier = 1.5;
    // ...and longer than this.
    std::chrono::milliseconds min_runtime{1000};
  };
  // The time an attempt of a task of `job_id` took, from send to a
  // successful answer: what Speculate compares against.
  void NoteRunTime(const std::string& job_id, std::chrono::nanoseconds took);
  // A copy of attempt `ref`, running for `running_for`, to send to another
  // worker: the task gets a new attempt and stays RUNNING, and both
  // attempts' answers count (the first wins). nullopt unless `rule` says
  // the task is a straggler, it still runs that attempt, and it has not
  // been copied before (one copy per task).
  std::optional<common::TaskAssignment> Speculate(
      const common::TaskRef& ref, std::chrono::nanoseconds running_for,
      const SpeculationRule& rule);

  enum class Accept { kAccepted, kStale, kUnknown };
  struct OutcomeEffect {
    Accept accept = Accept::kAccepted;
    // The outcome was a failure that may be local to its worker: the task
    // runs again on another worker before the file fails.
    bool awaiting_confirmation = false;
    // Workers (keys) that had failed this file in a way this outcome shows
    // was their own problem (e.g. NOT_FOUND, where this worker read it).
    std::vector<std::string> contradicted_workers;
    common::Status contradicted_status;
  };
  // Records the outcome of an attempt run by the worker with key `worker`.
  // kStale: the task already finished (late or duplicate reply, dropped).
  // kUnknown: no such job or task, or an attempt never handed out.
  OutcomeEffect OnOutcome(const common::TaskOutcome& outcome,
                          const std::string& worker = std::string());

  // The attempt `ref` lost its worker (dead, gone, timed out, stopped, or
  // never delivered). The task goes back to the queue, or, with a charge,
  // fails once it has been charged max_attempts times. No effect if the
  // task finished or has moved on to a later attempt. True when this loss
  // was charged (what Uncharge may withdraw).
  bool OnLost(const common::TaskRef& ref, const std::string& reason,
              Charge charge = Charge::kCharged);

  // Whether charging the loss of `ref` now would fail its task: it runs
  // under that attempt, one charge short of max_attempts.
  bool IsLastAttempt(const common::TaskRef& ref) const;

  // Withdraws one charge of `ref`'s task (any attempt), when the worker it
  // was charged for turned out alive: the same process came back. No
  // effect once the task finished, or when it has no charge.
  void Uncharge(const common::TaskRef& ref);

  // A worker reports holding `ref` that nobody runs (e.g. the coordinator
  // restarted): a pending task becomes RUNNING under that attempt, so it
  // is not handed out twice. Not an attempt older than the task's last
  // one (the task went on without it). False when nothing changed.
  bool Adopt(const common::TaskRef& ref);

  // Looks at every task waiting to be confirmed, given `view`, which
  // answers for a list of worker keys: `view.AnyOutside(keys)` (a worker
  // not in the list is registered) and `view.TrustedOutside(keys)` (a
  // trusted one is). With no other worker left, a NOT_FOUND or
  // PERMISSION_DENIED fails now (noted as not confirmed) and an UNAVAILABLE
  // may run on the same worker again. With no trusted worker to wait for,
  // and no other unfinished task (of any job) that could make one trusted,
  // any other worker may confirm it.
  template <class View>
  void ReviewUnconfirmed(const View& view);

  // Removes and returns every finished job with the peer that owns it.
  struct Finished {
    std::string client;
    common::JobResult result;  // without hosts: they are in `hosts`
    common::HostSet hosts;     // the merged hosts, unsorted
    // A --count job: the merged tallies of `hosts` (else empty).
    common::HostCounts counts;
    // Each file's hosts, for jobs submitted with stream_files (else empty),
    // and of a --count job their tallies (parallel to each file's hosts).
    std::vector<std::vector<std::string>> file_hosts;
    std::vector<std::vector<common::HostTally>> file_tallies;
  };
  std::vector<Finished> TakeFinished(TimePoint now);

  // Progress of every unfinished job, with the peer that owns it.
  struct Progress {
    std::string client;
    common::JobProgress progress;
  };
  std::vector<Progress> ProgressReports() const;

  // Every unfinished job (or only `job_id`'s), for `logsweep status`.
  std::vector<common::JobStatus> Statuses(const std::string& job_id,
                                          TimePoint now) const;

  size_t job_count() const { return jobs_.size(); }
  // The ids of the unfinished jobs, in no order.
  std::vector<std::string> JobIds() const;
  // The path and query of task `ref` (attempt ignored); nullopt for an
  // unknown job or task.
  std::optional<common::TaskAssignment> Describe(
      const common::TaskRef& ref) const;
  bool HasPending() const { return !ready_.empty(); }

 private:
  struct Task {
    std::string path;
    TaskState state = TaskState::kPending;
    uint32_t attempt = 0;     // attempts handed out so far
    uint8_t charged = 0;      // attempts lost to their worker's failure
    bool speculated = false;  // a copy was sent (see Speculate)
    common::Status status;
    common::ScanStats stats;
    std::vector<std::string> warnings;  // of the accepted outcome
  };
  // A failure that waits for another worker's word.
  struct Unconfirmed {
    std::vector<std::string> failed_by;  // keys of the workers that failed
    common::TaskOutcome outcome;         // the latest failure
    bool any_worker = false;  // no trusted worker to wait for (see Review)
  };
  struct Job {
    std::string id;
    std::string client;
    common::Query query;
    bool merge_partial = false;
    std::vector<Task> tasks;
    std::deque<uint64_t> pending;  // task ids; may hold finished ones
    // Pending tasks whose failure waits for a different worker: their ids
    // in queue order, and by id the failure to confirm.
    std::deque<uint64_t> confirm;
    std::unordered_map<uint64_t, Unconfirmed> unconfirmed;
    bool in_ready_ring = false;
    uint64_t finished = 0;
    uint64_t failed = 0;
    common::HostSet hosts;
    // --count: one tally per host of `hosts`, each file's merged once
    // (Complete runs once per task).
    common::HostCounts counts;
    common::ScanStats totals;
    TimePoint started;
    // Successful attempts' run times: how many took [2^i, 2^(i+1)) µs.
    std::array<uint32_t, 40> run_times{};
    uint64_t run_time_count = 0;
    uint64_t speculated = 0;  // tasks copied to a second worker
    // Streaming (SubmitJob.stream_files): each finished file's hosts are
    // kept until the job is reported, and finished task ids not yet sent
    // to the client wait in `unsent`.
    bool stream_files = false;
    bool client_streams = false;
    std::vector<std::vector<std::string>> file_hosts;
    std::vector<std::vector<common::HostTally>> file_tallies;  // --count
    std::vector<uint64_t> unsent;
  };

  Job* FindJob(const std::string& id);
  Job& CreateJob(const std::string& id, std::string client,
                 const common::SubmitJob& submit, TimePoint now);
  // The one way a task ends, DONE or FAILED: merge, count, maybe record.
  void Complete(Job& job, uint64_t task_id, const common::TaskOutcome& outcome);
  void MakePending(Job& job, uint64_t task_id);

  uint32_t max_attempts_;
  std::unordered_map<std::string, Job> jobs_;
  // Round-robin ring of ids of jobs that may have pending tasks.
  std::list<std::string> ready_;
  std::vector<std::string> finished_;     // ids of finished, unreported jobs
  std::vector<std::string> unsent_jobs_;  // jobs with files to stream
  bool record_outcomes_ = false;
  std::vector<common::TaskOutcome> completed_tasks_;
  size_t unconfirmed_count_ = 0;  // over all jobs
};

template <class View>
void TaskTracker::ReviewUnconfirmed(const View& view) {
  if (unconfirmed_count_ == 0) return;
  // Tasks not waiting for a confirmation and not finished, in any job:
  // while there are some, a worker not trusted yet may read one and become
  // trusted, so a confirmation can wait for it.
  uint64_t other_work = 0;
  for (const auto& [id, job] : jobs_) {
    other_work += job.tasks.size() - job.finished - job.unconfirmed.size();
  }
  for (auto& [id, job] : jobs_) {
    for (auto it = job.unconfirmed.begin(); it != job.unconfirmed.end();) {
      const uint64_t task_id = it->first;
      Unconfirmed& u = it->second;
      if (job.tasks[task_id].state != TaskState::kPending) {
        ++it;
        continue;
      }
      if (view.AnyOutside(u.failed_by)) {
        // Someone else can confirm it; a trusted worker if there is one,
        // or if one may still appear (other tasks of the job are waiting
        // and may be read by a worker that is not trusted yet).
        if (!u.any_worker && other_work == 0 &&
            !view.TrustedOutside(u.failed_by)) {
          u.any_worker = true;
        }
        ++it;
        continue;
      }
      common::TaskOutcome outcome = std::move(u.outcome);
      // Its id stays in `confirm`; TakeNext skips ids no longer waiting.
      it = job.unconfirmed.erase(it);
      --unconfirmed_count_;
      if (outcome.status.code() == common::StatusCode::kUnavailable) {
        // A transient error is simply retried where it can be.
        job.pending.push_front(task_id);
        continue;
      }
      outcome.status =
          common::Status(outcome.status.code(),
                         outcome.status.message() +
                             " (not confirmed: no other worker to try it on)");
      Complete(job, task_id, outcome);
    }
  }
}

}  // namespace logsweep::coordinator
