#pragma once

#include <memory>
#include <string>

#include "common/scan/byte_stream.h"

namespace logsweep::common {

// The raw bytes of one regular file. Owns the file descriptor.
// Owned by one thread.
class FileSource : public ByteStream {
 public:
  // Opens `path` for reading. Errors: NotFound (missing), PermissionDenied
  // (unreadable), InvalidArgument (a directory, a device, a FIFO: anything
  // but a regular file, which could block or never end).
  static StatusOr<std::unique_ptr<FileSource>> Open(const std::string& path);

  // Adopts an open descriptor of a regular file of `size` bytes.
  FileSource(int fd, uint64_t size) : fd_(fd), size_(size) {}
  ~FileSource() override;
  FileSource(const FileSource&) = delete;
  FileSource& operator=(const FileSource&) = delete;

  StatusOr<size_t> Read(char* out, size_t capacity) override;
  uint64_t bytes_read() const override { return bytes_read_; }

  // Up to `n` bytes from the start of the file, without moving the read
  // position (for sniffing the format). Errors as Read.
  StatusOr<std::string> Peek(size_t n) const;

  // Size reported by fstat when the file was opened.
  uint64_t size() const { return size_; }
  // The descriptor, still owned by this object (for fstat and pread).
  int fd() const { return fd_; }

 private:
  int fd_;
  uint64_t size_;
  uint64_t bytes_read_ = 0;
};

}  // namespace logsweep::common
