#include "bench/swarm/swarm.h"

#include <spdlog/spdlog.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <deque>
#include <functional>
#include <queue>
#include <random>
#include <utility>

#include "bench/swarm/fake_worker.h"
#include "bench/swarm/worker_roles.h"
#include "common/transport/zmq_io.h"

namespace logsweep::swarm {
namespace {

constexpr std::chrono::milliseconds kMaxWait{50};
// Messages read from one worker before the others get their turn.
constexpr int kReadBatch = 64;
constexpr int kMaxEvents = 256;
// Time a goodbye has to leave before its socket is closed on Stop.
constexpr int kGoodbyeLingerMs = 500;

constexpr const char* kCounterNames[kCounterCount] = {
    "connected",          "registered",
    "tasks_received",     "answered",
    "results_sent",       "failures_sent",
    "reregisters",        "hellos_sent",
    "heartbeats_sent",    "heartbeats_received",
    "goodbyes_sent",      "refused_received",
    "malformed_received", "send_errors",
    "reconnects",         "closed_by_fault",
    "frozen_by_fault",    "open_errors",
};

std::string RandomInstance(std::mt19937_64& rng) {
  static const char kHex[] = "0123456789abcdef";
  std::string out(32, '0');
  for (char& c : out) c = kHex[rng() & 15];
  return out;
}

std::string WorkerName(const std::string& prefix, size_t index, bool bad) {
  char digits[24];
  std::snprintf(digits, sizeof digits, "-%05zu", index);
  return prefix + digits + (bad ? "-bad" : "");
}

// A new DEALER with logsweep's socket options, connected to `endpoint`.
// Errors: Unavailable (no more sockets or descriptors: see the message),
// InvalidArgument (a malformed endpoint).
common::StatusOr<std::unique_ptr<zmq::socket_t>> NewDealer(
    zmq::context_t& context, const std::string& endpoint) {
  std::unique_ptr<zmq::socket_t> socket;
  try {
    socket = std::make_unique<zmq::socket_t>(context, zmq::socket_type::dealer);
  } catch (const zmq::error_t& e) {
    return common::UnavailableError(
        std::string("cannot make a socket: ") + e.what() +
        " (ZMQ_MAX_SOCKETS or RLIMIT_NOFILE too low for this many workers?)");
  }
  if (common::Status s = common::ConfigureSocket(*socket); !s.ok()) return s;
  if (common::Status s = common::Connect(*socket, endpoint); !s.ok()) return s;
  return socket;
}

}  // namespace

const char* CounterName(Counter c) {
  return kCounterNames[static_cast<size_t>(c)];
}

// One thread's share of the workers: their engines, sockets and timers.
// Created by Swarm::Start; Run, and everything it calls, runs on the
// shard's own thread, which owns the sockets. Counters are read by others.
class Swarm::Shard {
 public:
  struct Member {
    FakeWorkerConfig config;
    WorkerRole role;
  };

  Shard(zmq::context_t& context, const SwarmConfig& config, size_t shards,
        std::vector<Member> members, AnswerLedger& ledger,
        std::atomic<uint64_t>& answered_total, const std::atomic<bool>& stop)
      : context_(context),
        config_(config),
        ledger_(ledger),
        answered_total_(answered_total),
        stop_(stop),
        connect_rate_(config.connect_rate / static_cast<double>(shards)) {
    slots_.reserve(members.size());
    for (Member& m : members) {
      slots_.emplace_back(FakeWorker(std::move(m.config)), m.role);
    }
  }
  Shard(const Shard&) = delete;
  Shard& operator=(const Shard&) = delete;

  // The thread body: serves until `stop`, then says goodbye and closes.
  void Run() {
    epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
    if (epoll_fd_ < 0) {
      Fail(common::ErrnoStatus(errno, "epoll_create1"));
    } else {
      Loop();
      Shutdown();
      ::close(epoll_fd_);
    }
  }

