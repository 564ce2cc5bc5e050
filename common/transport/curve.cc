#include "common/transport/curve.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cassert>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <vector>

namespace logsweep::common {
namespace {

constexpr size_t kKeyBytes = 32;
constexpr size_t kZ85Chars = 40;

// Writes `text` to a new file (never an existing one) with `mode`. fchmod
// after open, because the umask may have narrowed or the caller may need
// exactly 0600.
Status WriteNewFile(const std::string& path, const std::string& text,
                    mode_t mode) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) {
    if (errno == EEXIST) {
      return InvalidArgumentError(path +
                                  " already exists; remove it first to "
                                  "replace the key pair");
    }
    return ErrnoStatus(errno, "create " + path);
  }
  Status status;
  if (::fchmod(fd, mode) != 0) status = ErrnoStatus(errno, "chmod " + path);
  size_t done = 0;
  while (status.ok() && done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      status = ErrnoStatus(errno, "write " + path);
    } else {
      done += static_cast<size_t>(n);
    }
  }
  if (::close(fd) != 0 && status.ok()) {
    status = ErrnoStatus(errno, "close " + path);
  }
  if (!status.ok()) ::unlink(path.c_str());
  return status;
}

// The 32 raw bytes of the one Z85 line in `path`. Trailing whitespace (the
// newline an editor adds) is ignored; anything else is an error.
StatusOr<std::string> ReadKeyFile(const std::string& path, const char* which) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    int err = errno;
    return ErrnoStatus(err != 0 ? err : ENOENT,
                       std::string("curve ") + which + " key file " + path);
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  std::string text = buffer.str();
  while (!text.empty() &&
         std::isspace(static_cast<unsigned char>(text.back()))) {
    text.pop_back();
  }
  std::string prefix = std::string("curve ") + which + " key file " + path;
  if (text.size() != kZ85Chars) {
    return InvalidArgumentError(
        prefix + ": expected one line of 40 Z85 characters, found " +
        std::to_string(text.size()) + " characters" +
        (which == std::string("secret") ? ""
                                        : " (is this a .key, not a .pub?)"));
  }
  std::string key(kKeyBytes, '\0');
  if (zmq_z85_decode(reinterpret_cast<uint8_t*>(key.data()), text.c_str()) ==
      nullptr) {
    return InvalidArgumentError(prefix + ": not valid Z85 text");
  }
  return key;
}

// True when this process is in group `gid` (effective or supplementary; a
// Kubernetes fsGroup is supplementary).
bool InOurGroups(gid_t gid) {
  if (gid == ::getegid()) return true;
  int n = ::getgroups(0, nullptr);
  if (n <= 0) return false;
  std::vector<gid_t> groups(static_cast<size_t>(n));
  n = ::getgroups(n, groups.data());
  return n > 0 && std::find(groups.begin(), groups.begin() + n, gid) !=
                      groups.begin() + n;
}

}  // namespace

bool CurveAvailable() { return zmq_has("curve") != 0; }

StatusOr<CurveKeyPair> GenerateCurveKeyPair() {
  char public_z85[kZ85Chars + 1];
  char secret_z85[kZ85Chars + 1];
  if (zmq_curve_keypair(public_z85, secret_z85) != 0) {
    return UnavailableError(
        "cannot generate a CURVE key pair: libzmq was built without CURVE");
  }
  CurveKeyPair pair;
  pair.public_key.resize(kKeyBytes);
  pair.secret_key.resize(kKeyBytes);
  zmq_z85_decode(reinterpret_cast<uint8_t*>(pair.public_key.data()),
                 public_z85);
  zmq_z85_decode(reinterpret_cast<uint8_t*>(pair.secret_key.data()),
                 secret_z85);
  return pair;
}

std::string CurveKeyToZ85(const std::string& key) {
  assert(key.size() == kKeyBytes && "a CURVE key is 32 bytes");
  char z85[kZ85Chars + 1];
  zmq_z85_encode(z85, reinterpret_cast<const uint8_t*>(key.data()), key.size());
  return std::string(z85, kZ85Chars);
}

Status WriteCurveKeyPair(const std::string& name, const CurveKeyPair& pair) {
  std::string secret_path = name + ".key";
  std::string public_path = name + ".pub";
  // Both names are checked first, so a refusal leaves nothing half-written.
  for (const std::string& path : {secret_path, public_path}) {
    if (::access(path.c_str(), F_OK) == 0) {
      return InvalidArgumentError(path +
                                  " already exists; remove it first to "
                                  "replace the key pair");
    }
  }
  if (Status s = WriteNewFile(secret_path,
                              CurveKeyToZ85(pair.secret_key) + "\n", 0600);
      !s.ok()) {
    return s;
  }
  if (Status s = WriteNewFile(public_path,
                              CurveKeyToZ85(pair.public_key) + "\n", 0644);
      !s.ok()) {
    ::unlink(secret_path.c_str());
    return s;
  }
  return OkStatus();
}

