#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "coordinator/job_journal.h"
#include "coordinator/task_tracker.h"
#include "coordinator/worker_registry.h"

namespace logsweep::coordinator {

struct CoordinatorConfig {
  // Heartbeats both ways, every interval (50 ms .. 60 s).
  std::chrono::milliseconds heartbeat_interval{1000};
  // Missed intervals before a worker is dead (2 .. 100).
  uint32_t liveness = 3;
  // Attempts per task before "lost its worker" becomes a failure (1 .. 100).
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
};

// The client identity of peers that carry neither a CURVE key nor an IP
// address (ipc, inproc): they share one job quota.
inline constexpr char kLocalClient[] = "local";

// A message to send: on which socket, to which peer, what bytes.
struct Outgoing {
  enum class Socket { kWorkers, kClients };
  Socket socket;
  std::string peer;
  std::string payload;
};

// The coordinator's logic without sockets: handlers take one decoded event
// and the time, and queue messages to send in an outbox, so tests drive it
// directly with no network and no sleeps. Owns the task tracker and worker
// registry. Owned by the I/O thread.
class Coordinator {
 public:
  // `journal` (borrowed, may be null) makes jobs and results durable.
  explicit Coordinator(CoordinatorConfig config, JobJournal* journal = nullptr);
  Coordinator(const Coordinator&) = delete;
  Coordinator& operator=(const Coordinator&) = delete;

  // A message from a worker peer. Malformed messages are logged with the
  // peer and dropped.
  void OnWorkerMessage(const std::string& peer, std::string_view payload,
                       TimePoint now);
  // A message from a client peer; a malformed one gets a JobRejected.
  // `client` names who sent it for the per-client job limit: the CURVE
  // public key when on, else the peer's IP address, else kLocalClient.
  void OnClientMessage(const std::string& peer, std::string_view payload,
                       TimePoint now, const std::string& client = kLocalClient);
  // Heartbeats, expiry of silent workers, progress reports. Call at least
  // by NextDeadline().
  void OnTick(TimePoint now);
  // A send to a peer failed (it is gone): a worker is dropped at once.
  void OnSendFailed(const Outgoing& message, TimePoint now);

  // Resumes the journal's unfinished jobs (after a restart). Errors: the
  // journal's (Unavailable, DataLoss).
  common::Status Restore(TimePoint now);
  // Makes the outcomes of the tasks finished so far durable; one batch per
  // call. Errors: Unavailable (the journal cannot be written).
  common::Status CommitJournal();

  TimePoint NextDeadline() const;
  std::vector<Outgoing> TakeOutbox();

  size_t worker_count() const { return workers_.size(); }
  size_t job_count() const { return tracker_.job_count(); }

 private:
  void Dispatch(TimePoint now);
  // One handler per client request type (see ClientToCoordinator).
  void OnClientRequest(const std::string& peer, const std::string& client,
                       const common::SubmitJob& submit, TimePoint now);
  void OnClientRequest(const std::string& peer, const std::string& client,
                       const common::WaitJob& wait, TimePoint now);
  void OnClientRequest(const std::string& peer, const std::string& client,
                       const common::CancelJob& cancel, TimePoint now);
  void OnClientRequest(const std::string& peer, const std::string& client,
                       const common::GetStatus& request, TimePoint now);
  void Accept(const std::string& peer, const std::string& id, uint64_t total,
              uint64_t request_id);
  common::Status UnknownJob(const std::string& id) const;
  void ReportFinished(TimePoint now);
  void DropWorker(const std::string& peer, const std::string& name,
                  const std::vector<common::TaskRef>& lost,
                  const std::string& why);
  void SendToWorker(const std::string& peer,
                    const common::CoordinatorToWorker& msg);
  void SendToClient(const std::string& peer,
                    const common::CoordinatorToClient& msg);

  void ExpireSlowTasks(TimePoint now);

  JobJournal* journal_;
  CoordinatorConfig config_;
  TaskTracker tracker_;
  WorkerRegistry workers_;
  std::vector<Outgoing> outbox_;
  TimePoint next_heartbeat_{};
  TimePoint next_progress_{};
  // Dispatches in order; with one timeout for all, also in deadline order.
  struct Dispatched {
    TimePoint deadline;
    std::string peer;
    common::TaskRef ref;
  };
  std::deque<Dispatched> deadlines_;
  // Unfinished jobs per client identity, and each counted job's client, for
  // max_jobs_per_client. Jobs resumed from the journal have no identity and
  // are not counted.
  std::unordered_map<std::string, size_t> open_jobs_by_client_;
  std::unordered_map<std::string, std::string> client_of_job_;
};

}  // namespace logsweep::coordinator
