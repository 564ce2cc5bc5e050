#pragma once

#include <cstdint>

#include "common/base/file_identity.h"
#include "common/base/status.h"

namespace logsweep::common {

// Bytes hashed at each end of a file for FileIdentity::fingerprint.
inline constexpr uint64_t kFingerprintBytes = 64 << 10;

// The identity of the open regular file `fd`: fstat of the descriptor
// (never of a path, which may name another file by now) and a fingerprint
// of its first and last kFingerprintBytes, read with pread (the file
// offset does not move). The hash is fast, not cryptographic: it guards
// against accidents the stat fields miss, not against someone who writes
// the file on purpose (they can only do that with a new ctime anyway).
// Errors: Unavailable (fstat or read failed; worth a retry).
// Thread-safe.
StatusOr<FileIdentity> IdentifyOpenFile(int fd);

// IdentifyOpenFile without the fingerprint (left 0): the fstat fields only.
StatusOr<FileIdentity> StatOpenFile(int fd);

// The hash behind the fingerprint, of `n` bytes, chained from `seed`.
uint64_t FingerprintHash(const char* data, uint64_t n, uint64_t seed);

}  // namespace logsweep::common
