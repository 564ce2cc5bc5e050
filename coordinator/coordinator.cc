#include "coordinator/coordinator.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <variant>

#include "common/codec.h"

namespace logsweep::coordinator {
namespace {

using common::Status;

// Peer ids are binary; log them as hex.
std::string PeerHex(const std::string& peer) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : peer) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}

}  // namespace

Coordinator::Coordinator(CoordinatorConfig config, JobJournal* journal)
    : journal_(journal),
      config_(config),
      tracker_(config.max_attempts),
      workers_(config.heartbeat_interval * config.liveness, config.prefetch,
               config.liveness) {
  tracker_.set_record_outcomes(journal_ != nullptr);
  workers_.SetAdaptivePrefetch(config_.max_prefetch, config_.prefetch_target);
}

void Coordinator::SendToWorker(const std::string& peer,
                               const common::CoordinatorToWorker& msg) {
  outbox_.push_back(
      Outgoing{Outgoing::Socket::kWorkers, peer, common::Encode(msg)});
}

void Coordinator::SendToClient(const std::string& peer,
                               const common::CoordinatorToClient& msg) {
  if (peer.empty()) return;  // a resumed job nobody has attached to yet
  outbox_.push_back(
      Outgoing{Outgoing::Socket::kClients, peer, common::Encode(msg)});
}

void Coordinator::OnWorkerMessage(const std::string& peer,
                                  std::string_view payload, TimePoint now) {
  auto decoded = common::DecodeWorkerToCoordinator(payload);
  if (!decoded.ok()) {
    spdlog::warn("dropped message from worker peer {} ({}): {}", PeerHex(peer),
                 workers_.NameOf(peer), decoded.status().ToString());
    return;
  }
  if (auto* hello = std::get_if<common::WorkerHello>(&*decoded)) {
    auto lost = workers_.Register(peer, *hello, now);
    for (const auto& ref : lost) tracker_.OnLost(ref, "worker re-registered");
    spdlog::info("worker {} registered with {} slots ({} workers)", hello->name,
                 hello->slots, workers_.size());
    ReportFinished(now);
    Dispatch(now);
    return;
  }
  if (std::holds_alternative<common::Goodbye>(*decoded)) {
    if (auto gone = workers_.Remove(peer)) {
      spdlog::info("worker {} is stopping; requeueing its {} tasks", gone->name,
                   gone->in_flight.size());
      for (const auto& ref : gone->in_flight) {
        tracker_.OnLost(ref, "worker " + gone->name + " stopped");
      }
      ReportFinished(now);
      Dispatch(now);
    }
    return;
  }
  bool known = workers_.Touch(peer, now);
  if (auto* outcome = std::get_if<common::TaskOutcome>(&*decoded)) {
    workers_.Release(peer, outcome->ref, now, outcome->stats.bytes_scanned);
    switch (tracker_.OnOutcome(*outcome)) {
      case TaskTracker::Accept::kAccepted:
        if (!outcome->status.ok()) {
          spdlog::info("job {} task {} attempt {} failed on {}: {}",
                       outcome->ref.job_id, outcome->ref.task_id,
                       outcome->ref.attempt, workers_.NameOf(peer),
                       outcome->status.ToString());
        }
        break;
      case TaskTracker::Accept::kStale:
        spdlog::debug("dropped late result for job {} task {} attempt {}",
                      outcome->ref.job_id, outcome->ref.task_id,
                      outcome->ref.attempt);
        break;
      case TaskTracker::Accept::kUnknown:
        spdlog::warn(
            "dropped result for unknown job {} task {} attempt {} "
            "from peer {}",
            outcome->ref.job_id, outcome->ref.task_id, outcome->ref.attempt,
            PeerHex(peer));
        break;
    }
  }
  if (!known) {
    // We restarted, or expired this worker while it was frozen: it must
    // register again before it gets work.
    SendToWorker(peer, common::Reregister{});
  }
  ReportFinished(now);
  Dispatch(now);
}

