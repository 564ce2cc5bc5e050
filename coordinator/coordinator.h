#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <queue>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "common/base/clock.h"
#include "common/base/log_limiter.h"
#include "coordinator/coordinator_stats.h"
#include "coordinator/job_journal.h"
#include "coordinator/result_cache.h"
#include "coordinator/status_snapshot.h"
#include "coordinator/task_tracker.h"
#include "coordinator/worker_registry.h"

namespace logsweep::coordinator {

struct CoordinatorConfig {
  // Heartbeats both ways, every interval (50 ms .. 60 s).
  std::chrono::milliseconds heartbeat_interval{1000};
  // Missed intervals before a worker is dead (2 .. 100).
  uint32_t liveness = 3;
  // Attempts per task lost with their workers before the task fails
  // (1 .. 100). Attempts that never reached a worker are not counted.
  uint32_t max_attempts = 3;
  // Tasks sent to a worker beyond its slots: at least `prefetch` (0 .. 64),
  // up to `max_prefetch` (prefetch .. 256) while its tasks are so short
  // that `prefetch_target` of work fits in more (see WorkerRegistry).
  uint32_t prefetch = 1;
  uint32_t max_prefetch = 16;
  std::chrono::milliseconds prefetch_target{50};
  // How often each client hears about its job's progress (50 ms .. 60 s).
  std::chrono::milliseconds progress_interval{500};
  // A task running longer than this on one worker is handed to another
  // (the worker keeps the slot until it answers). Zero disables it.
  std::chrono::milliseconds task_timeout{std::chrono::minutes(5)};
  // Largest job accepted, in files.
  size_t max_paths_per_job = 10'000'000;
  // Unfinished jobs one client may have at once (1 .. 100000); one more is
  // rejected, so a client cannot grow the job table without bound.
  size_t max_jobs_per_client = 64;
  // Files a worker must fail (NOT_FOUND, PERMISSION_DENIED, UNAVAILABLE)
  // that other workers then read before it is quarantined (1 .. 1000), and
  // for how long it then gets no tasks.
  uint32_t quarantine_strikes = 3;
  std::chrono::milliseconds quarantine_duration{std::chrono::minutes(10)};
  // Finished jobs kept in memory for `wait` and `status` (also without
  // --state): the newest `max_finished_jobs` (0 .. 10000), each for
  // `finished_retention`.
  std::chrono::milliseconds finished_retention{std::chrono::minutes(10)};
  size_t max_finished_jobs = 64;
  // Largest piece of a result in one message, in bytes (4 KiB .. 64 MiB).
  size_t result_part_bytes = 4 << 20;
  // How long a finished job stays in the journal (--state), counted from
  // when it finished (wall clock); then it and its task records are
  // deleted, a bounded batch per turn of the loop, so the journal stays
  // bounded. kKeepJobsForever: never. Zero: as soon as it finished.
  static constexpr std::chrono::milliseconds kKeepJobsForever =
      std::chrono::milliseconds::max();
  std::chrono::milliseconds keep_journal_jobs{std::chrono::hours(72)};
  // Task records deleted (or free pages given back) per batch of
  // retention: bounds how long one batch holds up the loop.
  size_t prune_batch_rows = 2000;
  // A copy of a straggler runs on an idle worker (see
  // TaskTracker::SpeculationRule); false: never.
  bool speculation = true;
  TaskTracker::SpeculationRule speculation_rule;
};

// The client identity of peers that carry neither a CURVE key nor an IP
// address (ipc, inproc): they share one job quota.
inline constexpr char kLocalClient[] = "local";

// A message to send: on which socket, to which peer, what bytes, and the
// task attempts it hands out (so a send that fails can put them back).
struct Outgoing {
  enum class Socket { kWorkers, kClients };
  Socket socket;
  std::string peer;
  std::string payload;
  std::vector<common::TaskRef> tasks;
};

// A send that did not go out: `status` is Unavailable when the peer is gone
// (its connection closed), ResourceExhausted when its queue is full or the
// message is over the size limit.
struct SendFailure {
  Outgoing message;
  common::Status status;
};

// The coordinator's logic without sockets: handlers take one decoded event
// and the time, and queue messages to send in an outbox, so tests drive it
// directly with no network and no sleeps. Owns the task tracker and worker
// registry; borrows the journal. Owned by the I/O thread.
// Instances of dead workers whose charges are remembered (Coordinator::
// DropWorker) at most; beyond, they are forgotten (the charges stand).
inline constexpr size_t kMaxChargedInstances = 100000;

class Coordinator {
 public:
  // `journal` (borrowed, may be null) makes jobs and results durable.
  explicit Coordinator(CoordinatorConfig config, JobJournal* journal = nullptr);
  Coordinator(const Coordinator&) = delete;
  Coordinator& operator=(const Coordinator&) = delete;

