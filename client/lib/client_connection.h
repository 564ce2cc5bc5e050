#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>
#include <zmq.hpp>

#include "common/base/status.h"
#include "common/transport/curve.h"

namespace logsweep::client {

// A client's connection to a coordinator's clients endpoint: a DEALER, and
// a monitor of its connection events so the owner learns when a
// (re)connection is made. The socket loops of the CLI (JobClient) and the
// library (ClientCore) both use it and feed a ClientSession. Borrows the
// context. Created, used and destroyed on one thread.
class ClientConnection {
 public:
  explicit ClientConnection(zmq::context_t& context);
  ClientConnection(const ClientConnection&) = delete;
  ClientConnection& operator=(const ClientConnection&) = delete;

  // Configures (CURVE when `curve` is set) and connects. Errors:
  // InvalidArgument (malformed endpoint), Unavailable (no CURVE, monitor).
  common::Status Open(const std::string& endpoint,
                      const std::optional<common::CurveClientKeys>& curve);

  // Sends one message, without blocking (queued until connected).
  // Errors: Unavailable (queue full), ResourceExhausted (too large).
  common::Status Send(const std::string& payload);

  // Waits up to `timeout` for a message or a connection event, also ending
  // early when `wake_fd` (not -1) is readable. Errors: Unavailable.
  common::Status Poll(std::chrono::milliseconds timeout, int wake_fd = -1);

  // What happened to the link since the last call: connections made (each
  // a connect or reconnect, with CURVE counted once its handshake
  // succeeded), connection attempts refused (nothing listens there), and
  // connections lost.
  struct LinkEvents {
    int connects = 0;
    int refusals = 0;
    int disconnects = 0;
  };
  LinkEvents TakeLinkEvents();
  // TakeLinkEvents().connects.
  int TakeConnects() { return TakeLinkEvents().connects; }
  // Messages received (one frame each), without blocking.
  std::vector<std::string> Receive();

 private:
  zmq::context_t& context_;
  zmq::socket_t socket_;
  std::unique_ptr<zmq::socket_t> monitor_;
  bool curve_ = false;
  int connect_event_ = 0;  // the monitor event that means "connected"
};

}  // namespace logsweep::client
