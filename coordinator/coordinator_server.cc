#include "coordinator/coordinator_server.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>

#include "common/transport/zmq_io.h"

namespace logsweep::coordinator {
namespace {

// A loop that went this long without running (beyond a poll's wait) was
// stalled (see Coordinator::OnStall).
constexpr std::chrono::milliseconds kStallThreshold{500};
// Messages handled per socket per wake-up, so neither side starves.
constexpr int kBatch = 256;
// Messages queued for one client before it counts as gone: results go out
// in pieces of at most 4 MiB, so this is over 400 GB of result.
constexpr int kClientQueueMessages = 100000;

// Why a peer failed the CURVE handshake, from a ZMTP protocol error code.
std::string DescribeHandshakeError(uint32_t code) {
  switch (code) {
    case ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH:
      return "it does not use CURVE (no --curve-server-key/--curve-key?)";
    case ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC:
      return "cryptographic error (a wrong --curve-server-key?)";
    default: {
      char text[64];
      std::snprintf(text, sizeof(text), "ZMTP protocol error 0x%08x", code);
      return text;
    }
  }
}

}  // namespace

CoordinatorServer::CoordinatorServer(zmq::context_t& context,
                                     Coordinator& coordinator)
    : context_(context),
      coordinator_(coordinator),
      workers_(context, zmq::socket_type::router),
      clients_(context, zmq::socket_type::router) {}

common::Status CoordinatorServer::EnableCurve(common::CurveKeyPair keys,
                                              ZapHandler zap) {
  if (!common::CurveAvailable()) {
    return common::UnavailableError("libzmq was built without CURVE");
  }
  auto socket =
      std::make_unique<zmq::socket_t>(context_, zmq::socket_type::rep);
  if (common::Status s = common::ConfigureSocket(*socket); !s.ok()) return s;
  // Only one ZAP handler per context: a second bind fails (EADDRINUSE).
  if (common::Status s = common::Bind(*socket, "inproc://zeromq.zap.01");
      !s.ok()) {
    return s.WithContext("ZAP handler");
  }
  zap_ = std::move(socket);
  zap_handler_.emplace(std::move(zap));
  curve_keys_ = std::move(keys);
  return common::OkStatus();
}

common::Status CoordinatorServer::Bind(const std::string& workers_endpoint,
                                       const std::string& clients_endpoint,
                                       int workers_listen_fd) {
  common::Status s = Configure();
  if (s.ok() && workers_listen_fd >= 0) {
    try {
      workers_.set(zmq::sockopt::use_fd, workers_listen_fd);
    } catch (const zmq::error_t& e) {
      s = common::InternalError(std::string("use_fd: ") + e.what());
    }
  }
  if (!s.ok()) {
    // Not handed to libzmq yet, so still ours to close.
    if (workers_listen_fd >= 0) ::close(workers_listen_fd);
    return s;
  }
  if (s = common::Bind(workers_, workers_endpoint); !s.ok()) return s;
  if (s = common::Bind(clients_, clients_endpoint); !s.ok()) return s;
  auto w = common::LastEndpoint(workers_);
  if (!w.ok()) return w.status();
  auto c = common::LastEndpoint(clients_);
  if (!c.ok()) return c.status();
  workers_endpoint_ = *w;
  clients_endpoint_ = *c;
  return common::OkStatus();
}

common::Status CoordinatorServer::Configure() {
  for (auto* socket : {&workers_, &clients_}) {
    if (common::Status s = common::ConfigureSocket(*socket); !s.ok()) return s;
  }
  try {
    // A large result goes to its client in many pieces queued at once; the
    // default limit (1000 messages) would drop the client mid-result.
    clients_.set(zmq::sockopt::sndhwm, kClientQueueMessages);
  } catch (const zmq::error_t& e) {
    return common::InternalError(std::string("sndhwm: ") + e.what());
  }
  if (!curve_keys_) return common::OkStatus();
  if (common::Status s = common::ConfigureCurveServer(workers_, *curve_keys_,
                                                      kWorkersZapDomain);
      !s.ok()) {
    return s;
  }
  if (common::Status s = common::ConfigureCurveServer(clients_, *curve_keys_,
                                                      kClientsZapDomain);
      !s.ok()) {
    return s;
  }
  char id[32];
  std::snprintf(id, sizeof(id), "%p", static_cast<void*>(this));
  constexpr int kHandshakeFailures = ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL |
                                     ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL;
  auto w = common::MonitorSocket(context_, workers_, kHandshakeFailures,
                                 std::string("workers-") + id);
  if (!w.ok()) return w.status();
  auto c = common::MonitorSocket(context_, clients_, kHandshakeFailures,
                                 std::string("clients-") + id);
  if (!c.ok()) return c.status();
  workers_monitor_ = std::move(*w);
  clients_monitor_ = std::move(*c);
  return common::OkStatus();
}

void CoordinatorServer::ReadAll(zmq::socket_t& socket, bool from_workers) {
  for (int i = 0; i < kBatch; ++i) {
    common::PeerInfo from;
    auto received = common::ReceiveMessage(socket, &from);
    if (!received.ok()) {
      spdlog::warn("receive failed: {}", received.status().ToString());
      return;
    }
    if (!received->has_value()) {
      // Every message waiting was read: silence is judged up to now.
      if (from_workers) {
        coordinator_.OnWorkersDrained(std::chrono::steady_clock::now());
      }
      return;
    }
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
      // The CURVE key when on (the ZAP handler set it as User-Id), else
      // the IP address: one quota per key or per host.
      const std::string& client = !from.user_id.empty() ? from.user_id
                                  : !from.address.empty()
                                      ? from.address
                                      : std::string(kLocalClient);
      // The log names the client by address and key, not by peer id.
      std::string label = from.address.empty() ? "local" : from.address;
      if (!from.user_id.empty()) {
        label += " (key " + from.user_id.substr(0, 8) + ")";
      }
      coordinator_.OnClientMessage(frames[0], frames[1], now, client, label);
    }
    Flush();
  }
}

