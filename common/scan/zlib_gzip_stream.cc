#include <zlib.h>

#include <string>
#include <vector>

#include "common/scan/gzip_stream.h"
#include "common/scan/gzip_stream_internal.h"

namespace logsweep::common {
namespace {

// zlib backend of MakeGzipStream.
class ZlibGzipStream : public ByteStream {
 public:
  ZlibGzipStream(std::unique_ptr<ByteStream> source,
                 std::vector<unsigned char>& input, size_t prefilled)
      : in_(std::move(source), input, prefilled) {
    // 15 + 16: a gzip wrapper is required (no raw deflate, no zlib header).
    init_ = inflateInit2(&zs_, 15 + 16);
  }
  ~ZlibGzipStream() override {
    if (init_ == Z_OK) inflateEnd(&zs_);
  }
  ZlibGzipStream(const ZlibGzipStream&) = delete;
  ZlibGzipStream& operator=(const ZlibGzipStream&) = delete;

  StatusOr<size_t> Read(char* out, size_t capacity) override;
  uint64_t bytes_read() const override { return in_.bytes_read(); }
  std::vector<std::string> warnings() const override { return warnings_; }
  uint64_t data_end() const override { return member_end_; }

 private:
  // Returns the bytes produced so far, keeping `error` for the next call,
  // so text inflated before a corrupt or truncated spot is still scanned.
  StatusOr<size_t> Fail(size_t capacity, Status error) {
    size_t produced = capacity - zs_.avail_out;
    pending_ = std::move(error);
    if (produced > 0) return produced;
    return pending_;
  }

  InputWindow in_;
  z_stream zs_{};
  int init_ = Z_OK;
  Status pending_;               // error to return on the next Read
  bool between_members_ = true;  // before the first or after a finished one
  bool done_ = false;            // past the last member
  uint64_t members_ = 0;
  uint64_t member_end_ = 0;  // source offset after the last member
  std::vector<std::string> warnings_;
};

StatusOr<size_t> ZlibGzipStream::Read(char* out, size_t capacity) {
  if (!pending_.ok()) return pending_;
  if (init_ != Z_OK) return ResourceExhaustedError("inflateInit failed");
  zs_.next_out = reinterpret_cast<Bytef*>(out);
  zs_.avail_out = static_cast<uInt>(capacity);
  while (zs_.avail_out > 0 && !done_) {
    if (between_members_) {
      StatusOr<GzipNext> next =
          NextGzipMember(in_, members_, warnings_, member_end_);
      if (!next.ok()) return Fail(capacity, next.status());
      if (*next == GzipNext::kEnd) {
        done_ = true;
        break;
      }
      if (members_ > 0 && inflateReset(&zs_) != Z_OK) {
        return Fail(capacity, InternalError("inflateReset failed"));
      }
      between_members_ = false;
    }
    if (Status s = in_.Fill(); !s.ok()) return Fail(capacity, s);
    if (in_.size() == 0) {
      return Fail(capacity,
                  DataLossError(TruncatedMessage(members_, in_.bytes_read())));
    }
    zs_.next_in = const_cast<Bytef*>(in_.data());
    zs_.avail_in = static_cast<uInt>(in_.size());
    int ret = inflate(&zs_, Z_NO_FLUSH);
    in_.Consume(in_.size() - zs_.avail_in);
    if (ret == Z_STREAM_END) {
      ++members_;
      between_members_ = true;
    } else if (ret == Z_MEM_ERROR) {
      return Fail(capacity,
                  ResourceExhaustedError("out of memory while inflating"));
    } else if (ret == Z_DATA_ERROR || ret == Z_NEED_DICT) {
      return Fail(capacity, DataLossError(CorruptMessage(
                                members_, in_.offset(),
                                zs_.msg ? zs_.msg : "data error")));
    } else if (ret != Z_OK && ret != Z_BUF_ERROR) {
      return Fail(capacity,
                  InternalError("inflate returned " + std::to_string(ret)));
    }
  }
  return capacity - zs_.avail_out;
}

}  // namespace

std::unique_ptr<ByteStream> MakeZlibGzipStream(
    std::unique_ptr<ByteStream> source, std::vector<unsigned char>& input,
    size_t prefilled) {
  return std::make_unique<ZlibGzipStream>(std::move(source), input, prefilled);
}

}  // namespace logsweep::common