void Coordinator::OnClientMessage(const std::string& peer,
                                  std::string_view payload, TimePoint now,
                                  const std::string& client) {
  auto decoded = common::DecodeClientToCoordinator(payload);
  if (!decoded.ok()) {
    spdlog::warn("rejected message from client peer {}: {}", PeerHex(peer),
                 decoded.status().ToString());
    SendToClient(peer, common::JobRejected{decoded.status()});
    return;
  }
  std::visit(
      [&](const auto& request) { OnClientRequest(peer, client, request, now); },
      *decoded);
  ReportFinished(now);
  Dispatch(now);
}

void Coordinator::OnClientRequest(const std::string& peer,
                                  const std::string& client,
                                  const common::SubmitJob& submit,
                                  TimePoint now) {
  if (submit.paths.size() > config_.max_paths_per_job) {
    SendToClient(peer,
                 common::JobRejected{
                     common::ResourceExhaustedError(
                         "job has " + std::to_string(submit.paths.size()) +
                         " files; the limit is " +
                         std::to_string(config_.max_paths_per_job)),
                     submit.request_id});
    return;
  }
  size_t& open = open_jobs_by_client_[client];
  if (open >= config_.max_jobs_per_client) {
    spdlog::warn("rejected a job from client {} (peer {}): {} unfinished jobs",
                 client, PeerHex(peer), open);
    SendToClient(
        peer, common::JobRejected{
                  common::ResourceExhaustedError(
                      "client " + client + " already has " +
                      std::to_string(open) + " unfinished jobs; the limit is " +
                      std::to_string(config_.max_jobs_per_client) +
                      " per client (--max-jobs-per-client)"),
                  submit.request_id});
    return;
  }
  std::string id = tracker_.AddJob(peer, submit, now);
  ++open;
  client_of_job_[id] = client;
  if (journal_ != nullptr) {
    // Durable before the client hears the id, so `wait ID` always works.
    Status s = journal_->RecordJob(id, submit);
    if (s.ok()) s = journal_->Commit();
    if (!s.ok()) spdlog::error("job {} is not durable: {}", id, s.ToString());
  }
  spdlog::info("job {} accepted: {} files", id, submit.paths.size());
  Accept(peer, id, submit.paths.size(), submit.request_id);
}

void Coordinator::Accept(const std::string& peer, const std::string& id,
                         uint64_t total, uint64_t request_id) {
  SendToClient(peer, common::JobAccepted{id, total, request_id});
  // A first progress report at once tells the client how many workers
  // there are, so it can say so when there are none.
  for (auto& p : tracker_.ProgressReports()) {
    if (p.progress.job_id != id) continue;
    p.progress.workers = static_cast<uint32_t>(workers_.size());
    SendToClient(p.client, p.progress);
  }
}

void Coordinator::OnClientRequest(const std::string& peer,
                                  const std::string& /*client*/,
                                  const common::WaitJob& wait, TimePoint now) {
  const std::string& id = wait.job_id;
  if (auto total = tracker_.AttachClient(id, peer, wait.stream_files)) {
    spdlog::info("client peer {} attached to job {}", PeerHex(peer), id);
    Accept(peer, id, *total, wait.request_id);
    return;
  }
  if (journal_ != nullptr) {
    // A finished job's result is rebuilt from the journal.
    auto stored = journal_->Load(id);
    if (!stored.ok()) {
      spdlog::error("journal: {}", stored.status().ToString());
    } else if (stored->has_value()) {
      const auto& job = **stored;
      tracker_.RestoreJob(job.id, peer, job.submit, job.done, now);
      tracker_.AttachClient(job.id, peer, wait.stream_files);
      SendToClient(peer, common::JobAccepted{id, job.submit.paths.size(),
                                             wait.request_id});
      return;
    }
  }
  SendToClient(peer, common::JobRejected{UnknownJob(id), wait.request_id});
}

Status Coordinator::UnknownJob(const std::string& id) const {
  return common::NotFoundError(
      "no job " + id +
      (journal_ ? "" : " (finished jobs are kept only with --state)"));
}

