#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "common/base/status.h"
#include "common/scan/byte_stream.h"

namespace logsweep::testing {

// A fresh empty directory under $TMPDIR, removed by the destructor.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // Writes `content` to path()/name and returns the full path.
  std::string Write(const std::string& name, const std::string& content) const;

 private:
  std::string path_;
};

// A string as a ByteStream, read in pieces of at most `chunk` bytes.
class StringSource : public common::ByteStream {
 public:
  explicit StringSource(std::string data, size_t chunk = 977)
      : data_(std::move(data)), chunk_(chunk) {}
  common::StatusOr<size_t> Read(char* out, size_t capacity) override;
  uint64_t bytes_read() const override { return pos_; }

 private:
  std::string data_;
  size_t chunk_;
  size_t pos_ = 0;
};

// What reading a stream to its end gave: the bytes before the end or the
// first error, that error (OK at a clean end), and the stream's warnings.
struct ReadResult {
  std::string text;
  common::Status status;
  std::vector<std::string> warnings;
};
ReadResult ReadStream(common::ByteStream& stream, size_t chunk = 4096);

// `text` as one gzip member (zlib, level 6).
std::string Gzip(const std::string& text);
// `text` as one zstd frame (level 3, with its content checksum).
std::string Zstd(const std::string& text);
// `text` as one xz stream (preset 1, CRC-64 check).
std::string Xz(const std::string& text);
// `text` as one bzip2 stream (block size 100k x 1).
std::string Bzip2(const std::string& text);

}  // namespace logsweep::testing