  // A message from a worker peer. One that cannot be decoded (wrong
  // endpoint, wrong version, malformed) is logged and answered with
  // Refused, at most once per heartbeat interval per peer.
  void OnWorkerMessage(const std::string& peer, std::string_view payload,
                       TimePoint now);
  // A message from a client peer; one that cannot be decoded is answered
  // with Refused. `client` names who sent it for the per-client job limit:
  // the CURVE public key when on, else the peer's IP address, else
  // kLocalClient. `label` names the peer in the log (its address, and
  // CURVE key); empty: its peer id in hex.
  void OnClientMessage(const std::string& peer, std::string_view payload,
                       TimePoint now, const std::string& client = kLocalClient,
                       const std::string& label = {});
  // Heartbeats, expiry of silent workers, progress reports, the next
  // pieces of results being sent. Call at least by NextDeadline().
  void OnTick(TimePoint now);
  // Sends of one outbox that did not go out. Tasks they carried go back to
  // the queue without charging an attempt; a worker that is gone is
  // dropped (its other tasks, delivered earlier, are charged); a client
  // that is gone is detached from its jobs.
  void OnSendsFailed(const std::vector<SendFailure>& failures, TimePoint now);
  // No message was waiting on the workers socket at `now`: silence is
  // judged only up to the last such time, so a worker whose messages wait
  // unread behind a backlog is never declared dead.
  void OnWorkersDrained(TimePoint now);
  // The loop did not run for `gap` before `now` (the process was stopped,
  // the machine paused, or a handler ran long). Right after such a stall,
  // "nothing waiting" cannot be trusted (the messages may not have reached
  // the socket yet), so no worker is judged for one expiry period.
  void OnStall(std::chrono::milliseconds gap, TimePoint now);

  // The process is stopping. Without a journal its unfinished jobs are
  // lost: each attached client is told its job is gone (Refused, NotFound).
  // Returns the number of such messages queued.
  size_t OnShutdown();

  // Resumes the journal's unfinished jobs (after a restart). Errors: the
  // journal's (Unavailable, DataLoss).
  common::Status Restore(TimePoint now);
  // Makes the outcomes of the tasks finished so far durable; one batch per
  // call, retried at most once a second after a failure; then, with nothing
  // pending, one bounded batch of retention (--keep-jobs) when one is due.
  // Errors: Unavailable (the journal cannot be written; nothing is lost,
  // the next call tries again).
  common::Status CommitJournal(TimePoint now);

  // Serves and fills `cache` (borrowed, outlives this; null: none): a task
  // whose file has an entry carries the file's identity then, and a worker
  // that finds the file unchanged is answered from the entry
  // (docs/cache.md).
  // Files smaller than `min_file_bytes` are not cached (Task.cache_min_bytes).
  void UseCache(ResultCache* cache,
                uint64_t min_file_bytes = kDefaultCacheMinBytes) {
    cache_ = cache;
    cache_min_bytes_ = min_file_bytes;
  }

