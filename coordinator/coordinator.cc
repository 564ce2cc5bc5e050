#include "coordinator/coordinator.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdlib>
#include <variant>

#include "common/transport/codec.h"

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

// Wall-clock milliseconds since the epoch: the journal keeps when a job was
// submitted, which outlives this process and its steady clock.
int64_t UnixMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// How a finished job ended, as the journal keeps it (the same states as
// the status page's history).
JobJournal::JobEnd JournalEnd(const common::JobResult& result) {
  JobJournal::JobEnd end;
  end.elapsed_us = result.elapsed_us;
  end.finished_unix_ms = UnixMs();
  end.files = result.files.size();
  for (const common::FileReport& f : result.files) {
    if (f.status.ok()) continue;
    ++end.failed;
    if (f.status.code() == common::StatusCode::kCancelled) {
      end.state = "cancelled";
    } else if (end.state == "done") {
      end.state = "failed";
    }
  }
  return end;
}

// Bytes a file report takes on the wire, roughly: for cutting results into
// pieces, not for accounting.
size_t ReportBytes(const common::FileReport& f) {
  size_t n = f.path.size() + f.status.message().size() + 64;
  for (const std::string& w : f.warnings) n += w.size() + 4;
  return n;
}

// A host with its tally on the wire, roughly (the host's own bytes apart):
// a count and two times, varints, and the framing.
constexpr size_t kTallyBytes = 2 + 10 + 2 * 10;

// The tallies of `hosts`, in their order (each is in `counts`: a --count
// job's hosts and counts hold the same hosts).
std::vector<common::HostTally> TalliesOf(const std::vector<std::string>& hosts,
                                         const common::HostCounts& counts) {
  std::vector<common::HostTally> out;
  out.reserve(hosts.size());
  for (const std::string& h : hosts) {
    const common::HostTally* tally = counts.Find(h);
    if (tally == nullptr) {
      // The merge keeps hosts and counts together; a host without a tally
      // would print a wrong count.
      spdlog::critical("--count: host without a tally in a merged result");
      std::abort();
    }
    out.push_back(*tally);
  }
  return out;
}

// Counts a finished job and remembers its failed files for the status page.
void NoteFinished(CoordinatorStats& stats, const common::JobResult& result,
                  size_t failed, TimePoint now) {
  JobRecord record;
  record.job_id = result.job_id;
  record.files = result.files.size();
  record.failed = failed;
  record.bytes_scanned = result.totals.bytes_scanned;
  record.matches = result.totals.matches;
  record.elapsed = std::chrono::microseconds(result.elapsed_us);
  record.finished_at = now;
  record.state = failed == 0 ? "done" : "failed";
  if (failed > 0) {
    for (const common::FileReport& f : result.files) {
      if (f.status.ok()) continue;
      if (f.status.code() == common::StatusCode::kCancelled) {
        record.state = "cancelled";
        continue;
      }
      stats.NoteFailure({result.job_id, f.path, f.status.ToString(), now});
    }
  }
  stats.NoteJob(std::move(record));
}

}  // namespace

std::string Coordinator::ClientName(const std::string& peer) const {
  auto it = client_labels_.find(peer);
  return it != client_labels_.end() ? "client " + it->second
                                    : "client peer " + PeerHex(peer);
}

std::optional<std::string> Coordinator::ResolveJobId(const std::string& id,
                                                     const std::string& client,
                                                     Status* why) const {
  if (id.size() >= 32) return id;
  // A prefix is resolved among this client's own jobs only: elsewhere a
  // listing shows the first 8 characters of other clients' ids, and those
  // must not be enough to wait for or cancel their jobs.
  std::vector<std::string> matches;
  auto consider = [&](const std::string& candidate) {
    if (candidate.compare(0, id.size(), id) != 0) return;
    if (std::find(matches.begin(), matches.end(), candidate) != matches.end()) {
      return;
    }
    matches.push_back(candidate);
  };
  for (const std::string& job : tracker_.JobIds()) {
    auto owner = client_of_job_.find(job);
    if (owner != client_of_job_.end() && owner->second == client) {
      consider(job);
    }
  }
  for (const auto& [job, kept] : finished_) {
    if (kept.owner == client) consider(job);
  }
  if (journal_ != nullptr) {
    auto stored = journal_->FindByPrefix(id, client, 10);
    if (stored.ok()) {
      for (const std::string& job : *stored) consider(job);
    }
  }
  if (matches.size() == 1) return matches.front();
  if (matches.empty()) {
    *why = common::NotFoundError("no job " + id +
                                 (journal_
                                      ? " among yours"
                                      : " among yours (finished jobs are kept "
                                        "only with --state)"));
  } else {
    std::string list;
    for (size_t i = 0; i < matches.size() && i < 3; ++i) {
      list += (i ? ", " : "") + matches[i];
    }
    *why = common::InvalidArgumentError(
        "job id prefix " + id +
        " is ambiguous: " + std::to_string(matches.size()) +
        (matches.size() >= 10 ? "+" : "") + " of your jobs begin with it (" +
        list + (matches.size() > 3 ? ", ..." : "") + "); give more of the id");
  }
  return std::nullopt;
}

Coordinator::Coordinator(CoordinatorConfig config, JobJournal* journal)
    : journal_(journal),
      config_(config),
      tracker_(config.max_attempts),
      workers_(config.heartbeat_interval * config.liveness, config.prefetch,
               config.liveness),
      reregister_limiter_(config.heartbeat_interval),
      refuse_limiter_(config.heartbeat_interval),
      warn_limiter_(std::chrono::seconds(5)) {
  tracker_.set_record_outcomes(journal_ != nullptr);
  workers_.SetAdaptivePrefetch(config_.max_prefetch, config_.prefetch_target);
  workers_.SetQuarantine(config_.quarantine_strikes,
                         config_.quarantine_duration);
}

void Coordinator::SendToWorker(const std::string& peer,
                               const common::CoordinatorToWorker& msg) {
  outbox_.push_back(
      Outgoing{Outgoing::Socket::kWorkers, peer, common::Encode(msg), {}});
}

void Coordinator::SendToClient(const std::string& peer,
                               const common::CoordinatorToClient& msg) {
  if (peer.empty()) return;  // a resumed job nobody has attached to yet
  outbox_.push_back(
      Outgoing{Outgoing::Socket::kClients, peer, common::Encode(msg), {}});
}

void Coordinator::Warn(const std::string& kind, TimePoint now,
                       const std::string& text) {
  uint64_t suppressed = 0;
  if (warn_limiter_.Allow(kind, now, &suppressed)) {
    spdlog::warn("{}{}", text, common::SuppressedNote(suppressed));
  }
}

void Coordinator::Refuse(Outgoing::Socket socket, const std::string& peer,
                         const Status& why, TimePoint now) {
  const bool workers = socket == Outgoing::Socket::kWorkers;
  // The log line at most once per reason per 5 s, the answer at most once
  // per peer per heartbeat interval: a misconfigured peer retrying in a
  // loop floods neither the log nor the socket.
  Warn(std::string("refused-") + (workers ? "w" : "c") + why.ToString(), now,
       std::string("refused a peer on the ") +
           (workers ? "workers" : "clients") + " endpoint (peer " +
           PeerHex(peer) + (workers ? ", " + workers_.NameOf(peer) : "") +
           "): " + why.ToString());
  if (!refuse_limiter_.Allow((workers ? "w" : "c") + peer, now)) return;
  // Both envelopes carry Refused under the same field number, so a peer on
  // the wrong endpoint reads this as well as one on the right one.
  common::Refused refused{why, common::kProtocolVersion};
  outbox_.push_back(Outgoing{
      socket, peer, common::Encode(common::CoordinatorToClient(refused)), {}});
}

