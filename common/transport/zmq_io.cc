#include "common/transport/zmq_io.h"

#include <cstring>

namespace logsweep::common {
namespace {

Status FromZmq(const zmq::error_t& e, const std::string& what) {
  switch (e.num()) {
    case EINVAL:
    case EPROTONOSUPPORT:
    case ENOCOMPATPROTO:
      return InvalidArgumentError(what + ": " + e.what());
    default:
      return UnavailableError(what + ": " + e.what());
  }
}

}  // namespace

Status ConfigureSocket(zmq::socket_t& socket) {
  try {
    socket.set(zmq::sockopt::linger, 0);
    // A peer not up yet (a worker started with its coordinator) is retried
    // after 10 ms, then less often: 10 ms doubling to 2 s.
    socket.set(zmq::sockopt::reconnect_ivl, 10);
    socket.set(zmq::sockopt::reconnect_ivl_max, 2000);
    socket.set(zmq::sockopt::maxmsgsize, kMaxMessageBytes);
    if (socket.get(zmq::sockopt::type) == ZMQ_ROUTER) {
      socket.set(zmq::sockopt::router_mandatory, 1);
    }
  } catch (const zmq::error_t& e) {
    return FromZmq(e, "socket options");
  }
  return OkStatus();
}

Status Bind(zmq::socket_t& socket, const std::string& endpoint) {
  try {
    socket.bind(endpoint);
  } catch (const zmq::error_t& e) {
    return FromZmq(e, "bind " + endpoint);
  }
  return OkStatus();
}

Status Connect(zmq::socket_t& socket, const std::string& endpoint) {
  try {
    socket.connect(endpoint);
  } catch (const zmq::error_t& e) {
    return FromZmq(e, "connect " + endpoint);
  }
  return OkStatus();
}

StatusOr<std::string> LastEndpoint(zmq::socket_t& socket) {
  try {
    return socket.get(zmq::sockopt::last_endpoint);
  } catch (const zmq::error_t& e) {
    return FromZmq(e, "last endpoint");
  }
}

Status CheckMessageSize(size_t bytes, int64_t limit) {
  if (bytes <= static_cast<uint64_t>(limit)) return OkStatus();
  return ResourceExhaustedError(
      "message of " + std::to_string(bytes) + " bytes is over the " +
      std::to_string(limit >> 20) + " MiB limit of a logsweep peer" +
      " (ZMQ_MAXMSGSIZE); split the job into smaller ones");
}

Status SendMessage(zmq::socket_t& socket, std::string_view peer,
                   std::string_view payload) {
  if (Status s = CheckMessageSize(payload.size()); !s.ok()) return s;
  try {
    if (!peer.empty()) {
      if (!socket.send(zmq::buffer(peer),
                       zmq::send_flags::sndmore | zmq::send_flags::dontwait)) {
        return UnavailableError("send queue full");
      }
    }
    if (!socket.send(zmq::buffer(payload), zmq::send_flags::dontwait)) {
      return UnavailableError("send queue full");
    }
  } catch (const zmq::error_t& e) {
    return FromZmq(e, "send");
  }
  return OkStatus();
}

StatusOr<std::optional<std::vector<std::string>>> ReceiveMessage(
    zmq::socket_t& socket, PeerInfo* from) {
  std::vector<std::string> frames;
  try {
    for (;;) {
      zmq::message_t frame;
      auto got = socket.recv(frame, frames.empty() ? zmq::recv_flags::dontwait
                                                   : zmq::recv_flags::none);
      if (!got) return std::optional<std::vector<std::string>>();
      if (from != nullptr && !frame.more()) {
        // The last frame: a ROUTER's first (peer id) frame is made locally
        // and carries no properties. zmq_msg_gets, not message_t::gets: a
        // missing property is normal (no ZAP, ipc) and must not throw.
        const char* user = zmq_msg_gets(frame.handle(), "User-Id");
        const char* address = zmq_msg_gets(frame.handle(), "Peer-Address");
        from->user_id = user != nullptr ? user : "";
        from->address = address != nullptr ? address : "";
      }
      frames.emplace_back(static_cast<const char*>(frame.data()), frame.size());
      if (!frame.more()) break;
    }
  } catch (const zmq::error_t& e) {
    return FromZmq(e, "receive");
  }
  return std::optional<std::vector<std::string>>(std::move(frames));
}

StatusOr<std::unique_ptr<zmq::socket_t>> MonitorSocket(
    zmq::context_t& context, zmq::socket_t& socket, int events,
    const std::string& name) {
  const std::string endpoint = "inproc://monitor-" + name;
  if (zmq_socket_monitor(socket.handle(), endpoint.c_str(), events) != 0) {
    return UnavailableError("monitor " + endpoint + ": " +
                            zmq_strerror(zmq_errno()));
  }
  auto monitor =
      std::make_unique<zmq::socket_t>(context, zmq::socket_type::pair);
  if (Status s = ConfigureSocket(*monitor); !s.ok()) return s;
  if (Status s = Connect(*monitor, endpoint); !s.ok()) return s;
  return monitor;
}

StatusOr<std::optional<MonitorEvent>> ReceiveMonitorEvent(
    zmq::socket_t& monitor) {
  auto received = ReceiveMessage(monitor);
  if (!received.ok()) return received.status();
  if (!received->has_value()) return std::optional<MonitorEvent>();
  const std::vector<std::string>& frames = **received;
  // libzmq's event: [uint16 id, uint32 value] in host order, then the
  // endpoint.
  if (frames.size() != 2 || frames[0].size() != 6) {
    return std::optional<MonitorEvent>();
  }
  MonitorEvent event;
  std::memcpy(&event.id, frames[0].data(), sizeof(event.id));
  std::memcpy(&event.value, frames[0].data() + 2, sizeof(event.value));
  event.endpoint = frames[1];
  return std::optional<MonitorEvent>(std::move(event));
}

}  // namespace logsweep::common