void Coordinator::OnClientRequest(const std::string& peer,
                                  const std::string& /*client*/,
                                  const common::CancelJob& cancel, TimePoint) {
  auto cancelled = tracker_.Cancel(cancel.job_id, cancel.task_ids);
  if (!cancelled) {
    SendToClient(
        peer, common::JobRejected{
                  common::NotFoundError("no unfinished job " + cancel.job_id),
                  cancel.request_id});
    return;
  }
  spdlog::info("job {}: {} tasks cancelled by client peer {}", cancel.job_id,
               *cancelled, PeerHex(peer));
  SendToClient(
      peer, common::CancelReply{cancel.job_id, *cancelled, cancel.request_id});
}

void Coordinator::OnClientRequest(const std::string& peer,
                                  const std::string& client,
                                  const common::GetStatus& request,
                                  TimePoint now) {
  common::StatusReply reply;
  reply.request_id = request.request_id;
  reply.workers = workers_.Statuses(now);
  reply.jobs = tracker_.Statuses(request.job_id, now);
  for (auto& job : reply.jobs) {
    job.progress.workers = static_cast<uint32_t>(workers_.size());
    // A job id is what lets a client wait for or cancel a job: in a list,
    // only the jobs this client submitted show theirs in full.
    auto owner = client_of_job_.find(job.progress.job_id);
    bool own = owner != client_of_job_.end() && owner->second == client;
    if (request.job_id.empty() && !own) {
      job.progress.job_id = job.progress.job_id.substr(0, 8) + "...";
    }
  }
  if (!request.job_id.empty() && reply.jobs.empty()) {
    // Not running: maybe finished, in the journal.
    std::optional<JobJournal::StoredJob> stored;
    if (journal_ != nullptr) {
      auto loaded = journal_->Load(request.job_id);
      if (loaded.ok()) stored = std::move(*loaded);
    }
    if (!stored) {
      SendToClient(peer, common::JobRejected{UnknownJob(request.job_id),
                                             request.request_id});
      return;
    }
    common::JobStatus job;
    job.progress.job_id = request.job_id;
    job.progress.total = stored->submit.paths.size();
    job.progress.done = stored->done.size();
    for (const auto& outcome : stored->done) {
      if (!outcome.status.ok()) ++job.progress.failed;
      job.progress.bytes_scanned += outcome.stats.bytes_scanned;
    }
    reply.jobs.push_back(std::move(job));
  }
  SendToClient(peer, reply);
}

Status Coordinator::Restore(TimePoint now) {
  if (journal_ == nullptr) return common::OkStatus();
  auto jobs = journal_->LoadUnfinished();
  if (!jobs.ok()) return jobs.status();
  for (const auto& job : *jobs) {
    tracker_.RestoreJob(job.id, "", job.submit, job.done, now);
    spdlog::info("job {} resumed: {} of {} files already done", job.id,
                 job.done.size(), job.submit.paths.size());
  }
  ReportFinished(now);
  return common::OkStatus();
}

Status Coordinator::CommitJournal() {
  if (journal_ == nullptr) return common::OkStatus();
  for (const auto& outcome : tracker_.TakeCompletedTasks()) {
    if (Status s = journal_->RecordTask(outcome); !s.ok()) return s;
  }
  return journal_->Commit();
}

void Coordinator::ExpireSlowTasks(TimePoint now) {
  while (!deadlines_.empty() && deadlines_.front().deadline <= now) {
    Dispatched d = std::move(deadlines_.front());
    deadlines_.pop_front();
    if (!workers_.Holds(d.peer, d.ref)) continue;  // answered, or worker gone
    std::string name = workers_.NameOf(d.peer);
    spdlog::warn("job {} task {} attempt {} timed out on worker {}",
                 d.ref.job_id, d.ref.task_id, d.ref.attempt, name);
    tracker_.OnLost(d.ref, "timed out after " +
                               std::to_string(config_.task_timeout.count()) +
                               " ms on worker " + name);
  }
}

