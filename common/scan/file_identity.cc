#include "common/scan/file_identity.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <string>

namespace logsweep::common {
namespace {

constexpr uint64_t kMul = 0x9fb21c651e98df25ULL;

uint64_t Mix(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x;
}

// Reads [offset, offset + n) into `out` (fewer at the end of the file).
StatusOr<uint64_t> ReadAt(int fd, uint64_t offset, uint64_t n, char* out) {
  uint64_t got = 0;
  while (got < n) {
    ssize_t r =
        ::pread(fd, out + got, n - got, static_cast<off_t>(offset + got));
    if (r < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus(errno, "read");
    }
    if (r == 0) break;
    got += static_cast<uint64_t>(r);
  }
  return got;
}

}  // namespace

uint64_t FingerprintHash(const char* data, uint64_t n, uint64_t seed) {
  uint64_t h = Mix(seed ^ (n * kMul));
  uint64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    std::memcpy(&w, data + i, 8);
    h = (h ^ Mix(w)) * kMul;
    h ^= h >> 29;
  }
  uint64_t last = 0;
  std::memcpy(&last, data + i, n - i);
  h = (h ^ Mix(last ^ (n - i))) * kMul;
  return Mix(h);
}

StatusOr<uint64_t> PrefixFingerprint(int fd, uint64_t size) {
  // Not zeroed: only the bytes read are hashed.
  std::unique_ptr<char[]> buffer(new char[kFingerprintBytes]);
  const uint64_t head_len = std::min(size, kFingerprintBytes);
  StatusOr<uint64_t> head = ReadAt(fd, 0, head_len, buffer.get());
  if (!head.ok()) return head.status();
  uint64_t h = FingerprintHash(buffer.get(), *head, size);
  // The end region starts after the head, so a small file is hashed once.
  const uint64_t tail_start = std::max(
      head_len, size > kFingerprintBytes ? size - kFingerprintBytes : 0);
  if (tail_start < size) {
    StatusOr<uint64_t> tail =
        ReadAt(fd, tail_start, size - tail_start, buffer.get());
    if (!tail.ok()) return tail.status();
    h = FingerprintHash(buffer.get(), *tail, h ^ tail_start);
  }
  return h;
}

StatusOr<FileIdentity> IdentifyOpenFile(int fd) {
  StatusOr<FileIdentity> stat = StatOpenFile(fd);
  if (!stat.ok()) return stat;
  FileIdentity id = *stat;
  StatusOr<uint64_t> fingerprint = PrefixFingerprint(fd, id.size);
  if (!fingerprint.ok()) return fingerprint.status();
  id.fingerprint = *fingerprint;
  return id;
}

StatusOr<FileIdentity> StatOpenFile(int fd) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    return UnavailableError(std::string("fstat: ") + std::strerror(errno));
  }
  FileIdentity id;
  id.device = static_cast<uint64_t>(st.st_dev);
  id.inode = static_cast<uint64_t>(st.st_ino);
  id.size = static_cast<uint64_t>(st.st_size);
  id.mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 +
                st.st_mtim.tv_nsec;
  id.ctime_ns = static_cast<int64_t>(st.st_ctim.tv_sec) * 1'000'000'000 +
                st.st_ctim.tv_nsec;
  return id;
}

}  // namespace logsweep::common
