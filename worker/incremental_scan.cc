#include "worker/incremental_scan.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <memory>

#include "common/scan/file_format.h"
#include "common/scan/file_identity.h"
#include "common/scan/file_range.h"

namespace logsweep::worker {
namespace {

// The offset just after the last newline in [begin, end) of `fd`, looked
// for only in the last kFingerprintBytes before `end` (so the region a
// later scan resumes from is inside the hashed end of the file); nullopt
// when there is none there or it cannot be read. A range with no newline
// at all that starts after the file's start is one partial line: `begin`
// (the line before it ended there).
std::optional<uint64_t> LastLineEnd(int fd, uint64_t begin, uint64_t end) {
  const uint64_t from = std::max(begin, end > common::kFingerprintBytes
                                            ? end - common::kFingerprintBytes
                                            : uint64_t{0});
  common::StatusOr<std::string> window =
      ReadFileAt(fd, from, static_cast<size_t>(end - from));
  if (!window.ok() || window->size() != end - from) return std::nullopt;
  const size_t nl = window->rfind('\n');
  if (nl == std::string::npos) {
    if (from == begin && begin > 0) return begin;
    return std::nullopt;
  }
  return from + nl + 1;
}

}  // namespace

common::StatusOr<std::string> ReadFileAt(int fd, uint64_t offset, size_t n) {
  std::string out(n, '\0');
  size_t got = 0;
  while (got < n) {
    ssize_t r = ::pread(fd, out.data() + got, n - got,
                        static_cast<off_t>(offset + got));
    if (r < 0) {
      if (errno == EINTR) continue;
      return common::ErrnoStatus(errno, "read");
    }
    if (r == 0) break;
    got += static_cast<size_t>(r);
  }
  out.resize(got);
  return out;
}

void ScanPlainRange(common::FileScanner& scanner, int fd, uint64_t begin,
                    uint64_t end, const common::LineMatcher& matcher,
                    common::TaskOutcome& outcome) {
  const std::optional<uint64_t> split = LastLineEnd(fd, begin, end);
  const uint64_t main_end = split ? *split : end;
  common::ScanReport report =
      scanner.ScanPart(std::make_unique<common::FileRange>(fd, begin, main_end),
                       common::FileFormat::kPlain, matcher);
  outcome.status = std::move(report.status);
  outcome.hosts = std::move(report.hosts);
  outcome.stats = report.stats;
  outcome.warnings = std::move(report.warnings);
  if (!outcome.status.ok() || !split) return;
  outcome.resume_offset = *split;
  if (*split == end) return;
  common::ScanReport tail =
      scanner.ScanPart(std::make_unique<common::FileRange>(fd, *split, end),
                       common::FileFormat::kPlain, matcher);
  if (!tail.status.ok()) {
    // As a whole scan would: the error, with what was found before it.
    outcome.status = std::move(tail.status);
    outcome.hosts.Merge(tail.hosts);
    outcome.stats.Add(tail.stats);
    outcome.resume_offset = 0;
    return;
  }
  outcome.tail_hosts = std::move(tail.hosts);
  outcome.tail_stats = tail.stats;
}

std::optional<common::FileFormat> ResumableFormat(const std::string& path,
                                                  int fd) {
  common::StatusOr<std::string> prefix =
      ReadFileAt(fd, 0, common::kFormatPrefixBytes);
  if (!prefix.ok() || prefix->empty()) return std::nullopt;
  if (!common::CheckFormat(path, *prefix).ok()) return std::nullopt;
  const common::FileFormat format = common::DetectFormat(*prefix);
  if (format != common::FileFormat::kPlain &&
      format != common::FileFormat::kGzip) {
    return std::nullopt;
  }
  return format;
}

bool GrownFrom(const common::FileIdentity& cached, uint64_t resume_from,
               common::FileFormat format, const common::FileIdentity& now,
               int fd) {
  if (now.device != cached.device || now.inode != cached.inode) return false;
  // Grown, and written since: an append moves both times forward; a new
  // size with the same (or an older) mtime is not an append we can trust.
  if (now.size <= cached.size || now.mtime_ns <= cached.mtime_ns ||
      now.ctime_ns <= cached.ctime_ns) {
    return false;
  }
  // The bytes the cached result covers up to cached.size must all be in
  // the hashed end region (the partial last line, rescanned, included).
  if (resume_from == 0 || resume_from > cached.size ||
      cached.size - resume_from > common::kFingerprintBytes) {
    return false;
  }
  // A gzip file resumes only at the member boundary that was its end.
  if (format == common::FileFormat::kGzip && resume_from != cached.size) {
    return false;
  }
  // The check that matters, made here on the descriptor that is read,
  // never taken from the coordinator: the file still begins with the
  // bytes it had at both ends of its old size.
  common::StatusOr<uint64_t> prefix =
      common::PrefixFingerprint(fd, cached.size);
  return prefix.ok() && *prefix == cached.fingerprint;
}

}  // namespace logsweep::worker
