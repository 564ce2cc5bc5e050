#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "common/scan/byte_stream.h"
#include "common/scan/gzip_stream.h"

namespace logsweep::common {

// Most memory an xz stream may need to be decoded: 128 MiB, room for every
// xz preset (-9 needs 65 MiB) while a hostile header cannot ask for 4 GiB.
inline constexpr uint64_t kXzMemoryLimit = 128u << 20;

// Decodes an .xz file of one or more streams (as `xz -dc` does), verifying
// every block's integrity check (CRC-32, CRC-64 or SHA-256, whichever the
// stream declares) and the index's sizes. Between and after streams, stream
// padding (zero bytes, a multiple of four) is allowed; anything else after
// a stream is an error, as in xz (docs/formats.md). Streams: memory is the
// input buffer plus the decoder's dictionary (at most kXzMemoryLimit).
// Owns `source`; `scratch` is borrowed for its input buffer, whose first
// `prefilled` bytes were already read from `source`. One thread.
//
// Read errors: DataLoss naming the stream and compressed offset (truncated,
// corrupt data, a check mismatch, an unsupported check type, bad padding,
// trailing bytes that are not a stream), ResourceExhausted (over the memory
// limit, out of memory), or the source's errors. The text decoded before
// an error is returned first.
std::unique_ptr<ByteStream> MakeXzStream(std::unique_ptr<ByteStream> source,
                                         InflateScratch& scratch,
                                         size_t prefilled = 0);

}  // namespace logsweep::common
