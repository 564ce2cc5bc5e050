#include "coordinator/zap_handler.h"

#include <spdlog/spdlog.h>

#include <filesystem>
#include <system_error>

#include "common/transport/curve.h"

namespace logsweep::coordinator {
namespace {

namespace fs = std::filesystem;

// Request frames, RFC 27: version, request id, domain, address, routing id,
// mechanism, then the mechanism's credentials (CURVE: the 32-byte client
// public key).
enum Frame {
  kVersion,
  kRequestId,
  kDomain,
  kAddress,
  kRoutingId,
  kMechanism,
  kCredentials
};

std::vector<std::string> Reply(const std::string& request_id, const char* code,
                               const char* text, const std::string& user_id) {
  return {"1.0", request_id, code, text, user_id, ""};
}

common::StatusOr<std::map<std::string, std::string>> LoadKeys(
    const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return common::InvalidArgumentError(
        "--authorized-keys: " + dir.string() +
        " is not a directory; the key directory holds workers/ and clients/, "
        "each with the .pub files (from `logsweep keygen`) allowed in");
  }
  std::map<std::string, std::string> keys;
  fs::directory_iterator it(dir, ec), end;
  for (; !ec && it != end; it.increment(ec)) {
    const fs::path& path = it->path();
    if (path.extension() != ".pub") continue;
    auto key = common::LoadCurvePublicKey(path.string());
    if (!key.ok()) return key.status().WithContext("--authorized-keys");
    keys.emplace(std::move(*key), path.filename().string());
  }
  if (ec) {
    return common::ErrnoStatus(ec.value(),
                               "--authorized-keys: read " + dir.string());
  }
  return keys;
}

}  // namespace

common::StatusOr<ZapHandler> ZapHandler::Load(const std::string& dir) {
  auto workers = LoadKeys(fs::path(dir) / kWorkersZapDomain);
  if (!workers.ok()) return workers.status();
  auto clients = LoadKeys(fs::path(dir) / kClientsZapDomain);
  if (!clients.ok()) return clients.status();
  return ZapHandler(std::move(*workers), std::move(*clients));
}

std::vector<std::string> ZapHandler::Handle(
    const std::vector<std::string>& request) const {
  if (request.size() < kCredentials || request[kVersion] != "1.0") {
    // libzmq always sends a well-formed request; this only guards our bug.
    spdlog::error("malformed ZAP request of {} frames", request.size());
    return Reply(request.size() > kRequestId ? request[kRequestId] : "", "500",
                 "malformed request", "");
  }
  const std::string& domain = request[kDomain];
  const std::string& address = request[kAddress];
  const std::string& mechanism = request[kMechanism];
  const KeyFiles* allowed = domain == kWorkersZapDomain   ? &workers_
                            : domain == kClientsZapDomain ? &clients_
                                                          : nullptr;
  if (mechanism != "CURVE" || request.size() != kCredentials + 1 ||
      request[kCredentials].size() != 32 || allowed == nullptr) {
    spdlog::warn("refused {} peer {}: mechanism {} is not CURVE",
                 domain.empty() ? "unknown" : domain, address, mechanism);
    return Reply(request[kRequestId], "400", "CURVE required", "");
  }
  const std::string& key = request[kCredentials];
  std::string z85 = common::CurveKeyToZ85(key);
  auto found = allowed->find(key);
  if (found == allowed->end()) {
    bool other = (allowed == &workers_ ? clients_ : workers_).count(key) > 0;
    spdlog::warn(
        "refused {} peer {}: key {} is not authorised{}", domain, address, z85,
        other ? std::string(" (it is listed for ") +
                    (allowed == &workers_ ? "clients" : "workers") + " only)"
              : "");
    return Reply(request[kRequestId], "400", "key not authorised", "");
  }
  spdlog::debug("admitted {} peer {} with key {} ({})", domain, address, z85,
                found->second);
  // The User-Id travels on every message from this peer: the coordinator
  // counts a client's jobs by it.
  return Reply(request[kRequestId], "200", "OK", z85);
}

}  // namespace logsweep::coordinator
