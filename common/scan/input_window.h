#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "common/base/status.h"
#include "common/scan/byte_stream.h"

namespace logsweep::common {

// The compressed input of a decoding stream: a borrowed buffer refilled from
// the source it owns, with the unconsumed bytes at [data(), data() +
// size()). Decoders hand that range to their library and Consume what it
// took, and look ahead at member or frame boundaries with Ensure. Owned by
// one thread, like the stream that holds it.
class InputWindow {
 public:
  // `buffer` (borrowed, not empty) must outlive the window. Its first
  // `prefilled` bytes were already read from `source` (OpenLogFile reads
  // them to detect the format) and are the first input.
  InputWindow(std::unique_ptr<ByteStream> source,
              std::vector<unsigned char>& buffer, size_t prefilled = 0)
      : source_(std::move(source)), buffer_(buffer), end_(prefilled) {}
  InputWindow(const InputWindow&) = delete;
  InputWindow& operator=(const InputWindow&) = delete;

  const unsigned char* data() const { return buffer_.data() + begin_; }
  size_t size() const { return end_ - begin_; }
  // The source has ended: what is buffered is all there is.
  bool eof() const { return eof_; }

  // When nothing is buffered, reads once more (sets eof() at the end).
  // Errors: the source's.
  Status Fill();
  // Reads until at least `n` (<= buffer size) bytes are buffered or the
  // source ends, moving the unconsumed bytes to the buffer's front first.
  // Errors: the source's.
  Status Ensure(size_t n);
  void Consume(size_t n) { begin_ += n; }

  // The compressed offset of data()[0] in the file.
  uint64_t offset() const { return source_->bytes_read() - size(); }
  uint64_t bytes_read() const { return source_->bytes_read(); }

 private:
  std::unique_ptr<ByteStream> source_;
  std::vector<unsigned char>& buffer_;
  size_t begin_ = 0;
  size_t end_;
  bool eof_ = false;
};

}  // namespace logsweep::common
