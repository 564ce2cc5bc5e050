#pragma once

#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>
#include <zmq.hpp>

#include "client/lib/callback_thread.h"
#include "client/lib/future_state.h"
#include "common/base/status.h"
#include "common/transport/messages.h"
#include "logsweep/client.h"

namespace logsweep::detail {

// The I/O engine behind a Client: one thread owns the socket (a
// ClientConnection) and a ClientSession, which holds the protocol; other
// threads hand it commands through a locked queue and an eventfd it polls.
// It resolves the futures of the jobs it follows. Owns the context, the
// thread and the callback thread. Thread-safe.
class ClientCore {
 public:
  // Starts the I/O thread. Throws Error (kInternal) if no eventfd can be
  // made.
  ClientCore(std::string endpoint, ClientOptions options);
  // Stops the I/O thread: jobs not finished become done with kCancelled
  // locally (they run on at the coordinator).
  ~ClientCore();
  ClientCore(const ClientCore&) = delete;
  ClientCore& operator=(const ClientCore&) = delete;

  const std::string& endpoint() const { return endpoint_; }
  const std::shared_ptr<CallbackThread>& callbacks() const {
    return callbacks_;
  }

  // Sends the job and waits until the coordinator accepts it (the job id
  // is then set) or refuses it, or connect_timeout passes.
  common::Status Submit(const std::shared_ptr<JobState>& job,
                        common::SubmitJob submit);
  // Withdraws tasks of a job; nothing is awaited.
  void Cancel(const std::string& job_id, std::vector<uint64_t> task_ids);

 private:
  struct Command {
    common::SubmitJob submit;  // a submit, when `job` is set
    std::shared_ptr<JobState> job;
    std::shared_ptr<std::promise<common::Status>> done;
    std::string cancel_job;  // a cancel, otherwise
    std::vector<uint64_t> cancel_tasks;
  };

  void Post(Command command);
  void Wake();
  void IoLoop();

  const std::string endpoint_;
  const ClientOptions options_;
  zmq::context_t context_;
  const int wake_fd_;
  std::shared_ptr<CallbackThread> callbacks_;

  std::mutex mu_;
  // Guarded by mu_:
  std::vector<Command> commands_;
  bool stopping_ = false;

  std::thread io_;
};

}  // namespace logsweep::detail