  // Publishes a StatusSnapshot to `board` (borrowed, outlives this) at most
  // every `every` (50 ms .. 60 s), from OnTick; null stops it.
  void PublishStatusTo(StatusBoard* board, std::chrono::milliseconds every);
  const CoordinatorStats& stats() const { return stats_; }

  TimePoint NextDeadline() const;
  std::vector<Outgoing> TakeOutbox();

  size_t worker_count() const { return workers_.size(); }
  size_t job_count() const { return tracker_.job_count(); }

 private:
  // A finished job kept for `wait` and `status`.
  struct FinishedJob {
    // The result without its hosts, which are kept as the set they were
    // merged into: sorting millions of hosts is the client's work, not
    // the loop's.
    std::shared_ptr<const common::JobResult> result;
    std::shared_ptr<const common::HostSet> hosts;
    // A --count job: the tally of each of `hosts` (null otherwise).
    std::shared_ptr<const common::HostCounts> counts;
    // Each file's hosts, for a client that re-attaches wanting the files
    // streamed (empty unless the job was submitted streaming), and of a
    // --count job their tallies.
    std::shared_ptr<const std::vector<std::vector<std::string>>> file_hosts;
    std::shared_ptr<const std::vector<std::vector<common::HostTally>>>
        file_tallies;
    TimePoint finished_at;
    std::string owner;  // client identity, for status redaction
    std::string request_key;
  };
  // A result on its way to a client in pieces.
  struct ResultStream {
    std::string peer;
    std::shared_ptr<const common::JobResult> result;
    std::shared_ptr<const common::HostSet> hosts;
    std::shared_ptr<const common::HostCounts> counts;  // --count only
    std::shared_ptr<const std::vector<std::vector<std::string>>> file_hosts;
    std::shared_ptr<const std::vector<std::vector<common::HostTally>>>
        file_tallies;
    size_t next_outcome = 0;  // FilesDone sent so far (re-attach only)
    common::HostSet::const_iterator next_host;  // into *hosts
    size_t next_file = 0;
    uint64_t parts = 0;
  };

