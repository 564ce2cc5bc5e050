#pragma once

#include <memory>
#include <string>
#include <thread>

#include "common/base/status.h"
#include "coordinator/status_snapshot.h"

namespace httplib {
class Server;
}

namespace logsweep::coordinator::http {

// The coordinator's read-only HTTP endpoint: the status page (/, app.js,
// app.css), its JSON (/api/status) and Prometheus metrics (/metrics), all
// rendered from the latest snapshot on `board`; nothing else is served
// (no files from disk). Runs cpp-httplib on its own threads (an acceptor
// and a small pool), never touches the coordinator's state and never holds
// a lock the poll loop takes, so a slow, idle or hostile HTTP client can
// delay only other HTTP clients. Requests are limited in size and time.
// Borrows `board`, which must outlive it. Start and the destructor are
// called from one thread (main's).
class StatusHttpServer {
 public:
  // Listens on `address`: "HOST:PORT", "[V6]:PORT" or a bare PORT (then on
  // 127.0.0.1); port 0 picks a free one. On an address other than loopback
  // job ids are shortened (they are capabilities). Errors: InvalidArgument
  // (bad address), Unavailable (cannot bind).
  static common::StatusOr<std::unique_ptr<StatusHttpServer>> Start(
      const std::string& address, const StatusBoard& board);
  ~StatusHttpServer();
  StatusHttpServer(const StatusHttpServer&) = delete;
  StatusHttpServer& operator=(const StatusHttpServer&) = delete;

  // Where it listens, as "HOST:PORT" with the port resolved.
  const std::string& address() const { return address_; }
  bool loopback() const { return loopback_; }

 private:
  StatusHttpServer(const StatusBoard& board, bool loopback);
  void Route();

  const StatusBoard& board_;
  bool loopback_;
  std::string address_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
};

}  // namespace logsweep::coordinator::http
