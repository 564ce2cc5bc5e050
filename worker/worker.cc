#include "worker/worker.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>
#include <random>

#include "common/base/signals.h"
#include "common/transport/zmq_io.h"
#include "worker/scan_pool.h"
#include "worker/worker_session.h"

namespace logsweep::worker {
namespace {

using Clock = common::Clock;

// 64 random bits in hex, once per process: the worker's instance id.
std::string NewInstanceId() {
  std::random_device rd;
  char buf[17];
  std::snprintf(buf, sizeof(buf), "%08x%08x", static_cast<unsigned>(rd()),
                static_cast<unsigned>(rd()));
  return buf;
}

}  // namespace

Worker::Worker(zmq::context_t& context, WorkerConfig config)
    : context_(context), config_(std::move(config)) {}

Worker::~Worker() = default;

common::Status Worker::Connect() {
  dealer_ = std::make_unique<zmq::socket_t>(context_, zmq::socket_type::dealer);
  if (common::Status s = common::ConfigureSocket(*dealer_); !s.ok()) return s;
  if (config_.curve) {
    if (common::Status s =
            common::ConfigureCurveClient(*dealer_, *config_.curve);
        !s.ok()) {
      return s;
    }
  }
  return common::Connect(*dealer_, config_.coordinator_endpoint);
}

void Worker::Send(const std::string& payload) {
  if (common::Status s = common::SendMessage(*dealer_, "", payload); !s.ok()) {
    // Unsent results are not lost for the job: the coordinator retries the
    // task once it declares this worker dead.
    spdlog::warn("send to coordinator {} failed: {}",
                 config_.coordinator_endpoint, s.ToString());
  }
}

common::Status Worker::Run(const std::atomic<bool>& stop, int wake_fd) {
  DataRoot data_root(config_.data_root);
  if (!data_root.status().ok()) return data_root.status();
  ScanPool pool(config_.threads, config_.scan, std::move(data_root),
                config_.hook);
  WorkerSessionConfig session_config;
  session_config.name = config_.name;
  session_config.slots = config_.threads;
  session_config.heartbeat_interval = config_.heartbeat_interval;
  session_config.liveness = config_.liveness;
  session_config.max_backoff = config_.max_backoff;
  session_config.instance = NewInstanceId();
  if (config_.curve) {
    // A refused CURVE handshake is silence too: libzmq tells neither side
    // more than that.
    session_config.silence_hint =
        "; if this lasts, the coordinator may be refusing our CURVE key: "
        "check that our .pub is in its authorized-keys/workers/ and that "
        "--curve-server-key is its key";
  }
  WorkerSession session(session_config, Clock::now());
  if (common::Status s = Connect(); !s.ok()) return s;
  session.OnConnected(Clock::now());
  spdlog::info("worker {} with {} threads, coordinator {}", config_.name,
               config_.threads, config_.coordinator_endpoint);

  // Carries out what the session asked for.
  auto act = [&]() -> common::Status {
    WorkerSession::Actions actions = session.TakeActions();
    if (actions.reconnect) {
      if (common::Status s = Connect(); !s.ok()) return s;
      session.OnConnected(Clock::now());
      WorkerSession::Actions hello = session.TakeActions();
      actions.send.insert(actions.send.begin(), hello.send.begin(),
                          hello.send.end());
    }
    for (const std::string& payload : actions.send) Send(payload);
    for (common::TaskAssignment& task : actions.scan) {
      pool.Submit(std::move(task));
    }
    return common::OkStatus();
  };

  while (!stop.load()) {
    if (common::Status s = act(); !s.ok()) return s;
    zmq::pollitem_t items[] = {
        {dealer_->handle(), 0, ZMQ_POLLIN, 0},
        {nullptr, pool.wake_fd(), ZMQ_POLLIN, 0},
        {nullptr, wake_fd, ZMQ_POLLIN, 0},
    };
    const TimePoint hand_over = pool.NextHandOver();
    // Rounded up: a wait cut to 0 ms before the hand-over would spin.
    auto wait = std::clamp(
        std::chrono::ceil<std::chrono::milliseconds>(
            std::min(session.NextDeadline(), hand_over) - Clock::now()),
        std::chrono::milliseconds(0), common::kMaxPollWait);
    try {
      zmq::poll(items, wake_fd >= 0 ? 3 : 2, wait);
    } catch (const zmq::error_t& e) {
      if (e.num() == EINTR) continue;
      return common::UnavailableError(std::string("poll: ") + e.what());
    }
    if (items[0].revents & ZMQ_POLLIN) {
      for (;;) {
        auto msg = common::ReceiveMessage(*dealer_);
        if (!msg.ok() || !msg->has_value()) break;
        auto& frames = **msg;
        if (frames.size() != 1) {
          spdlog::warn("dropped a {}-frame message from coordinator {}",
                       frames.size(), config_.coordinator_endpoint);
          continue;
        }
        session.OnCoordinatorMessage(frames[0], Clock::now());
      }
    }
    if ((items[1].revents & ZMQ_POLLIN) || Clock::now() >= hand_over) {
      const TimePoint now = Clock::now();
      for (ScanResult& result : pool.TakeResults(now)) {
        session.OnResult(result.ref, std::move(result.payload), now);
      }
    }
    session.OnTick(Clock::now());
  }
  // Stopping: tell the coordinator, so it hands our unfinished tasks to
  // other workers now rather than after our heartbeats stop. Scans still
  // running finish, but their results go nowhere. Linger briefly so the
  // goodbye leaves before the socket closes.
  session.OnStop();
  for (const std::string& payload : session.TakeActions().send) Send(payload);
  try {
    dealer_->set(zmq::sockopt::linger, 1000);
  } catch (const zmq::error_t&) {
    // Best effort: without it the coordinator still expires us.
  }
  return common::OkStatus();
}

int ServeWorker(const WorkerConfig& config, int parent_pid) {
  const std::atomic<bool>& stop = common::InstallStopSignals();
  if (parent_pid > 0 && !common::StopWithParent(parent_pid)) {
    return 0;  // started by `logsweep run`, which is already gone
  }
  zmq::context_t context(1);
  Worker worker(context, config);
  if (common::Status s = worker.Run(stop, common::StopSignalFd()); !s.ok()) {
    spdlog::error("stopped: {}", s.ToString());
    return 1;
  }
  spdlog::info("shutting down");
  return 0;
}

}  // namespace logsweep::worker
