#pragma once

#include <atomic>
#include <string>
#include <zmq.hpp>

#include "common/status.h"
#include "coordinator/coordinator.h"

namespace logsweep::coordinator {

// The coordinator's I/O loop: owns the two ROUTER sockets ("workers" and
// "clients"), reads a message, hands it to the Coordinator, sends its
// outbox, and ticks it by its nearest deadline. Borrows the context and the
// Coordinator. Created, run and destroyed on one thread.
class CoordinatorServer {
 public:
  CoordinatorServer(zmq::context_t& context, Coordinator& coordinator);
  CoordinatorServer(const CoordinatorServer&) = delete;
  CoordinatorServer& operator=(const CoordinatorServer&) = delete;

  // Binds both sockets. Errors: InvalidArgument (bad endpoint),
  // Unavailable (address in use).
  common::Status Bind(const std::string& workers_endpoint,
                      const std::string& clients_endpoint);

  // The endpoints actually bound ("tcp://127.0.0.1:*" resolved).
  const std::string& workers_endpoint() const { return workers_endpoint_; }
  const std::string& clients_endpoint() const { return clients_endpoint_; }

  // Serves until `stop` becomes true (checked at least every 200 ms, and at
  // once when `wake_fd`, if not -1, becomes readable: see StopSignalFd).
  // Errors: Unavailable if polling itself fails.
  common::Status Run(const std::atomic<bool>& stop, int wake_fd = -1);

 private:
  void ReadAll(zmq::socket_t& socket, bool from_workers);
  void Flush();

  Coordinator& coordinator_;
  zmq::socket_t workers_;
  zmq::socket_t clients_;
  std::string workers_endpoint_;
  std::string clients_endpoint_;
};

}  // namespace logsweep::coordinator
