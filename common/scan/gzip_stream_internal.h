#pragma once

// Shared by the gzip backends so they read the same bytes, apply the same
// rules between members and report problems with the same words. Not part
// of the public interface.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/scan/byte_stream.h"
#include "common/scan/gzip_stream.h"
#include "common/scan/input_window.h"

namespace logsweep::common {

inline constexpr unsigned char kGzipMagic0 = 0x1f;
inline constexpr unsigned char kGzipMagic1 = 0x8b;
// Compressed bytes read per call; large enough that syscalls do not matter.
inline constexpr size_t kInputBufferBytes = 256 * 1024;

inline std::string EmptyGzipMessage() {
  return "empty file: 0 bytes, expected gzip data";
}
inline std::string TruncatedMessage(uint64_t members, uint64_t offset) {
  return "truncated: unexpected end of file inside gzip member " +
         std::to_string(members + 1) + " after " + std::to_string(offset) +
         " compressed bytes";
}
inline std::string CorruptMessage(uint64_t members, uint64_t offset,
                                  const std::string& what) {
  return "corrupt gzip member " + std::to_string(members + 1) +
         " near offset " + std::to_string(offset) + ": " + what;
}

// What follows a member boundary (the start of the file, or the end of a
// verified member).
enum class GzipNext { kMember, kEnd };

// Looks at the bytes after `members` verified members (RFC 1952 and GNU
// gzip's rules, docs/formats.md): the gzip magic starts a member, whose
// fixed header is checked here (method 8, no reserved FLG bit) so both
// backends reject the same headers; zero bytes up to the end of the file
// are padding; anything else after a member ends the stream with a warning
// appended to `warnings`. Errors: DataLoss (not gzip, a truncated or bad
// member header, an empty file), the source's errors. `member_end` is set
// to the source offset where the last verified member ended (before any
// padding or garbage), for ByteStream::data_end.
StatusOr<GzipNext> NextGzipMember(InputWindow& in, uint64_t members,
                                  std::vector<std::string>& warnings,
                                  uint64_t& member_end);

std::unique_ptr<ByteStream> MakeZlibGzipStream(
    std::unique_ptr<ByteStream> source, std::vector<unsigned char>& input,
    size_t prefilled);
std::unique_ptr<ByteStream> MakeIsalGzipStream(
    std::unique_ptr<ByteStream> source, std::vector<unsigned char>& input,
    size_t prefilled, IsalState& state);
IsalState* NewIsalState();
void DeleteIsalState(IsalState* state);

}  // namespace logsweep::common