  uint64_t Get(Counter c) const {
    return counters_[static_cast<size_t>(c)].load(std::memory_order_relaxed);
  }
  bool failed() const { return failed_.load(); }
  // Valid once the thread has ended.
  const common::Status& status() const { return status_; }

 private:
  // kReopen: its reconnect failed (descriptors short while libzmq reaps
  // the sockets of a reconnect storm); tried again at its next tick.
  enum class State : uint8_t {
    kNotConnected,
    kLive,
    kReopen,
    kFrozen,
    kClosed
  };
  struct Slot {
    Slot(FakeWorker e, WorkerRole r) : engine(std::move(e)), role(r) {}
    FakeWorker engine;
    WorkerRole role;
    State state = State::kNotConnected;
    bool queued = false;      // in ready_
    bool registered = false;  // counted in kRegistered
    int fd = -1;              // the socket's ZMQ_FD, in epoll while live
    std::unique_ptr<zmq::socket_t> socket;
  };
  using Timer = std::pair<TimePoint, uint32_t>;  // when, slot index

  void Add(Counter c, int64_t n = 1) {
    counters_[static_cast<size_t>(c)].fetch_add(static_cast<uint64_t>(n),
                                                std::memory_order_relaxed);
  }
  void Fail(common::Status s) {
    if (status_.ok()) status_ = std::move(s);
    failed_.store(true);
  }

  void Loop() {
    epoll_event events[kMaxEvents];
    while (!stop_.load(std::memory_order_relaxed) && status_.ok()) {
      TimePoint now = Clock::now();
      ConnectDue(now);
      RunFaultScript(now);
      RunTimers(now);
      ServeReady(now);
      if (!status_.ok()) break;
      int timeout_ms = 0;
      if (ready_.empty()) {
        TimePoint next = now + kMaxWait;
        if (!ticks_.empty()) next = std::min(next, ticks_.top().first);
        if (!answers_.empty()) next = std::min(next, answers_.front().first);
        if (!thaws_.empty()) next = std::min(next, thaws_.front().first);
        if (next_connect_ < slots_.size()) {
          next = std::min(next, now + std::chrono::milliseconds(1));
        }
        auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(
            next - Clock::now());
        // Round up, so a timer is not polled for again and again just
        // before it is due.
        timeout_ms = std::max<int>(0, static_cast<int>(wait.count()) + 1);
      }
      int n = epoll_wait(epoll_fd_, events, kMaxEvents, timeout_ms);
      if (n < 0) {
        if (errno == EINTR) continue;
        Fail(common::ErrnoStatus(errno, "epoll_wait"));
        break;
      }
      for (int i = 0; i < n; ++i) MarkReady(events[i].data.u32);
    }
  }

  // Opens connections at this shard's share of connect_rate.
  void ConnectDue(TimePoint now) {
    if (next_connect_ >= slots_.size()) return;
    if (next_connect_ == 0) started_ = now;
    double elapsed = std::chrono::duration<double>(now - started_).count();
    auto allowed = static_cast<size_t>(elapsed * connect_rate_) + 1;
    allowed = std::min(allowed, slots_.size());
    while (next_connect_ < allowed && status_.ok()) {
      auto idx = static_cast<uint32_t>(next_connect_++);
      if (Open(idx, now, /*fatal=*/true)) {
        ticks_.push({slots_[idx].engine.NextDeadline(), idx});
      }
    }
  }

