#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <list>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/host_set.h"
#include "common/messages.h"
#include "common/query.h"
#include "common/scan_stats.h"
#include "common/status.h"

namespace logsweep::coordinator {

using TimePoint = std::chrono::steady_clock::time_point;

// The state of one task's future.
enum class TaskState : uint8_t { kPending, kRunning, kDone, kFailed };

// Jobs, their tasks' futures, the dispatch queue and the merge of results.
// Each task is PENDING -> RUNNING(attempt k) -> DONE | FAILED; a job is
// finished when all its tasks are. Exactly one outcome is accepted per task
// (the first valid one), so merged counts are exact even when a stale
// attempt answers late. Dispatch is round-robin between jobs, so a large
// job cannot starve a small one. Owned by the coordinator's I/O thread.
class TaskTracker {
 public:
  explicit TaskTracker(uint32_t max_attempts);
  TaskTracker(const TaskTracker&) = delete;
  TaskTracker& operator=(const TaskTracker&) = delete;

  // Creates a job of one task per path, owned by `client` (a peer id) and
  // returns its id. An empty job is finished at once.
  std::string AddJob(std::string client, const common::SubmitJob& submit,
                     TimePoint now);

  // Re-creates a job from the journal after a restart: `done` holds the
  // outcomes already recorded (not re-run, not re-recorded). `client` may be
  // empty (nobody attached yet). False if the id exists.
  bool RestoreJob(const std::string& id, std::string client,
                  const common::SubmitJob& submit,
                  const std::vector<common::TaskOutcome>& done, TimePoint now);

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

  // The next pending task, round-robin over jobs, now RUNNING with its
  // attempt number incremented; nullopt when nothing is pending.
  std::optional<common::TaskAssignment> TakeNext();

  enum class Accept { kAccepted, kStale, kUnknown };
  // Records a worker's outcome. kStale: the task already finished (late or
  // duplicate reply, dropped). kUnknown: no such job or task, or an attempt
  // never handed out. An Unavailable error is retried while attempts remain.
  Accept OnOutcome(const common::TaskOutcome& outcome);

  // The attempt `ref` lost its worker (dead, or timed out). The task goes
  // back to the queue, or fails once it has used max_attempts. No effect
  // if the task finished or has moved on to a later attempt.
  void OnLost(const common::TaskRef& ref, const std::string& reason);

  // Removes and returns every finished job with the peer that owns it.
  struct Finished {
    std::string client;
    common::JobResult result;
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
  bool HasPending() const { return !ready_.empty(); }

 private:
  struct Task {
    std::string path;
    TaskState state = TaskState::kPending;
    uint32_t attempt = 0;  // attempts handed out so far
    common::Status status;
    common::ScanStats stats;
    std::vector<std::string> warnings;  // of the accepted outcome
  };
  struct Job {
    std::string id;
    std::string client;
    common::Query query;
    bool merge_partial = false;
    std::vector<Task> tasks;
    std::deque<uint64_t> pending;  // task ids; may hold finished ones
    bool in_ready_ring = false;
    uint64_t finished = 0;
    uint64_t failed = 0;
    common::HostSet hosts;
    common::ScanStats totals;
    TimePoint started;
    // Streaming (SubmitJob.stream_files): each finished file's hosts are
    // kept until the job is reported, and finished task ids not yet sent
    // to the client wait in `unsent`.
    bool stream_files = false;
    bool client_streams = false;
    std::vector<std::vector<std::string>> file_hosts;
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
};

}  // namespace logsweep::coordinator
