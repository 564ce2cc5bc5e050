#pragma once

// Shared by the gzip backends so they report the same problems with the
// same words. Not part of the public interface.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/byte_stream.h"
#include "common/gzip_stream.h"

namespace logsweep::common {

inline constexpr unsigned char kGzipMagic0 = 0x1f;
inline constexpr unsigned char kGzipMagic1 = 0x8b;
// Compressed bytes read per call; large enough that syscalls do not matter.
inline constexpr size_t kInputBufferBytes = 256 * 1024;

inline std::string EmptyGzipMessage() {
  return "empty file: 0 bytes, expected gzip data";
}
inline std::string NotAMemberMessage(uint64_t members, uint64_t offset) {
  return members == 0
             ? "not gzip: no gzip header at offset 0"
             : "trailing garbage after gzip member " + std::to_string(members) +
                   " at offset " + std::to_string(offset);
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

std::unique_ptr<ByteStream> MakeZlibGzipStream(
    std::unique_ptr<ByteStream> source, std::vector<unsigned char>& input);
std::unique_ptr<ByteStream> MakeIsalGzipStream(
    std::unique_ptr<ByteStream> source, std::vector<unsigned char>& input,
    IsalState& state);
IsalState* NewIsalState();
void DeleteIsalState(IsalState* state);

}  // namespace logsweep::common
