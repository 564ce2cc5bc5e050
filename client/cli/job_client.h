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
  // The command that waits for a job again, without the id: "logsweep wait
  // --coordinator tcp://h:5556" (and the CURVE flags); the hints in errors
  // end with it and the job id. Empty: "logsweep wait".
  std::string wait_command;
};

// Something a person waiting should know that is not progress: the
// coordinator has not answered yet, has gone quiet mid-job, or is back.
struct ConnectionNotice {
  enum class Kind {
    kNoAnswerYet,  // once per call, when the first answer is late
    kUnreachable,  // about once a second while a job's coordinator is silent
    kBack,         // it answers again after kUnreachable
  };
  Kind kind;
  // For kUnreachable: the silence so far, and when it began (wall clock).
  std::chrono::milliseconds silent_for{0};
  std::chrono::system_clock::time_point since{};
  // One line for a person (without "logsweep: ").
  std::string text;
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
  using NoticeFn = std::function<void(const ConnectionNotice&)>;
  // Called on the calling thread during Run, Submit, Wait and Request.
  void set_notice_callback(NoticeFn on_notice) {
    on_notice_ = std::move(on_notice);
  }

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
  NoticeFn on_notice_;
};

}  // namespace logsweep::client
