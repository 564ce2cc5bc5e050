#pragma once

#include <memory>
#include <vector>

#include "common/byte_stream.h"

namespace logsweep::common {

// Which library inflates gzip data. Both give identical bytes and errors
// of the same codes; ISA-L is about twice as fast where it is built in.
enum class InflateBackend { kZlib, kIsal };

// True when this build has the ISA-L backend.
bool IsalAvailable();
// ISA-L when built in, else zlib.
InflateBackend DefaultInflateBackend();
const char* InflateBackendName(InflateBackend backend);

// Inflates a gzip stream of one or more members (as `zcat` does), checking
// every member's CRC-32 and length. Streams: memory is bounded by the two
// buffers whatever the file inflates to. Owns its source; one thread.
//
// Read errors: DataLoss naming the problem and compressed offset (not gzip,
// corrupt deflate data, CRC or length mismatch, truncated member, trailing
// garbage), ResourceExhausted (out of memory), or the source's errors.
std::unique_ptr<ByteStream> MakeGzipStream(std::unique_ptr<ByteStream> source,
                                           InflateBackend backend);

}  // namespace logsweep::common