  // Opens a connection for slot `idx` and sends the hello. When a socket
  // cannot be made, `fatal` ends the shard; else the slot is left to
  // kReopen and counted.
  bool Open(uint32_t idx, TimePoint now, bool fatal) {
    Slot& slot = slots_[idx];
    auto socket = NewDealer(context_, config_.endpoint);
    if (!socket.ok()) {
      if (fatal) {
        Fail(
            socket.status().WithContext("worker " + slot.engine.config().name));
      } else {
        if (Get(Counter::kOpenErrors) == 0) {
          spdlog::warn("worker {}: {}; will retry", slot.engine.config().name,
                       socket.status().ToString());
        }
        Add(Counter::kOpenErrors);
        slot.state = State::kReopen;
      }
      return false;
    }
    int fd = -1;
    try {
      fd = (*socket)->get(zmq::sockopt::fd);
    } catch (const zmq::error_t& e) {
      Fail(common::UnavailableError(std::string("ZMQ_FD: ") + e.what()));
      return false;
    }
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u32 = idx;
    if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) != 0) {
      Fail(common::ErrnoStatus(errno, "epoll_ctl add"));
      return false;
    }
    slot.socket = std::move(*socket);
    slot.fd = fd;
    slot.state = State::kLive;
    Add(Counter::kConnected);
    slot.engine.OnConnected(now);
    Flush(idx);
    return true;
  }

  // Closes slot `idx`'s connection (no goodbye; linger 0 drops what is
  // queued, as a killed process would).
  void Close(uint32_t idx) {
    Slot& slot = slots_[idx];
    if (!slot.socket) return;
    if (slot.state == State::kLive) {
      (void)epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, slot.fd, nullptr);
    }
    slot.socket.reset();
    slot.fd = -1;
    Add(Counter::kConnected, -1);
    if (slot.registered) {
      slot.registered = false;
      Add(Counter::kRegistered, -1);
    }
  }

  void MarkReady(uint32_t idx) {
    Slot& slot = slots_[idx];
    if (slot.queued) return;
    slot.queued = true;
    ready_.push_back(idx);
  }

  // libzmq resets ZMQ_FD when any call on the socket processes its
  // commands, sends included; so after each, ask whether input is waiting.
  void CheckInput(uint32_t idx) {
    Slot& slot = slots_[idx];
    int events = 0;
    size_t size = sizeof events;
    if (zmq_getsockopt(slot.socket->handle(), ZMQ_EVENTS, &events, &size) ==
            0 &&
        (events & ZMQ_POLLIN)) {
      MarkReady(idx);
    }
  }

  void ServeReady(TimePoint now) {
    // Only those queued now: a busy worker re-queued by Serve waits for the
    // next round, after the timers.
    for (size_t n = ready_.size(); n > 0 && status_.ok(); --n) {
      uint32_t idx = ready_.front();
      ready_.pop_front();
      slots_[idx].queued = false;
      if (slots_[idx].state == State::kLive) Serve(idx, now);
    }
  }

  // Reads up to kReadBatch messages of worker `idx` and sends its answers.
  void Serve(uint32_t idx, TimePoint now) {
    Slot& slot = slots_[idx];
    void* handle = slot.socket->handle();
    for (int i = 0; i < kReadBatch; ++i) {
      zmq_msg_t msg;
      zmq_msg_init(&msg);
      if (zmq_msg_recv(&msg, handle, ZMQ_DONTWAIT) < 0) {
        zmq_msg_close(&msg);
        break;  // EAGAIN: nothing more (nothing else can fail here)
      }
      if (zmq_msg_more(&msg)) {
        // The coordinator sends one frame per message; skip the rest.
        Add(Counter::kMalformed);
        while (zmq_msg_more(&msg)) {
          if (zmq_msg_recv(&msg, handle, ZMQ_DONTWAIT) < 0) break;
        }
        zmq_msg_close(&msg);
        continue;
      }
      std::string_view payload(static_cast<const char*>(zmq_msg_data(&msg)),
                               zmq_msg_size(&msg));
      FakeWorker::Event event = slot.engine.OnMessage(payload, now);
      zmq_msg_close(&msg);
      switch (event) {
        case FakeWorker::Event::kTask:
          Add(Counter::kTasksReceived,
              static_cast<int64_t>(slot.engine.last_batch()));
          if (config_.answer_delay.count() > 0) {
            answers_.push_back({now + config_.answer_delay, idx});
          }
          break;
        case FakeWorker::Event::kHeartbeat:
          Add(Counter::kHeartbeatsReceived);
          break;
        case FakeWorker::Event::kReregister:
          Add(Counter::kReregisters);
          break;
        case FakeWorker::Event::kRefused:
          if (Get(Counter::kRefusedReceived) == 0) {
            spdlog::warn("worker {} refused by the coordinator: {}",
                         slot.engine.config().name, slot.engine.refusal());
          }
          Add(Counter::kRefusedReceived);
          break;
        case FakeWorker::Event::kMalformed:
          Add(Counter::kMalformed);
          break;
      }
    }
    if (!slot.registered && slot.engine.heard_from_coordinator()) {
      slot.registered = true;
      Add(Counter::kRegistered);
    }
    Flush(idx);
    CheckInput(idx);
  }

  // Sends what worker `idx` queued. A failed send loses the message, as in
  // the real worker (the coordinator recovers by its timeouts).
  void Flush(uint32_t idx) {
    Slot& slot = slots_[idx];
    slot.engine.TakeOutbox(outbox_);
    for (const FakeWorker::Outgoing& out : outbox_) {
      if (zmq_send(slot.socket->handle(), out.payload.data(),
                   out.payload.size(), ZMQ_DONTWAIT) < 0) {
        Add(Counter::kSendErrors);
        continue;
      }
      switch (out.kind) {
        case FakeWorker::Kind::kHello:
          Add(Counter::kHellosSent);
          break;
        case FakeWorker::Kind::kHeartbeat:
          Add(Counter::kHeartbeatsSent);
          break;
        case FakeWorker::Kind::kGoodbye:
          Add(Counter::kGoodbyesSent);
          break;
        case FakeWorker::Kind::kResult:
        case FakeWorker::Kind::kFailed:
          for (const common::TaskRef& ref : out.refs) {
            Add(out.kind == FakeWorker::Kind::kResult ? Counter::kResultsSent
                                                      : Counter::kFailuresSent);
            Add(Counter::kAnswered);
            answered_total_.fetch_add(1, std::memory_order_relaxed);
            (void)ledger_.Record(ref.job_id, ref.task_id);
          }
          break;
      }
    }
  }

  // Heartbeats, delayed answers and reconnects of live worker `idx`.
  void Tick(uint32_t idx, TimePoint now) {
    Slot& slot = slots_[idx];
    if (slot.engine.OnTick(now)) {
      // Silence: like the real worker, a new socket and a hello on it.
      Add(Counter::kReconnects);
      Close(idx);
      if (!Open(idx, now, /*fatal=*/false)) return;
    }
    Flush(idx);
    CheckInput(idx);
  }

  void RunTimers(TimePoint now) {
    while (!ticks_.empty() && ticks_.top().first <= now) {
      uint32_t idx = ticks_.top().second;
      ticks_.pop();
      Slot& slot = slots_[idx];
      if (slot.state == State::kClosed) continue;  // its timer ends here
      if (slot.state == State::kReopen) (void)Open(idx, now, false);
      if (slot.state == State::kLive) Tick(idx, now);
      if (!status_.ok()) return;
      // A frozen worker's timer waits; it resumes when thawed.
      TimePoint next = slot.state == State::kLive
                           ? slot.engine.NextDeadline()
                           : now + config_.heartbeat_interval;
      ticks_.push({std::max(next, now + std::chrono::milliseconds(1)), idx});
    }
    while (!answers_.empty() && answers_.front().first <= now) {
      uint32_t idx = answers_.front().second;
      answers_.pop_front();
      // A frozen worker answers when thawed; a closed one never.
      if (slots_[idx].state == State::kLive) Tick(idx, now);
    }
    while (!thaws_.empty() && thaws_.front().first <= now) {
      uint32_t idx = thaws_.front().second;
      thaws_.pop_front();
      Thaw(idx, now);
    }
  }

  void Thaw(uint32_t idx, TimePoint now) {
    Slot& slot = slots_[idx];
    if (slot.state != State::kFrozen) return;
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u32 = idx;
    if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, slot.fd, &ev) != 0) {
      Fail(common::ErrnoStatus(errno, "epoll_ctl add"));
      return;
    }
    slot.state = State::kLive;
    // As a resumed process: read what queued up first, then the timers.
    Serve(idx, now);
    Tick(idx, now);
  }

  void RunFaultScript(TimePoint now) {
    if (next_connect_ < slots_.size()) return;  // not all connected yet
    uint64_t answered = answered_total_.load(std::memory_order_relaxed);
    if (!closed_ && config_.close_count > 0 &&
        answered >= config_.close_after_tasks) {
      closed_ = true;
      size_t n = 0;
      for (uint32_t idx = 0; idx < slots_.size(); ++idx) {
        Slot& slot = slots_[idx];
        if (slot.role != WorkerRole::kCloser) continue;
        // Answers already sent may still leave (a killed process's last
        // sends are in the kernel's buffer); libzmq drops what is left
        // after the linger.
        SetLinger(idx, static_cast<int>(config_.close_linger.count()));
        Close(idx);
        slot.state = State::kClosed;
        ++n;
      }
      Add(Counter::kClosedByFault, static_cast<int64_t>(n));
      spdlog::info("closed {} connections without goodbye ({} answered)", n,
                   answered);
    }
    if (!frozen_ && config_.freeze_count > 0 &&
        answered >= config_.freeze_after_tasks) {
      frozen_ = true;
      size_t n = 0;
      for (uint32_t idx = 0; idx < slots_.size(); ++idx) {
        Slot& slot = slots_[idx];
        if (slot.role != WorkerRole::kFreezer || slot.state != State::kLive) {
          continue;
        }
        (void)epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, slot.fd, nullptr);
        slot.state = State::kFrozen;
        thaws_.push_back({now + config_.freeze_for, idx});
        ++n;
      }
      Add(Counter::kFrozenByFault, static_cast<int64_t>(n));
      spdlog::info("froze {} workers for {} ms ({} answered)", n,
                   config_.freeze_for.count(), answered);
    }
  }

  // Best effort: without it what is queued is dropped at close, and the
  // coordinator recovers by its timeouts.
  void SetLinger(uint32_t idx, int ms) {
    Slot& slot = slots_[idx];
    if (!slot.socket) return;
    (void)zmq_setsockopt(slot.socket->handle(), ZMQ_LINGER, &ms, sizeof ms);
  }

  void Shutdown() {
    for (uint32_t idx = 0; idx < slots_.size(); ++idx) {
      Slot& slot = slots_[idx];
      if (!slot.socket) continue;
      if (slot.state == State::kLive && config_.goodbye_on_stop) {
        slot.engine.SayGoodbye();
        Flush(idx);
        SetLinger(idx, kGoodbyeLingerMs);
      }
      Close(idx);
    }
  }

  zmq::context_t& context_;
  const SwarmConfig& config_;
  AnswerLedger& ledger_;
  std::atomic<uint64_t>& answered_total_;
  const std::atomic<bool>& stop_;
  const double connect_rate_;  // this shard's share, per second

  std::vector<Slot> slots_;
  int epoll_fd_ = -1;
  std::deque<uint32_t> ready_;  // workers with input (maybe) waiting
  // Each connected worker's next heartbeat or silence check, earliest
  // first; one entry per worker that is not closed.
  std::priority_queue<Timer, std::vector<Timer>, std::greater<Timer>> ticks_;
  std::deque<Timer> answers_;                 // delayed answers, in due order
  std::deque<Timer> thaws_;                   // frozen workers, in due order
  std::vector<FakeWorker::Outgoing> outbox_;  // reused by Flush
  size_t next_connect_ = 0;
  TimePoint started_{};
  bool closed_ = false;
  bool frozen_ = false;

  std::array<std::atomic<uint64_t>, kCounterCount> counters_{};
  std::atomic<bool> failed_{false};
  common::Status status_;  // written by the shard's thread only
};