void Coordinator::OnTick(TimePoint now) {
  for (auto& dead : workers_.Expire(now)) {
    DropWorker(dead.peer, dead.name, dead.in_flight,
               "no heartbeat within expiry");
  }
  ExpireSlowTasks(now);
  if (now >= next_heartbeat_) {
    for (const std::string& peer : workers_.Peers()) {
      SendToWorker(peer, common::Heartbeat{});
    }
    next_heartbeat_ = now + config_.heartbeat_interval;
  }
  if (now >= next_progress_) {
    for (auto& p : tracker_.ProgressReports()) {
      p.progress.workers = static_cast<uint32_t>(workers_.size());
      SendToClient(p.client, p.progress);
    }
    next_progress_ = now + config_.progress_interval;
  }
  ReportFinished(now);
  Dispatch(now);
}

void Coordinator::OnSendFailed(const Outgoing& message, TimePoint now) {
  if (message.socket == Outgoing::Socket::kClients) {
    // The client left; its jobs still run to completion, for `wait` to
    // attach to (and are dropped when done, unless journaled).
    spdlog::info("client peer {} is gone; its jobs run on unattended",
                 PeerHex(message.peer));
    tracker_.DetachClient(message.peer);
    return;
  }
  if (auto dead = workers_.Remove(message.peer)) {
    DropWorker(dead->peer, dead->name, dead->in_flight, "connection gone");
    Dispatch(now);
  }
}

void Coordinator::DropWorker(const std::string& peer, const std::string& name,
                             const std::vector<common::TaskRef>& lost,
                             const std::string& why) {
  spdlog::warn("worker {} (peer {}) is dead: {}; requeueing {} tasks", name,
               PeerHex(peer), why, lost.size());
  for (const auto& ref : lost) {
    tracker_.OnLost(ref, "worker " + name + " lost: " + why);
  }
}

void Coordinator::Dispatch(TimePoint now) {
  while (tracker_.HasPending()) {
    std::string peer = workers_.PickWorkerWithCredit();
    if (peer.empty()) return;
    auto task = tracker_.TakeNext();
    if (!task) return;
    workers_.Assign(peer, task->ref);
    if (config_.task_timeout.count() > 0) {
      deadlines_.push_back(
          Dispatched{now + config_.task_timeout, peer, task->ref});
    }
    SendToWorker(peer, *task);
  }
}

void Coordinator::ReportFinished(TimePoint now) {
  // Files before results: a job's last FilesDone precedes its JobResult.
  for (auto& f : tracker_.TakeFileOutcomes()) SendToClient(f.client, f.files);
  for (auto& f : tracker_.TakeFinished(now)) {
    if (journal_ != nullptr) {
      // Its tasks' outcomes first, so the done job is complete on disk.
      for (const auto& outcome : tracker_.TakeCompletedTasks()) {
        (void)journal_->RecordTask(outcome);
      }
      if (Status s = journal_->RecordJobDone(f.result.job_id); !s.ok()) {
        spdlog::error("journal: {}", s.ToString());
      }
    }
    if (auto owner = client_of_job_.find(f.result.job_id);
        owner != client_of_job_.end()) {
      auto open = open_jobs_by_client_.find(owner->second);
      if (open != open_jobs_by_client_.end() && --open->second == 0) {
        open_jobs_by_client_.erase(open);
      }
      client_of_job_.erase(owner);
    }
    size_t failed = std::count_if(
        f.result.files.begin(), f.result.files.end(),
        [](const common::FileReport& r) { return !r.status.ok(); });
    spdlog::info("job {} finished: {} files, {} failed, {} hosts",
                 f.result.job_id, f.result.files.size(), failed,
                 f.result.hosts.size());
    SendToClient(f.client, f.result);
  }
}

TimePoint Coordinator::NextDeadline() const {
  TimePoint next =
      std::min({next_heartbeat_, next_progress_, workers_.NextExpiry()});
  if (!deadlines_.empty()) next = std::min(next, deadlines_.front().deadline);
  return next;
}

std::vector<Outgoing> Coordinator::TakeOutbox() {
  std::vector<Outgoing> out;
  out.swap(outbox_);
  return out;
}

}  // namespace logsweep::coordinator
