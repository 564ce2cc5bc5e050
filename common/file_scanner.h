#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <string>

#include "common/byte_stream.h"
#include "common/gzip_stream.h"
#include "common/host_set.h"
#include "common/line_matcher.h"
#include "common/scan_stats.h"
#include "common/status.h"

namespace logsweep::common {

struct ScanOptions {
  InflateBackend backend = DefaultInflateBackend();
  // Longest line kept whole, in bytes (64 KiB .. 64 MiB). A longer line is
  // skipped up to its newline and counted as malformed, so memory stays
  // bounded even for a 100 MiB line without a newline.
  size_t max_line_bytes = 1 << 20;
  // False: inflate only, no matching (the benchmark's ceiling).
  bool match = true;
  // When set and it becomes true, a scan in progress stops within one
  // buffer (2 MiB of text) with Cancelled: a stopping worker need not
  // finish a 100 GB file first. Borrowed; may be null.
  const std::atomic<bool>* cancel = nullptr;
};

// What one scan found. On error, `hosts` and `stats` hold what was found
// before the error (the caller decides whether partial hosts count).
struct ScanReport {
  Status status;
  HostSet hosts;
  ScanStats stats;
};

// Scans files line by line with a LineMatcher. Owns one line buffer of
// 2 * max_line_bytes, reused for every file, so memory per scanning thread
// is fixed. Owned by one thread.
class FileScanner {
 public:
  explicit FileScanner(ScanOptions options);
  FileScanner(const FileScanner&) = delete;
  FileScanner& operator=(const FileScanner&) = delete;

  // Reads `path` (see OpenLogFile) and applies `matcher` to every line.
  // report.status: NotFound, PermissionDenied, InvalidArgument (not a
  // regular file), DataLoss (not gzip, corrupt, truncated), Unavailable
  // (I/O, worth a retry), ResourceExhausted. The message does not repeat
  // the path; the caller adds it.
  ScanReport Scan(const std::string& path, const LineMatcher& matcher);

  // The same for an already open stream of text (Scan's second half).
  ScanReport ScanStream(ByteStream& stream, const LineMatcher& matcher);

 private:
  ScanOptions options_;
  // Not zeroed: a page is only touched once text is inflated into it, so a
  // worker that scans small files never faults in the whole 2 MiB.
  std::unique_ptr<char[]> buffer_;
  size_t capacity_;
  InflateScratch scratch_;
};

}  // namespace logsweep::common