Swarm::Swarm(zmq::context_t& context, SwarmConfig config)
    : context_(context), config_(std::move(config)) {}

Swarm::~Swarm() { (void)Stop(); }

common::Status Swarm::Start() {
  const SwarmConfig& c = config_;
  if (c.workers < 1 || c.workers > 100000) {
    return common::InvalidArgumentError("workers must be 1 .. 100000");
  }
  if (c.threads < 1 || c.threads > 64) {
    return common::InvalidArgumentError("threads must be 1 .. 64");
  }
  if (c.slots < 1 || c.slots > 4096) {
    return common::InvalidArgumentError("slots must be 1 .. 4096");
  }
  if (c.fail_fraction < 0 || c.fail_fraction > 1) {
    return common::InvalidArgumentError("fail fraction must be 0 .. 1");
  }
  if (c.connect_rate < 1) {
    return common::InvalidArgumentError("connect rate must be at least 1/s");
  }
  size_t bad = BadWorkerCount(c.workers, c.fail_fraction);
  if (bad + c.close_count + c.freeze_count > c.workers) {
    return common::InvalidArgumentError(
        "bad (" + std::to_string(bad) + ") + closing (" +
        std::to_string(c.close_count) + ") + freezing (" +
        std::to_string(c.freeze_count) + ") workers are more than the " +
        std::to_string(c.workers) + " workers");
  }
  std::vector<WorkerRole> roles = AssignRoles(
      c.workers, bad, c.close_count, c.freeze_count, c.close_placement);
  std::mt19937_64 rng(std::random_device{}());
  std::vector<std::vector<Shard::Member>> members(c.threads);
  for (size_t i = 0; i < c.workers; ++i) {
    FakeWorkerConfig w;
    w.name = WorkerName(c.name_prefix, i, roles[i] == WorkerRole::kBad);
    w.instance = RandomInstance(rng);
    w.slots = c.slots;
    w.heartbeat_interval = c.heartbeat_interval;
    w.liveness = c.liveness;
    w.answer_delay = c.answer_delay;
    w.answer = c.answer;
    if (roles[i] == WorkerRole::kBad) {
      w.fail_with = common::Status(c.fail_code, "simulated bad node");
    }
    members[i % c.threads].push_back(Shard::Member{std::move(w), roles[i]});
  }
  for (size_t t = 0; t < c.threads; ++t) {
    shards_.push_back(std::make_unique<Shard>(context_, config_, c.threads,
                                              std::move(members[t]), ledger_,
                                              answered_total_, stop_));
  }
  for (auto& shard : shards_) {
    threads_.emplace_back([s = shard.get()] { s->Run(); });
  }
  return common::OkStatus();
}

common::Status Swarm::Stop() {
  stop_.store(true);
  for (std::thread& t : threads_) t.join();
  threads_.clear();
  for (const auto& shard : shards_) {
    if (!shard->status().ok()) return shard->status();
  }
  return common::OkStatus();
}

bool Swarm::failed() const {
  return std::any_of(shards_.begin(), shards_.end(),
                     [](const auto& s) { return s->failed(); });
}

SwarmSnapshot Swarm::Snapshot() const {
  SwarmSnapshot snap;
  for (const auto& shard : shards_) {
    for (size_t c = 0; c < kCounterCount; ++c) {
      snap.counters[c] += shard->Get(static_cast<Counter>(c));
    }
  }
  snap.duplicates = ledger_.duplicates();
  snap.distinct_tasks = ledger_.distinct();
  snap.expected_live = config_.workers - snap[Counter::kClosedByFault];
  return snap;
}

}  // namespace logsweep::swarm
