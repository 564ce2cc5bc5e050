#pragma once

#include <cstdint>

#include "common/scan/byte_stream.h"

namespace logsweep::common {

// The bytes [begin, end) of an open file, read with pread (the
// descriptor's offset does not move), for scanning part of a file: the
// new end of a growing log, or its last partial line (docs/cache.md).
// Borrows the descriptor, which must outlive it. bytes_read() counts from
// `begin`. Owned by one thread.
class FileRange : public ByteStream {
 public:
  FileRange(int fd, uint64_t begin, uint64_t end)
      : fd_(fd), pos_(begin), begin_(begin), end_(end) {}
  FileRange(const FileRange&) = delete;
  FileRange& operator=(const FileRange&) = delete;

  // Errors: as FileSource::Read. Returns 0 at `end` (or at the end of the
  // file, if it is shorter now).
  StatusOr<size_t> Read(char* out, size_t capacity) override;
  uint64_t bytes_read() const override { return pos_ - begin_; }

 private:
  const int fd_;
  uint64_t pos_;
  const uint64_t begin_;
  const uint64_t end_;
};

}  // namespace logsweep::common
