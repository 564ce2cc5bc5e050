#include "common/scan/file_range.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace logsweep::common {

StatusOr<size_t> FileRange::Read(char* out, size_t capacity) {
  const size_t want =
      static_cast<size_t>(std::min<uint64_t>(capacity, end_ - pos_));
  if (want == 0) return size_t{0};
  for (;;) {
    ssize_t n = ::pread(fd_, out, want, static_cast<off_t>(pos_));
    if (n >= 0) {
      pos_ += static_cast<uint64_t>(n);
      return static_cast<size_t>(n);
    }
    if (errno != EINTR) return ErrnoStatus(errno, "read");
  }
}

}  // namespace logsweep::common
