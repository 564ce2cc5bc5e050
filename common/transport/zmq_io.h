#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>
#include <zmq.hpp>

#include "common/base/status.h"

namespace logsweep::common {

// Thin adapter over cppzmq: every zmq::error_t becomes a Status here, so no
// exception leaves it. Functions use the socket they are given from the
// calling thread; they never keep it.

// The longest any socket loop blocks in one poll, whatever its deadlines:
// a stop flag set by a signal handler without a wake-up fd is seen within
// this. Loops poll until their nearest deadline, capped here.
inline constexpr std::chrono::milliseconds kMaxPollWait{200};

// Largest message any logsweep socket accepts (ZMQ_MAXMSGSIZE); a peer that
// sends more is disconnected by libzmq.
inline constexpr int64_t kMaxMessageBytes = 256LL << 20;

// Applies the options every logsweep socket uses: no linger on close,
// the message size limit, and for ROUTERs an error (not a silent drop) when
// a peer is gone.
Status ConfigureSocket(zmq::socket_t& socket);

// Binds or connects; InvalidArgument for a malformed endpoint,
// Unavailable when the address is in use or cannot be reached.
Status Bind(zmq::socket_t& socket, const std::string& endpoint);
Status Connect(zmq::socket_t& socket, const std::string& endpoint);

// The endpoint actually bound last (resolves "tcp://127.0.0.1:*").
StatusOr<std::string> LastEndpoint(zmq::socket_t& socket);

// Sends one message without blocking. Frames: [peer, payload] on a ROUTER
// (peer non-empty), [payload] otherwise.
// Errors: Unavailable (peer gone or its queue full; the caller decides),
// ResourceExhausted (payload over kMaxMessageBytes; see CheckMessageSize).
Status SendMessage(zmq::socket_t& socket, std::string_view peer,
                   std::string_view payload);

// Who sent a message, as libzmq knows it: the ZAP User-Id (with CURVE, the
// Z85 public key the coordinator's ZAP handler admitted) and the peer's IP
// address ("Peer-Address"; empty over ipc and inproc).
struct PeerInfo {
  std::string user_id;
  std::string address;
};

// Receives one whole multipart message without blocking; nullopt when none
// is waiting. Fills `from` (optional) from the message's properties.
// Errors: Unavailable (socket closed or interrupted).
StatusOr<std::optional<std::vector<std::string>>> ReceiveMessage(
    zmq::socket_t& socket, PeerInfo* from = nullptr);

// Watches `socket` through a new PAIR socket that receives libzmq's
// `events` (a mask of ZMQ_EVENT_*) for it; `name` must be unique in the
// context. Call before the socket binds or connects. Errors: Unavailable.
StatusOr<std::unique_ptr<zmq::socket_t>> MonitorSocket(zmq::context_t& context,
                                                       zmq::socket_t& socket,
                                                       int events,
                                                       const std::string& name);

// One event from a monitor socket: its ZMQ_EVENT_* id, its value (an errno,
// an fd or a protocol error code, by event) and the endpoint it concerns.
struct MonitorEvent {
  uint16_t id = 0;
  uint32_t value = 0;
  std::string endpoint;
};
// The next event, without blocking; nullopt when none is waiting (or a
// malformed one was skipped). Errors: Unavailable.
StatusOr<std::optional<MonitorEvent>> ReceiveMonitorEvent(
    zmq::socket_t& monitor);

// ResourceExhausted when a payload of `bytes` is over `limit` (every
// logsweep socket's ZMQ_MAXMSGSIZE): libzmq on the other side would drop
// the connection without a word, so the sender says why instead.
Status CheckMessageSize(size_t bytes, int64_t limit = kMaxMessageBytes);

}  // namespace logsweep::common