  void Dispatch(TimePoint now);
  // Sends `task` to `peer` in this pass's message to it (`batch_of`: its
  // index in the outbox, by peer).
  void SendTask(const std::string& peer, common::TaskAssignment task,
                TimePoint now,
                std::unordered_map<std::string, size_t>& batch_of);
  // Copies of stragglers to idle workers, when no work is queued.
  void Speculate(TimePoint now);
  void Refuse(Outgoing::Socket socket, const std::string& peer,
              const common::Status& why, TimePoint now);
  // One handler per client request type (see ClientToCoordinator).
  void OnClientRequest(const std::string& peer, const std::string& client,
                       const common::SubmitJob& submit, TimePoint now);
  void OnClientRequest(const std::string& peer, const std::string& client,
                       const common::WaitJob& wait, TimePoint now);
  void OnClientRequest(const std::string& peer, const std::string& client,
                       const common::CancelJob& cancel, TimePoint now);
  void OnClientRequest(const std::string& peer, const std::string& client,
                       const common::GetStatus& request, TimePoint now);
  // GetStatus{history}: the journal's newest jobs (`logsweep jobs`).
  void AnswerHistory(const std::string& peer, const std::string& client,
                     const common::GetStatus& request, TimePoint now);
  void OnHello(const std::string& peer, const common::WorkerHello& hello,
               TimePoint now);
  void OnOutcome(const std::string& peer, const common::TaskOutcome& outcome,
                 TimePoint now);
  // OnOutcome's part for an outcome that is the task's answer (no tail, no
  // cache entry to merge); offers it to the cache when it carries an
  // identity. True when the tracker accepted it.
  bool OnAnswer(const std::string& peer, const common::TaskOutcome& outcome,
                TimePoint now);
  // The cached outcome an `unchanged` answer stands for, with its ref and
  // the cache counters set; nullopt when the entry is gone, no longer has
  // that identity, or cannot be decoded (the task then runs again).
  std::optional<common::TaskOutcome> FromCache(
      const common::TaskOutcome& unchanged);
  // The outcome of an incremental scan (start_offset set) merged with the
  // cache entry it was made on: the entry's hosts and stats (its bytes
  // before start_offset) plus the new ones, with the resume point and
  // tail of the new scan; nullopt when the entry is gone or is no longer
  // the one the worker checked (`base` and start_offset), or cannot be
  // decoded (the task then runs again).
  std::optional<common::TaskOutcome> FromGrown(
      const common::TaskOutcome& grown);
  // The entry's decoded outcome for `task`; nullopt (and the entry erased,
  // with a warning) when it cannot be decoded.
  std::optional<common::TaskOutcome> DecodeEntry(
      const common::TaskAssignment& task, const ResultCache::Entry& entry);
  // Commits the cache's buffered writes when kCacheFlushEvery has passed
  // since the first of them, or kCacheFlushEntries are waiting.
  void MaybeFlushCache(TimePoint now);
  static constexpr std::chrono::milliseconds kCacheFlushEvery{250};
  static constexpr size_t kCacheFlushEntries = 4096;
  // Offers an accepted outcome to the cache (a hit refreshes its entry).
  void CacheOutcome(const common::TaskAssignment& task,
                    const common::TaskOutcome& outcome);
  // Tasks waiting for a confirmation of their failure, against the workers
  // there are now (see TaskTracker::ReviewUnconfirmed).
  void ReviewUnconfirmed();
  // Answers a submit or wait for an existing job (running, finished and
  // kept, or in the journal); false if there is no such job.
  bool AttachTo(const std::string& peer, const std::string& id,
                bool stream_files, uint64_t request_id, TimePoint now,
                bool restart_result = true);
  void Accept(const std::string& peer, const std::string& id, uint64_t total,
              uint64_t request_id);
  common::Status UnknownJob(const std::string& id) const;
  // A job id as a client gave it: a whole id as it is, a shorter one the
  // one job of `client`'s that begins with it. Else nullopt and `why`:
  // NotFound, or InvalidArgument for a prefix of several.
  std::optional<std::string> ResolveJobId(const std::string& id,
                                          const std::string& client,
                                          common::Status* why) const;
  // When a job from the journal was submitted, on this process's clock.
  static std::optional<TimePoint> StartedAt(const JobJournal::StoredJob& job,
                                            TimePoint now);
  // "client 10.0.0.7 (key Abc12345)", or the peer id when unknown.
  std::string ClientName(const std::string& peer) const;
  void ReportFinished(TimePoint now);
  void StartResult(const std::string& peer, const FinishedJob& job,
                   bool resend_files);
  // Sends the next pieces of the results in flight, about `budget` bytes.
  void PumpResults(size_t budget);
  void PruneFinished(TimePoint now);
  common::Status PruneJournal(TimePoint now);
  // Requeues a dead worker's tasks, charging them (`charge`) towards
  // max_attempts; the charges are remembered by its instance, and
  // withdrawn if the same process registers again (OnHello): it was late
  // or cut off, not killed by a file. A task whose charge would fail it
  // is held instead (see held_verdicts_).
  void DropWorker(const WorkerRegistry::Dead& dead, const std::string& why,
                  Charge charge, TimePoint now);
  // Keeps `charged` for a refund if `instance` registers again.
  void RememberCharges(const std::string& instance,
                       const std::vector<common::TaskRef>& charged);
  // Charges the held tasks whose time is up (their files fail, unless a
  // charge was withdrawn meanwhile).
  void GiveVerdicts(TimePoint now);
  void SendToWorker(const std::string& peer,
                    const common::CoordinatorToWorker& msg);
  void SendToClient(const std::string& peer,
                    const common::CoordinatorToClient& msg);
  void Warn(const std::string& kind, TimePoint now, const std::string& text);

