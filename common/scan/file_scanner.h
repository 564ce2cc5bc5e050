#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "common/base/host_counts.h"
#include "common/base/host_set.h"
#include "common/base/scan_stats.h"
#include "common/base/status.h"
#include "common/scan/byte_stream.h"
#include "common/scan/file_format.h"
#include "common/scan/file_source.h"
#include "common/scan/gzip_stream.h"
#include "common/scan/line_matcher.h"
#include "common/scan/long_line_matcher.h"

namespace logsweep::common {

struct ScanOptions {
  InflateBackend backend = DefaultInflateBackend();
  // Longest line scanned whole in the buffer, in bytes (64 KiB .. 64 MiB;
  // tests use less). A longer line is decided exactly all the same, as it
  // streams past (LongLineMatcher), keeping only its key field, so memory
  // stays bounded even for a 1 GiB line without a newline. The one limit:
  // a matching line whose key field is longer than this is an error
  // (ResourceExhausted), never a wrong or dropped host.
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
  // A --count query (Query::count): per-host tallies, in place of `hosts`
  // (which stays empty then).
  HostCounts counts;
  ScanStats stats;
  // Problems that cost no data (ByteStream::warnings()), for the user.
  std::vector<std::string> warnings;
  // The text ended with a newline (or was empty): no partial last line.
  bool ends_line = true;
  // ByteStream::data_end of the stream scanned (for gzip, the offset just
  // after its last member), for incremental scans (docs/cache.md).
  uint64_t data_end = 0;
};

// Scans files line by line with a LineMatcher. Owns one line buffer of
// 2 * max_line_bytes, reused for every file, and at most max_line_bytes
// more for the key of a line longer than that, so memory per scanning
// thread is fixed. Lines of the buffer are scanned whole (the fast path);
// only a line that does not fit streams through a LongLineMatcher. Owned
// by one thread.
class FileScanner {
 public:
  explicit FileScanner(ScanOptions options);
  FileScanner(const FileScanner&) = delete;
  FileScanner& operator=(const FileScanner&) = delete;

  // Reads `path` (see OpenLogFile: any supported format, chosen by
  // content) and applies `matcher` to every line.
  // report.status: NotFound, PermissionDenied, InvalidArgument (not a
  // regular file, an unsupported format), DataLoss (a name that promises
  // another format, corrupt, truncated), Unavailable (I/O, worth a retry),
  // ResourceExhausted (out of memory, a decoder's memory limit, a matching
  // line's key field over max_line_bytes). A compressed file whose text
  // starts with a known format's magic (logs.tar.gz) is InvalidArgument
  // "unsupported format: tar inside gzip". The message does not repeat the
  // path; the caller adds it.
  ScanReport Scan(const std::string& path, const LineMatcher& matcher);

  // The same for the file already open as `file`, named `path`.
  ScanReport ScanOpened(const std::string& path,
                        std::unique_ptr<FileSource> file,
                        const LineMatcher& matcher);

  // Scans `source`, part of a file whose format was decided from its
  // start, as `format` without looking at its first bytes: kPlain (text
  // from any line start) or kGzip (from a member boundary). Any other
  // format is InvalidArgument. Errors otherwise as Scan's.
  ScanReport ScanPart(std::unique_ptr<ByteStream> source, FileFormat format,
                      const LineMatcher& matcher);

  // The same for an already open stream of text (Scan's second half).
  ScanReport ScanStream(ByteStream& stream, const LineMatcher& matcher);

 private:
  // ScanStream of the text decoded from a `container` file (kPlain: not
  // compressed). Text that is itself a container (a tar inside gzip, a
  // gzip inside zstd) is InvalidArgument, never scanned.
  ScanReport ScanText(ByteStream& stream, const LineMatcher& matcher,
                      FileFormat container);
  // Counts the line fed to `long_line` into `report` and adds its key if
  // it matched; false (with report.status set) when it matched but its key
  // was too long to keep.
  bool FinishLongLine(const LongLineMatcher& long_line, ScanReport& report);
  // The matcher's ScanLines of whole lines into report.hosts, or for a
  // --count query into report.counts.
  void ScanWhole(const LineMatcher& matcher, std::string_view text,
                 ScanReport& report) const;

  ScanOptions options_;
  bool count_ = false;  // the query of the scan in progress is --count
  // Not zeroed: a page is only touched once text is inflated into it, so a
  // worker that scans small files never faults in the whole 2 MiB.
  std::unique_ptr<char[]> buffer_;
  size_t capacity_;
  InflateScratch scratch_;
};

}  // namespace logsweep::common
