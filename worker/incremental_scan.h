#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/base/file_identity.h"
#include "common/base/status.h"
#include "common/scan/file_format.h"
#include "common/scan/file_scanner.h"
#include "common/scan/line_matcher.h"
#include "common/transport/messages.h"

namespace logsweep::worker {

// The pieces of an incremental scan of a growing file (docs/cache.md,
// "Growing files"): the worker's own checks that a file only grew since
// its cached result was made, and the scan of a plain-text range split at
// its last whole line. Free functions on a borrowed open descriptor;
// thread-safe (each call uses only its arguments).

// Up to `n` bytes at `offset` of `fd` (fewer at the end of the file), with
// pread. Errors: Unavailable and the like from read (ErrnoStatus).
common::StatusOr<std::string> ReadFileAt(int fd, uint64_t offset, size_t n);

// The format of the open file `fd` named `path` when a scan of it may
// offer or use a resume point: plain text or gzip whose name agrees with
// its content (CheckFormat); nullopt otherwise (another format, an empty
// or unreadable file, a name that promises something else).
std::optional<common::FileFormat> ResumableFormat(const std::string& path,
                                                  int fd);

// True when the file `fd`, whose identity is now `now`, is the file of
// `cached` grown by appending, so that a result covering its bytes before
// `resume_from` still holds for them: same device and inode; larger; mtime
// and ctime both later; resume_from within the last kFingerprintBytes of
// the old size (for gzip, equal to it: a member boundary); and the
// fingerprint of the file's first cached.size bytes (PrefixFingerprint,
// read here from `fd`) equal to cached.fingerprint. Anything else
// (truncated, rewritten, copytruncate, replaced, a clock set back, a read
// error) is false: a full scan.
bool GrownFrom(const common::FileIdentity& cached, uint64_t resume_from,
               common::FileFormat format, const common::FileIdentity& now,
               int fd);

// Scans [begin, end) of the plain-text file `fd` into `outcome`: the whole
// lines before the range's last newline into hosts and stats, the partial
// last line (if any) into tail_hosts and tail_stats, and resume_offset
// just after that newline. A range with no newline in its last
// kFingerprintBytes (or none at all before a partial first line of the
// file) is scanned whole, with no resume_offset. A failed scan sets
// outcome.status (with what was found before the error) and no resume.
void ScanPlainRange(common::FileScanner& scanner, int fd, uint64_t begin,
                    uint64_t end, const common::LineMatcher& matcher,
                    common::TaskOutcome& outcome);

}  // namespace logsweep::worker
