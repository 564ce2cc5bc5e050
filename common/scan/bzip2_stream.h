#pragma once

#include <cstddef>
#include <memory>

#include "common/scan/byte_stream.h"
#include "common/scan/gzip_stream.h"

namespace logsweep::common {

// Decodes a bzip2 file of one or more streams (as `bzip2 -dc` does),
// verifying every block's CRC and each stream's combined CRC. After a
// stream, bytes that do not start another ("BZh1".."BZh9") end the file
// with a warning (warnings()) naming their offset, zero bytes included, as
// bzip2 does ("trailing garbage after EOF ignored"); docs/formats.md.
// Streams: memory is the input buffer plus the decoder's (under 4 MiB).
// Owns `source`; `scratch` is borrowed for its input buffer, whose first
// `prefilled` bytes were already read from `source`. One thread.
//
// Read errors: DataLoss naming the stream and compressed offset (truncated,
// a CRC mismatch or corrupt block, a bad stream header), ResourceExhausted
// (out of memory), or the source's errors. The text decoded before an
// error is returned first.
std::unique_ptr<ByteStream> MakeBzip2Stream(std::unique_ptr<ByteStream> source,
                                            InflateScratch& scratch,
                                            size_t prefilled = 0);

}  // namespace logsweep::common
