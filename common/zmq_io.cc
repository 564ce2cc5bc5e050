#include "common/zmq_io.h"

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

Status SendMessage(zmq::socket_t& socket, std::string_view peer,
                   std::string_view payload) {
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
    zmq::socket_t& socket) {
  std::vector<std::string> frames;
  try {
    for (;;) {
      zmq::message_t frame;
      auto got = socket.recv(frame, frames.empty() ? zmq::recv_flags::dontwait
                                                   : zmq::recv_flags::none);
      if (!got) return std::optional<std::vector<std::string>>();
      frames.emplace_back(static_cast<const char*>(frame.data()), frame.size());
      if (!frame.more()) break;
    }
  } catch (const zmq::error_t& e) {
    return FromZmq(e, "receive");
  }
  return std::optional<std::vector<std::string>>(std::move(frames));
}

}  // namespace logsweep::common
