#include "common/scan/file_scanner.h"

#include <algorithm>
#include <cstring>
#include <memory>
#include <string>

#include "common/scan/byte_search.h"
#include "common/scan/log_file.h"

namespace logsweep::common {

FileScanner::FileScanner(ScanOptions options)
    // C++20's make_unique_for_overwrite: no value-initialisation.
    : options_(options),
      buffer_(new char[options.max_line_bytes * 2]),
      capacity_(options.max_line_bytes * 2) {}

ScanReport FileScanner::Scan(const std::string& path,
                             const LineMatcher& matcher) {
  FileFormat format = FileFormat::kPlain;
  StatusOr<std::unique_ptr<ByteStream>> opened =
      OpenLogFile(path, options_.backend, scratch_, &format);
  if (!opened.ok()) {
    ScanReport report;
    report.status = opened.status();
    return report;
  }
  return ScanText(**opened, matcher, format);
}

ScanReport FileScanner::ScanOpened(const std::string& path,
                                   std::unique_ptr<FileSource> file,
                                   const LineMatcher& matcher) {
  FileFormat format = FileFormat::kPlain;
  StatusOr<std::unique_ptr<ByteStream>> opened =
      OpenLogFile(path, std::move(file), options_.backend, scratch_, &format);
  if (!opened.ok()) {
    ScanReport report;
    report.status = opened.status();
    return report;
  }
  return ScanText(**opened, matcher, format);
}

ScanReport FileScanner::ScanPart(std::unique_ptr<ByteStream> source,
                                 FileFormat format,
                                 const LineMatcher& matcher) {
  if (format == FileFormat::kPlain) {
    return ScanText(*source, matcher, FileFormat::kPlain);
  }
  if (format != FileFormat::kGzip) {
    ScanReport report;
    report.status = InvalidArgumentError(std::string("cannot scan part of a ") +
                                         FileFormatName(format) + " file");
    return report;
  }
  std::unique_ptr<ByteStream> gzip =
      MakeGzipStream(std::move(source), options_.backend, scratch_);
  return ScanText(*gzip, matcher, FileFormat::kGzip);
}

ScanReport FileScanner::ScanStream(ByteStream& stream,
                                   const LineMatcher& matcher) {
  return ScanText(stream, matcher, FileFormat::kPlain);
}

bool FileScanner::FinishLongLine(const LongLineMatcher& long_line,
                                 ScanReport& report) {
  ++report.stats.lines;
  const LongLineMatcher::Verdict v = long_line.Finish();
  if (v.path_too_long) {
    report.status = ResourceExhaustedError(
        "line " + std::to_string(report.stats.lines) +
        ": its request path is longer than " +
        std::to_string(options_.max_line_bytes) +
        " bytes, the most logsweep keeps, and the query needs all of it");
    return false;
  }
  switch (v.kind) {
    case LineMatcher::LineKind::kMatch:
      if (v.key_too_long) {
        report.status = ResourceExhaustedError(
            "line " + std::to_string(report.stats.lines) +
            " matches but its key field is longer than " +
            std::to_string(options_.max_line_bytes) +
            " bytes, the most logsweep keeps");
        return false;
      }
      ++report.stats.matches;
      if (!count_) {
        report.hosts.Insert(v.key);
      } else {
        if (!v.time) ++report.stats.untimed_matches;
        report.counts.AddLine(v.key, v.time);
      }
      break;
    default:
      LineMatcher::Count(v.kind, {}, v.holds_value, report.hosts, report.stats);
      break;
  }
  return true;
}

void FileScanner::ScanWhole(const LineMatcher& matcher, std::string_view text,
                            ScanReport& report) const {
  if (count_) {
    matcher.ScanLines(text, report.counts, report.stats);
  } else {
    matcher.ScanLines(text, report.hosts, report.stats);
  }
}

ScanReport FileScanner::ScanText(ByteStream& stream, const LineMatcher& matcher,
                                 FileFormat container) {
  const ScanOptions& options = options_;
  ScanReport report;
  count_ = matcher.query().count;

  // buffer = [carry: start of an unfinished line][fresh data]. Only whole
  // lines are scanned; the unfinished tail moves to the front. A tail
  // longer than max_line_bytes is a long line: it streams through
  // `long_line` until its newline.
  const size_t capacity = capacity_;
  char* const data = buffer_.get();
  size_t carry = 0;
  LongLineMatcher long_line(matcher, options.max_line_bytes);
  bool in_long_line = false;

  for (;;) {
    if (options.cancel != nullptr && options.cancel->load()) {
      report.status = CancelledError("the scan was stopped");
      return report;
    }
    StatusOr<size_t> got = stream.Read(data + carry, capacity - carry);
    report.stats.bytes_read = stream.bytes_read();
    if (!got.ok()) {
      report.status = got.status();
      report.warnings = stream.warnings();
      return report;
    }
    const size_t fresh = *got;
    if (container != FileFormat::kPlain && report.stats.bytes_scanned == 0) {
      // The decoders fill the buffer, so the first read holds the text's
      // first 512 bytes (or all of it).
      const FileFormat inner = DetectFormat(
          std::string_view(data, std::min(fresh, kFormatPrefixBytes)));
      if (inner != FileFormat::kPlain) {
        report.status = InvalidArgumentError(
            std::string("unsupported format: ") + FileFormatName(inner) +
            " inside " + FileFormatName(container));
        return report;
      }
    }
    report.stats.bytes_scanned += fresh;
    if (fresh == 0) break;
    size_t size = carry + fresh;
    size_t begin = 0;
    if (in_long_line) {
      void* nl = std::memchr(data, '\n', size);
      const size_t piece =
          nl ? static_cast<size_t>(static_cast<char*>(nl) - data) : size;
      if (options.match) long_line.Feed(data, piece);
      if (nl == nullptr) {
        carry = 0;  // still inside the long line
        continue;
      }
      in_long_line = false;
      if (!options.match) {
        ++report.stats.lines;
      } else if (!FinishLongLine(long_line, report)) {
        report.warnings = stream.warnings();
        return report;
      }
      begin = piece + 1;
    }
    // The last newline splits whole lines from the unfinished tail.
    const void* last_nl = ::memrchr(data + begin, '\n', size - begin);
    size_t whole_end =
        last_nl
            ? static_cast<size_t>(static_cast<const char*>(last_nl) - data) + 1
            : begin;
    if (options.match && whole_end > begin) {
      ScanWhole(matcher, std::string_view(data + begin, whole_end - begin),
                report);
    } else if (whole_end > begin) {
      report.stats.lines += CountNewlines(data + begin, whole_end - begin);
    }
    carry = size - whole_end;
    if (carry > options.max_line_bytes) {
      // Too long to keep whole: decide it as it streams past.
      in_long_line = true;
      long_line.Reset();
      if (options.match) long_line.Feed(data + whole_end, carry);
      carry = 0;
    } else if (carry > 0) {
      std::memmove(data, data + whole_end, carry);
    }
  }
  report.warnings = stream.warnings();
  report.data_end = stream.data_end();
  report.ends_line = !in_long_line && carry == 0;
  if (in_long_line) {
    // A final line without a newline still counts, as in Python.
    if (!options.match) {
      ++report.stats.lines;
    } else {
      (void)FinishLongLine(long_line, report);
    }
  } else if (carry > 0 && options.match) {
    ScanWhole(matcher, std::string_view(data, carry), report);
  } else if (carry > 0) {
    ++report.stats.lines;
  }
  return report;
}

}  // namespace logsweep::common
