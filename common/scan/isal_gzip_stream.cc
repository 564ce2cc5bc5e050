// ISA-L backend of MakeGzipStream. Compiled only when libisal is found.
#include <isa-l/igzip_lib.h>

#include <string>
#include <vector>

#include "common/scan/gzip_stream_internal.h"

namespace logsweep::common {
namespace {

const char* IsalErrorName(int ret) {
  switch (ret) {
    case ISAL_INVALID_BLOCK:
      return "invalid deflate block";
    case ISAL_INVALID_SYMBOL:
      return "invalid deflate symbol";
    case ISAL_INVALID_LOOKBACK:
      return "invalid distance too far back";
    case ISAL_INVALID_WRAPPER:
      return "invalid gzip header";
    case ISAL_UNSUPPORTED_METHOD:
      return "unknown compression method";
    case ISAL_INCORRECT_CHECKSUM:
      return "incorrect data check (CRC-32 or length mismatch)";
    case ISAL_NEED_DICT:
      return "needs a preset dictionary";
    default:
      return "inflate error";
  }
}

}  // namespace

struct IsalState {
  inflate_state state;
};

IsalState* NewIsalState() { return new IsalState; }
void DeleteIsalState(IsalState* state) { delete state; }

namespace {

class IsalGzipStream : public ByteStream {
 public:
  IsalGzipStream(std::unique_ptr<ByteStream> source,
                 std::vector<unsigned char>& input, size_t prefilled,
                 IsalState& state)
      : in_(std::move(source), input, prefilled), state_(&state.state) {
    isal_inflate_init(state_);
    state_->crc_flag = ISAL_GZIP;  // parse the header, verify the trailer
  }
  IsalGzipStream(const IsalGzipStream&) = delete;
  IsalGzipStream& operator=(const IsalGzipStream&) = delete;

  StatusOr<size_t> Read(char* out, size_t capacity) override;
  uint64_t bytes_read() const override { return in_.bytes_read(); }
  std::vector<std::string> warnings() const override { return warnings_; }
  uint64_t data_end() const override { return member_end_; }

 private:
  // Returns the bytes produced so far, keeping `error` for the next call,
  // so text inflated before a corrupt or truncated spot is still scanned.
  StatusOr<size_t> Fail(size_t capacity, Status error) {
    size_t produced = capacity - state_->avail_out;
    pending_ = std::move(error);
    if (produced > 0) return produced;
    return pending_;
  }

  InputWindow in_;
  inflate_state* state_;  // borrowed from InflateScratch
  Status pending_;        // error to return on the next Read
  bool between_members_ = true;
  bool done_ = false;  // past the last member
  uint64_t members_ = 0;
  uint64_t member_end_ = 0;  // source offset after the last member
  std::vector<std::string> warnings_;
};

StatusOr<size_t> IsalGzipStream::Read(char* out, size_t capacity) {
  if (!pending_.ok()) return pending_;
  state_->next_out = reinterpret_cast<uint8_t*>(out);
  state_->avail_out = static_cast<uint32_t>(capacity);
  while (state_->avail_out > 0 && !done_) {
    if (between_members_) {
      StatusOr<GzipNext> next =
          NextGzipMember(in_, members_, warnings_, member_end_);
      if (!next.ok()) return Fail(capacity, next.status());
      if (*next == GzipNext::kEnd) {
        done_ = true;
        break;
      }
      if (members_ > 0) {
        // Reset clears the output pointers and flags; keep our output.
        uint8_t* next_out = state_->next_out;
        uint32_t avail_out = state_->avail_out;
        isal_inflate_reset(state_);
        state_->crc_flag = ISAL_GZIP;
        state_->next_out = next_out;
        state_->avail_out = avail_out;
      }
      between_members_ = false;
    }
    if (Status s = in_.Fill(); !s.ok()) return Fail(capacity, s);
    const uint32_t out_before = state_->avail_out;
    const uint32_t in_before = static_cast<uint32_t>(in_.size());
    state_->next_in = const_cast<uint8_t*>(in_.data());
    state_->avail_in = in_before;
    int ret = isal_inflate(state_);
    in_.Consume(in_before - state_->avail_in);
    if (ret < 0 || ret == ISAL_NEED_DICT) {
      return Fail(capacity, DataLossError(CorruptMessage(members_, in_.offset(),
                                                         IsalErrorName(ret))));
    }
    if (state_->block_state == ISAL_BLOCK_FINISH) {
      ++members_;
      between_members_ = true;
    } else if (in_before == 0 && in_.eof() && state_->avail_out == out_before) {
      // No input left, nothing more to flush, member unfinished: the file
      // ended early. (With input exhausted but output still buffered inside
      // ISA-L, the call above made progress, so this does not fire.)
      return Fail(capacity,
                  DataLossError(TruncatedMessage(members_, in_.bytes_read())));
    }
  }
  return capacity - state_->avail_out;
}

}  // namespace

std::unique_ptr<ByteStream> MakeIsalGzipStream(
    std::unique_ptr<ByteStream> source, std::vector<unsigned char>& input,
    size_t prefilled, IsalState& state) {
  return std::make_unique<IsalGzipStream>(std::move(source), input, prefilled,
                                          state);
}

}  // namespace logsweep::common
