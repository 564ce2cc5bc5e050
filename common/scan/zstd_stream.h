#pragma once

#include <cstddef>
#include <memory>

#include "common/scan/byte_stream.h"
#include "common/scan/gzip_stream.h"

namespace logsweep::common {

// Largest zstd window decoded: 2^27 = 128 MiB, zstd's own default limit (a
// frame made with --long=31 needs `zstd -d --memory=2048MB` there, and is
// refused here). Bounds the memory a hostile frame header can ask for.
inline constexpr int kZstdWindowLogMax = 27;

// Decodes a zstd file of one or more frames (as `zstd -dc` does): skippable
// frames are skipped, each frame's content checksum (when the frame has
// one) and content size (when declared) are verified. Streams: memory is
// the input buffer plus one window (at most 128 MiB, usually 1-8 MiB).
// After the last frame the file must end: any other byte, zeros included,
// is an error, as in zstd (docs/formats.md). Owns `source`; `scratch` is
// borrowed for its input buffer, whose first `prefilled` bytes were already
// read from `source`. One thread.
//
// Read errors: DataLoss naming the frame and compressed offset (a truncated
// or corrupt frame, a checksum or size mismatch, trailing bytes that are
// not a frame), ResourceExhausted (a window over 128 MiB, out of memory),
// or the source's errors. The text decoded before an error is returned
// first.
std::unique_ptr<ByteStream> MakeZstdStream(std::unique_ptr<ByteStream> source,
                                           InflateScratch& scratch,
                                           size_t prefilled = 0);

}  // namespace logsweep::common
