#include "common/file_scanner.h"

#include <algorithm>
#include <cstring>
#include <memory>

#include "common/byte_search.h"
#include "common/log_file.h"

namespace logsweep::common {

FileScanner::FileScanner(ScanOptions options)
    // C++20's make_unique_for_overwrite: no value-initialisation.
    : options_(options),
      buffer_(new char[options.max_line_bytes * 2]),
      capacity_(options.max_line_bytes * 2) {}

ScanReport FileScanner::Scan(const std::string& path,
                             const LineMatcher& matcher) {
  StatusOr<std::unique_ptr<ByteStream>> opened =
      OpenLogFile(path, options_.backend, scratch_);
  if (!opened.ok()) {
    ScanReport report;
    report.status = opened.status();
    return report;
  }
  return ScanStream(**opened, matcher);
}

ScanReport FileScanner::ScanStream(ByteStream& stream,
                                   const LineMatcher& matcher) {
  const ScanOptions& options = options_;
  ScanReport report;

  // buffer = [carry: start of an unfinished line][fresh data]. Only whole
  // lines are scanned; the unfinished tail moves to the front.
  const size_t capacity = capacity_;
  char* const data = buffer_.get();
  size_t carry = 0;
  bool skipping_long_line = false;  // inside a line longer than the limit

  for (;;) {
    if (options.cancel != nullptr && options.cancel->load()) {
      report.status = CancelledError("the scan was stopped");
      return report;
    }
    StatusOr<size_t> got = stream.Read(data + carry, capacity - carry);
    report.stats.bytes_read = stream.bytes_read();
    if (!got.ok()) {
      report.status = got.status();
      return report;
    }
    const size_t fresh = *got;
    report.stats.bytes_scanned += fresh;
    if (fresh == 0) break;
    size_t size = carry + fresh;
    size_t begin = 0;
    if (skipping_long_line) {
      void* nl = std::memchr(data, '\n', size);
      if (nl == nullptr) {
        carry = 0;  // still inside the long line: drop it all
        continue;
      }
      skipping_long_line = false;
      begin = static_cast<size_t>(static_cast<char*>(nl) - data) + 1;
    }
    // The last newline splits whole lines from the unfinished tail.
    const void* last_nl = ::memrchr(data + begin, '\n', size - begin);
    size_t whole_end =
        last_nl
            ? static_cast<size_t>(static_cast<const char*>(last_nl) - data) + 1
            : begin;
    if (options.match && whole_end > begin) {
      matcher.ScanLines(std::string_view(data + begin, whole_end - begin),
                        report.hosts, report.stats);
    } else if (whole_end > begin) {
      report.stats.lines += CountNewlines(data + begin, whole_end - begin);
    }
    carry = size - whole_end;
    if (carry > options.max_line_bytes) {
      // Too long to keep: count it now, skip the rest up to its newline.
      ++report.stats.lines;
      ++report.stats.malformed;
      skipping_long_line = true;
      carry = 0;
    } else if (carry > 0) {
      std::memmove(data, data + whole_end, carry);
    }
  }
  if (carry > 0 && options.match) {
    // A final line without a newline still counts, as in Python.
    matcher.ScanLines(std::string_view(data, carry), report.hosts,
                      report.stats);
  } else if (carry > 0) {
    ++report.stats.lines;
  }
  return report;
}

}  // namespace logsweep::common
