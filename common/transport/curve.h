#pragma once

// CurveZMQ key files and socket set-up. Key files are one line of Z85 text
// (40 characters, the encoding libzmq uses): NAME.key holds the secret key
// (mode 0600), NAME.pub the public key. The public half of a pair is always
// derived from the secret, so a .key file alone is a whole key pair.

#include <optional>
#include <string>
#include <zmq.hpp>

#include "common/base/status.h"

namespace logsweep::common {

// A CURVE key pair as 32 raw bytes each; public_key alone for a peer's key.
struct CurveKeyPair {
  std::string public_key;
  std::string secret_key;
};

// What a worker or client needs to talk to a CURVE coordinator: its own
// pair and the coordinator's public key.
struct CurveClientKeys {
  CurveKeyPair own;
  std::string server_public_key;  // 32 raw bytes
};

// True when this libzmq was built with CURVE (Debian's is).
bool CurveAvailable();

// A fresh key pair. Errors: Unavailable (libzmq has no CURVE).
StatusOr<CurveKeyPair> GenerateCurveKeyPair();

// Z85 text of a 32-byte key (40 characters), for key files and logs.
std::string CurveKeyToZ85(const std::string& key);

// Writes NAME.key (secret, created 0600) and NAME.pub for `pair`, where
// `name` is a path without extension. Refuses to overwrite either file, so
// a typo cannot destroy a key in use. Errors: InvalidArgument (a file
// exists: remove it first), or the errno code of the failed write.
Status WriteCurveKeyPair(const std::string& name, const CurveKeyPair& pair);

// The public key in a .pub file. Errors, each naming the file:
// NotFound/PermissionDenied (cannot read), InvalidArgument (not one line of
// 40 Z85 characters).
StatusOr<std::string> LoadCurvePublicKey(const std::string& path);

// The key pair of a .key file (the public half derived from the secret).
// Errors as LoadCurvePublicKey. A secret readable by group or others is
// accepted (container volumes often cannot be 0600 for the right user);
// `warning` (optional) then says so, for the caller to print its way (the
// client CLI has no logger and its stdout is the result).
StatusOr<CurveKeyPair> LoadCurveKeyPair(const std::string& path,
                                        std::string* warning = nullptr);

// PermissionDenied naming the file when others may read or write it, or a
// group this process is not in; OK otherwise. NotFound when it does
// not exist.
Status CheckSecretKeyFileMode(const std::string& path);

// `--curve-key` takes a NAME (NAME.key is read) or the .key file itself.
std::string SecretKeyPath(const std::string& name_or_file);

// The client side of the key flags (`--curve-server-key FILE` and
// `--curve-key NAME-or-FILE`): nullopt when both are empty (CURVE off).
// Errors: InvalidArgument when only one is given, or a load error.
// `warning` as LoadCurveKeyPair.
StatusOr<std::optional<CurveClientKeys>> LoadCurveClientKeys(
    const std::string& server_key_file, const std::string& own_key,
    std::string* warning = nullptr);

// Makes `socket` a CURVE server with `own`'s secret key; each handshake is
// checked by the ZAP handler under `zap_domain`. Call before bind.
// Errors: Unavailable (no CURVE in libzmq), InvalidArgument.
Status ConfigureCurveServer(zmq::socket_t& socket, const CurveKeyPair& own,
                            const std::string& zap_domain);

// Makes `socket` a CURVE client of the server whose public key is given.
// Call before connect. Errors as ConfigureCurveServer.
Status ConfigureCurveClient(zmq::socket_t& socket, const CurveClientKeys& keys);

}  // namespace logsweep::common
