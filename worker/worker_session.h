#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/base/clock.h"
#include "common/base/log_limiter.h"
#include "common/transport/messages.h"

namespace logsweep::worker {

using common::TimePoint;

struct WorkerSessionConfig {
  std::string name;    // for logs and status; host:pid
  uint32_t slots = 1;  // scan threads (1 .. 4096)
  // Heartbeat interval (50 ms .. 60 s) and missed beats before the
  // coordinator is presumed gone (2 .. 100): then the worker reconnects.
  std::chrono::milliseconds heartbeat_interval{1000};
  uint32_t liveness = 3;
  // Longest wait between reconnect attempts; the wait doubles up to this.
  std::chrono::milliseconds max_backoff{30000};
  // Random per process: a reconnect on a new socket is the same worker.
  std::string instance;
  // Added to the warning about a silent coordinator (e.g. what to check
  // when CURVE refuses the worker's key, which looks like silence).
  std::string silence_hint;
};

// The worker's side of the protocol without sockets (Paranoid Pirate):
// registration, heartbeats both ways, the coordinator's liveness,
// reconnect with doubling backoff, task intake and results, goodbye.
// Handlers take decoded input and `now` and fill an outbox of actions for
// the thin socket loop (Worker::Run) to carry out, so tests drive it with
// a fake clock and no sockets. It remembers every task it holds until its
// result leaves, and reports them in each hello, so a coordinator that
// sees it again (a reconnect, a Reregister, its own restart) keeps them
// assigned instead of running them twice. Owned by the I/O thread.
class WorkerSession {
 public:
  WorkerSession(WorkerSessionConfig config, TimePoint now);
  WorkerSession(const WorkerSession&) = delete;
  WorkerSession& operator=(const WorkerSession&) = delete;

  // What the loop must do, in this order.
  struct Actions {
    // Close the socket and open a new one (then call OnConnected).
    bool reconnect = false;
    // Encoded messages for the coordinator.
    std::vector<std::string> send;
    // Tasks to hand to the scan pool.
    std::vector<common::TaskAssignment> scan;
  };

  // A socket to the coordinator was (re)opened: says hello, with the tasks
  // it holds.
  void OnConnected(TimePoint now);
  // A message from the coordinator (undecodable ones are logged, at most
  // once per 30 s per reason, and otherwise ignored).
  void OnCoordinatorMessage(std::string_view payload, TimePoint now);
  // The scan pool finished `ref`; `payload` is its outcome, encoded by
  // common::EncodeOutcome. Outcomes wait for the next TakeActions, which
  // sends all of them in as few messages as their size allows.
  void OnResult(const common::TaskRef& ref, std::string payload, TimePoint now);
  // A heartbeat when nothing was sent for a heartbeat interval (any message
  // proves us alive), and the coordinator's silence past the backoff: a
  // reconnect. Call at least by NextDeadline().
  void OnTick(TimePoint now);
  // The worker is stopping: says goodbye, so the coordinator hands its
  // unfinished tasks on at once.
  void OnStop();

  TimePoint NextDeadline() const;
  Actions TakeActions();

  // Tasks held: queued or scanning, result not yet sent.
  size_t running() const { return running_.size(); }
  // Silence after which the next reconnect happens.
  std::chrono::milliseconds backoff() const { return backoff_; }
  // The coordinator's last refusal (wrong endpoint or version), if any.
  const common::Status& refused() const { return refused_; }

 private:
  void Send(const common::WorkerToCoordinator& msg);
  void FlushOutcomes();
  void SendHello(TimePoint now);
  std::chrono::milliseconds BaseBackoff() const {
    return config_.heartbeat_interval * config_.liveness;
  }

  WorkerSessionConfig config_;
  Actions actions_;
  std::vector<common::TaskRef> running_;
  // Outcomes not sent yet, concatenated: one message (see EncodeOutcome).
  std::string outcomes_;
  TimePoint last_heard_;
  TimePoint next_heartbeat_;
  bool hello_sent_ = false;
  TimePoint last_hello_{};
  std::chrono::milliseconds backoff_;
  common::Status refused_;
  common::LogLimiter log_limiter_{std::chrono::seconds(30)};
};

}  // namespace logsweep::worker
