#pragma once

#include <cstdint>

namespace logsweep::common {

// What a reader saw of one file: the fstat of the descriptor it read, and a
// fingerprint of the bytes at both ends. The result cache (docs/cache.md)
// reuses a file's result only when a worker sees an identity equal to the
// one taken around the scan that produced it. Value type.
//
// Why each field:
//  - device, inode: the filesystem object. A file replaced by rename (a
//    new inode) or the same path on another host or data root (another
//    device or inode) is another file.
//  - size: any append or truncation.
//  - mtime_ns: a rewrite in place. Users can set it (`touch -d`), so it
//    alone proves nothing, and a clock set backwards can repeat it.
//  - ctime_ns: set by the kernel on every write, chmod and utime; no user
//    can set it, so a rewrite with the mtime restored still changes it.
//  - fingerprint: a hash of the first and last 64 KiB (for gzip, the last
//    member's CRC32 and ISIZE are in it): catches what the stat fields
//    cannot, e.g. a filesystem that reuses inode numbers and keeps coarse
//    times, or two hosts whose device and inode numbers coincide.
struct FileIdentity {
  uint64_t device = 0;
  uint64_t inode = 0;
  uint64_t size = 0;
  int64_t mtime_ns = 0;
  int64_t ctime_ns = 0;
  uint64_t fingerprint = 0;

  bool operator==(const FileIdentity& o) const {
    return device == o.device && inode == o.inode && size == o.size &&
           mtime_ns == o.mtime_ns && ctime_ns == o.ctime_ns &&
           fingerprint == o.fingerprint;
  }
  bool operator!=(const FileIdentity& o) const { return !(*this == o); }
};

}  // namespace logsweep::common