void Coordinator::OnWorkerMessage(const std::string& peer,
                                  std::string_view payload, TimePoint now) {
  stats_.NoteMessageIn(payload.size());
  // The answers' and the next tasks' cache lookups in one read.
  ResultCache::Reads reads(cache_);
  auto decoded = common::DecodeWorkerToCoordinator(payload);
  if (!decoded.ok()) {
    Refuse(Outgoing::Socket::kWorkers, peer, decoded.status(), now);
    return;
  }
  if (auto* hello = std::get_if<common::WorkerHello>(&*decoded)) {
    OnHello(peer, *hello, now);
  } else if (std::holds_alternative<common::Goodbye>(*decoded)) {
    if (auto gone = workers_.Remove(peer)) {
      spdlog::info("worker {} is stopping; requeueing its {} tasks", gone->name,
                   gone->in_flight.size());
      stats_.NoteRetried(gone->in_flight.size());
      stats_.NoteGone({gone->name, "stopped", now});
      // Leaving in good order costs its tasks no attempt.
      for (const auto& lost : gone->in_flight) {
        tracker_.OnLost(lost.ref, "worker " + gone->name + " stopped",
                        Charge::kFree);
      }
    }
  } else {
    bool known = workers_.Touch(peer, now);
    if (auto* batch = std::get_if<common::OutcomeBatch>(&*decoded)) {
      for (const common::TaskOutcome& outcome : batch->outcomes) {
        OnOutcome(peer, outcome, now);
      }
    }
    if (!known && reregister_limiter_.Allow(peer, now)) {
      // We restarted, or expired this worker while it was frozen: it must
      // register again before it gets work. Once per heartbeat interval:
      // its heartbeats queued meanwhile must not each cause a hello.
      SendToWorker(peer, common::Reregister{});
    }
  }
  ReportFinished(now);
  Dispatch(now);
  MaybeFlushCache(now);
}

void Coordinator::MaybeFlushCache(TimePoint now) {
  if (cache_ == nullptr || cache_->pending() == 0) return;
  // A transaction per batch of answers would cost more than the scans of
  // small files; one every kCacheFlushEvery (or kCacheFlushEntries) is
  // cheap, and lookups see what is not written yet.
  if (next_cache_flush_ == TimePoint::max()) {
    next_cache_flush_ = now + kCacheFlushEvery;
  }
  if (now < next_cache_flush_ && cache_->pending() < kCacheFlushEntries) {
    return;
  }
  next_cache_flush_ = TimePoint::max();
  if (Status s = cache_->Flush(); !s.ok()) Warn("cache", now, s.ToString());
}

void Coordinator::OnHello(const std::string& peer,
                          const common::WorkerHello& hello, TimePoint now) {
  WorkerRegistry::Registration reg = workers_.Register(peer, hello, now);
  if (config_.task_timeout.count() > 0 && !hello.running.empty()) {
    // Tasks it holds count from now (adopted ones too): see ExpireSlowTasks.
    next_overdue_ = std::min(next_overdue_, now + config_.task_timeout);
  }
  for (const auto& ref : reg.undelivered) {
    tracker_.OnLost(ref, "worker " + hello.name + " reconnected",
                    Charge::kFree);
  }
  size_t adopted = 0;
  for (const auto& ref : reg.adopted) adopted += tracker_.Adopt(ref) ? 1 : 0;
  if (reg.is_new && !hello.instance.empty()) {
    // The process that was judged dead is back (late under load, or its
    // connection cut): its lost tasks are not held against their files,
    // which fail after max_attempts losses only for workers that died.
    if (auto held = held_verdicts_.find(hello.instance);
        held != held_verdicts_.end()) {
      // Those it still holds it goes on with (Register took them back);
      // the others go back to the queue.
      for (const HeldVerdict& v : held->second) {
        if (!workers_.Holds(peer, v.ref)) {
          tracker_.OnLost(v.ref,
                          "worker " + hello.name + " came back without it",
                          Charge::kFree);
        }
      }
      spdlog::info(
          "worker {} is back (the same process) in time for the {} tasks "
          "lost with it at their last attempt",
          hello.name, held->second.size());
      held_verdicts_.erase(held);
    }
    auto charged = charged_by_instance_.find(hello.instance);
    if (charged != charged_by_instance_.end()) {
      for (const auto& ref : charged->second) tracker_.Uncharge(ref);
      spdlog::info(
          "worker {} is back (the same process): the {} tasks it lost are "
          "not counted as attempts lost with it",
          hello.name, charged->second.size());
      charged_by_instance_.erase(charged);
    }
  }
  if (reg.is_new) {
    stats_.NoteWorkerRegistered();
    spdlog::info("worker {} registered with {} slots ({} workers){}",
                 hello.name, hello.slots, workers_.size(),
                 adopted
                     ? fmt::format("; it was running {} of our tasks", adopted)
                     : std::string());
  } else {
    spdlog::debug("worker {} registered again, holding {} tasks", hello.name,
                  hello.running.size());
  }
}

std::optional<common::TaskOutcome> Coordinator::DecodeEntry(
    const common::TaskAssignment& task, const ResultCache::Entry& entry) {
  auto decoded = common::DecodeWorkerToCoordinator(
      entry.outcome, common::kOldestStoredVersion);
  auto* batch =
      decoded.ok() ? std::get_if<common::OutcomeBatch>(&*decoded) : nullptr;
  if (batch == nullptr || batch->outcomes.size() != 1 ||
      !batch->outcomes[0].status.ok() || batch->outcomes[0].unchanged ||
      batch->outcomes[0].start_offset != 0 ||
      batch->outcomes[0].resume_offset != entry.resume_offset) {
    spdlog::warn("result cache {}: the entry for {} cannot be read; erased",
                 cache_->path(), task.path);
    cache_->Erase(task.query, task.path);
    return std::nullopt;
  }
  return std::move(batch->outcomes[0]);
}

std::optional<common::TaskOutcome> Coordinator::FromCache(
    const common::TaskOutcome& unchanged) {
  if (cache_ == nullptr || !unchanged.identity) return std::nullopt;
  std::optional<common::TaskAssignment> task = tracker_.Describe(unchanged.ref);
  if (!task) return std::nullopt;
  std::optional<ResultCache::Entry> entry =
      cache_->Find(task->query, task->path);
  if (!entry || entry->identity != *unchanged.identity) return std::nullopt;
  std::optional<common::TaskOutcome> out = DecodeEntry(*task, *entry);
  if (!out) return std::nullopt;
  out->ref = unchanged.ref;
  out->identity = unchanged.identity;
  out->stats.files_cached = 1;
  out->stats.files_incremental = 0;
  // The whole file was not read: its part before the resume point and
  // its partial last line (the tail).
  out->stats.bytes_saved = out->stats.bytes_read + out->tail_stats.bytes_read;
  return out;
}

