#include "common/scan/xz_stream.h"

#include <lzma.h>

#include <cstring>
#include <string>
#include <vector>

#include "common/scan/input_window.h"

namespace logsweep::common {
namespace {

constexpr unsigned char kXzMagic[6] = {0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00};

const char* LzmaErrorName(lzma_ret ret) {
  switch (ret) {
    case LZMA_FORMAT_ERROR:
      return "not an xz stream header";
    case LZMA_OPTIONS_ERROR:
      return "unsupported compression options";
    case LZMA_DATA_ERROR:
      return "compressed data is corrupt (or an integrity check failed)";
    case LZMA_UNSUPPORTED_CHECK:
      return "unsupported integrity check type: cannot be verified";
    default:
      return "decoder error";
  }
}

class XzStream : public ByteStream {
 public:
  XzStream(std::unique_ptr<ByteStream> source,
           std::vector<unsigned char>& input, size_t prefilled)
      : in_(std::move(source), input, prefilled) {}
  ~XzStream() override { lzma_end(&lzma_); }
  XzStream(const XzStream&) = delete;
  XzStream& operator=(const XzStream&) = delete;

  StatusOr<size_t> Read(char* out, size_t capacity) override;
  uint64_t bytes_read() const override { return in_.bytes_read(); }

 private:
  // Returns the bytes produced so far, keeping `error` for the next call.
  StatusOr<size_t> Fail(size_t capacity, Status error) {
    size_t produced = capacity - lzma_.avail_out;
    pending_ = std::move(error);
    if (produced > 0) return produced;
    return pending_;
  }
  // After `streams_` streams: skips stream padding, then either ends
  // (done_) or finds the next stream's magic.
  Status NextStream();
  std::string Where() const {
    return "xz stream " + std::to_string(streams_ + 1) + " near offset " +
           std::to_string(in_.offset());
  }
  Status Truncated() const {
    return DataLossError("truncated: unexpected end of file inside xz stream " +
                         std::to_string(streams_ + 1) + " after " +
                         std::to_string(in_.bytes_read()) +
                         " compressed bytes");
  }

  InputWindow in_;
  lzma_stream lzma_ = LZMA_STREAM_INIT;
  Status pending_;
  bool between_streams_ = true;
  bool done_ = false;
  uint64_t streams_ = 0;
};

Status XzStream::NextStream() {
  const uint64_t start = in_.offset();
  uint64_t zeros = 0;
  if (streams_ > 0) {
    for (;;) {
      if (Status s = in_.Fill(); !s.ok()) return s;
      if (in_.size() == 0) break;
      const unsigned char* p = in_.data();
      size_t n = 0;
      while (n < in_.size() && p[n] == 0) ++n;
      in_.Consume(n);
      zeros += n;
      if (in_.size() > 0) break;
    }
    if (zeros % 4 != 0) {
      return DataLossError(
          "corrupt stream padding after xz stream " + std::to_string(streams_) +
          " at offset " + std::to_string(start) + ": " + std::to_string(zeros) +
          " zero bytes, not a multiple of 4");
    }
  }
  if (Status s = in_.Ensure(sizeof kXzMagic); !s.ok()) return s;
  if (in_.size() == 0) {
    if (streams_ == 0) {
      return DataLossError("empty file: 0 bytes, expected xz data");
    }
    done_ = true;
    return OkStatus();
  }
  if (in_.size() >= sizeof kXzMagic &&
      std::memcmp(in_.data(), kXzMagic, sizeof kXzMagic) == 0) {
    lzma_ret ret = lzma_stream_decoder(&lzma_, kXzMemoryLimit,
                                       LZMA_TELL_UNSUPPORTED_CHECK);
    if (ret == LZMA_MEM_ERROR) {
      return ResourceExhaustedError("out of memory starting an xz decoder");
    }
    if (ret != LZMA_OK) {
      return InternalError("lzma_stream_decoder returned " +
                           std::to_string(static_cast<int>(ret)));
    }
    between_streams_ = false;
    return OkStatus();
  }
  if (streams_ == 0) {
    return DataLossError("not xz: no xz stream header at offset 0");
  }
  // xz -d fails on bytes after a stream that are neither padding nor a
  // stream.
  return DataLossError("trailing data after xz stream " +
                       std::to_string(streams_) + " at offset " +
                       std::to_string(in_.offset()) + " is not an xz stream");
}

StatusOr<size_t> XzStream::Read(char* out, size_t capacity) {
  if (!pending_.ok()) return pending_;
  lzma_.next_out = reinterpret_cast<uint8_t*>(out);
  lzma_.avail_out = capacity;
  while (lzma_.avail_out > 0 && !done_) {
    if (between_streams_) {
      if (Status s = NextStream(); !s.ok()) return Fail(capacity, s);
      continue;
    }
    if (Status s = in_.Fill(); !s.ok()) return Fail(capacity, s);
    const size_t in_before = in_.size();
    const size_t out_before = lzma_.avail_out;
    lzma_.next_in = in_.data();
    lzma_.avail_in = in_before;
    // FINISH once the window holds the last bytes of the file: a stream
    // that does not end there is truncated (LZMA_BUF_ERROR).
    lzma_ret ret = lzma_code(&lzma_, in_.eof() ? LZMA_FINISH : LZMA_RUN);
    in_.Consume(in_before - lzma_.avail_in);
    switch (ret) {
      case LZMA_OK:
        if (in_before == 0 && in_.eof() && lzma_.avail_out == out_before) {
          return Fail(capacity, Truncated());
        }
        break;
      case LZMA_STREAM_END:
        ++streams_;
        between_streams_ = true;
        break;
      case LZMA_BUF_ERROR:
        return Fail(capacity, Truncated());
      case LZMA_MEM_ERROR:
        return Fail(capacity, ResourceExhaustedError("out of memory decoding " +
                                                     Where()));
      case LZMA_MEMLIMIT_ERROR:
        return Fail(capacity, ResourceExhaustedError(
                                  Where() + " needs more than " +
                                  std::to_string(kXzMemoryLimit >> 20) +
                                  " MiB of memory to decode"));
      default:
        return Fail(capacity, DataLossError("corrupt " + Where() + ": " +
                                            LzmaErrorName(ret)));
    }
  }
  return capacity - lzma_.avail_out;
}

}  // namespace

std::unique_ptr<ByteStream> MakeXzStream(std::unique_ptr<ByteStream> source,
                                         InflateScratch& scratch,
                                         size_t prefilled) {
  return std::make_unique<XzStream>(std::move(source), scratch.input(),
                                    prefilled);
}

}  // namespace logsweep::common
