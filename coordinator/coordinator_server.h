#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <zmq.hpp>

#include "common/base/status.h"
#include "common/transport/curve.h"
#include "coordinator/coordinator.h"
#include "coordinator/zap_handler.h"

namespace logsweep::coordinator {

// The coordinator's I/O loop: owns the two ROUTER sockets ("workers" and
// "clients") and, with CURVE, the ZAP socket; reads a message, hands it to
// the Coordinator, sends its outbox, and ticks it by its nearest deadline.
// Borrows the context and the Coordinator. Created, run and destroyed on
// one thread.
class CoordinatorServer {
 public:
  CoordinatorServer(zmq::context_t& context, Coordinator& coordinator);
  CoordinatorServer(const CoordinatorServer&) = delete;
  CoordinatorServer& operator=(const CoordinatorServer&) = delete;

  // Turns on CURVE for both sockets: `keys` is the coordinator's pair,
  // `zap` admits peers. Binds the context's ZAP endpoint, so call once per
  // context, before Bind. Errors: Unavailable (no CURVE in libzmq, or
  // another ZAP handler in this context).
  common::Status EnableCurve(common::CurveKeyPair keys, ZapHandler zap);

  // Binds both sockets. `workers_listen_fd`, if not -1, is a socket already
  // bound to `workers_endpoint` and listening (ZMQ_USE_FD): the workers
  // socket takes it over instead of binding, so peers that connected before
  // this call wait in its backlog rather than retrying. The fd is the
  // socket's to close from then on, also when Bind fails. Errors:
  // InvalidArgument (bad endpoint), Unavailable (address in use), Internal
  // (libzmq refused the fd).
  common::Status Bind(const std::string& workers_endpoint,
                      const std::string& clients_endpoint,
                      int workers_listen_fd = -1);

  // The endpoints actually bound ("tcp://127.0.0.1:*" resolved).
  const std::string& workers_endpoint() const { return workers_endpoint_; }
  const std::string& clients_endpoint() const { return clients_endpoint_; }

  // Serves until `stop` becomes true (checked at least every 200 ms, and at
  // once when `wake_fd`, if not -1, becomes readable: see StopSignalFd).
  // Errors: Unavailable if polling itself fails.
  common::Status Run(const std::atomic<bool>& stop, int wake_fd = -1);

 private:
  // Socket options, and with CURVE the handshake monitors.
  common::Status Configure();
  void ReadAll(zmq::socket_t& socket, bool from_workers);
  void AnswerZap();
  void LogHandshakeFailures(zmq::socket_t& monitor, const char* role);
  void Flush();

  zmq::context_t& context_;
  Coordinator& coordinator_;
  // The ZAP REP socket lives in this loop rather than in a thread of its
  // own: libzmq holds each handshake until the reply, and the loop never
  // blocks longer than one batch of messages, so a thread would buy only
  // a lock-free rule broken (a second socket-owning thread) and refusal
  // logs interleaved with the loop's. Bound before the ROUTERs so that no
  // handshake can ever happen without it (libzmq admits every CURVE peer
  // when no ZAP handler is bound).
  std::optional<common::CurveKeyPair> curve_keys_;
  std::optional<ZapHandler> zap_handler_;
  std::unique_ptr<zmq::socket_t> zap_;
  zmq::socket_t workers_;
  zmq::socket_t clients_;
  // With CURVE: PAIR sockets receiving libzmq's handshake-failure events of
  // the two ROUTERs, because a peer without CURVE or with the wrong server
  // key fails before ZAP is asked, and would otherwise go unlogged.
  std::unique_ptr<zmq::socket_t> workers_monitor_;
  std::unique_ptr<zmq::socket_t> clients_monitor_;
  std::string workers_endpoint_;
  std::string clients_endpoint_;
};

}  // namespace logsweep::coordinator
