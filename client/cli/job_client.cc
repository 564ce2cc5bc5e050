#include "client/cli/job_client.h"

#include <variant>

#include "client/lib/client_connection.h"
#include "common/transport/zmq_io.h"

namespace logsweep::client {
namespace {

using common::Status;
using common::StatusOr;

}  // namespace

JobClient::JobClient(zmq::context_t& context, std::string endpoint,
                     JobClientOptions options)
    : context_(context),
      endpoint_(std::move(endpoint)),
      options_(std::move(options)) {
  options_.session.endpoint = endpoint_;
}

StatusOr<JobClient::Outcome> JobClient::Drive(
    const std::function<void(ClientSession&, common::TimePoint)>& start,
    Until until, const ProgressFn& on_progress) {
  ClientConnection connection(context_);
  if (Status s = connection.Open(endpoint_, options_.curve); !s.ok()) return s;
  ClientSession session(options_.session, common::Clock::now());
  start(session, common::Clock::now());
  std::string job_id;
  for (;;) {
    for (const std::string& payload : session.TakeOutgoing()) {
      if (Status s = connection.Send(payload); !s.ok()) {
        return s.WithContext("send to " + endpoint_);
      }
    }
    for (ClientSession::Event& event : session.TakeEvents()) {
      if (auto* accepted = std::get_if<ClientSession::Accepted>(&event)) {
        job_id = accepted->job_id;
        if (until == Until::kAccepted) return Outcome{job_id, {}, {}};
      } else if (auto* failed = std::get_if<ClientSession::Failed>(&event)) {
        Status why = failed->status;
        if (!failed->job_id.empty() &&
            why.code() == common::StatusCode::kUnavailable) {
          why = Status(why.code(), why.message() +
                                       "; reattach later with: logsweep wait " +
                                       failed->job_id);
        }
        return why;
      } else if (auto* progress =
                     std::get_if<ClientSession::Progress>(&event)) {
        if (on_progress) on_progress(progress->progress);
      } else if (auto* finished =
                     std::get_if<ClientSession::Finished>(&event)) {
        return Outcome{job_id, std::move(finished->result), {}};
      } else if (auto* answer = std::get_if<ClientSession::Answer>(&event)) {
        if (until == Until::kAnswer) {
          return Outcome{{}, {}, std::move(answer->answer)};
        }
      }
    }
    if (options_.interrupted != nullptr && options_.interrupted->load()) {
      return common::CancelledError(
          job_id.empty() ? "interrupted before the coordinator at " +
                               endpoint_ + " answered"
                         : "interrupted; job " + job_id +
                               " runs on: logsweep wait " + job_id);
    }
    auto wait =
        std::clamp(std::chrono::duration_cast<std::chrono::milliseconds>(
                       session.NextDeadline() - common::Clock::now()),
                   std::chrono::milliseconds(0), common::kMaxPollWait);
    if (Status s = connection.Poll(wait); !s.ok()) return s;
    for (int i = connection.TakeConnects(); i > 0; --i) {
      session.OnConnected(common::Clock::now());
    }
    for (const std::string& payload : connection.Receive()) {
      session.OnMessage(payload, common::Clock::now());
    }
    session.OnTick(common::Clock::now());
  }
}

StatusOr<common::JobResult> JobClient::Run(const common::SubmitJob& job,
                                           const ProgressFn& on_progress) {
  auto outcome = Drive(
      [&](ClientSession& s, common::TimePoint now) { s.Submit(job, now); },
      Until::kFinished, on_progress);
  if (!outcome.ok()) return outcome.status();
  return std::move(outcome->result);
}

StatusOr<std::string> JobClient::Submit(const common::SubmitJob& job) {
  auto outcome = Drive(
      [&](ClientSession& s, common::TimePoint now) { s.Submit(job, now); },
      Until::kAccepted, nullptr);
  if (!outcome.ok()) return outcome.status();
  return outcome->job_id;
}

StatusOr<common::JobResult> JobClient::Wait(const std::string& job_id,
                                            const ProgressFn& on_progress) {
  auto outcome =
      Drive([&](ClientSession& s,
                common::TimePoint now) { s.Attach(job_id, false, now); },
            Until::kFinished, on_progress);
  if (!outcome.ok()) return outcome.status();
  return std::move(outcome->result);
}

StatusOr<common::CoordinatorToClient> JobClient::Request(
    const common::ClientToCoordinator& request) {
  auto outcome = Drive(
      [&](ClientSession& s, common::TimePoint now) { s.Ask(request, now); },
      Until::kAnswer, nullptr);
  if (!outcome.ok()) return outcome.status();
  return std::move(outcome->answer);
}

}  // namespace logsweep::client