StatusOr<std::string> LoadCurvePublicKey(const std::string& path) {
  return ReadKeyFile(path, "public");
}

Status CheckSecretKeyFileMode(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    return ErrnoStatus(errno, "curve secret key file " + path);
  }
  // Group access is fine when the group is one of ours: a Kubernetes Secret
  // volume can only be made readable to a non-root pod user through its
  // fsGroup (files root:fsGroup, mode 0440).
  bool others = (st.st_mode & 007) != 0;
  bool foreign_group = (st.st_mode & 070) != 0 && !InOurGroups(st.st_gid);
  if (others || foreign_group) {
    char mode[8];
    std::snprintf(mode, sizeof(mode), "%04o",
                  static_cast<unsigned>(st.st_mode & 07777));
    return PermissionDeniedError("curve secret key file " + path +
                                 " has mode " + mode +
                                 (others ? ": others may read it; chmod 600"
                                         : ": another group may read it; "
                                           "chmod 600"));
  }
  return OkStatus();
}

StatusOr<CurveKeyPair> LoadCurveKeyPair(const std::string& path,
                                        std::string* warning) {
  auto secret = ReadKeyFile(path, "secret");
  if (!secret.ok()) return secret.status();
  if (Status s = CheckSecretKeyFileMode(path); !s.ok() && warning) {
    *warning = s.message();
  }
  CurveKeyPair pair;
  pair.secret_key = std::move(*secret);
  std::string secret_z85 = CurveKeyToZ85(pair.secret_key);
  char public_z85[kZ85Chars + 1];
  if (zmq_curve_public(public_z85, secret_z85.c_str()) != 0) {
    return UnavailableError("cannot derive the public key of " + path +
                            ": libzmq was built without CURVE");
  }
  pair.public_key.resize(kKeyBytes);
  zmq_z85_decode(reinterpret_cast<uint8_t*>(pair.public_key.data()),
                 public_z85);
  return pair;
}

std::string SecretKeyPath(const std::string& name_or_file) {
  const std::string ext = ".key";
  if (name_or_file.size() >= ext.size() &&
      name_or_file.compare(name_or_file.size() - ext.size(), ext.size(), ext) ==
          0) {
    return name_or_file;
  }
  return name_or_file + ext;
}

StatusOr<std::optional<CurveClientKeys>> LoadCurveClientKeys(
    const std::string& server_key_file, const std::string& own_key,
    std::string* warning) {
  if (server_key_file.empty() && own_key.empty()) {
    return std::optional<CurveClientKeys>();
  }
  if (server_key_file.empty() || own_key.empty()) {
    return InvalidArgumentError(
        "--curve-server-key and --curve-key go together: give both (CURVE "
        "on) or neither (CURVE off)");
  }
  auto server = LoadCurvePublicKey(server_key_file);
  if (!server.ok()) return server.status();
  auto own = LoadCurveKeyPair(SecretKeyPath(own_key), warning);
  if (!own.ok()) return own.status();
  return std::optional<CurveClientKeys>(
      CurveClientKeys{std::move(*own), std::move(*server)});
}

Status ConfigureCurveServer(zmq::socket_t& socket, const CurveKeyPair& own,
                            const std::string& zap_domain) {
  if (!CurveAvailable()) {
    return UnavailableError("libzmq was built without CURVE");
  }
  try {
    socket.set(zmq::sockopt::curve_server, 1);
    socket.set(zmq::sockopt::curve_secretkey, zmq::buffer(own.secret_key));
    socket.set(zmq::sockopt::zap_domain, zap_domain);
  } catch (const zmq::error_t& e) {
    return InvalidArgumentError(std::string("curve server options: ") +
                                e.what());
  }
  return OkStatus();
}

Status ConfigureCurveClient(zmq::socket_t& socket,
                            const CurveClientKeys& keys) {
  if (!CurveAvailable()) {
    return UnavailableError("libzmq was built without CURVE");
  }
  try {
    socket.set(zmq::sockopt::curve_serverkey,
               zmq::buffer(keys.server_public_key));
    socket.set(zmq::sockopt::curve_publickey, zmq::buffer(keys.own.public_key));
    socket.set(zmq::sockopt::curve_secretkey, zmq::buffer(keys.own.secret_key));
  } catch (const zmq::error_t& e) {
    return InvalidArgumentError(std::string("curve client options: ") +
                                e.what());
  }
  return OkStatus();
}

}  // namespace logsweep::common
