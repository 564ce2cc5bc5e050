#include "client/lib/client_connection.h"

#include <cstdio>

#include "common/transport/zmq_io.h"

namespace logsweep::client {

ClientConnection::ClientConnection(zmq::context_t& context)
    : context_(context), socket_(context, zmq::socket_type::dealer) {}

common::Status ClientConnection::Open(
    const std::string& endpoint,
    const std::optional<common::CurveClientKeys>& curve) {
  if (common::Status s = common::ConfigureSocket(socket_); !s.ok()) return s;
  if (curve) {
    curve_ = true;
    if (common::Status s = common::ConfigureCurveClient(socket_, *curve);
        !s.ok()) {
      return s;
    }
  }
  char name[48];
  std::snprintf(name, sizeof(name), "client-%p", static_cast<void*>(this));
  // With CURVE, messages flow only once the handshake succeeded.
  connect_event_ = curve_ ? ZMQ_EVENT_HANDSHAKE_SUCCEEDED : ZMQ_EVENT_CONNECTED;
  auto monitor = common::MonitorSocket(
      context_, socket_,
      connect_event_ | ZMQ_EVENT_CONNECT_RETRIED | ZMQ_EVENT_DISCONNECTED,
      name);
  if (!monitor.ok()) return monitor.status();
  monitor_ = std::move(*monitor);
  return common::Connect(socket_, endpoint);
}

common::Status ClientConnection::Send(const std::string& payload) {
  return common::SendMessage(socket_, "", payload);
}

common::Status ClientConnection::Poll(std::chrono::milliseconds timeout,
                                      int wake_fd) {
  zmq::pollitem_t items[] = {
      {socket_.handle(), 0, ZMQ_POLLIN, 0},
      {monitor_ ? monitor_->handle() : nullptr, 0, ZMQ_POLLIN, 0},
      {nullptr, wake_fd, ZMQ_POLLIN, 0},
  };
  int count = monitor_ ? 2 : 1;
  if (wake_fd >= 0) {
    items[count] = zmq::pollitem_t{nullptr, wake_fd, ZMQ_POLLIN, 0};
    ++count;
  }
  try {
    zmq::poll(items, count, timeout);
  } catch (const zmq::error_t& e) {
    if (e.num() == EINTR) return common::OkStatus();  // a signal
    return common::UnavailableError(std::string("poll: ") + e.what());
  }
  return common::OkStatus();
}

ClientConnection::LinkEvents ClientConnection::TakeLinkEvents() {
  LinkEvents events;
  while (monitor_) {
    auto event = common::ReceiveMonitorEvent(*monitor_);
    if (!event.ok() || !event->has_value()) break;
    const int id = (*event)->id;
    if (id == connect_event_) {
      ++events.connects;
    } else if (id == ZMQ_EVENT_CONNECT_RETRIED) {
      ++events.refusals;
    } else if (id == ZMQ_EVENT_DISCONNECTED) {
      ++events.disconnects;
    }
  }
  return events;
}

std::vector<std::string> ClientConnection::Receive() {
  std::vector<std::string> out;
  for (;;) {
    auto msg = common::ReceiveMessage(socket_);
    if (!msg.ok() || !msg->has_value()) break;
    if ((*msg)->size() != 1) continue;  // not from a coordinator
    out.push_back(std::move((**msg)[0]));
  }
  return out;
}

}  // namespace logsweep::client
