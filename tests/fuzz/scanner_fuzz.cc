// libFuzzer target: the gzip reader (both backends) and the line scanner on
// any bytes. Invariants: no crash, no leak, bounded memory (a small line
// limit), matches never exceed lines, every host came from a matching line,
// and zlib and ISA-L agree on the result.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

#include "common/file_scanner.h"
#include "common/gzip_stream.h"

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

c::ScanReport Scan(const uint8_t* data, size_t size, bool gzip,
                   c::InflateBackend backend) {
  c::ScanOptions options;
  options.backend = backend;
  options.max_line_bytes = 4096;
  c::FileScanner scanner(options);
  c::LineMatcher matcher{c::Query{}};
  auto source = std::make_unique<MemorySource>(data, size);
  if (!gzip) return scanner.ScanStream(*source, matcher);
  c::InflateScratch scratch;
  auto stream = c::MakeGzipStream(std::move(source), backend, scratch);
  return scanner.ScanStream(*stream, matcher);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // First byte chooses plain text or gzip; the rest is the file.
  if (size == 0) return 0;
  bool gzip = data[0] & 1;
  c::ScanReport zlib = Scan(data + 1, size - 1, gzip, c::InflateBackend::kZlib);
  if (zlib.stats.matches > zlib.stats.lines) std::abort();
  if (zlib.hosts.size() > zlib.stats.matches) std::abort();
  if (gzip && c::IsalAvailable()) {
    c::ScanReport isal =
        Scan(data + 1, size - 1, gzip, c::InflateBackend::kIsal);
    // Same verdict; on success, the same text and answer.
    if (isal.status.ok() != zlib.status.ok()) std::abort();
    if (zlib.status.ok() &&
        !(isal.stats.lines == zlib.stats.lines &&
          isal.stats.bytes_scanned == zlib.stats.bytes_scanned &&
          isal.hosts.Sorted() == zlib.hosts.Sorted())) {
      std::abort();
    }
  }
  return 0;
}