void CoordinatorServer::AnswerZap() {
  // REP: one request, one reply, strictly alternating; libzmq sends at most
  // one request per pending handshake, so draining them all is bounded.
  for (;;) {
    auto received = common::ReceiveMessage(*zap_);
    if (!received.ok()) {
      spdlog::error("ZAP receive failed: {}", received.status().ToString());
      return;
    }
    if (!received->has_value()) return;
    std::vector<std::string> reply = zap_handler_->Handle(**received);
    try {
      for (size_t i = 0; i < reply.size(); ++i) {
        zap_->send(zmq::buffer(reply[i]), i + 1 < reply.size()
                                              ? zmq::send_flags::sndmore
                                              : zmq::send_flags::none);
      }
    } catch (const zmq::error_t& e) {
      spdlog::error("ZAP reply failed: {}", e.what());
      return;
    }
  }
}

void CoordinatorServer::LogHandshakeFailures(zmq::socket_t& monitor,
                                             const char* role) {
  for (;;) {
    auto received = common::ReceiveMonitorEvent(monitor);
    if (!received.ok() || !received->has_value()) return;
    const common::MonitorEvent& event = **received;
    // The endpoint of a bound socket's event is ours, not the peer's.
    if (event.id != ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL) {
      // The connection broke mid-handshake (value is an errno). A peer
      // without CURVE often ends this way rather than with a mechanism
      // error, when it sees our greeting and hangs up first; so does every
      // peer refused by ZAP (logged already), hence info, not warn.
      spdlog::info(
          "a {} peer dropped out of the CURVE handshake on {} ({}): it may "
          "not use CURVE, or was refused",
          role, event.endpoint, zmq_strerror(static_cast<int>(event.value)));
      continue;
    }
    spdlog::warn("refused a {} peer at the CURVE handshake on {}: {}", role,
                 event.endpoint, DescribeHandshakeError(event.value));
  }
}

void CoordinatorServer::Flush() {
  // A failed send may queue more (requeued tasks go to other workers). A
  // peer whose send failed gets nothing more in this flush: its later
  // messages fail with it, so the coordinator learns of every task that did
  // not go out before it drops the peer.
  std::vector<std::string> failed_peers;
  for (auto outbox = coordinator_.TakeOutbox(); !outbox.empty();
       outbox = coordinator_.TakeOutbox()) {
    std::vector<SendFailure> failures;
    for (Outgoing& out : outbox) {
      const bool workers = out.socket == Outgoing::Socket::kWorkers;
      zmq::socket_t& socket = workers ? workers_ : clients_;
      common::Status s;
      if (std::find(failed_peers.begin(), failed_peers.end(),
                    (workers ? "w" : "c") + out.peer) != failed_peers.end()) {
        s = common::UnavailableError("an earlier send to this peer failed");
      } else {
        s = common::SendMessage(socket, out.peer, out.payload);
      }
      if (!s.ok()) {
        failed_peers.push_back((workers ? "w" : "c") + out.peer);
        failures.push_back(SendFailure{std::move(out), std::move(s)});
      }
    }
    if (!failures.empty()) {
      coordinator_.OnSendsFailed(failures, std::chrono::steady_clock::now());
    }
  }
}

