#include "common/scan/log_file.h"

#include <algorithm>
#include <cstring>
#include <string_view>
#include <vector>

#include "common/scan/bzip2_stream.h"
#include "common/scan/file_source.h"
#include "common/scan/xz_stream.h"
#include "common/scan/zstd_stream.h"

namespace logsweep::common {
namespace {

// Plain text: the bytes read to detect the format, then the rest of the
// file. Owns the file; borrows the buffer that holds the first bytes.
class PlainStream : public ByteStream {
 public:
  PlainStream(std::unique_ptr<ByteStream> file,
              const std::vector<unsigned char>& head, size_t head_size)
      : file_(std::move(file)), head_(head), head_size_(head_size) {}
  PlainStream(const PlainStream&) = delete;
  PlainStream& operator=(const PlainStream&) = delete;

  StatusOr<size_t> Read(char* out, size_t capacity) override {
    if (pos_ == head_size_) return file_->Read(out, capacity);
    size_t n = std::min(capacity, head_size_ - pos_);
    std::memcpy(out, head_.data() + pos_, n);
    pos_ += n;
    return n;
  }
  uint64_t bytes_read() const override { return file_->bytes_read(); }

 private:
  std::unique_ptr<ByteStream> file_;
  const std::vector<unsigned char>& head_;
  size_t head_size_;
  size_t pos_ = 0;
};

}  // namespace

StatusOr<std::unique_ptr<ByteStream>> OpenLogFile(const std::string& path,
                                                  InflateBackend backend,
                                                  InflateScratch& scratch,
                                                  FileFormat* format) {
  StatusOr<std::unique_ptr<FileSource>> file = FileSource::Open(path);
  if (!file.ok()) return file.status();
  return OpenLogFile(path, std::move(*file), backend, scratch, format);
}

StatusOr<std::unique_ptr<ByteStream>> OpenLogFile(
    const std::string& path, std::unique_ptr<FileSource> file,
    InflateBackend backend, InflateScratch& scratch, FileFormat* format) {
  // The first read goes into the decoders' input buffer: it decides the
  // format and then is their first input, so detecting costs no extra read.
  std::vector<unsigned char>& buffer = scratch.input();
  size_t got = 0;
  while (got < kFormatPrefixBytes) {
    StatusOr<size_t> n = file->Read(
        reinterpret_cast<char*>(buffer.data() + got), buffer.size() - got);
    if (!n.ok()) return n.status();
    if (*n == 0) break;
    got += *n;
  }
  const std::string_view prefix(reinterpret_cast<const char*>(buffer.data()),
                                std::min(got, kFormatPrefixBytes));
  const FileFormat content = DetectFormat(prefix);
  if (Status s = CheckFormat(path, content, got == 0); !s.ok()) return s;
  std::unique_ptr<ByteStream> raw = std::move(file);
  if (format != nullptr) *format = content;
  switch (content) {
    case FileFormat::kGzip:
      return MakeGzipStream(std::move(raw), backend, scratch, got);
    case FileFormat::kZstd:
      return MakeZstdStream(std::move(raw), scratch, got);
    case FileFormat::kXz:
      return MakeXzStream(std::move(raw), scratch, got);
    case FileFormat::kBzip2:
      return MakeBzip2Stream(std::move(raw), scratch, got);
    default:  // CheckFormat let only plain text through
      return std::unique_ptr<ByteStream>(
          std::make_unique<PlainStream>(std::move(raw), buffer, got));
  }
}

}  // namespace logsweep::common
