#pragma once

#include <map>
#include <string>
#include <vector>

#include "common/base/status.h"

namespace logsweep::coordinator {

// The ZAP domains the coordinator's two ROUTER sockets set, so one handler
// tells a worker handshake from a client handshake.
inline constexpr char kWorkersZapDomain[] = "workers";
inline constexpr char kClientsZapDomain[] = "clients";

// The allow-list behind the coordinator's ZAP handler (ZeroMQ RFC 27): a
// CURVE handshake is admitted only when the peer's public key is listed for
// the socket it reached. Workers and clients have separate lists, because a
// worker sees every task's path and its results are trusted into merged
// answers, while a client may only submit and wait: a client key must not
// be able to register as a worker, nor a worker key submit jobs. Holds no
// socket; the coordinator's poll loop feeds it requests. Immutable after
// Load (a changed key directory needs a restart); thread-compatible.
class ZapHandler {
 public:
  // Reads DIR/workers/*.pub and DIR/clients/*.pub (files made by
  // `logsweep keygen`; the same key may be in both). Errors:
  // InvalidArgument (DIR lacks either subdirectory, or a .pub file is
  // malformed; the message names it), NotFound/PermissionDenied (cannot
  // read DIR or a file). Fails closed: one bad file fails the whole load.
  static common::StatusOr<ZapHandler> Load(const std::string& dir);

  // The reply frames to one ZAP request (its frames after the REP
  // envelope): 200 with the key's Z85 text as the User-Id, or 400 for an
  // unlisted key, another domain or mechanism, or a malformed request.
  // Logs each refusal with the peer address and key.
  std::vector<std::string> Handle(
      const std::vector<std::string>& request) const;

  size_t worker_key_count() const { return workers_.size(); }
  size_t client_key_count() const { return clients_.size(); }

 private:
  // Raw 32-byte public key -> the file it came from (for logs).
  using KeyFiles = std::map<std::string, std::string>;
  ZapHandler(KeyFiles workers, KeyFiles clients)
      : workers_(std::move(workers)), clients_(std::move(clients)) {}

  KeyFiles workers_;
  KeyFiles clients_;
};

}  // namespace logsweep::coordinator
