#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <zmq.hpp>

#include "common/curve.h"
#include "common/messages.h"
#include "common/status.h"

namespace logsweep::client {

struct JobClientOptions {
  // How long to wait for the coordinator to accept a job before reporting
  // it unreachable (100 ms .. 10 min).
  std::chrono::milliseconds connect_timeout{10000};
  // Silence (no progress report) after which the coordinator is presumed
  // lost. It reports every 500 ms by default (1 s .. 1 h).
  std::chrono::milliseconds silence_timeout{15000};
  // Silence after which the client asks to be re-attached to its job.
  std::chrono::milliseconds reattach_after{2000};
  // CURVE keys (own pair, coordinator's public key); nullopt: CURVE off.
  std::optional<common::CurveClientKeys> curve;
  // When set and it becomes true (a stop signal: common::InstallStopSignals),
  // a wait ends within 200 ms with Cancelled; the job itself runs on.
  const std::atomic<bool>* interrupted = nullptr;
};

// Submits one job to a coordinator and waits for its result, calling
// `on_progress` (on the calling thread) as reports arrive. Owns a DEALER
// socket; borrows the context. Owned by one thread.
class JobClient {
 public:
  JobClient(zmq::context_t& context, std::string endpoint,
            JobClientOptions options);
  JobClient(const JobClient&) = delete;
  JobClient& operator=(const JobClient&) = delete;

  using ProgressFn = std::function<void(const common::JobProgress&)>;

  // Errors: DeadlineExceeded (no answer within connect_timeout, the
  // coordinator is unreachable), Unavailable (went silent mid-job),
  // Cancelled (`interrupted`: the message says how to wait for it), the
  // coordinator's rejection (InvalidArgument, ResourceExhausted),
  // ResourceExhausted for a job too large for one message, or
  // InvalidArgument for a malformed endpoint. Per-file failures are not
  // errors: they are in the JobResult.
  common::StatusOr<common::JobResult> Run(const common::SubmitJob& job,
                                          const ProgressFn& on_progress);

  // Submits and returns the job id as soon as the coordinator accepts it
  // (`logsweep submit --detach`). Errors as Run.
  common::StatusOr<std::string> Submit(const common::SubmitJob& job);

  // Attaches to a job submitted earlier and waits for its result. Errors as
  // Run, plus NotFound for an unknown job id.
  common::StatusOr<common::JobResult> Wait(const std::string& job_id,
                                           const ProgressFn& on_progress);

  // One request, one answer (`status`, `cancel`): the first reply other
  // than progress. Errors: DeadlineExceeded (no answer within
  // connect_timeout), or the coordinator's rejection (NotFound...).
  common::StatusOr<common::CoordinatorToClient> Request(
      const common::ClientToCoordinator& request);

 private:
  // Sends `request`, then waits: for the acceptance only (detach), or for
  // the result. While a job runs and the coordinator is silent, the client
  // re-attaches with WaitJob every few seconds, so a coordinator restarted
  // with its journal picks the client up again.
  common::StatusOr<common::JobResult> Exchange(
      const common::ClientToCoordinator& request, bool detach,
      const ProgressFn& on_progress);

  common::Status NoAnswer() const;
  // Connects `socket` and sends `request` on it.
  common::Status OpenAndSend(zmq::socket_t& socket,
                             const common::ClientToCoordinator& request);
  // One decoded message, or nullopt when none came within `timeout` (or a
  // signal interrupted the wait, or it had the wrong frame count).
  common::StatusOr<std::optional<common::CoordinatorToClient>> ReceiveWithin(
      zmq::socket_t& socket, std::chrono::milliseconds timeout);

  zmq::context_t& context_;
  std::string endpoint_;
  JobClientOptions options_;
};

}  // namespace logsweep::client
