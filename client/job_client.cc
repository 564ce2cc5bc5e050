#include "client/job_client.h"

#include <variant>

#include "common/codec.h"
#include "common/zmq_io.h"

namespace logsweep::client {
namespace {

using Clock = std::chrono::steady_clock;
using common::Status;
using common::StatusOr;

}  // namespace

JobClient::JobClient(zmq::context_t& context, std::string endpoint,
                     JobClientOptions options)
    : context_(context), endpoint_(std::move(endpoint)), options_(options) {}

StatusOr<common::JobResult> JobClient::Run(const common::SubmitJob& job,
                                           const ProgressFn& on_progress) {
  return Exchange(common::ClientToCoordinator(job), false, on_progress);
}

StatusOr<std::string> JobClient::Submit(const common::SubmitJob& job) {
  auto accepted = Exchange(common::ClientToCoordinator(job), true, nullptr);
  if (!accepted.ok()) return accepted.status();
  return accepted->job_id;
}

StatusOr<common::JobResult> JobClient::Wait(const std::string& job_id,
                                            const ProgressFn& on_progress) {
  return Exchange(common::ClientToCoordinator(common::WaitJob{job_id}), false,
                  on_progress);
}

Status JobClient::NoAnswer() const {
  return common::DeadlineExceededError(
      "no answer from the coordinator at " + endpoint_ + " within " +
      std::to_string(options_.connect_timeout.count()) +
      " ms: is it running and reachable?" +
      (options_.curve ? " With CURVE on, a refused handshake also looks like "
                        "this: check that --curve-server-key is the "
                        "coordinator's public key and that this client's .pub "
                        "is in its authorized-keys/clients/ (the coordinator "
                        "logs each refusal)."
                      : " If it runs with CURVE, pass --curve-server-key and "
                        "--curve-key."));
}

Status JobClient::OpenAndSend(zmq::socket_t& socket,
                              const common::ClientToCoordinator& request) {
  if (Status s = common::ConfigureSocket(socket); !s.ok()) return s;
  if (options_.curve) {
    if (Status s = common::ConfigureCurveClient(socket, *options_.curve);
        !s.ok()) {
      return s;
    }
  }
  if (Status s = common::Connect(socket, endpoint_); !s.ok()) return s;
  if (Status s = common::SendMessage(socket, "", common::Encode(request));
      !s.ok()) {
    return s.WithContext("send to " + endpoint_);
  }
  return common::OkStatus();
}

StatusOr<std::optional<common::CoordinatorToClient>> JobClient::ReceiveWithin(
    zmq::socket_t& socket, std::chrono::milliseconds timeout) {
  using Received = std::optional<common::CoordinatorToClient>;
  zmq::pollitem_t item{socket.handle(), 0, ZMQ_POLLIN, 0};
  try {
    zmq::poll(&item, 1, timeout);
  } catch (const zmq::error_t& e) {
    if (e.num() == EINTR) return Received();
    return common::UnavailableError(std::string("poll: ") + e.what());
  }
  if (!(item.revents & ZMQ_POLLIN)) return Received();
  auto msg = common::ReceiveMessage(socket);
  if (!msg.ok()) return msg.status();
  if (!msg->has_value() || (*msg)->size() != 1) return Received();
  auto decoded = common::DecodeCoordinatorToClient((**msg)[0]);
  if (!decoded.ok()) {
    return decoded.status().WithContext("bad reply from " + endpoint_);
  }
  return Received(std::move(*decoded));
}

StatusOr<common::CoordinatorToClient> JobClient::Request(
    const common::ClientToCoordinator& request) {
  zmq::socket_t socket(context_, zmq::socket_type::dealer);
  if (Status s = OpenAndSend(socket, request); !s.ok()) return s;
  auto deadline = Clock::now() + options_.connect_timeout;
  for (;;) {
    auto remaining = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - Clock::now());
    if (remaining.count() <= 0) return NoAnswer();
    auto received = ReceiveWithin(socket, remaining);
    if (!received.ok()) return received.status();
    if (!received->has_value()) continue;
    common::CoordinatorToClient& answer = **received;
    if (auto* rejected = std::get_if<common::JobRejected>(&answer)) {
      return rejected->status;
    }
    if (std::holds_alternative<common::JobProgress>(answer)) continue;
    return std::move(answer);
  }
}

StatusOr<common::JobResult> JobClient::Exchange(
    const common::ClientToCoordinator& request, bool detach,
    const ProgressFn& on_progress) {
  zmq::socket_t socket(context_, zmq::socket_type::dealer);
  if (Status s = OpenAndSend(socket, request); !s.ok()) return s;
  std::string job_id;
  auto last_heard = Clock::now();
  auto last_reattach = last_heard;
  for (;;) {
    if (options_.interrupted != nullptr && options_.interrupted->load()) {
      return common::CancelledError(
          job_id.empty() ? "interrupted before the coordinator at " +
                               endpoint_ + " accepted the job"
                         : "interrupted; job " + job_id +
                               " runs on: logsweep wait " + job_id);
    }
    auto now = Clock::now();
    auto limit =
        job_id.empty() ? options_.connect_timeout : options_.silence_timeout;
    auto remaining = std::chrono::duration_cast<std::chrono::milliseconds>(
        last_heard + limit - now);
    if (remaining.count() <= 0) {
      if (job_id.empty()) return NoAnswer();
      return common::UnavailableError(
          "lost contact with the coordinator at " + endpoint_ + " (job " +
          job_id + ", silent for " +
          std::to_string(options_.silence_timeout.count()) +
          " ms); reattach later with: logsweep wait " + job_id);
    }
    if (!job_id.empty() && now - last_heard > options_.reattach_after &&
        now - last_reattach > options_.reattach_after) {
      last_reattach = now;
      (void)common::SendMessage(
          socket, "",
          common::Encode(common::ClientToCoordinator(common::WaitJob{job_id})));
    }
    auto received = ReceiveWithin(
        socket, std::min(remaining, std::chrono::milliseconds(200)));
    if (!received.ok()) return received.status();
    if (!received->has_value()) continue;
    common::CoordinatorToClient& message = **received;
    last_heard = Clock::now();
    if (auto* accepted = std::get_if<common::JobAccepted>(&message)) {
      job_id = accepted->job_id;
      if (detach) {
        common::JobResult only_id;
        only_id.job_id = job_id;
        return only_id;
      }
    } else if (auto* rejected = std::get_if<common::JobRejected>(&message)) {
      return rejected->status.WithContext("refused by " + endpoint_);
    } else if (auto* progress = std::get_if<common::JobProgress>(&message)) {
      if (progress->job_id == job_id && on_progress) on_progress(*progress);
    } else if (auto* result = std::get_if<common::JobResult>(&message)) {
      if (result->job_id == job_id) return std::move(*result);
    }
  }
}

}  // namespace logsweep::client
