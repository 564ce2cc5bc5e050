#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "common/base/status.h"

namespace logsweep::common {

// A forward-only stream of bytes (raw file content, or inflated text).
// Implementations are owned and used by one thread.
class ByteStream {
 public:
  virtual ~ByteStream() = default;

  // Fills `out` with up to `capacity` (> 0) bytes and returns how many;
  // returns 0 only at the clean end of the stream.
  // Errors: DataLoss (corrupt or truncated data), PermissionDenied or
  // Unavailable (I/O), ResourceExhausted (out of memory). None is worth
  // retrying on the same file except Unavailable.
  virtual StatusOr<size_t> Read(char* out, size_t capacity) = 0;

  // Bytes consumed from the underlying file so far.
  virtual uint64_t bytes_read() const = 0;

  // Problems that cost no data, one sentence each naming the compressed
  // offset (bytes ignored after the last gzip member, ...). Complete once
  // Read has returned 0.
  virtual std::vector<std::string> warnings() const { return {}; }
  // Once Read has returned 0: the offset in the underlying file just after
  // the last byte that was data (for gzip, the end of the last member,
  // before any padding or ignored bytes; decoders that do not track it say
  // bytes_read()). Incremental scans of a growing file resume there
  // (docs/cache.md).
  virtual uint64_t data_end() const { return bytes_read(); }
};

}  // namespace logsweep::common