std::optional<common::TaskOutcome> Coordinator::FromGrown(
    const common::TaskOutcome& grown) {
  if (cache_ == nullptr || !grown.base) return std::nullopt;
  std::optional<common::TaskAssignment> task = tracker_.Describe(grown.ref);
  if (!task) return std::nullopt;
  std::optional<ResultCache::Entry> entry =
      cache_->Find(task->query, task->path);
  // The worker checked the file against the entry it was sent; only that
  // entry's result may be added to what it read.
  if (!entry || entry->identity != *grown.base ||
      entry->resume_offset != grown.start_offset) {
    return std::nullopt;
  }
  std::optional<common::TaskOutcome> out = DecodeEntry(*task, *entry);
  if (!out) return std::nullopt;
  // Host sets only: a --count query is never scanned incrementally (the
  // worker offers no resume point for one), so the entry holds no counts.
  out->ref = grown.ref;
  out->hosts.Merge(grown.hosts);
  out->stats.files_cached = 0;
  out->stats.Add(grown.stats);
  out->stats.files_incremental = 1;
  out->stats.bytes_saved = grown.start_offset;
  out->warnings = grown.warnings;
  out->identity = grown.identity;
  out->resume_offset = grown.resume_offset;
  out->tail_hosts = grown.tail_hosts;
  out->tail_stats = grown.tail_stats;
  return out;
}

void Coordinator::CacheOutcome(const common::TaskAssignment& task,
                               const common::TaskOutcome& outcome) {
  if (outcome.stats.files_cached != 0) {
    cache_->Touch(task.query, task.path);
    return;
  }
  // Stored as the bytes a worker sends, so whatever a result carries
  // (hosts, counts, warnings) comes back whole; the ref is a placeholder.
  common::TaskOutcome stored = outcome;
  stored.ref = common::TaskRef{"cache", 0, 0};
  stored.identity.reset();
  stored.stats.files_incremental = 0;
  stored.stats.bytes_saved = 0;
  cache_->Put(task.query, task.path, *outcome.identity,
              common::EncodeOutcome(stored), outcome.resume_offset);
}

void Coordinator::OnOutcome(const std::string& peer,
                            const common::TaskOutcome& outcome, TimePoint now) {
  if (outcome.unchanged || outcome.start_offset != 0) {
    // An answer that stands on a cache entry: the entry's result, or the
    // file's new bytes added to it.
    std::optional<common::TaskOutcome> whole =
        outcome.unchanged ? FromCache(outcome) : FromGrown(outcome);
    if (whole) return OnOutcome(peer, *whole, now);
    // The entry the worker checked against changed after the task was
    // sent (another job's result replaced it, or it was evicted): the
    // file is read again, free of charge.
    workers_.Release(peer, outcome.ref, now, 0);
    tracker_.OnLost(outcome.ref, "its cache entry changed", Charge::kFree);
    return;
  }
  if (outcome.resume_offset != 0) {
    // Cached as it came (before and after the resume point apart), and
    // answered whole.
    std::optional<common::TaskAssignment> task;
    if (cache_ != nullptr && outcome.identity && outcome.status.ok()) {
      task = tracker_.Describe(outcome.ref);
    }
    common::TaskOutcome whole = outcome;
    whole.hosts.Merge(outcome.tail_hosts);
    whole.stats.Add(outcome.tail_stats);
    whole.resume_offset = 0;
    whole.tail_hosts = common::HostSet();
    whole.tail_stats = common::ScanStats();
    whole.identity.reset();
    const bool accepted = OnAnswer(peer, whole, now);
    if (task && accepted) CacheOutcome(*task, outcome);
    return;
  }
  OnAnswer(peer, outcome, now);
}

bool Coordinator::OnAnswer(const std::string& peer,
                           const common::TaskOutcome& outcome, TimePoint now) {
  std::optional<TimePoint> sent = workers_.Release(
      peer, outcome.ref, now,
      outcome.stats.files_cached ? 0 : outcome.stats.bytes_scanned);
  const std::string key = workers_.KeyOf(peer);
  std::optional<common::TaskAssignment> cache_task;
  if (cache_ != nullptr && outcome.identity && outcome.status.ok()) {
    cache_task = tracker_.Describe(outcome.ref);
  }
  TaskTracker::OutcomeEffect effect = tracker_.OnOutcome(outcome, key);
  if (cache_task && effect.accept == TaskTracker::Accept::kAccepted) {
    CacheOutcome(*cache_task, outcome);
  }
  if (sent && outcome.status.ok() &&
      effect.accept == TaskTracker::Accept::kAccepted) {
    tracker_.NoteRunTime(outcome.ref.job_id, now - *sent);
  }
  switch (effect.accept) {
    case TaskTracker::Accept::kAccepted:
      if (!effect.awaiting_confirmation) {
        stats_.NoteOutcome(outcome.status, outcome.stats,
                           sent
                               ? std::optional<TimePoint::duration>(now - *sent)
                               : std::nullopt);
      }
      if (!outcome.status.ok()) {
        spdlog::info(
            "job {} task {} attempt {} failed on {}: {}{}", outcome.ref.job_id,
            outcome.ref.task_id, outcome.ref.attempt, workers_.NameOf(peer),
            outcome.status.ToString(),
            effect.awaiting_confirmation ? "; trying it on another worker"
                                         : "");
      }
      break;
    case TaskTracker::Accept::kStale:
      stats_.NoteStale();
      spdlog::debug("dropped late result for job {} task {} attempt {}",
                    outcome.ref.job_id, outcome.ref.task_id,
                    outcome.ref.attempt);
      break;
    case TaskTracker::Accept::kUnknown:
      if (finished_.count(outcome.ref.job_id) ||
          recently_finished_set_.count(outcome.ref.job_id)) {
        // Answers of a cancelled or finished job's last attempts, late.
        spdlog::debug("dropped result for finished job {} task {}",
                      outcome.ref.job_id, outcome.ref.task_id);
      } else {
        Warn("unknown-result", now,
             fmt::format("dropped result for unknown job {} task {} attempt "
                         "{} from {}",
                         outcome.ref.job_id, outcome.ref.task_id,
                         outcome.ref.attempt, workers_.NameOf(peer)));
      }
      break;
  }
  if (outcome.status.ok() && effect.accept == TaskTracker::Accept::kAccepted) {
    workers_.NoteSuccess(peer);
  }
  bool review = effect.awaiting_confirmation;
  for (const std::string& key : effect.contradicted_workers) {
    std::string reason =
        "files it could not read were read by other workers "
        "(last: " +
        effect.contradicted_status.ToString() + ")";
    if (workers_.Strike(key, reason, now)) {
      spdlog::warn(
          "worker with key {} quarantined for {} s: {}; it gets no tasks "
          "meanwhile (check its mounts and --data-root)",
          key,
          std::chrono::duration_cast<std::chrono::seconds>(
              config_.quarantine_duration)
              .count(),
          reason);
      review = true;
    }
  }
  if (review) ReviewUnconfirmed();
  return effect.accept == TaskTracker::Accept::kAccepted;
}

void Coordinator::ReviewUnconfirmed() {
  struct View {
    const WorkerRegistry& workers;
    bool AnyOutside(const std::vector<std::string>& keys) const {
      return workers.HasWorkerOutside(keys, false);
    }
    bool TrustedOutside(const std::vector<std::string>& keys) const {
      return workers.HasWorkerOutside(keys, true);
    }
  };
  tracker_.ReviewUnconfirmed(View{workers_});
}

