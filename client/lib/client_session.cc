#include "client/lib/client_session.h"

#include <algorithm>
#include <cstdio>
#include <random>

#include "common/transport/codec.h"

namespace logsweep::client {
namespace {

// 128 random bits in hex: a submit's idempotency key.
std::string NewRequestKey() {
  std::random_device rd;
  char buf[33];
  for (int i = 0; i < 4; ++i) {
    std::snprintf(buf + 8 * i, 9, "%08x", static_cast<unsigned>(rd()));
  }
  return std::string(buf, 32);
}

void SetRequestId(common::ClientToCoordinator& request, uint64_t id) {
  std::visit([id](auto& r) { r.request_id = id; }, request);
}

}  // namespace

ClientSession::ClientSession(ClientSessionOptions options, TimePoint /*now*/)
    : options_(std::move(options)) {}

common::Status ClientSession::NoAnswer() const {
  return common::DeadlineExceededError(
      "no answer from the coordinator at " + options_.endpoint + " within " +
      std::to_string(options_.connect_timeout.count()) +
      " ms: is it running and reachable?" + options_.no_answer_hint);
}

uint64_t ClientSession::Send(common::ClientToCoordinator request, TimePoint now,
                             bool submit) {
  const uint64_t id = next_request_id_++;
  SetRequestId(request, id);
  outgoing_.push_back(common::Encode(request));
  pending_[id] =
      Pending{std::move(request), now + options_.connect_timeout, submit};
  return id;
}

uint64_t ClientSession::Submit(common::SubmitJob submit, TimePoint now) {
  if (submit.request_key.empty()) submit.request_key = NewRequestKey();
  return Send(common::ClientToCoordinator(std::move(submit)), now, true);
}

uint64_t ClientSession::Attach(const std::string& job_id, bool stream_files,
                               TimePoint now) {
  return Send(
      common::ClientToCoordinator(common::WaitJob{job_id, 0, stream_files}),
      now, false);
}

uint64_t ClientSession::Ask(common::ClientToCoordinator request,
                            TimePoint now) {
  return Send(std::move(request), now, false);
}

void ClientSession::Cancel(const std::string& job_id,
                           std::vector<uint64_t> task_ids) {
  outgoing_.push_back(common::Encode(common::ClientToCoordinator(
      common::CancelJob{job_id, std::move(task_ids), 0})));
}

void ClientSession::Forget(const std::string& job_id) { jobs_.erase(job_id); }

void ClientSession::Follow(const std::string& job_id, bool stream_files,
                           TimePoint now) {
  Followed& job = jobs_[job_id];
  job.stream_files = stream_files;
  job.last_heard = now;
  job.last_reattach = now;
}

void ClientSession::OnConnected(TimePoint now) {
  if (!connected_once_) {
    // Requests sent before the first connection wait in the socket's
    // queue and go out now by themselves.
    connected_once_ = true;
    return;
  }
  // A new connection: what went out on the old one may be lost, and the
  // coordinator may have restarted. Every unanswered request again (a
  // submit keeps its key, so it cannot make a second job), and every job
  // followed re-attached at once rather than after the silence.
  for (auto& [id, pending] : pending_) {
    outgoing_.push_back(common::Encode(pending.request));
    pending.deadline =
        std::max(pending.deadline, now + options_.connect_timeout);
  }
  for (auto& [job_id, job] : jobs_) {
    // Pieces of a result sent on the old connection may be lost.
    RestartResult(job_id, job, now);
  }
}

void ClientSession::OnMessage(std::string_view payload, TimePoint now) {
  auto decoded = common::DecodeCoordinatorToClient(payload);
  if (!decoded.ok()) return;  // from a newer or broken coordinator
  common::CoordinatorToClient& message = *decoded;
  auto touch = [&](const std::string& job_id) -> Followed* {
    auto it = jobs_.find(job_id);
    if (it == jobs_.end()) return nullptr;
    it->second.last_heard = now;
    return &it->second;
  };
  // The request a message answers, taken out of pending_; the job id of a
  // re-attach, if it was one.
  auto answer = [&](uint64_t request_id) -> std::optional<Pending> {
    auto it = pending_.find(request_id);
    if (it == pending_.end()) return std::nullopt;
    Pending p = std::move(it->second);
    pending_.erase(it);
    return p;
  };
  auto reattached_job = [](const Pending& p) -> const std::string* {
    auto* wait = std::get_if<common::WaitJob>(&p.request);
    return wait != nullptr ? &wait->job_id : nullptr;
  };

  if (auto* refused = std::get_if<common::Refused>(&message)) {
    // The coordinator cannot read us (wrong endpoint or version): nothing
    // pending or followed can go on.
    // NotFound: the coordinator is stopping and its jobs die with it.
    common::Status why = refused->status.WithContext(
        (refused->status.code() == common::StatusCode::kNotFound
             ? "from the coordinator at "
             : "refused by ") +
        options_.endpoint);
    for (auto& [id, pending] : pending_) events_.push_back(Failed{id, "", why});
    pending_.clear();
    for (auto& [job_id, job] : jobs_) {
      events_.push_back(Failed{0, job_id, why});
    }
    jobs_.clear();
  } else if (auto* accepted = std::get_if<common::JobAccepted>(&message)) {
    auto pending = answer(accepted->request_id);
    if (!pending) {
      touch(accepted->job_id);  // an answer to a request sent twice
    } else if (auto* wait = std::get_if<common::WaitJob>(&pending->request);
               wait != nullptr && jobs_.count(wait->job_id)) {
      // A re-attach: the job goes on (a result on its way goes on too,
      // unless we asked for it again; its first piece then says so).
      touch(wait->job_id);
    } else {
      bool stream = false;
      if (auto* s = std::get_if<common::SubmitJob>(&pending->request)) {
        stream = s->stream_files;
      } else if (wait != nullptr) {
        stream = wait->stream_files;
      }
      Follow(accepted->job_id, stream, now);
      events_.push_back(Accepted{accepted->request_id, accepted->job_id,
                                 accepted->total_tasks});
    }
  } else if (auto* rejected = std::get_if<common::JobRejected>(&message)) {
    auto pending = answer(rejected->request_id);
    if (!pending) return;
    const std::string* job = reattached_job(*pending);
    if (job != nullptr && jobs_.count(*job)) {
      // Re-attaching failed: the coordinator came back without the job
      // (it restarted without --state).
      common::Status why =
          rejected->status.code() == common::StatusCode::kNotFound
              ? common::NotFoundError(
                    "job " + *job + " is gone: the coordinator at " +
                    options_.endpoint +
                    " came back without it (without --state it keeps no job "
                    "across a restart)")
              : rejected->status.WithContext("re-attaching to job " + *job +
                                             " at " + options_.endpoint);
      events_.push_back(Failed{0, *job, why});
      jobs_.erase(*job);
    } else {
      events_.push_back(Failed{
          rejected->request_id, "",
          rejected->status.WithContext("refused by " + options_.endpoint)});
    }
  } else if (auto* progress = std::get_if<common::JobProgress>(&message)) {
    if (touch(progress->job_id)) events_.push_back(Progress{*progress});
  } else if (auto* files = std::get_if<common::FilesDone>(&message)) {
    if (touch(files->job_id)) events_.push_back(Files{std::move(*files)});
  } else if (auto* part = std::get_if<common::JobResultPart>(&message)) {
    if (Followed* job = touch(part->job_id)) {
      if (part->index == 0) {
        // The first piece of a sending: anything before belongs to an
        // earlier one.
        job->parts = 0;
        job->hosts.clear();
        job->tallies.clear();
        job->files.clear();
      } else if (part->index != job->parts) {
        // A piece went missing: drop what we have, ask for it all again.
        RestartResult(part->job_id, *job, now);
        return;
      }
      ++job->parts;
      job->hosts.insert(job->hosts.end(),
                        std::make_move_iterator(part->hosts.begin()),
                        std::make_move_iterator(part->hosts.end()));
      job->tallies.insert(job->tallies.end(), part->tallies.begin(),
                          part->tallies.end());
      job->files.insert(job->files.end(),
                        std::make_move_iterator(part->files.begin()),
                        std::make_move_iterator(part->files.end()));
    }
  } else if (auto* result = std::get_if<common::JobResult>(&message)) {
    OnResult(std::move(*result), now);
  } else if (auto* cancelled = std::get_if<common::CancelReply>(&message)) {
    if (answer(cancelled->request_id)) {
      events_.push_back(Answer{cancelled->request_id, message});
    }
  } else if (auto* status = std::get_if<common::StatusReply>(&message)) {
    if (answer(status->request_id)) {
      events_.push_back(Answer{status->request_id, message});
    }
  }
}

void ClientSession::OnResult(common::JobResult result, TimePoint now) {
  auto it = jobs_.find(result.job_id);
  if (it == jobs_.end()) return;
  Followed& job = it->second;
  job.last_heard = now;
  if (result.parts == 0 && job.parts == 0) {
    events_.push_back(Finished{std::move(result)});
    jobs_.erase(it);
    return;
  }
  // Pieces first, then this message's own share.
  std::vector<std::string> hosts = std::move(job.hosts);
  std::vector<common::HostTally> tallies = std::move(job.tallies);
  std::vector<common::FileReport> files = std::move(job.files);
  const uint64_t parts = job.parts;
  job.hosts.clear();
  job.tallies.clear();
  job.files.clear();
  job.parts = 0;
  hosts.insert(hosts.end(), std::make_move_iterator(result.hosts.begin()),
               std::make_move_iterator(result.hosts.end()));
  tallies.insert(tallies.end(), result.tallies.begin(), result.tallies.end());
  files.insert(files.end(), std::make_move_iterator(result.files.begin()),
               std::make_move_iterator(result.files.end()));
  if (parts != result.parts || hosts.size() != result.host_count ||
      files.size() != result.file_count ||
      (!tallies.empty() && tallies.size() != hosts.size())) {
    // A piece went missing (a reconnect mid-result): ask for it all again.
    RestartResult(result.job_id, job, now);
    return;
  }
  if (!std::is_sorted(hosts.begin(), hosts.end())) {
    if (tallies.empty()) {
      std::sort(hosts.begin(), hosts.end());
    } else {
      // Hosts and their tallies sorted together, by host.
      std::vector<size_t> order(hosts.size());
      for (size_t i = 0; i < order.size(); ++i) order[i] = i;
      std::sort(order.begin(), order.end(),
                [&](size_t a, size_t b) { return hosts[a] < hosts[b]; });
      std::vector<std::string> sorted_hosts;
      std::vector<common::HostTally> sorted_tallies;
      sorted_hosts.reserve(order.size());
      sorted_tallies.reserve(order.size());
      for (size_t i : order) {
        sorted_hosts.push_back(std::move(hosts[i]));
        sorted_tallies.push_back(tallies[i]);
      }
      hosts = std::move(sorted_hosts);
      tallies = std::move(sorted_tallies);
    }
  }
  result.hosts = std::move(hosts);
  result.tallies = std::move(tallies);
  result.files = std::move(files);
  events_.push_back(Finished{std::move(result)});
  jobs_.erase(it);
}

void ClientSession::RestartResult(const std::string& job_id, Followed& job,
                                  TimePoint now) {
  job.parts = 0;
  job.hosts.clear();
  job.tallies.clear();
  job.files.clear();
  job.last_reattach = now;
  Send(common::ClientToCoordinator(
           common::WaitJob{job_id, 0, job.stream_files, true}),
       now, false);
}

void ClientSession::OnTick(TimePoint now) {
  for (auto it = pending_.begin(); it != pending_.end();) {
    if (now < it->second.deadline) {
      ++it;
      continue;
    }
    // An unanswered re-attach is the job's silence, handled below.
    const std::string* job = nullptr;
    if (auto* wait = std::get_if<common::WaitJob>(&it->second.request)) {
      job = &wait->job_id;
    }
    if (job == nullptr || !jobs_.count(*job)) {
      events_.push_back(Failed{it->first, "", NoAnswer()});
    }
    it = pending_.erase(it);
  }
  for (auto it = jobs_.begin(); it != jobs_.end();) {
    Followed& job = it->second;
    if (now - job.last_heard > options_.silence_timeout) {
      events_.push_back(Failed{
          0, it->first,
          common::UnavailableError(
              "lost contact with the coordinator at " + options_.endpoint +
              " (job " + it->first + ", silent for " +
              std::to_string(options_.silence_timeout.count()) + " ms)")});
      it = jobs_.erase(it);
      continue;
    }
    if (now - job.last_heard > options_.reattach_after &&
        now - job.last_reattach > options_.reattach_after) {
      // The coordinator may have restarted: ask for the job again (with
      // every file finished so far, when streaming). One such request at
      // a time per job.
      job.last_reattach = now;
      for (auto p = pending_.begin(); p != pending_.end();) {
        auto* wait = std::get_if<common::WaitJob>(&p->second.request);
        p = wait != nullptr && wait->job_id == it->first ? pending_.erase(p)
                                                         : std::next(p);
      }
      Send(common::ClientToCoordinator(
               common::WaitJob{it->first, 0, job.stream_files}),
           now, false);
    }
    ++it;
  }
}

std::vector<std::string> ClientSession::TakeOutgoing() {
  std::vector<std::string> out;
  out.swap(outgoing_);
  return out;
}

std::vector<ClientSession::Event> ClientSession::TakeEvents() {
  std::vector<Event> out;
  out.swap(events_);
  return out;
}

TimePoint ClientSession::NextDeadline() const {
  TimePoint next = TimePoint::max();
  for (const auto& [id, p] : pending_) next = std::min(next, p.deadline);
  for (const auto& [id, job] : jobs_) {
    next = std::min(next, job.last_heard + options_.silence_timeout +
                              std::chrono::milliseconds(1));
    next = std::min(next, std::max(job.last_heard, job.last_reattach) +
                              options_.reattach_after +
                              std::chrono::milliseconds(1));
  }
  return next;
}

}  // namespace logsweep::client
