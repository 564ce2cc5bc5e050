#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/scan/byte_stream.h"

namespace logsweep::common {

// Which library inflates gzip data. Both give identical bytes and errors
// of the same codes; ISA-L is about twice as fast where it is built in.
enum class InflateBackend { kZlib, kIsal };

// True when this build has the ISA-L backend.
bool IsalAvailable();
// ISA-L when built in, else zlib.
InflateBackend DefaultInflateBackend();
const char* InflateBackendName(InflateBackend backend);
// The backend named by an --inflate flag ("zlib" or "isal"; empty: the
// default). Errors: InvalidArgument for another name, or "isal" in a build
// without ISA-L.
StatusOr<InflateBackend> ParseInflateBackend(const std::string& name);

struct IsalState;  // ISA-L's inflate state (87 KiB); opaque here

// The memory a decompressing stream works in: the compressed-input buffer
// (every format) and, for ISA-L, its state. A thread that scans many files
// keeps one and lends it to each stream in turn, so a small file does not pay
// for allocating (and the kernel for mapping and zeroing) a quarter megabyte.
// One stream at a time; owned by one thread.
class InflateScratch {
 public:
  InflateScratch();
  ~InflateScratch();
  InflateScratch(const InflateScratch&) = delete;
  InflateScratch& operator=(const InflateScratch&) = delete;

  std::vector<unsigned char>& input() { return input_; }
  // Null in a build without ISA-L.
  IsalState* isal() { return isal_.get(); }

 private:
  struct IsalDeleter {
    void operator()(IsalState* s) const;
  };
  std::vector<unsigned char> input_;
  std::unique_ptr<IsalState, IsalDeleter> isal_;
};

// Inflates a gzip stream of one or more members (as `zcat` does), checking
// every member's CRC-32 and length. Streams: memory is bounded by the two
// buffers whatever the file inflates to. Owns its source; one thread.
// After the last member, zero bytes to the end of the file are ignored, and
// other bytes end the stream with a warning (warnings()) naming their offset,
// as GNU gzip does (docs/formats.md).
//
// Read errors: DataLoss naming the member and compressed offset (not gzip,
// a bad member header: unknown method or reserved FLG bits, corrupt deflate
// data, CRC or length mismatch, truncated member), ResourceExhausted (out of
// memory), or the source's errors. The text inflated before an error is
// returned first. `scratch` is borrowed and must outlive the stream; the
// first `prefilled` bytes of scratch.input() were already read from
// `source` and are inflated first.
std::unique_ptr<ByteStream> MakeGzipStream(std::unique_ptr<ByteStream> source,
                                           InflateBackend backend,
                                           InflateScratch& scratch,
                                           size_t prefilled = 0);

}  // namespace logsweep::common
