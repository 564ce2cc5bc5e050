// libFuzzer target: the readers (gzip over both backends, zstd, xz, bzip2)
// and the line scanner on any bytes. Invariants: no crash, no leak, bounded
// memory (a small line limit, so long lines take the streaming path),
// matches never exceed lines, every host came from a matching line, zlib and
// ISA-L agree on the result, and on plain text the scanner (buffer scan and
// streamed long lines) agrees exactly with the per-line reference scan.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

#include "common/scan/bzip2_stream.h"
#include "common/scan/file_scanner.h"
#include "common/scan/gzip_stream.h"
#include "common/scan/xz_stream.h"
#include "common/scan/zstd_stream.h"

namespace {

namespace c = logsweep::common;

// The fuzz input as a byte stream, read in uneven pieces.
class MemorySource : public c::ByteStream {
 public:
  MemorySource(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  c::StatusOr<size_t> Read(char* out, size_t capacity) override {
    size_t n = std::min({capacity, size_ - pos_, size_t{977}});
    std::memcpy(out, data_ + pos_, n);
    pos_ += n;
    return n;
  }
  uint64_t bytes_read() const override { return pos_; }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
};

enum class Format { kPlain, kGzip, kZstd, kXz, kBzip2 };

c::ScanReport Scan(const uint8_t* data, size_t size, Format format,
                   c::InflateBackend backend) {
  c::ScanOptions options;
  options.backend = backend;
  options.max_line_bytes = 4096;
  c::FileScanner scanner(options);
  c::LineMatcher matcher{c::Query{}};
  auto source = std::make_unique<MemorySource>(data, size);
  if (format == Format::kPlain) return scanner.ScanStream(*source, matcher);
  c::InflateScratch scratch;
  std::unique_ptr<c::ByteStream> stream;
  switch (format) {
    case Format::kZstd:
      stream = c::MakeZstdStream(std::move(source), scratch);
      break;
    case Format::kXz:
      stream = c::MakeXzStream(std::move(source), scratch);
      break;
    case Format::kBzip2:
      stream = c::MakeBzip2Stream(std::move(source), scratch);
      break;
    default:
      stream = c::MakeGzipStream(std::move(source), backend, scratch);
  }
  return scanner.ScanStream(*stream, matcher);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // First byte chooses the format; the rest is the file.
  if (size == 0) return 0;
  const Format format = static_cast<Format>(data[0] % 5);
  c::ScanReport zlib =
      Scan(data + 1, size - 1, format, c::InflateBackend::kZlib);
  if (zlib.stats.matches > zlib.stats.lines) std::abort();
  if (zlib.hosts.size() > zlib.stats.matches) std::abort();
  if (format == Format::kPlain && zlib.status.ok()) {
    // The whole text at once, line by line: the reference.
    c::HostSet hosts;
    c::ScanStats want;
    c::LineMatcher{c::Query{}}.ScanEveryLine(
        std::string_view(reinterpret_cast<const char*>(data + 1), size - 1),
        hosts, want);
    if (want.lines != zlib.stats.lines || want.matches != zlib.stats.matches ||
        want.malformed != zlib.stats.malformed ||
        hosts.Sorted() != zlib.hosts.Sorted()) {
      std::abort();
    }
  }
  if (format == Format::kGzip && c::IsalAvailable()) {
    c::ScanReport isal =
        Scan(data + 1, size - 1, format, c::InflateBackend::kIsal);
    // Same verdict; on success, the same text, answer and warnings.
    if (isal.status.ok() != zlib.status.ok()) std::abort();
    if (zlib.status.ok() &&
        !(isal.stats.lines == zlib.stats.lines &&
          isal.stats.bytes_scanned == zlib.stats.bytes_scanned &&
          isal.hosts.Sorted() == zlib.hosts.Sorted() &&
          isal.warnings == zlib.warnings)) {
      std::abort();
    }
  }
  return 0;
}
