#include "common/scan/bzip2_stream.h"

#include <bzlib.h>

#include <string>
#include <vector>

#include "common/scan/input_window.h"

namespace logsweep::common {
namespace {

class Bzip2Stream : public ByteStream {
 public:
  Bzip2Stream(std::unique_ptr<ByteStream> source,
              std::vector<unsigned char>& input, size_t prefilled)
      : in_(std::move(source), input, prefilled) {}
  ~Bzip2Stream() override {
    if (initialized_) BZ2_bzDecompressEnd(&bz_);
  }
  Bzip2Stream(const Bzip2Stream&) = delete;
  Bzip2Stream& operator=(const Bzip2Stream&) = delete;

  StatusOr<size_t> Read(char* out, size_t capacity) override;
  uint64_t bytes_read() const override { return in_.bytes_read(); }
  std::vector<std::string> warnings() const override { return warnings_; }

 private:
  // Returns the bytes produced so far, keeping `error` for the next call.
  StatusOr<size_t> Fail(size_t capacity, Status error) {
    size_t produced = capacity - bz_.avail_out;
    pending_ = std::move(error);
    if (produced > 0) return produced;
    return pending_;
  }
  // After `streams_` streams: starts the next one, or ends (done_).
  Status NextStream();
  std::string Where() const {
    return "bzip2 stream " + std::to_string(streams_ + 1) + " near offset " +
           std::to_string(in_.offset());
  }
  Status Truncated() const {
    return DataLossError(
        "truncated: unexpected end of file inside bzip2 stream " +
        std::to_string(streams_ + 1) + " after " +
        std::to_string(in_.bytes_read()) + " compressed bytes");
  }

  InputWindow in_;
  bz_stream bz_{};
  bool initialized_ = false;
  Status pending_;
  bool between_streams_ = true;
  bool done_ = false;
  uint64_t streams_ = 0;
  std::vector<std::string> warnings_;
};

Status Bzip2Stream::NextStream() {
  if (Status s = in_.Ensure(4); !s.ok()) return s;
  const unsigned char* p = in_.data();
  const size_t n = in_.size();
  if (n == 0) {
    if (streams_ == 0) {
      return DataLossError("empty file: 0 bytes, expected bzip2 data");
    }
    done_ = true;
    return OkStatus();
  }
  const bool header = n >= 4 && p[0] == 'B' && p[1] == 'Z' && p[2] == 'h' &&
                      p[3] >= '1' && p[3] <= '9';
  if (!header) {
    // The file ends inside what could be a stream header: bzip2 calls
    // that truncated too.
    const std::string magic = "BZh";
    if (n < 4 &&
        magic.compare(0, n, reinterpret_cast<const char*>(p), n) == 0) {
      return Truncated();
    }
    if (streams_ == 0) {
      return DataLossError("not bzip2: no bzip2 stream header at offset 0");
    }
    // bzip2 keeps what it decoded and warns, for zero bytes too.
    warnings_.push_back("trailing garbage after bzip2 stream " +
                        std::to_string(streams_) + " at offset " +
                        std::to_string(in_.offset()) + " ignored");
    done_ = true;
    return OkStatus();
  }
  if (initialized_) {
    BZ2_bzDecompressEnd(&bz_);
    initialized_ = false;
  }
  int ret = BZ2_bzDecompressInit(&bz_, 0, 0);
  if (ret == BZ_MEM_ERROR) {
    return ResourceExhaustedError("out of memory starting a bzip2 decoder");
  }
  if (ret != BZ_OK) {
    return InternalError("BZ2_bzDecompressInit returned " +
                         std::to_string(ret));
  }
  initialized_ = true;
  between_streams_ = false;
  return OkStatus();
}

StatusOr<size_t> Bzip2Stream::Read(char* out, size_t capacity) {
  if (!pending_.ok()) return pending_;
  // bzip2 counts in unsigned int.
  if (capacity > (1u << 30)) capacity = 1u << 30;
  bz_.next_out = out;
  bz_.avail_out = static_cast<unsigned int>(capacity);
  while (bz_.avail_out > 0 && !done_) {
    if (between_streams_) {
      if (Status s = NextStream(); !s.ok()) return Fail(capacity, s);
      continue;
    }
    if (Status s = in_.Fill(); !s.ok()) return Fail(capacity, s);
    const size_t in_before = in_.size();
    const unsigned int out_before = bz_.avail_out;
    bz_.next_in = const_cast<char*>(reinterpret_cast<const char*>(in_.data()));
    bz_.avail_in = static_cast<unsigned int>(in_before);
    int ret = BZ2_bzDecompress(&bz_);
    in_.Consume(in_before - bz_.avail_in);
    switch (ret) {
      case BZ_OK:
        // With no input left, a call that produced nothing will never
        // finish the stream.
        if (in_before == 0 && in_.eof() && bz_.avail_out == out_before) {
          return Fail(capacity, Truncated());
        }
        break;
      case BZ_STREAM_END:
        ++streams_;
        between_streams_ = true;
        break;
      case BZ_MEM_ERROR:
        return Fail(capacity, ResourceExhaustedError("out of memory decoding " +
                                                     Where()));
      case BZ_DATA_ERROR:
        return Fail(capacity,
                    DataLossError("corrupt " + Where() +
                                  ": data integrity error (a CRC mismatch or "
                                  "a corrupt block)"));
      case BZ_DATA_ERROR_MAGIC:
        return Fail(capacity, DataLossError("corrupt " + Where() +
                                            ": bad stream header"));
      default:
        return Fail(capacity, InternalError("BZ2_bzDecompress returned " +
                                            std::to_string(ret)));
    }
  }
  return capacity - bz_.avail_out;
}

}  // namespace

std::unique_ptr<ByteStream> MakeBzip2Stream(std::unique_ptr<ByteStream> source,
                                            InflateScratch& scratch,
                                            size_t prefilled) {
  return std::make_unique<Bzip2Stream>(std::move(source), scratch.input(),
                                       prefilled);
}

}  // namespace logsweep::common
