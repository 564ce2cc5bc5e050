#include "common/scan/zstd_stream.h"

#include <zstd.h>
#include <zstd_errors.h>

#include <algorithm>
#include <string>
#include <vector>

#include "common/scan/input_window.h"

namespace logsweep::common {
namespace {

bool IsFrameMagic(const unsigned char* p) {
  return p[0] == 0x28 && p[1] == 0xb5 && p[2] == 0x2f && p[3] == 0xfd;
}
bool IsSkippableMagic(const unsigned char* p) {
  return (p[0] & 0xf0) == 0x50 && p[1] == 0x2a && p[2] == 0x4d && p[3] == 0x18;
}
uint32_t LittleEndian32(const unsigned char* p) {
  return static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 |
         static_cast<uint32_t>(p[2]) << 16 | static_cast<uint32_t>(p[3]) << 24;
}

class ZstdStream : public ByteStream {
 public:
  ZstdStream(std::unique_ptr<ByteStream> source,
             std::vector<unsigned char>& input, size_t prefilled)
      : in_(std::move(source), input, prefilled), dctx_(ZSTD_createDCtx()) {
    if (dctx_ != nullptr) {
      ZSTD_DCtx_setParameter(dctx_, ZSTD_d_windowLogMax, kZstdWindowLogMax);
    }
  }
  ~ZstdStream() override { ZSTD_freeDCtx(dctx_); }
  ZstdStream(const ZstdStream&) = delete;
  ZstdStream& operator=(const ZstdStream&) = delete;

  StatusOr<size_t> Read(char* out, size_t capacity) override;
  uint64_t bytes_read() const override { return in_.bytes_read(); }

 private:
  enum class State { kBetweenFrames, kInFrame, kSkipping, kDone };

  // Returns the bytes produced so far, keeping `error` for the next call.
  StatusOr<size_t> Fail(size_t produced, Status error) {
    pending_ = std::move(error);
    if (produced > 0) return produced;
    return pending_;
  }
  // Reads the next frame's magic: moves to kInFrame, kSkipping or kDone.
  Status StartFrame();
  // Consumes what is left of a skippable frame's payload.
  Status Skip();
  Status Truncated() const {
    return DataLossError(
        "truncated: unexpected end of file inside zstd frame " +
        std::to_string(frames_ + 1) + " after " +
        std::to_string(in_.bytes_read()) + " compressed bytes");
  }

  InputWindow in_;
  ZSTD_DCtx* dctx_;
  State state_ = State::kBetweenFrames;
  Status pending_;
  uint64_t frames_ = 0;     // frames (skippable ones too) finished
  uint64_t skip_left_ = 0;  // payload bytes of a skippable frame
};

Status ZstdStream::StartFrame() {
  if (Status s = in_.Ensure(8); !s.ok()) return s;
  if (in_.size() == 0) {
    if (frames_ == 0) {
      return DataLossError("empty file: 0 bytes, expected zstd data");
    }
    state_ = State::kDone;
    return OkStatus();
  }
  const unsigned char* p = in_.data();
  if (in_.size() >= 4 && IsFrameMagic(p)) {
    state_ = State::kInFrame;
    return OkStatus();
  }
  if (in_.size() >= 4 && IsSkippableMagic(p)) {
    if (in_.size() < 8) return Truncated();
    skip_left_ = LittleEndian32(p + 4);
    in_.Consume(8);
    state_ = State::kSkipping;
    return OkStatus();
  }
  if (frames_ == 0) return DataLossError("not zstd: no zstd frame at offset 0");
  // zstd -d fails on anything after the last frame, zero bytes included.
  return DataLossError("trailing data after zstd frame " +
                       std::to_string(frames_) + " at offset " +
                       std::to_string(in_.offset()) + " is not a zstd frame");
}

Status ZstdStream::Skip() {
  while (skip_left_ > 0) {
    if (Status s = in_.Fill(); !s.ok()) return s;
    if (in_.size() == 0) return Truncated();
    size_t n = static_cast<size_t>(
        std::min<uint64_t>(skip_left_, static_cast<uint64_t>(in_.size())));
    in_.Consume(n);
    skip_left_ -= n;
  }
  ++frames_;
  state_ = State::kBetweenFrames;
  return OkStatus();
}

StatusOr<size_t> ZstdStream::Read(char* out, size_t capacity) {
  if (!pending_.ok()) return pending_;
  if (dctx_ == nullptr) {
    return ResourceExhaustedError("out of memory creating a zstd decoder");
  }
  ZSTD_outBuffer output{out, capacity, 0};
  while (output.pos < output.size && state_ != State::kDone) {
    if (state_ == State::kBetweenFrames) {
      if (Status s = StartFrame(); !s.ok()) return Fail(output.pos, s);
      continue;
    }
    if (state_ == State::kSkipping) {
      if (Status s = Skip(); !s.ok()) return Fail(output.pos, s);
      continue;
    }
    if (Status s = in_.Fill(); !s.ok()) return Fail(output.pos, s);
    ZSTD_inBuffer input{in_.data(), in_.size(), 0};
    const size_t out_before = output.pos;
    const size_t ret = ZSTD_decompressStream(dctx_, &output, &input);
    in_.Consume(input.pos);
    if (ZSTD_isError(ret)) {
      const ZSTD_ErrorCode code = ZSTD_getErrorCode(ret);
      const std::string where = "zstd frame " + std::to_string(frames_ + 1) +
                                " near offset " + std::to_string(in_.offset());
      if (code == ZSTD_error_frameParameter_windowTooLarge) {
        return Fail(output.pos,
                    ResourceExhaustedError(
                        where + " needs a window over 128 MiB (zstd -d "
                                "refuses it too without --memory)"));
      }
      if (code == ZSTD_error_memory_allocation) {
        return Fail(output.pos,
                    ResourceExhaustedError("out of memory decoding " + where));
      }
      return Fail(output.pos, DataLossError("corrupt " + where + ": " +
                                            ZSTD_getErrorName(ret)));
    }
    if (ret == 0) {
      // The frame is complete, verified and flushed.
      ++frames_;
      state_ = State::kBetweenFrames;
    } else if (input.size == 0 && in_.eof() && output.pos == out_before) {
      return Fail(output.pos, Truncated());
    }
  }
  return output.pos;
}

}  // namespace

std::unique_ptr<ByteStream> MakeZstdStream(std::unique_ptr<ByteStream> source,
                                           InflateScratch& scratch,
                                           size_t prefilled) {
  return std::make_unique<ZstdStream>(std::move(source), scratch.input(),
                                      prefilled);
}

}  // namespace logsweep::common
