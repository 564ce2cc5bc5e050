#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "bench/swarm/synthetic_answer.h"
#include "common/base/status.h"
#include "common/transport/messages.h"

namespace logsweep::swarm {

using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;

struct FakeWorkerConfig {
  std::string name;      // WorkerHello.name, for the coordinator's logs
  std::string instance;  // WorkerHello.instance: random, once per worker
  uint32_t slots = 1;    // 1 .. 4096
  // Heartbeat interval (announced in the hello, as the real worker does).
  std::chrono::milliseconds heartbeat_interval{1000};
  // Coordinator silence of liveness x interval makes the worker reconnect,
  // waiting twice as long before each further try, up to max_backoff: the
  // real worker's rule. 0: never reconnect.
  uint32_t liveness = 3;
  std::chrono::milliseconds max_backoff{30000};
  // Time between receiving a task and answering it; 0: at once.
  std::chrono::milliseconds answer_delay{0};
  AnswerShape answer;
  // Not OK: every task is answered at once (whatever answer_delay says: a
  // failed open is quick) with this failure, as by a node whose mount is
  // broken.
  common::Status fail_with;
};

// The protocol engine of one fake worker, without sockets (the shape of
// coordinator::Coordinator): it takes the coordinator's messages and the
// time, and queues what the worker would send. It speaks the real protocol
// through common/codec: hello with name, slots, heartbeat, instance and the
// tasks it holds; heartbeats; an answer (TaskResult with synthetic hosts, or
// TaskFailed for a bad node) per task, batched like the real worker's; hello
// again on Reregister; goodbye. It never opens a file. Value-like but not
// copyable; owned by one thread.
class FakeWorker {
 public:
  explicit FakeWorker(FakeWorkerConfig config);
  FakeWorker(FakeWorker&&) = default;
  FakeWorker& operator=(FakeWorker&&) = default;
  FakeWorker(const FakeWorker&) = delete;
  FakeWorker& operator=(const FakeWorker&) = delete;

  enum class Kind : uint8_t { kHello, kHeartbeat, kResult, kFailed, kGoodbye };
  struct Outgoing {
    Kind kind;
    std::string payload;  // one encoded WorkerToCoordinator
    // The tasks answered (kResult, kFailed): answers queued one after the
    // other go in one message, as the real worker's do.
    std::vector<common::TaskRef> refs;
  };

  // What a coordinator message was.
  enum class Event : uint8_t {
    kTask,
    kHeartbeat,
    kReregister,
    kRefused,
    kMalformed
  };

  // A new connection (the first, or after a reconnect): queues a hello
  // listing the tasks still held, and restarts the silence clock.
  void OnConnected(TimePoint now);

  // One message from the coordinator. A task is answered at once, or held
  // for answer_delay; Reregister queues a hello. Malformed messages change
  // nothing (the caller counts them).
  Event OnMessage(std::string_view payload, TimePoint now);

  // Sends a heartbeat when one is due and answers held tasks that are due.
  // Returns true when the coordinator has been silent too long: the caller
  // should close the connection, open a new one and call OnConnected.
  [[nodiscard]] bool OnTick(TimePoint now);

  // The worker is stopping: queues a goodbye.
  void SayGoodbye();

  // Moves the queued messages into `out` (cleared first), oldest first.
  void TakeOutbox(std::vector<Outgoing>& out);

  // When OnTick next has something to do (heartbeat, answer or expiry).
  TimePoint NextDeadline() const;
  // Whether the coordinator has said anything on this connection yet (a
  // sign that the hello registered: it sends heartbeats to known workers).
  bool heard_from_coordinator() const { return heard_; }
  // The reason of the last Refused, if any.
  const std::string& refusal() const { return refusal_; }
  size_t held() const { return held_.size(); }
  // Tasks in the last message that was a kTask event.
  size_t last_batch() const { return last_batch_; }
  const FakeWorkerConfig& config() const { return config_; }

 private:
  struct Held {
    TimePoint due;
    common::TaskAssignment task;
  };
  void Answer(const common::TaskAssignment& task, TimePoint now);
  void QueueHello();

  FakeWorkerConfig config_;
  std::deque<Held> held_;  // answer_delay > 0 only; in due order
  std::vector<Outgoing> outbox_;
  TimePoint next_heartbeat_{};
  TimePoint last_heard_{};
  std::chrono::milliseconds backoff_;
  bool heard_ = false;
  size_t last_batch_ = 0;
  std::string refusal_;
};

}  // namespace logsweep::swarm
