#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <zmq.hpp>

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
  // coordinator is unreachable), Unavailable (went silent mid-job), the
  // coordinator's rejection (InvalidArgument, ResourceExhausted), or
  // InvalidArgument for a malformed endpoint. Per-file failures are not
  // errors: they are in the JobResult.
  common::StatusOr<common::JobResult> Run(const common::SubmitJob& job,
                                          const ProgressFn& on_progress);

 private:
  zmq::context_t& context_;
  std::string endpoint_;
  JobClientOptions options_;
};

}  // namespace logsweep::client
