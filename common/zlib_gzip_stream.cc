#include <zlib.h>

#include <cstring>
#include <string>
#include <vector>

#include "common/gzip_stream.h"
#include "common/gzip_stream_internal.h"

namespace logsweep::common {
namespace {

// zlib backend of MakeGzipStream.
class ZlibGzipStream : public ByteStream {
 public:
  ZlibGzipStream(std::unique_ptr<ByteStream> source,
                 std::vector<unsigned char>& input)
      : source_(std::move(source)), in_(input) {
    // 15 + 16: a gzip wrapper is required (no raw deflate, no zlib header).
    init_ = inflateInit2(&zs_, 15 + 16);
  }
  ~ZlibGzipStream() override {
    if (init_ == Z_OK) inflateEnd(&zs_);
  }
  ZlibGzipStream(const ZlibGzipStream&) = delete;
  ZlibGzipStream& operator=(const ZlibGzipStream&) = delete;

  StatusOr<size_t> Read(char* out, size_t capacity) override;
  uint64_t bytes_read() const override { return source_->bytes_read(); }

 private:
  // Refills the input buffer when it is empty. Sets eof_ at the end.
  Status Fill();
  // Returns the bytes produced so far, keeping `error` for the next call,
  // so text inflated before a corrupt or truncated spot is still scanned.
  StatusOr<size_t> Fail(size_t capacity, Status error) {
    size_t produced = capacity - zs_.avail_out;
    pending_ = std::move(error);
    if (produced > 0) return produced;
    return pending_;
  }
  uint64_t Offset() const { return source_->bytes_read() - zs_.avail_in; }

  std::unique_ptr<ByteStream> source_;
  std::vector<unsigned char>& in_;  // borrowed from InflateScratch
  z_stream zs_{};
  int init_ = Z_OK;
  bool eof_ = false;
  Status pending_;               // error to return on the next Read
  bool between_members_ = true;  // before the first or after a finished one
  uint64_t members_ = 0;
};

Status ZlibGzipStream::Fill() {
  if (zs_.avail_in > 0 || eof_) return OkStatus();
  StatusOr<size_t> n =
      source_->Read(reinterpret_cast<char*>(in_.data()), in_.size());
  if (!n.ok()) return n.status();
  zs_.next_in = in_.data();
  zs_.avail_in = static_cast<uInt>(*n);
  if (*n == 0) eof_ = true;
  return OkStatus();
}

StatusOr<size_t> ZlibGzipStream::Read(char* out, size_t capacity) {
  if (!pending_.ok()) return pending_;
  if (init_ != Z_OK) return ResourceExhaustedError("inflateInit failed");
  zs_.next_out = reinterpret_cast<Bytef*>(out);
  zs_.avail_out = static_cast<uInt>(capacity);
  while (zs_.avail_out > 0) {
    if (Status s = Fill(); !s.ok()) return Fail(capacity, s);
    if (between_members_) {
      if (zs_.avail_in == 0) {
        if (members_ == 0)
          return Fail(capacity, DataLossError(EmptyGzipMessage()));
        break;  // clean end after the last member
      }
      if (zs_.next_in[0] != kGzipMagic0) {
        return Fail(capacity,
                    DataLossError(NotAMemberMessage(members_, Offset())));
      }
      if (members_ > 0 && inflateReset(&zs_) != Z_OK) {
        return Fail(capacity, InternalError("inflateReset failed"));
      }
      between_members_ = false;
    }
    if (zs_.avail_in == 0) {
      return Fail(capacity,
                  DataLossError(TruncatedMessage(members_, Offset())));
    }
    int ret = inflate(&zs_, Z_NO_FLUSH);
    if (ret == Z_STREAM_END) {
      ++members_;
      between_members_ = true;
    } else if (ret == Z_MEM_ERROR) {
      return Fail(capacity,
                  ResourceExhaustedError("out of memory while inflating"));
    } else if (ret == Z_DATA_ERROR || ret == Z_NEED_DICT) {
      return Fail(capacity,
                  DataLossError(CorruptMessage(
                      members_, Offset(), zs_.msg ? zs_.msg : "data error")));
    } else if (ret != Z_OK && ret != Z_BUF_ERROR) {
      return Fail(capacity,
                  InternalError("inflate returned " + std::to_string(ret)));
    }
  }
  return capacity - zs_.avail_out;
}

}  // namespace

std::unique_ptr<ByteStream> MakeZlibGzipStream(
    std::unique_ptr<ByteStream> source, std::vector<unsigned char>& input) {
  return std::make_unique<ZlibGzipStream>(std::move(source), input);
}

}  // namespace logsweep::common
