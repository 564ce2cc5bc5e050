#include "worker/worker.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>
#include <variant>

#include "common/codec.h"
#include "common/signals.h"
#include "common/zmq_io.h"
#include "worker/scan_pool.h"

namespace logsweep::worker {
namespace {

using Clock = std::chrono::steady_clock;
constexpr std::chrono::milliseconds kMaxPollWait{200};

}  // namespace

Worker::Worker(zmq::context_t& context, WorkerConfig config)
    : context_(context),
      config_(std::move(config)),
      results_(context, zmq::socket_type::pull),
      backoff_(config_.heartbeat_interval * config_.liveness) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "inproc://results-%p",
                static_cast<void*>(this));
  results_endpoint_ = buf;
}

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
  if (common::Status s =
          common::Connect(*dealer_, config_.coordinator_endpoint);
      !s.ok()) {
    return s;
  }
  last_heard_ = Clock::now();
  SendHello();
  return common::OkStatus();
}

void Worker::Send(const std::string& payload) {
  if (common::Status s = common::SendMessage(*dealer_, "", payload); !s.ok()) {
    // Unsent results are not lost for the job: the coordinator retries the
    // task once it declares this worker dead.
    spdlog::warn("send to coordinator {} failed: {}",
                 config_.coordinator_endpoint, s.ToString());
  }
}

void Worker::SendHello() {
  Send(common::Encode(common::WorkerToCoordinator(common::WorkerHello{
      config_.name, config_.threads, config_.heartbeat_interval, {}, {}})));
}

void Worker::OnCoordinatorMessage(const std::string& payload, ScanPool& pool) {
  auto decoded = common::DecodeCoordinatorToWorker(payload);
  if (!decoded.ok()) {
    spdlog::warn("dropped message from coordinator {}: {}",
                 config_.coordinator_endpoint, decoded.status().ToString());
    return;
  }
  last_heard_ = Clock::now();
  backoff_ = config_.heartbeat_interval * config_.liveness;
  if (auto* task = std::get_if<common::TaskAssignment>(&*decoded)) {
    pool.Submit(std::move(*task));
  } else if (std::holds_alternative<common::Reregister>(*decoded)) {
    spdlog::info("coordinator asked us to register again");
    SendHello();
  }
}

common::Status Worker::Run(const std::atomic<bool>& stop, int wake_fd) {
  if (common::Status s = common::ConfigureSocket(results_); !s.ok()) return s;
  if (common::Status s = common::Bind(results_, results_endpoint_); !s.ok())
    return s;
  DataRoot data_root(config_.data_root);
  if (!data_root.status().ok()) return data_root.status();
  ScanPool pool(context_, results_endpoint_, config_.threads, config_.scan,
                std::move(data_root));
  if (common::Status s = Connect(); !s.ok()) return s;
  spdlog::info("worker {} with {} threads, coordinator {}", config_.name,
               config_.threads, config_.coordinator_endpoint);

  auto next_heartbeat = Clock::now() + config_.heartbeat_interval;
  while (!stop.load()) {
    zmq::pollitem_t items[] = {
        {dealer_->handle(), 0, ZMQ_POLLIN, 0},
        {results_.handle(), 0, ZMQ_POLLIN, 0},
        {nullptr, wake_fd, ZMQ_POLLIN, 0},
    };
    auto now = Clock::now();
    auto wait =
        std::clamp(std::chrono::duration_cast<std::chrono::milliseconds>(
                       next_heartbeat - now),
                   std::chrono::milliseconds(0), kMaxPollWait);
    try {
      zmq::poll(items, wake_fd >= 0 ? 3 : 2, wait);
    } catch (const zmq::error_t& e) {
      if (e.num() == EINTR) continue;
      return common::UnavailableError(std::string("poll: ") + e.what());
    }
    if (items[0].revents & ZMQ_POLLIN) {
      while (true) {
        auto msg = common::ReceiveMessage(*dealer_);
        if (!msg.ok() || !msg->has_value()) break;
        auto& frames = **msg;
        if (frames.size() != 1) {
          spdlog::warn("dropped a {}-frame message from coordinator {}",
                       frames.size(), config_.coordinator_endpoint);
          continue;
        }
        OnCoordinatorMessage(frames[0], pool);
      }
    }
    if (items[1].revents & ZMQ_POLLIN) {
      while (true) {
        auto msg = common::ReceiveMessage(results_);
        if (!msg.ok() || !msg->has_value()) break;
        for (const std::string& payload : **msg) Send(payload);
      }
    }
    now = Clock::now();
    if (now >= next_heartbeat) {
      Send(common::Encode(common::WorkerToCoordinator(common::Heartbeat{})));
      next_heartbeat = now + config_.heartbeat_interval;
    }
    if (now - last_heard_ > backoff_) {
      // A refused CURVE handshake is silence too: libzmq tells neither side
      // more than that.
      spdlog::warn("no word from coordinator {} for {} ms; reconnecting{}",
                   config_.coordinator_endpoint,
                   std::chrono::duration_cast<std::chrono::milliseconds>(
                       now - last_heard_)
                       .count(),
                   config_.curve ? " (if this lasts, the coordinator may be "
                                   "refusing our CURVE key: check that our "
                                   ".pub is in its authorized-keys/workers/ "
                                   "and --curve-server-key is its key)"
                                 : "");
      backoff_ = std::min(backoff_ * 2, config_.max_backoff);
      if (common::Status s = Connect(); !s.ok()) return s;
    }
  }
  // Stopping: tell the coordinator, so it hands our unfinished tasks to
  // other workers now rather than after our heartbeats stop. Scans still
  // running finish, but their results go nowhere. Linger briefly so the
  // goodbye leaves before the socket closes.
  Send(common::Encode(common::WorkerToCoordinator(common::Goodbye{})));
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
