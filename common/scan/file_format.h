#pragma once

// Which format a file holds, decided by its content (magic bytes), and
// whether logsweep reads it. The rules are in docs/formats.md.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "common/base/status.h"

namespace logsweep::common {

// What a file's first bytes say it is. The first five are read; the rest
// are recognised only so that they are refused by name instead of being
// scanned as text.
enum class FileFormat {
  kPlain,  // no known magic: read as text
  kGzip,   // 1f 8b (one or many members, BGZF)
  kZstd,   // 28 b5 2f fd, or a skippable frame 5? 2a 4d 18
  kXz,     // fd 37 7a 58 5a 00
  kBzip2,  // "BZh1".."BZh9" and a block or end-of-stream magic
  kZip,
  k7z,
  kRar,
  kTar,  // "ustar" at offset 257
  kLz4,
  kLzip,
  kLzma,  // xz-utils' legacy .lzma (5d 00 00)
  kXar,
  kCpio,
  kCompress,  // Unix compress, .Z (1f 9d)
  kLzop,
};

// "plain", "gzip", "zstd", "xz", "bzip2", "zip", "7z", "rar", "tar", "lz4",
// "lzip", "lzma", "xar", "cpio", "compress", "lzop". Stable: printed by
// `--list-files` and in error messages.
const char* FileFormatName(FileFormat format);

// True for the formats logsweep reads: plain, gzip, zstd, xz, bzip2.
bool IsReadableFormat(FileFormat format);

// How many bytes of a file's start DetectFormat needs to see (tar's magic
// lies at offset 257); fewer only when the file is shorter.
inline constexpr size_t kFormatPrefixBytes = 512;

// The format of a file that starts with `prefix` (its first
// kFormatPrefixBytes bytes, or the whole file if shorter). Never fails:
// anything unrecognised is kPlain, and so is an empty file.
FileFormat DetectFormat(std::string_view prefix);

// The format a file name promises by its last suffix, case-insensitively:
// .gz .tgz: gzip; .zst .zstd .tzst: zstd; .xz .txz: xz; .bz2 .bz .tbz
// .tbz2: bzip2; .zip .7z .rar .tar .lz4 .lz .lzma .xar .cpio .lzo: those.
// nullopt for any other name (.log, .1, -20261031, .txt ...).
std::optional<FileFormat> FormatPromisedByName(std::string_view path);

// Whether a scan reads a file named `path` whose first bytes are `prefix`
// (as for DetectFormat). OK, or the per-file error the scan gives (without
// the path; the caller adds it):
//  - InvalidArgument "unsupported format: zip": the content is a format
//    logsweep does not read, whatever the name says;
//  - DataLoss "empty file: 0 bytes, expected gzip data": an empty file
//    whose name promises a compressed format;
//  - DataLoss "not gzip: the name says gzip, the content is plain text":
//    the name promises one format and the content is another.
Status CheckFormat(std::string_view path, std::string_view prefix);
// The same for content already detected: `content` is DetectFormat(prefix)
// and `empty` says whether the file is empty.
Status CheckFormat(std::string_view path, FileFormat content, bool empty);

// Opens `path` and detects its format from its first bytes, without
// judging the name (see CheckFormat). Errors: those of FileSource::Open
// (NotFound, PermissionDenied, InvalidArgument for a directory or a
// special file) and of reading (PermissionDenied, Unavailable).
StatusOr<FileFormat> DetectFileFormat(const std::string& path);

}  // namespace logsweep::common