common::Status CoordinatorServer::Run(const std::atomic<bool>& stop,
                                      int wake_fd) {
  // The ZAP socket and the monitors exist only with CURVE (the monitors
  // only once Bind has run). A null socket in a pollitem would poll fd 0,
  // so the count stops before the first absent one; the wake-up pipe (a
  // stop signal) comes after what is present.
  zmq::pollitem_t items[] = {
      {workers_.handle(), 0, ZMQ_POLLIN, 0},
      {clients_.handle(), 0, ZMQ_POLLIN, 0},
      {zap_ ? zap_->handle() : nullptr, 0, ZMQ_POLLIN, 0},
      {workers_monitor_ ? workers_monitor_->handle() : nullptr, 0, ZMQ_POLLIN,
       0},
      {clients_monitor_ ? clients_monitor_->handle() : nullptr, 0, ZMQ_POLLIN,
       0},
      {nullptr, -1, ZMQ_POLLIN, 0},
  };
  const int socket_count = !zap_ ? 2 : !workers_monitor_ ? 3 : 5;
  int item_count = socket_count;
  if (wake_fd >= 0) items[item_count++] = {nullptr, wake_fd, ZMQ_POLLIN, 0};
  coordinator_.OnTick(std::chrono::steady_clock::now());
  Flush();
  // The loop's last sign of life: a gap since then longer than it should
  // be (beyond a poll's wait) means the process did not run (stopped, the
  // machine paused) or a handler ran long; the coordinator must not judge
  // workers by a silence that was its own.
  auto last_seen = std::chrono::steady_clock::now();
  auto observe = [&](common::TimePoint now, std::chrono::milliseconds allowed) {
    auto gap = std::chrono::duration_cast<std::chrono::milliseconds>(
        now - last_seen - allowed);
    if (gap > kStallThreshold) coordinator_.OnStall(gap, now);
    last_seen = now;
  };
  while (!stop.load()) {
    auto now = std::chrono::steady_clock::now();
    observe(now, std::chrono::milliseconds(0));
    auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(
        coordinator_.NextDeadline() - now);
    wait = std::clamp(wait, std::chrono::milliseconds(0), common::kMaxPollWait);
    try {
      zmq::poll(items, item_count, wait);
      now = std::chrono::steady_clock::now();
      observe(now, wait);
    } catch (const zmq::error_t& e) {
      if (e.num() == EINTR) continue;  // a signal; re-check `stop`
      return common::UnavailableError(std::string("poll: ") + e.what());
    }
    // Handshakes first: a peer waiting on ZAP has sent nothing yet.
    if (socket_count > 2 && (items[2].revents & ZMQ_POLLIN)) AnswerZap();
    if (socket_count > 3 && (items[3].revents & ZMQ_POLLIN)) {
      LogHandshakeFailures(*workers_monitor_, "workers");
    }
    if (socket_count > 4 && (items[4].revents & ZMQ_POLLIN)) {
      LogHandshakeFailures(*clients_monitor_, "clients");
    }
    if (items[0].revents & ZMQ_POLLIN) {
      ReadAll(workers_, true);
    } else {
      coordinator_.OnWorkersDrained(now);
    }
    if (items[1].revents & ZMQ_POLLIN) ReadAll(clients_, false);
    now = std::chrono::steady_clock::now();
    observe(now, std::chrono::milliseconds(0));
    if (now >= coordinator_.NextDeadline()) {
      coordinator_.OnTick(now);
      Flush();
    }
    // One journal transaction per wake-up: results of a whole batch of
    // messages become durable together.
    if (auto s = coordinator_.CommitJournal(now); !s.ok()) {
      spdlog::error("{} (retrying; nothing is lost meanwhile)", s.ToString());
    }
  }
  // Clients of jobs that die with this process hear so (briefly lingering
  // for the message to leave) rather than waiting on a job that is gone.
  if (coordinator_.OnShutdown() > 0) {
    Flush();
    try {
      clients_.set(zmq::sockopt::linger, 500);
    } catch (const zmq::error_t&) {
      // Nothing to do: the clients find out by their silence timeout.
    }
  }
  return common::OkStatus();
}

}  // namespace logsweep::coordinator
