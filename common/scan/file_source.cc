#include "common/scan/file_source.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

namespace logsweep::common {

StatusOr<std::unique_ptr<FileSource>> FileSource::Open(
    const std::string& path) {
  // O_NONBLOCK keeps a FIFO from blocking the open; it is refused below.
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return ErrnoStatus(errno, "open");
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    int err = errno;
    ::close(fd);
    return ErrnoStatus(err, "fstat");
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return InvalidArgumentError(S_ISDIR(st.st_mode)
                                    ? "is a directory, not a file"
                                    : "not a regular file");
  }
  // Regular files never block; clear the flag so reads behave normally.
  ::fcntl(fd, F_SETFL, 0);
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  return std::make_unique<FileSource>(fd, static_cast<uint64_t>(st.st_size));
}

FileSource::~FileSource() { ::close(fd_); }

StatusOr<size_t> FileSource::Read(char* out, size_t capacity) {
  for (;;) {
    ssize_t n = ::read(fd_, out, capacity);
    if (n >= 0) {
      bytes_read_ += static_cast<uint64_t>(n);
      return static_cast<size_t>(n);
    }
    if (errno != EINTR) return ErrnoStatus(errno, "read");
  }
}

}  // namespace logsweep::common

namespace logsweep::common {

StatusOr<std::string> FileSource::Peek(size_t n) const {
  std::string prefix(n, '\0');
  for (;;) {
    ssize_t got = ::pread(fd_, prefix.data(), n, 0);
    if (got >= 0) {
      prefix.resize(static_cast<size_t>(got));
      return prefix;
    }
    if (errno != EINTR) return ErrnoStatus(errno, "read");
  }
}

}  // namespace logsweep::common