void Coordinator::OnClientMessage(const std::string& peer,
                                  std::string_view payload, TimePoint now,
                                  const std::string& client,
                                  const std::string& label) {
  stats_.NoteMessageIn(payload.size());
  ResultCache::Reads reads(cache_);  // a submit's first tasks' lookups
  auto decoded = common::DecodeClientToCoordinator(payload);
  if (!decoded.ok()) {
    Refuse(Outgoing::Socket::kClients, peer, decoded.status(), now);
    return;
  }
  if (!label.empty()) {
    // Bounded: peers that leave without a word are forgotten in bulk.
    if (client_labels_.size() >= 4096 && !client_labels_.count(peer)) {
      client_labels_.clear();
    }
    client_labels_[peer] = label;
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
  if (!submit.request_key.empty()) {
    // A submit sent again (its answer was lost, or the coordinator
    // restarted): the job it created, not a second one.
    std::string existing;
    if (auto it = job_by_request_key_.find(submit.request_key);
        it != job_by_request_key_.end()) {
      existing = it->second;
    } else if (journal_ != nullptr) {
      auto found = journal_->FindByRequestKey(submit.request_key);
      if (!found.ok()) {
        SendToClient(peer,
                     common::JobRejected{found.status(), submit.request_id});
        return;
      }
      if (found->has_value()) existing = **found;
    }
    if (!existing.empty() &&
        AttachTo(peer, existing, submit.stream_files, submit.request_id, now)) {
      spdlog::info("job {}: the same submit again; answered with the job",
                   existing);
      return;
    }
  }
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
    Warn("job-limit", now,
         fmt::format("rejected a job from {}: {} unfinished jobs",
                     ClientName(peer), open));
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
  std::string id = TaskTracker::NewJobId();
  if (journal_ != nullptr) {
    // Durable before the client hears the id, so `wait ID` always works; a
    // job that cannot be made durable is refused, not run half-durable.
    journal_->RecordJob(id, submit, client, UnixMs());
    if (Status s = journal_->Commit(); !s.ok()) {
      journal_->DiscardJob(id);
      spdlog::error("refused a job of {} files: {}", submit.paths.size(),
                    s.ToString());
      SendToClient(peer, common::JobRejected{
                             common::UnavailableError(
                                 "the coordinator cannot record the job in its "
                                 "state directory (" +
                                 s.message() + "); try again later"),
                             submit.request_id});
      if (open == 0) open_jobs_by_client_.erase(client);
      return;
    }
  }
  tracker_.AddJob(peer, submit, now, id);
  stats_.NoteSubmit();
  ++open;
  client_of_job_[id] = client;
  if (!submit.request_key.empty()) {
    job_by_request_key_[submit.request_key] = id;
  }
  if (submit.query.list_files) {
    spdlog::info("job {} accepted: listing {} paths for {} (submit --remote)",
                 id, submit.paths.size(), ClientName(peer));
  } else {
    spdlog::info("job {} accepted: {} files from {}, query {}{}", id,
                 submit.paths.size(), ClientName(peer), QueryText(submit.query),
                 submit.merge_partial ? ", merge partial" : "");
  }
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

bool Coordinator::AttachTo(const std::string& peer, const std::string& id,
                           bool stream_files, uint64_t request_id,
                           TimePoint now, bool restart_result) {
  if (auto total = tracker_.AttachClient(id, peer, stream_files)) {
    spdlog::info("{} attached to job {}", ClientName(peer), id);
    Accept(peer, id, *total, request_id);
    return true;
  }
  if (auto it = finished_.find(id); it != finished_.end()) {
    SendToClient(peer, common::JobAccepted{id, it->second.result->files.size(),
                                           request_id});
    // A client that only wondered (silence) while its result is on its way
    // lets it go on; one that missed a piece, or is new, gets it again.
    const bool sending = std::any_of(
        streams_.begin(), streams_.end(), [&](const ResultStream& s) {
          return s.peer == peer && s.result->job_id == id;
        });
    if (restart_result || !sending) {
      StartResult(peer, it->second, stream_files);
    }
    return true;
  }
  if (journal_ != nullptr) {
    // A finished job's result is rebuilt from the journal.
    auto stored = journal_->Load(id);
    if (!stored.ok()) {
      spdlog::error("{}", stored.status().ToString());
    } else if (stored->has_value()) {
      const auto& job = **stored;
      tracker_.RestoreJob(job.id, peer, job.submit, job.done, now,
                          StartedAt(job, now));
      if (!job.owner.empty() && !client_of_job_.count(job.id)) {
        // Counted until it finishes (at once, if it has).
        client_of_job_[job.id] = job.owner;
        ++open_jobs_by_client_[job.owner];
      }
      tracker_.AttachClient(job.id, peer, stream_files);
      if (!job.submit.request_key.empty()) {
        job_by_request_key_[job.submit.request_key] = job.id;
      }
      SendToClient(
          peer, common::JobAccepted{id, job.submit.paths.size(), request_id});
      return true;
    }
  }
  return false;
}

void Coordinator::OnClientRequest(const std::string& peer,
                                  const std::string& client,
                                  const common::WaitJob& wait, TimePoint now) {
  Status why;
  auto id = ResolveJobId(wait.job_id, client, &why);
  if (!id) {
    SendToClient(peer, common::JobRejected{why, wait.request_id});
    return;
  }
  if (AttachTo(peer, *id, wait.stream_files, wait.request_id, now,
               wait.restart_result)) {
    return;
  }
  SendToClient(peer, common::JobRejected{UnknownJob(*id), wait.request_id});
}

Status Coordinator::UnknownJob(const std::string& id) const {
  return common::NotFoundError(
      "no job " + id +
      (journal_ ? "" : " (finished jobs are kept only with --state)"));
}

void Coordinator::OnClientRequest(const std::string& peer,
                                  const std::string& client,
                                  const common::CancelJob& cancel, TimePoint) {
  Status why;
  auto id = ResolveJobId(cancel.job_id, client, &why);
  if (!id) {
    SendToClient(peer, common::JobRejected{why, cancel.request_id});
    return;
  }
  auto cancelled = tracker_.Cancel(*id, cancel.task_ids);
  if (!cancelled) {
    SendToClient(peer,
                 common::JobRejected{
                     common::NotFoundError(
                         "no unfinished job " + *id +
                         (finished_.count(*id) ? " (it has finished)" : "")),
                     cancel.request_id});
    return;
  }
  spdlog::info("job {}: {} tasks cancelled by {}", *id, *cancelled,
               ClientName(peer));
  SendToClient(peer, common::CancelReply{*id, *cancelled, cancel.request_id});
}

void Coordinator::OnClientRequest(const std::string& peer,
                                  const std::string& client,
                                  const common::GetStatus& request,
                                  TimePoint now) {
  if (request.history) {
    AnswerHistory(peer, client, request, now);
    return;
  }
  std::string job_id = request.job_id;
  if (!job_id.empty()) {
    Status why;
    auto id = ResolveJobId(job_id, client, &why);
    if (!id) {
      SendToClient(peer, common::JobRejected{why, request.request_id});
      return;
    }
    job_id = *id;
  }
  common::StatusReply reply;
  reply.request_id = request.request_id;
  reply.workers = workers_.Statuses(now);
  reply.jobs = tracker_.Statuses(job_id, now);
  for (auto& job : reply.jobs) {
    job.progress.workers = static_cast<uint32_t>(workers_.size());
    // A job id is what lets a client wait for or cancel a job: in a list,
    // only the jobs this client submitted show theirs in full.
    auto owner = client_of_job_.find(job.progress.job_id);
    bool own = owner != client_of_job_.end() && owner->second == client;
    if (job_id.empty() && !own) {
      job.progress.job_id = job.progress.job_id.substr(0, 8) + "...";
    }
  }
  if (!job_id.empty() && reply.jobs.empty()) {
    // Not running: maybe finished, kept here or in the journal.
    common::JobStatus job;
    job.progress.job_id = job_id;
    if (auto it = finished_.find(job_id); it != finished_.end()) {
      job.finished = true;
      const common::JobResult& r = *it->second.result;
      job.progress.total = r.files.size();
      job.progress.done = r.files.size();
      for (const auto& f : r.files) {
        if (!f.status.ok()) ++job.progress.failed;
      }
      job.progress.bytes_scanned = r.totals.bytes_scanned;
      job.elapsed_ms = r.elapsed_us / 1000;
      job.query = r.query;
    } else {
      std::optional<JobJournal::StoredJob> stored;
      if (journal_ != nullptr) {
        auto loaded = journal_->Load(job_id);
        if (loaded.ok()) stored = std::move(*loaded);
      }
      if (!stored) {
        SendToClient(
            peer, common::JobRejected{UnknownJob(job_id), request.request_id});
        return;
      }
      job.finished = stored->finished;
      if (stored->finished) {
        job.elapsed_ms = stored->elapsed_us / 1000;
      } else if (stored->submitted_unix_ms > 0) {
        job.elapsed_ms = static_cast<uint64_t>(
            std::max<int64_t>(0, UnixMs() - stored->submitted_unix_ms));
      }
      job.progress.total = stored->submit.paths.size();
      job.progress.done = stored->done.size();
      for (const auto& outcome : stored->done) {
        if (!outcome.status.ok()) ++job.progress.failed;
        job.progress.bytes_scanned += outcome.stats.bytes_scanned;
      }
    }
    job.progress.workers = static_cast<uint32_t>(workers_.size());
    reply.jobs.push_back(std::move(job));
  }
  SendToClient(peer, reply);
}

void Coordinator::AnswerHistory(const std::string& peer,
                                const std::string& client,
                                const common::GetStatus& request,
                                TimePoint now) {
  if (journal_ == nullptr) {
    SendToClient(peer, common::JobRejected{
                           common::NotFoundError(
                               "this coordinator keeps no job history: it "
                               "runs without --state"),
                           request.request_id});
    return;
  }
  constexpr uint32_t kDefaultLimit = 20, kMaxLimit = 1000;
  const uint32_t limit = request.history_limit == 0
                             ? kDefaultLimit
                             : std::min(request.history_limit, kMaxLimit);
  auto jobs = journal_->ListJobs(limit);
  if (!jobs.ok()) {
    SendToClient(peer, common::JobRejected{jobs.status(), request.request_id});
    return;
  }
  common::StatusReply reply;
  reply.request_id = request.request_id;
  reply.has_history = true;
  const int64_t unix_now = UnixMs();
  for (const JobJournal::JobSummary& stored : *jobs) {
    common::JobSummary job;
    job.job_id = stored.id;
    job.submitted_unix_ms = stored.submitted_unix_ms;
    if (stored.finished) {
      job.state = stored.state;
      job.files = stored.files;
      job.failed = stored.failed;
      job.done = stored.files;
      job.elapsed_ms = stored.elapsed_us / 1000;
    } else if (auto live = tracker_.Statuses(stored.id, now); !live.empty()) {
      job.state = "running";
      job.files = live[0].progress.total;
      job.done = live[0].progress.done;
      job.failed = live[0].progress.failed;
      job.elapsed_ms = live[0].elapsed_ms;
    } else if (auto it = finished_.find(stored.id); it != finished_.end()) {
      // Finished this turn, its end not committed yet.
      const JobJournal::JobEnd end = JournalEnd(*it->second.result);
      job.state = end.state;
      job.files = end.files;
      job.failed = end.failed;
      job.done = end.files;
      job.elapsed_ms = end.elapsed_us / 1000;
    } else {
      job.state = "running";
      if (stored.submitted_unix_ms > 0) {
        job.elapsed_ms = static_cast<uint64_t>(
            std::max<int64_t>(0, unix_now - stored.submitted_unix_ms));
      }
    }
    // As in `status`: only the asker's own jobs show their ids in full.
    if (stored.owner != client) job.job_id = job.job_id.substr(0, 8) + "...";
    reply.history.push_back(std::move(job));
  }
  SendToClient(peer, reply);
}

std::optional<TimePoint> Coordinator::StartedAt(
    const JobJournal::StoredJob& job, TimePoint now) {
  if (job.finished && job.elapsed_us > 0) {
    return now - std::chrono::microseconds(job.elapsed_us);
  }
  if (job.submitted_unix_ms <= 0) return std::nullopt;
  const int64_t ago = std::max<int64_t>(0, UnixMs() - job.submitted_unix_ms);
  return now - std::chrono::milliseconds(ago);
}

Status Coordinator::Restore(TimePoint now) {
  if (journal_ == nullptr) return common::OkStatus();
  auto jobs = journal_->LoadUnfinished();
  if (!jobs.ok()) return jobs.status();
  for (const auto& job : *jobs) {
    tracker_.RestoreJob(job.id, "", job.submit, job.done, now,
                        StartedAt(job, now));
    if (!job.owner.empty()) {
      client_of_job_[job.id] = job.owner;
      ++open_jobs_by_client_[job.owner];
    }
    if (!job.submit.request_key.empty()) {
      job_by_request_key_[job.submit.request_key] = job.id;
    }
    spdlog::info("job {} resumed: {} of {} files already done", job.id,
                 job.done.size(), job.submit.paths.size());
  }
  ReportFinished(now);
  return common::OkStatus();
}

size_t Coordinator::OnShutdown() {
  if (journal_ != nullptr) return 0;  // resumed by the next coordinator
  size_t told = 0;
  for (const auto& p : tracker_.ProgressReports()) {
    if (p.client.empty()) continue;
    common::Refused gone{
        common::NotFoundError(
            "job " + p.progress.job_id +
            " is gone: the coordinator stopped, and without --state it "
            "keeps no job across a restart"),
        common::kProtocolVersion};
    outbox_.push_back(
        Outgoing{Outgoing::Socket::kClients,
                 p.client,
                 common::Encode(common::CoordinatorToClient(gone)),
                 {}});
    ++told;
  }
  return told;
}

Status Coordinator::CommitJournal(TimePoint now) {
  if (journal_ == nullptr) return common::OkStatus();
  for (const auto& outcome : tracker_.TakeCompletedTasks()) {
    journal_->RecordTask(outcome);
  }
  if (!journal_->has_pending()) return PruneJournal(now);
  if (now < next_journal_retry_) return common::OkStatus();
  const auto started = std::chrono::steady_clock::now();
  Status s = journal_->Commit();
  stats_.NoteJournalCommit(std::chrono::steady_clock::now() - started);
  // After a failure (disk full, a lock), try again a second later rather
  // than on every wake-up; nothing is dropped meanwhile.
  next_journal_retry_ = s.ok() ? TimePoint{} : now + std::chrono::seconds(1);
  if (!s.ok()) return s;
  return PruneJournal(now);
}

Status Coordinator::PruneJournal(TimePoint now) {
  if (journal_ == nullptr || journal_->has_pending() || now < next_prune_ ||
      config_.keep_journal_jobs == CoordinatorConfig::kKeepJobsForever) {
    return common::OkStatus();
  }
  // Bounded history: one batch per turn of the loop while there is work,
  // else a look once a second.
  const auto started = std::chrono::steady_clock::now();
  auto step = journal_->Prune(UnixMs() - config_.keep_journal_jobs.count(),
                              config_.prune_batch_rows);
  stats_.NoteJournalPrune(std::chrono::steady_clock::now() - started);
  if (!step.ok()) {
    next_prune_ = now + std::chrono::seconds(1);
    return step.status();
  }
  stats_.NotePruned(step->jobs);
  if (step->jobs > 0) {
    spdlog::info("journal: {} finished jobs older than {} s pruned", step->jobs,
                 config_.keep_journal_jobs.count() / 1000);
  }
  next_prune_ = step->more ? now + std::chrono::milliseconds(10)
                           : now + std::chrono::seconds(1);
  return common::OkStatus();
}

void Coordinator::ExpireSlowTasks(TimePoint now) {
  // Each attempt's send time is kept with the worker that holds it, and
  // forgotten with its answer: nothing per task outlives the task.
  if (now < next_overdue_) return;
  TimePoint oldest;
  for (auto& late : workers_.TakeOverdue(now - config_.task_timeout, &oldest)) {
    spdlog::warn("job {} task {} attempt {} timed out on worker {}",
                 late.ref.job_id, late.ref.task_id, late.ref.attempt,
                 late.worker_name);
    tracker_.OnLost(late.ref, "timed out after " +
                                  std::to_string(config_.task_timeout.count()) +
                                  " ms on worker " + late.worker_name);
    stats_.NoteRetried(1);
  }
  next_overdue_ =
      oldest == TimePoint::max() ? oldest : oldest + config_.task_timeout;
}

void Coordinator::OnWorkersDrained(TimePoint now) { drained_ = now; }

void Coordinator::OnStall(std::chrono::milliseconds gap, TimePoint now) {
  // Every worker gets a whole expiry period from now to be heard from: its
  // messages sent during the stall are still on their way in.
  stall_grace_until_ = now + config_.heartbeat_interval * config_.liveness;
  Warn("stall", now,
       fmt::format("the coordinator did not run for {} ms (stopped or "
                   "overloaded); no worker is judged silent for {} ms",
                   gap.count(),
                   (config_.heartbeat_interval * config_.liveness).count()));
}

void Coordinator::OnTick(TimePoint now) {
  MaybeFlushCache(now);
  ResultCache::Reads reads(cache_);  // requeued tasks' lookups
  // Silence counts only up to the last time every waiting message was
  // read, and not at all right after the loop itself stalled.
  // The same for a held verdict: the hello it waits for may be queued.
  if (now >= stall_grace_until_) {
    for (auto& dead : workers_.Expire(std::min(now, drained_))) {
      DropWorker(dead, "no heartbeat within expiry", Charge::kCharged, now);
    }
    GiveVerdicts(std::min(now, drained_));
  }
  for (const std::string& name : workers_.LiftQuarantines(now)) {
    spdlog::info("worker {} is out of quarantine", name);
  }
  ExpireSlowTasks(now);
  if (config_.speculation && now >= next_speculation_) {
    Speculate(now);
    next_speculation_ = now + std::chrono::milliseconds(200);
  }
  if (now >= next_heartbeat_check_) {
    // Any message proves us alive: a worker sent tasks needs no heartbeat.
    // Looking every quarter interval for those sent nothing for three
    // quarters, none waits over an interval for word from us; a busy
    // cluster is spared most heartbeats (at 10,000 workers, most of the
    // coordinator's work).
    const auto interval = config_.heartbeat_interval;
    for (const std::string& peer :
         workers_.TakeQuiet(now - interval * 3 / 4, now)) {
      SendToWorker(peer, common::Heartbeat{});
    }
    next_heartbeat_check_ = now + interval / 4;
  }
  if (now >= next_heartbeat_) {
    next_heartbeat_ = now + config_.heartbeat_interval;
    reregister_limiter_.Prune(now, config_.heartbeat_interval * 10);
    refuse_limiter_.Prune(now, config_.heartbeat_interval * 10);
    warn_limiter_.Prune(now, std::chrono::minutes(1));
    PruneFinished(now);
    ReviewUnconfirmed();
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
  PumpResults(config_.result_part_bytes * 2);
  if (now >= next_publish_) PublishStatus(now);
}

void Coordinator::OnSendsFailed(const std::vector<SendFailure>& failures,
                                TimePoint now) {
  // First every task that did not go out returns to its queue, free; only
  // then are gone workers dropped, so their remaining tasks (sent earlier,
  // so delivered) are the only ones charged.
  std::vector<std::string> gone_workers;
  for (const SendFailure& f : failures) {
    const Outgoing& m = f.message;
    if (m.socket == Outgoing::Socket::kClients) {
      if (f.status.code() == common::StatusCode::kUnavailable ||
          f.status.message().find("queue full") != std::string::npos) {
        // The client left; its jobs still run to completion, for `wait`
        // to attach to.
        spdlog::info("{} is gone; its jobs run on unattended",
                     ClientName(m.peer));
        client_labels_.erase(m.peer);
        tracker_.DetachClient(m.peer);
        streams_.erase(std::remove_if(streams_.begin(), streams_.end(),
                                      [&](const ResultStream& s) {
                                        return s.peer == m.peer;
                                      }),
                       streams_.end());
      } else {
        spdlog::error("a message to {} was not sent: {}", ClientName(m.peer),
                      f.status.ToString());
      }
      continue;
    }
    for (const common::TaskRef& ref : m.tasks) {
      workers_.Release(m.peer, ref);
      tracker_.OnLost(ref, "not delivered to worker", Charge::kFree);
    }
    if (std::find(gone_workers.begin(), gone_workers.end(), m.peer) ==
        gone_workers.end()) {
      gone_workers.push_back(m.peer);
    }
  }
  for (const std::string& peer : gone_workers) {
    // Gone, or so far behind that its queue is full: either way it is of
    // no use now; it registers again if it comes back.
    if (auto dead = workers_.Remove(peer)) {
      DropWorker(*dead, "connection gone", Charge::kCharged, now);
    }
  }
  ReportFinished(now);
  Dispatch(now);
}

void Coordinator::DropWorker(const WorkerRegistry::Dead& dead,
                             const std::string& why, Charge charge,
                             TimePoint now) {
  spdlog::warn("worker {} (peer {}) is dead: {}; requeueing {} tasks",
               dead.name, PeerHex(dead.peer), why, dead.in_flight.size());
  stats_.NoteGone({dead.name, why, now});
  // Only the losses actually charged are remembered: withdrawing one that
  // was not (a stale attempt) would cancel another worker's charge.
  std::vector<common::TaskRef> charged;
  size_t sent_while_silent = 0;
  std::vector<HeldVerdict>* held = nullptr;
  size_t held_now = 0;
  const std::string reason = "worker " + dead.name + " lost: " + why;
  const TimePoint until = now + 2 * dead.expiry;
  for (const WorkerRegistry::Lost& lost : dead.in_flight) {
    const common::TaskRef& ref = lost.ref;
    Charge this_one = charge;
    if (lost.sent_while_silent) {
      this_one = Charge::kFree;
      ++sent_while_silent;
    }
    if (this_one == Charge::kCharged && !dead.instance.empty() &&
        tracker_.IsLastAttempt(ref)) {
      if (held == nullptr) held = &held_verdicts_[dead.instance];
      held->push_back(HeldVerdict{ref, reason, until});
      ++held_now;
      continue;
    }
    if (tracker_.OnLost(ref, reason, this_one)) charged.push_back(ref);
  }
  stats_.NoteRetried(dead.in_flight.size() - held_now);
  if (sent_while_silent > 0 && charge == Charge::kCharged) {
    spdlog::info(
        "worker {}: {} of its tasks were sent after it had fallen silent; "
        "their loss is not counted against their files",
        dead.name, sent_while_silent);
  }
  if (held != nullptr) {
    verdict_times_.emplace(until, dead.instance);
    spdlog::info(
        "worker {}: {} of its tasks were at their last attempt; they wait "
        "{} ms for it to come back before their files fail",
        dead.name, held_now,
        std::chrono::duration_cast<std::chrono::milliseconds>(until - now)
            .count());
  }
  RememberCharges(dead.instance, charged);
}

void Coordinator::RememberCharges(const std::string& instance,
                                  const std::vector<common::TaskRef>& charged) {
  if (instance.empty() || charged.empty()) return;
  if (charged_by_instance_.size() >= kMaxChargedInstances) {
    charged_by_instance_.clear();  // only refunds are lost
  }
  std::vector<common::TaskRef>& kept = charged_by_instance_[instance];
  kept.insert(kept.end(), charged.begin(), charged.end());
}

void Coordinator::GiveVerdicts(TimePoint now) {
  while (!verdict_times_.empty() && verdict_times_.top().first <= now) {
    const std::string instance = verdict_times_.top().second;
    verdict_times_.pop();
    auto it = held_verdicts_.find(instance);
    if (it == held_verdicts_.end()) continue;  // it came back
    std::vector<common::TaskRef> charged;
    std::vector<HeldVerdict>& held = it->second;
    auto due = std::stable_partition(
        held.begin(), held.end(),
        [&](const HeldVerdict& v) { return v.until > now; });
    for (auto v = due; v != held.end(); ++v) {
      if (tracker_.OnLost(v->ref, v->reason, Charge::kCharged)) {
        charged.push_back(v->ref);
      }
    }
    held.erase(due, held.end());
    if (held.empty()) held_verdicts_.erase(it);
    RememberCharges(instance, charged);
  }
}

void Coordinator::Dispatch(TimePoint now) {
  // Workers none of whose pending tasks may run on them (each waits for
  // another worker's word): passed over for the rest of this pass.
  std::vector<std::string> passed_over;
  // Every task this pass hands one worker goes in one message: its index
  // in the outbox, by peer.
  std::unordered_map<std::string, size_t> batch_of;
  while (tracker_.HasPending()) {
    std::string peer =
        workers_.PickWorkerWithCredit(std::string(), &passed_over);
    if (peer.empty()) return;
    auto task = tracker_.TakeNext(workers_.KeyOf(peer), workers_.Trusted(peer));
    if (!task) {
      passed_over.push_back(std::move(peer));
      continue;
    }
    SendTask(peer, std::move(*task), now, batch_of);
  }
}

void Coordinator::SendTask(const std::string& peer, common::TaskAssignment task,
                           TimePoint now,
                           std::unordered_map<std::string, size_t>& batch_of) {
  workers_.Assign(peer, task.ref, now);
  stats_.NoteDispatch();
  task.no_identity = cache_ == nullptr;
  task.cache_min_bytes = cache_min_bytes_;
  if (cache_ != nullptr && !task.query.list_files) {
    std::optional<ResultCache::Entry> entry =
        cache_->Find(task.query, task.path);
    if (entry) {
      task.cached = entry->identity;
      task.resume_from = entry->resume_offset;
    }
  }
  if (config_.task_timeout.count() > 0) {
    next_overdue_ = std::min(next_overdue_, now + config_.task_timeout);
  }
  auto [batch, fresh] = batch_of.try_emplace(peer, outbox_.size());
  if (fresh) {
    outbox_.push_back(Outgoing{Outgoing::Socket::kWorkers, peer, {}, {}});
  }
  Outgoing& message = outbox_[batch->second];
  message.payload += common::EncodeTask(task);
  message.tasks.push_back(std::move(task.ref));
}

void Coordinator::Speculate(TimePoint now) {
  if (tracker_.HasPending() || workers_.PickIdleWorker("").empty()) return;
  std::vector<WorkerRegistry::Running> running =
      workers_.RunningSince(now - config_.speculation_rule.min_runtime);
  std::sort(running.begin(), running.end(),
            [](const auto& a, const auto& b) { return a.sent < b.sent; });
  std::unordered_map<std::string, size_t> batch_of;
  for (WorkerRegistry::Running& r : running) {
    const std::string idle = workers_.PickIdleWorker(workers_.KeyOf(r.peer));
    if (idle.empty()) continue;
    auto copy =
        tracker_.Speculate(r.ref, now - r.sent, config_.speculation_rule);
    if (!copy) continue;
    stats_.NoteSpeculated();
    spdlog::info(
        "job {} task {} has run {} ms on worker {}, far longer than the "
        "job's other files: a copy runs on worker {}; the first answer wins",
        r.ref.job_id, r.ref.task_id,
        std::chrono::duration_cast<std::chrono::milliseconds>(now - r.sent)
            .count(),
        workers_.NameOf(r.peer), workers_.NameOf(idle));
    SendTask(idle, std::move(*copy), now, batch_of);
  }
}

void Coordinator::ReportFinished(TimePoint now) {
  // Files before results: a job's last FilesDone precedes its JobResult.
  for (auto& f : tracker_.TakeFileOutcomes()) SendToClient(f.client, f.files);
  for (auto& f : tracker_.TakeFinished(now)) {
    const std::string id = f.result.job_id;
    if (journal_ != nullptr) {
      // Its tasks' outcomes first, so the done job is complete on disk.
      for (const auto& outcome : tracker_.TakeCompletedTasks()) {
        journal_->RecordTask(outcome);
      }
      journal_->RecordJobDone(id, JournalEnd(f.result));
    }
    // Remembered past finished_'s retention (ids only), so that late
    // answers for it are not taken for a stranger's.
    if (recently_finished_set_.insert(id).second) {
      recently_finished_.push_back(id);
      if (recently_finished_.size() > kRecentlyFinished) {
        recently_finished_set_.erase(recently_finished_.front());
        recently_finished_.pop_front();
      }
    }
    FinishedJob done;
    done.finished_at = now;
    if (auto owner = client_of_job_.find(id); owner != client_of_job_.end()) {
      done.owner = owner->second;
      auto open = open_jobs_by_client_.find(owner->second);
      if (open != open_jobs_by_client_.end() && --open->second == 0) {
        open_jobs_by_client_.erase(open);
      }
      client_of_job_.erase(owner);
    }
    size_t failed = std::count_if(
        f.result.files.begin(), f.result.files.end(),
        [](const common::FileReport& r) { return !r.status.ok(); });
    spdlog::info(
        "job {} finished: {} files, {} failed, {} hosts, {:.1f} MB scanned, "
        "{:.1f} s{}",
        id, f.result.files.size(), failed, f.hosts.size(),
        static_cast<double>(f.result.totals.bytes_scanned) / 1e6,
        static_cast<double>(f.result.elapsed_us) / 1e6,
        f.client.empty() ? "; no client attached, kept for `logsweep wait`"
                         : "");
    NoteFinished(stats_, f.result, failed, now);
    done.result =
        std::make_shared<const common::JobResult>(std::move(f.result));
    done.hosts = std::make_shared<const common::HostSet>(std::move(f.hosts));
    if (f.result.counted) {
      done.counts =
          std::make_shared<const common::HostCounts>(std::move(f.counts));
    }
    if (!f.file_hosts.empty()) {
      done.file_hosts =
          std::make_shared<const std::vector<std::vector<std::string>>>(
              std::move(f.file_hosts));
    }
    if (!f.file_tallies.empty()) {
      done.file_tallies =
          std::make_shared<const std::vector<std::vector<common::HostTally>>>(
              std::move(f.file_tallies));
    }
    for (const auto& [key, job_id] : job_by_request_key_) {
      if (job_id == id) {
        done.request_key = key;
        break;
      }
    }
    StartResult(f.client, done, /*resend_files=*/false);
    if (config_.max_finished_jobs > 0) {
      finished_order_.push_back(id);
      finished_[id] = std::move(done);
    } else if (!done.request_key.empty()) {
      job_by_request_key_.erase(done.request_key);
    }
  }
  PruneFinished(now);
}

void Coordinator::PruneFinished(TimePoint now) {
  while (!finished_order_.empty()) {
    auto it = finished_.find(finished_order_.front());
    if (it != finished_.end() &&
        finished_order_.size() <= config_.max_finished_jobs &&
        now - it->second.finished_at < config_.finished_retention) {
      break;
    }
    if (it != finished_.end()) {
      if (!it->second.request_key.empty()) {
        job_by_request_key_.erase(it->second.request_key);
      }
      finished_.erase(it);
    }
    finished_order_.pop_front();
  }
}

void Coordinator::StartResult(const std::string& peer, const FinishedJob& job,
                              bool resend_files) {
  if (peer.empty()) return;  // nobody attached: kept for a later `wait`
  // One stream per client and job: one asked for again starts over (its
  // first piece has index 0, which tells the client to drop what it had).
  const std::string& id = job.result->job_id;
  streams_.erase(std::remove_if(streams_.begin(), streams_.end(),
                                [&](const ResultStream& s) {
                                  return s.peer == peer &&
                                         s.result->job_id == id;
                                }),
                 streams_.end());
  ResultStream stream;
  stream.peer = peer;
  stream.result = job.result;
  stream.hosts = job.hosts;
  stream.counts = job.counts;
  stream.next_host = job.hosts->begin();
  if (resend_files) {
    stream.file_hosts = job.file_hosts;
    stream.file_tallies = job.file_tallies;
  }
  // A result that fits in one piece goes out whole, at once, sorted.
  // (Counting stops at the piece size: a big result is never walked here.)
  size_t bytes = 0;
  for (auto h = job.hosts->begin();
       h != job.hosts->end() && bytes <= config_.result_part_bytes; ++h) {
    bytes += h->size() + (job.counts ? kTallyBytes : 2);
  }
  for (size_t i = 0;
       i < job.result->files.size() && bytes <= config_.result_part_bytes;
       ++i) {
    bytes += ReportBytes(job.result->files[i]);
  }
  if (!stream.file_hosts && bytes <= config_.result_part_bytes) {
    common::JobResult whole = *job.result;
    whole.hosts = job.hosts->Sorted();
    if (job.counts) whole.tallies = TalliesOf(whole.hosts, *job.counts);
    SendToClient(peer, whole);
    return;
  }
  streams_.push_back(std::move(stream));
  PumpResults(config_.result_part_bytes);
}

void Coordinator::PumpResults(size_t budget) {
  size_t sent = 0;
  while (!streams_.empty() && sent < budget) {
    ResultStream& s = streams_.front();
    const common::JobResult& r = *s.result;
    const size_t limit = config_.result_part_bytes;
    size_t bytes = 0;
    if (s.file_hosts && s.next_outcome < r.files.size()) {
      // A client re-attaching for per-file futures gets every file again.
      common::FilesDone files;
      files.job_id = r.job_id;
      while (s.next_outcome < r.files.size() && bytes < limit) {
        const size_t i = s.next_outcome++;
        const auto& hosts = (*s.file_hosts)[i];
        files.files.push_back(common::FileOutcome{
            i, r.files[i], hosts,
            s.file_tallies ? (*s.file_tallies)[i]
                           : std::vector<common::HostTally>()});
        bytes += ReportBytes(r.files[i]);
        for (const std::string& h : hosts) {
          bytes += h.size() + (s.file_tallies ? kTallyBytes : 2);
        }
      }
      SendToClient(s.peer, files);
      sent += bytes;
      continue;
    }
    // Hosts go in the set's order (the client sorts the whole), then files.
    common::JobResultPart part;
    part.job_id = r.job_id;
    while (s.next_host != s.hosts->end() && bytes < limit) {
      bytes += s.next_host->size() + (s.counts ? kTallyBytes : 2);
      part.hosts.push_back(*s.next_host++);
    }
    if (s.counts) part.tallies = TalliesOf(part.hosts, *s.counts);
    while (s.next_file < r.files.size() && bytes < limit) {
      bytes += ReportBytes(r.files[s.next_file]);
      part.files.push_back(r.files[s.next_file++]);
    }
    sent += bytes;
    const bool last =
        s.next_host == s.hosts->end() && s.next_file == r.files.size();
    if (!last) {
      part.index = s.parts++;
      SendToClient(s.peer, part);
      continue;
    }
    // The last piece travels in the JobResult itself.
    common::JobResult tail;
    tail.job_id = r.job_id;
    tail.hosts = std::move(part.hosts);
    tail.tallies = std::move(part.tallies);
    tail.counted = r.counted;
    tail.files = std::move(part.files);
    tail.totals = r.totals;
    tail.query = r.query;
    tail.elapsed_us = r.elapsed_us;
    tail.speculated = r.speculated;
    tail.parts = s.parts;
    tail.host_count = s.hosts->size();
    tail.file_count = r.files.size();
    SendToClient(s.peer, tail);
    streams_.pop_front();
  }
}

TimePoint Coordinator::NextDeadline() const {
  if (!streams_.empty()) return TimePoint{};  // more pieces to send now
  TimePoint next =
      std::min({next_heartbeat_, next_progress_,
                std::max(workers_.NextExpiry(), stall_grace_until_)});
  next = std::min({next, next_overdue_, next_publish_, next_cache_flush_});
  if (workers_.size() > 0) next = std::min(next, next_heartbeat_check_);
  if (!verdict_times_.empty()) {
    next = std::min(next,
                    std::max(verdict_times_.top().first, stall_grace_until_));
  }
  if (journal_ != nullptr &&
      config_.keep_journal_jobs != CoordinatorConfig::kKeepJobsForever) {
    next = std::min(next, next_prune_);
  }
  return next;
}

std::vector<Outgoing> Coordinator::TakeOutbox() {
  std::vector<Outgoing> out;
  out.swap(outbox_);
  for (const Outgoing& m : out) stats_.NoteMessageOut(m.payload.size());
  return out;
}

void Coordinator::PublishStatusTo(StatusBoard* board,
                                  std::chrono::milliseconds every) {
  status_board_ = board;
  publish_every_ = every;
  next_publish_ = board != nullptr ? TimePoint{} : TimePoint::max();
}

void Coordinator::PublishStatus(TimePoint now) {
  next_publish_ = now + publish_every_;
  if (started_ == TimePoint{}) started_ = now;
  auto snapshot = std::make_shared<StatusSnapshot>();
  snapshot->taken = now;
  snapshot->taken_wall = std::chrono::system_clock::now();
  snapshot->uptime =
      std::chrono::duration_cast<std::chrono::milliseconds>(now - started_);
  snapshot->workers = workers_.Statuses(now);
  snapshot->jobs = tracker_.Statuses(std::string(), now);
  uint64_t unfinished = 0, in_flight = 0;
  for (const auto& job : snapshot->jobs) {
    unfinished += job.progress.total - job.progress.done;
  }
  for (const auto& w : snapshot->workers) in_flight += w.in_flight;
  snapshot->queued_tasks = unfinished > in_flight ? unfinished - in_flight : 0;
  const CoordinatorCounters& c = stats_.counters();
  snapshot->counters = c;
  uint64_t failed = 0;
  for (const auto& [code, n] : c.tasks_failed) failed += n;
  rates_.push_back(
      RateSample{now, c.tasks_succeeded + failed, c.scanned.bytes_scanned});
  // Five minutes of samples for the page's chart.
  while (rates_.size() > 2 &&
         now - rates_.front().at > std::chrono::minutes(5)) {
    rates_.pop_front();
  }
  snapshot->rates = rates_;
  status_board_->Publish(std::move(snapshot));
}

}  // namespace logsweep::coordinator
