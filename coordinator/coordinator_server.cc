#include "coordinator/coordinator_server.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

#include "common/zmq_io.h"

namespace logsweep::coordinator {
namespace {

constexpr std::chrono::milliseconds kMaxPollWait{200};
// Messages handled per socket per wake-up, so neither side starves.
constexpr int kBatch = 256;

}  // namespace

CoordinatorServer::CoordinatorServer(zmq::context_t& context,
                                     Coordinator& coordinator)
    : coordinator_(coordinator),
      workers_(context, zmq::socket_type::router),
      clients_(context, zmq::socket_type::router) {}

common::Status CoordinatorServer::Bind(const std::string& workers_endpoint,
                                       const std::string& clients_endpoint) {
  for (auto* socket : {&workers_, &clients_}) {
    if (common::Status s = common::ConfigureSocket(*socket); !s.ok()) return s;
  }
  if (common::Status s = common::Bind(workers_, workers_endpoint); !s.ok())
    return s;
  if (common::Status s = common::Bind(clients_, clients_endpoint); !s.ok())
    return s;
  auto w = common::LastEndpoint(workers_);
  if (!w.ok()) return w.status();
  auto c = common::LastEndpoint(clients_);
  if (!c.ok()) return c.status();
  workers_endpoint_ = *w;
  clients_endpoint_ = *c;
  return common::OkStatus();
}

void CoordinatorServer::ReadAll(zmq::socket_t& socket, bool from_workers) {
  for (int i = 0; i < kBatch; ++i) {
    auto received = common::ReceiveMessage(socket);
    if (!received.ok()) {
      spdlog::warn("receive failed: {}", received.status().ToString());
      return;
    }
    if (!received->has_value()) return;
    std::vector<std::string>& frames = **received;
    // A ROUTER prepends the peer id; our peers send exactly one frame.
    if (frames.size() != 2) {
      spdlog::warn("dropped a {}-frame message on the {} socket (expected 2)",
                   frames.size(), from_workers ? "workers" : "clients");
      continue;
    }
    auto now = std::chrono::steady_clock::now();
    if (from_workers) {
      coordinator_.OnWorkerMessage(frames[0], frames[1], now);
    } else {
      coordinator_.OnClientMessage(frames[0], frames[1], now);
    }
    Flush();
  }
}

void CoordinatorServer::Flush() {
  // A failed send may queue more (requeued tasks go to other workers).
  for (auto outbox = coordinator_.TakeOutbox(); !outbox.empty();
       outbox = coordinator_.TakeOutbox()) {
    for (const Outgoing& out : outbox) {
      zmq::socket_t& socket =
          out.socket == Outgoing::Socket::kWorkers ? workers_ : clients_;
      if (common::Status s = common::SendMessage(socket, out.peer, out.payload);
          !s.ok()) {
        coordinator_.OnSendFailed(out, std::chrono::steady_clock::now());
      }
    }
  }
}

common::Status CoordinatorServer::Run(const std::atomic<bool>& stop,
                                      int wake_fd) {
  zmq::pollitem_t items[] = {
      {workers_.handle(), 0, ZMQ_POLLIN, 0},
      {clients_.handle(), 0, ZMQ_POLLIN, 0},
      {nullptr, wake_fd, ZMQ_POLLIN, 0},
  };
  coordinator_.OnTick(std::chrono::steady_clock::now());
  Flush();
  while (!stop.load()) {
    auto now = std::chrono::steady_clock::now();
    auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(
        coordinator_.NextDeadline() - now);
    wait = std::clamp(wait, std::chrono::milliseconds(0), kMaxPollWait);
    try {
      zmq::poll(items, wake_fd >= 0 ? 3 : 2, wait);
    } catch (const zmq::error_t& e) {
      if (e.num() == EINTR) continue;  // a signal; re-check `stop`
      return common::UnavailableError(std::string("poll: ") + e.what());
    }
    if (items[0].revents & ZMQ_POLLIN) ReadAll(workers_, true);
    if (items[1].revents & ZMQ_POLLIN) ReadAll(clients_, false);
    now = std::chrono::steady_clock::now();
    if (now >= coordinator_.NextDeadline()) {
      coordinator_.OnTick(now);
      Flush();
    }
    // One journal transaction per wake-up: results of a whole batch of
    // messages become durable together.
    if (auto s = coordinator_.CommitJournal(); !s.ok()) {
      spdlog::error("{}", s.ToString());
    }
  }
  return common::OkStatus();
}

}  // namespace logsweep::coordinator
