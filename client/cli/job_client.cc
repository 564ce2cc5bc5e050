#include "client/cli/job_client.h"

#include <cstdio>
#include <ctime>
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

namespace {

// "14:03:07": a wall-clock time of day, local.
std::string TimeOfDay(std::chrono::system_clock::time_point t) {
  std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  ::localtime_r(&tt, &tm);
  char buf[16];
  std::strftime(buf, sizeof(buf), "%H:%M:%S", &tm);
  return buf;
}

// "10 s", "0.3 s".
std::string SecondsText(std::chrono::milliseconds ms) {
  char buf[32];
  if (ms.count() % 1000 == 0) {
    std::snprintf(buf, sizeof(buf), "%lld s",
                  static_cast<long long>(ms.count() / 1000));
  } else {
    std::snprintf(buf, sizeof(buf), "%.1f s", ms.count() / 1000.0);
  }
  return buf;
}

}  // namespace

StatusOr<JobClient::Outcome> JobClient::Drive(
    const std::function<void(ClientSession&, common::TimePoint)>& start,
    Until until, const ProgressFn& on_progress) {
  ClientConnection connection(context_);
  if (Status s = connection.Open(endpoint_, options_.curve); !s.ok()) return s;
  ClientSession session(options_.session, common::Clock::now());
  const common::TimePoint began = common::Clock::now();
  start(session, began);
  const std::string wait_command =
      options_.wait_command.empty() ? "logsweep wait" : options_.wait_command;
  std::string job_id;
  // What the person waiting has been told about the connection.
  bool heard = false;    // any message from the coordinator yet
  bool refused = false;  // a connection attempt was refused
  bool told_no_answer = false;
  common::TimePoint last_heard = began;
  auto last_heard_wall = std::chrono::system_clock::now();
  common::TimePoint next_unreachable_notice{};
  bool told_unreachable = false;
  auto notify = [&](ConnectionNotice notice) {
    if (on_notice_) on_notice_(notice);
  };
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
                                       "; if the coordinator comes back with "
                                       "its --state, wait for the job with: " +
                                       wait_command + " " + failed->job_id);
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
                               " runs on; wait for it with: " + wait_command +
                               " " + job_id);
    }
    common::TimePoint now = common::Clock::now();
    // No answer yet: say at once where we are knocking (when the knock is
    // refused), or after a second of silence; then keep waiting.
    if (!heard && !told_no_answer &&
        (refused || now - began >= std::chrono::seconds(1))) {
      told_no_answer = true;
      notify(ConnectionNotice{
          ConnectionNotice::Kind::kNoAnswerYet,
          {},
          {},
          "no answer yet from the coordinator at " + endpoint_ +
              (refused ? " (connection refused: nothing listens there)" : "") +
              "; waiting up to " +
              SecondsText(options_.session.connect_timeout)});
    }
    // A job followed, and its coordinator silent past the re-attach delay.
    if (!job_id.empty() && until == Until::kFinished &&
        now - last_heard > options_.session.reattach_after &&
        now >= next_unreachable_notice) {
      told_unreachable = true;
      next_unreachable_notice = now + std::chrono::seconds(1);
      auto silent = std::chrono::duration_cast<std::chrono::milliseconds>(
          now - last_heard);
      notify(ConnectionNotice{
          ConnectionNotice::Kind::kUnreachable, silent, last_heard_wall,
          "coordinator at " + endpoint_ + " unreachable since " +
              TimeOfDay(last_heard_wall) + " (" +
              std::to_string(silent.count() / 1000) +
              " s); will re-attach to job " + job_id +
              " when it answers (giving up after " +
              SecondsText(options_.session.silence_timeout) + ")"});
    }
    auto wait = std::clamp(
        std::chrono::duration_cast<std::chrono::milliseconds>(
            session.NextDeadline() - now),
        std::chrono::milliseconds(0), std::chrono::milliseconds(250));
    if (Status s = connection.Poll(wait); !s.ok()) return s;
    ClientConnection::LinkEvents link = connection.TakeLinkEvents();
    if (link.refusals > 0) refused = true;
    for (int i = link.connects; i > 0; --i) {
      session.OnConnected(common::Clock::now());
    }
    std::vector<std::string> received = connection.Receive();
    if (!received.empty()) {
      heard = true;
      last_heard = common::Clock::now();
      last_heard_wall = std::chrono::system_clock::now();
      if (told_unreachable) {
        told_unreachable = false;
        notify(ConnectionNotice{ConnectionNotice::Kind::kBack,
                                {},
                                {},
                                "the coordinator at " + endpoint_ +
                                    " answers again; re-attached to job " +
                                    job_id});
      }
    }
    for (const std::string& payload : received) {
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
