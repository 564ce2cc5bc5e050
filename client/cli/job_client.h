#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <zmq.hpp>

#include "client/lib/client_session.h"
#include "common/base/status.h"
#include "common/transport/curve.h"
#include "common/transport/messages.h"

namespace logsweep::client {

struct JobClientOptions {
  // Timeouts of the protocol (see ClientSessionOptions; `endpoint` is set
  // by JobClient).
  ClientSessionOptions session;
  // CURVE keys (own pair, coordinator's public key); nullopt: CURVE off.
  std::optional<common::CurveClientKeys> curve;
  // When set and it becomes true (a stop signal: common::InstallStopSignals),
  // a wait ends within 200 ms with Cancelled; the job itself runs on.
  const std::atomic<bool>* interrupted = nullptr;
};

// The CLI's client: submits one job to a coordinator and waits for its
// result, or asks one question, calling `on_progress` (on the calling
// thread) as reports arrive. A thin loop over a ClientConnection and a
// ClientSession, which holds the protocol (resends after a reconnect,
// re-attach on silence, results in pieces). Borrows the context. Owned by
// one thread.
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
  // coordinator's rejection or refusal (InvalidArgument,
  // ResourceExhausted, Unavailable), or InvalidArgument for a malformed
  // endpoint. Per-file failures are not errors: they are in the JobResult.
  common::StatusOr<common::JobResult> Run(const common::SubmitJob& job,
                                          const ProgressFn& on_progress);

  // Submits and returns the job id as soon as the coordinator accepts it
  // (`logsweep submit --detach`). Errors as Run.
  common::StatusOr<std::string> Submit(const common::SubmitJob& job);

  // Attaches to a job submitted earlier and waits for its result. Errors as
  // Run, plus NotFound for an unknown job id.
  common::StatusOr<common::JobResult> Wait(const std::string& job_id,
                                           const ProgressFn& on_progress);

  // One request, one answer (`status`, `cancel`). Errors: DeadlineExceeded
  // (no answer within connect_timeout), or the coordinator's rejection
  // (NotFound...).
  common::StatusOr<common::CoordinatorToClient> Request(
      const common::ClientToCoordinator& request);

 private:
  // What a call waits for.
  enum class Until { kAccepted, kFinished, kAnswer };
  struct Outcome {
    std::string job_id;
    common::JobResult result;
    common::CoordinatorToClient answer;
  };
  // Runs the session after `start` queued a request, until `until` (or an
  // error, or an interrupt).
  common::StatusOr<Outcome> Drive(
      const std::function<void(ClientSession&, common::TimePoint)>& start,
      Until until, const ProgressFn& on_progress);

  zmq::context_t& context_;
  std::string endpoint_;
  JobClientOptions options_;
};

}  // namespace logsweep::client
