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

// The fingerprint IdentifyOpenFile gives a file of `size` bytes, of the
// first `size` bytes of `fd` (its first and last kFingerprintBytes): equal
// to an old identity's fingerprint when the file still begins with the
// bytes it had at both ends, which is how a growing file's old content is
// checked before only its new end is scanned (docs/cache.md). A file now
// shorter than `size` hashes what there is (and so differs). Errors:
// Unavailable (read failed). Thread-safe.
StatusOr<uint64_t> PrefixFingerprint(int fd, uint64_t size);

// IdentifyOpenFile without the fingerprint (left 0): the fstat fields only.
StatusOr<FileIdentity> StatOpenFile(int fd);

// The hash behind the fingerprint, of `n` bytes, chained from `seed`.
uint64_t FingerprintHash(const char* data, uint64_t n, uint64_t seed);

}  // namespace logsweep::common