  void ExpireSlowTasks(TimePoint now);
  void PublishStatus(TimePoint now);

  JobJournal* journal_;
  // Tasks charged when a worker was judged dead, by its instance, until
  // that process registers again (its charges are then withdrawn) or the
  // map outgrows kMaxChargedInstances (then forgotten: charges stand).
  std::unordered_map<std::string, std::vector<common::TaskRef>>
      charged_by_instance_;
  // Tasks whose last attempt was lost with a worker that has an instance:
  // the verdict waits two of that worker's expiry periods, until `until`
  // (the task runs nowhere else meanwhile, so a file that kills workers
  // takes no more of them), for the same process to come back, as a whole
  // cluster stopped or overloaded does, often after its tasks' other
  // charges. Back, it keeps the task if it still holds it, else the task
  // is requeued free; not back in time, the loss is charged and the file
  // fails.
  struct HeldVerdict {
    common::TaskRef ref;
    std::string reason;
    TimePoint until;
  };
  std::unordered_map<std::string, std::vector<HeldVerdict>> held_verdicts_;
  // (until, instance), earliest first: when to look at held_verdicts_.
  std::priority_queue<std::pair<TimePoint, std::string>,
                      std::vector<std::pair<TimePoint, std::string>>,
                      std::greater<>>
      verdict_times_;
  ResultCache* cache_ = nullptr;
  uint64_t cache_min_bytes_ = kDefaultCacheMinBytes;
  TimePoint next_cache_flush_ = TimePoint::max();  // max: nothing to write
  CoordinatorConfig config_;
  TaskTracker tracker_;
  WorkerRegistry workers_;
  std::vector<Outgoing> outbox_;
  TimePoint next_heartbeat_{};        // housekeeping, once an interval
  TimePoint next_heartbeat_check_{};  // a quarter interval: see OnTick
  TimePoint next_progress_{};
  // Silence is judged up to here (see OnWorkersDrained); max: no limit.
  TimePoint drained_ = TimePoint::max();
  // No worker is judged before this (see OnStall).
  TimePoint stall_grace_until_{};
  // No task sent can be overdue before this (see ExpireSlowTasks).
  TimePoint next_overdue_ = TimePoint::max();
  TimePoint next_speculation_{};
  // Unfinished jobs per client identity, and each counted job's client, for
  // max_jobs_per_client. Jobs resumed from the journal have no identity and
  // are not counted.
  std::unordered_map<std::string, size_t> open_jobs_by_client_;
  std::unordered_map<std::string, std::string> client_of_job_;
  // How each client peer is named in the log (see OnClientMessage).
  std::unordered_map<std::string, std::string> client_labels_;
  // Submits seen, by request key, for jobs running or kept finished.
  std::unordered_map<std::string, std::string> job_by_request_key_;
  std::unordered_map<std::string, FinishedJob> finished_;
  std::deque<std::string> finished_order_;  // oldest first
  // The ids of the last kRecentlyFinished jobs to finish, oldest first.
  static constexpr size_t kRecentlyFinished = 4096;
  std::deque<std::string> recently_finished_;
  std::unordered_set<std::string> recently_finished_set_;
  std::deque<ResultStream> streams_;
  // At most one Reregister and one Refused per peer per heartbeat interval.
  common::LogLimiter reregister_limiter_;
  common::LogLimiter refuse_limiter_;
  // Repeated warnings, by kind.
  common::LogLimiter warn_limiter_;
  TimePoint next_journal_retry_{};
  TimePoint next_prune_{};  // next batch of journal retention
  // The status page's and /metrics' view (see PublishStatusTo).
  CoordinatorStats stats_;
  StatusBoard* status_board_ = nullptr;
  std::chrono::milliseconds publish_every_{500};
  TimePoint next_publish_ = TimePoint::max();
  TimePoint started_{};
  std::deque<RateSample> rates_;
};

}  // namespace logsweep::coordinator
