#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>
#include <zmq.hpp>

#include "bench/swarm/answer_ledger.h"
#include "bench/swarm/synthetic_answer.h"
#include "bench/swarm/worker_roles.h"
#include "common/base/status.h"

namespace logsweep::swarm {

struct SwarmConfig {
  // The coordinator's workers endpoint (tcp://127.0.0.1:PORT or ipc://...).
  std::string endpoint;
  // Fake workers, each its own DEALER socket and connection (1 .. 100,000;
  // each costs two file descriptors here and one in the coordinator).
  size_t workers = 100;
  // Threads serving them, each its share of the workers (1 .. 64).
  size_t threads = 1;
  uint32_t slots = 1;  // per worker, announced in the hello (1 .. 4096)
  // The fake workers' heartbeat interval and liveness (see FakeWorkerConfig).
  std::chrono::milliseconds heartbeat_interval{1000};
  uint32_t liveness = 3;
  std::chrono::milliseconds answer_delay{0};  // 0: answer at once
  AnswerShape answer;
  // Worker names are PREFIX-NNNNN (PREFIX-NNNNN-bad for bad workers).
  std::string name_prefix = "swarm";
  // New connections per second over the whole swarm while starting, so the
  // coordinator's listen backlog is not overrun (1 .. 1,000,000).
  double connect_rate = 2000;

  // Fault script. Roles are disjoint and spread evenly (see AssignRoles).
  // `close_count` workers close their connection without goodbye once the
  // swarm has answered `close_after_tasks` tasks, and stay gone.
  size_t close_count = 0;
  uint64_t close_after_tasks = 0;
  ClosePlacement close_placement = ClosePlacement::kSpread;
  // How long what a closing worker already sent has to leave (0: it is
  // dropped with the connection).
  std::chrono::milliseconds close_linger{0};
  // `freeze_count` workers stop reading and sending for `freeze_for` once
  // the swarm has answered `freeze_after_tasks`, then go on with what
  // queued up meanwhile (like SIGSTOP, SIGCONT).
  size_t freeze_count = 0;
  uint64_t freeze_after_tasks = 0;
  std::chrono::milliseconds freeze_for{0};
  // This share of the workers answers every task with `fail_code`.
  double fail_fraction = 0;
  common::StatusCode fail_code = common::StatusCode::kNotFound;
  // On Stop, workers still connected send a goodbye.
  bool goodbye_on_stop = true;
};

// What the swarm counts, summed over its threads.
enum class Counter : size_t {
  kConnected,      // gauge: workers with an open connection
  kRegistered,     // gauge: ... that heard from the coordinator on it
  kTasksReceived,  // Task messages
  kAnswered,       // results and failures sent
  kResultsSent,    // TaskResult
  kFailuresSent,   // TaskFailed (bad workers)
  kReregisters,    // Reregister messages received
  kHellosSent,     // hellos: one per connection, one per Reregister
  kHeartbeatsSent,
  kHeartbeatsReceived,
  kGoodbyesSent,
  kRefusedReceived,  // Refused messages (wrong endpoint or version)
  kMalformed,        // undecodable or multi-frame messages received
  kSendErrors,       // sends that failed (queue full): the message is lost
  kReconnects,       // connections reopened after coordinator silence
  kClosedByFault,    // connections closed without goodbye (--close)
  kFrozenByFault,    // freezes (--freeze)
  kOpenErrors,       // reconnects that could not make a socket (retried)
  kCount
};
inline constexpr size_t kCounterCount = static_cast<size_t>(Counter::kCount);
// snake_case name of each counter, for reports and JSON.
const char* CounterName(Counter c);

struct SwarmSnapshot {
  std::array<uint64_t, kCounterCount> counters{};
  uint64_t duplicates = 0;      // answers to a task already answered
  uint64_t distinct_tasks = 0;  // tasks answered at least once
  size_t expected_live = 0;     // workers minus those closed by fault
  uint64_t operator[](Counter c) const {
    return counters[static_cast<size_t>(c)];
  }
};

// Thousands of fake workers (FakeWorker) in one process, each on its own
// DEALER socket, served by a few threads. Each thread owns its workers'
// sockets and waits on their ZMQ_FD descriptors with epoll, so the cost of
// a message does not grow with the number of workers. Runs the fault
// script. Borrows the context, whose ZMQ_MAX_SOCKETS must cover
// config.workers. Start and Stop are called from one thread; Snapshot from
// any.
class Swarm {
 public:
  Swarm(zmq::context_t& context, SwarmConfig config);
  ~Swarm();  // stops and joins, as Stop
  Swarm(const Swarm&) = delete;
  Swarm& operator=(const Swarm&) = delete;

  // Starts the threads, which connect the workers at connect_rate.
  // Errors: InvalidArgument (a config value out of range).
  common::Status Start();

  // Stops every thread: connected workers say goodbye (goodbye_on_stop)
  // and close. Returns the first error a thread ended with: Unavailable
  // (epoll, or a socket could not be made: see the message).
  common::Status Stop();

  // True once a thread has ended on an error (Stop returns it).
  bool failed() const;

  SwarmSnapshot Snapshot() const;

 private:
  class Shard;
  zmq::context_t& context_;
  SwarmConfig config_;
  AnswerLedger ledger_;
  std::atomic<uint64_t> answered_total_{0};
  std::atomic<bool> stop_{false};
  std::vector<std::unique_ptr<Shard>> shards_;
  std::vector<std::thread> threads_;
};

}  // namespace logsweep::swarm
