#include "common/scan/file_format.h"

#include <algorithm>
#include <cctype>
#include <memory>

#include "common/scan/file_source.h"

namespace logsweep::common {
namespace {

bool StartsWith(std::string_view s, std::string_view magic) {
  return s.size() >= magic.size() && s.compare(0, magic.size(), magic) == 0;
}

bool AllOf(std::string_view s, size_t from, size_t n, int (*pred)(int)) {
  if (s.size() < from + n) return false;
  for (size_t i = from; i < from + n; ++i) {
    if (!pred(static_cast<unsigned char>(s[i]))) return false;
  }
  return true;
}

int IsOctal(int c) { return c >= '0' && c <= '7'; }
int IsHex(int c) { return std::isxdigit(c); }

// bzip2: "BZh" and a block size digit, then the magic of the first block
// (pi) or of the end of an empty stream (sqrt(pi)). Six more bytes make
// a text that starts "BZh9" no bzip2 file.
bool IsBzip2(std::string_view p) {
  if (p.size() < 10 || !StartsWith(p, "BZh") || p[3] < '1' || p[3] > '9') {
    return false;
  }
  std::string_view block = p.substr(4, 6);
  return block == std::string_view("\x31\x41\x59\x26\x53\x59", 6) ||
         block == std::string_view("\x17\x72\x45\x38\x50\x90", 6);
}

// cpio's ASCII headers are all digits: ask for the whole header (76 octal
// digits for "odc", 110 hex digits for "newc"), so a log line that starts
// with "070707" is still a log line.
bool IsCpio(std::string_view p) {
  if (StartsWith(p, "070707")) return AllOf(p, 6, 70, IsOctal);
  if (StartsWith(p, "070701") || StartsWith(p, "070702")) {
    return AllOf(p, 6, 104, IsHex);
  }
  return StartsWith(p, std::string_view("\xc7\x71", 2)) ||
         StartsWith(p, std::string_view("\x71\xc7", 2));
}

struct Suffix {
  std::string_view suffix;
  FileFormat format;
};
constexpr Suffix kSuffixes[] = {
    {".gz", FileFormat::kGzip},    {".tgz", FileFormat::kGzip},
    {".zst", FileFormat::kZstd},   {".zstd", FileFormat::kZstd},
    {".tzst", FileFormat::kZstd},  {".xz", FileFormat::kXz},
    {".txz", FileFormat::kXz},     {".bz2", FileFormat::kBzip2},
    {".bz", FileFormat::kBzip2},   {".tbz", FileFormat::kBzip2},
    {".tbz2", FileFormat::kBzip2}, {".zip", FileFormat::kZip},
    {".7z", FileFormat::k7z},      {".rar", FileFormat::kRar},
    {".tar", FileFormat::kTar},    {".lz4", FileFormat::kLz4},
    {".lz", FileFormat::kLzip},    {".lzma", FileFormat::kLzma},
    {".xar", FileFormat::kXar},    {".cpio", FileFormat::kCpio},
    {".lzo", FileFormat::kLzop},
};

std::string Describe(FileFormat format) {
  return format == FileFormat::kPlain ? "plain text" : FileFormatName(format);
}

}  // namespace

const char* FileFormatName(FileFormat format) {
  switch (format) {
    case FileFormat::kPlain:
      return "plain";
    case FileFormat::kGzip:
      return "gzip";
    case FileFormat::kZstd:
      return "zstd";
    case FileFormat::kXz:
      return "xz";
    case FileFormat::kBzip2:
      return "bzip2";
    case FileFormat::kZip:
      return "zip";
    case FileFormat::k7z:
      return "7z";
    case FileFormat::kRar:
      return "rar";
    case FileFormat::kTar:
      return "tar";
    case FileFormat::kLz4:
      return "lz4";
    case FileFormat::kLzip:
      return "lzip";
    case FileFormat::kLzma:
      return "lzma";
    case FileFormat::kXar:
      return "xar";
    case FileFormat::kCpio:
      return "cpio";
    case FileFormat::kCompress:
      return "compress";
    case FileFormat::kLzop:
      return "lzop";
  }
  return "unknown";
}

bool IsReadableFormat(FileFormat format) {
  switch (format) {
    case FileFormat::kPlain:
    case FileFormat::kGzip:
    case FileFormat::kZstd:
    case FileFormat::kXz:
    case FileFormat::kBzip2:
      return true;
    default:
      return false;
  }
}

FileFormat DetectFormat(std::string_view p) {
  using std::string_view;
  // Dispatch on the first byte: a log line starts with none of these but
  // '0', 'B', 'L', 'P', 'R' and 'x', so plain text costs a compare or two
  // and the tar check.
  if (!p.empty()) {
    switch (static_cast<unsigned char>(p[0])) {
      case 0x1f:
        if (StartsWith(p, "\x1f\x8b")) return FileFormat::kGzip;
        if (StartsWith(p, "\x1f\x9d")) return FileFormat::kCompress;
        break;
      case 0x28:
        if (StartsWith(p, "\x28\xb5\x2f\xfd")) return FileFormat::kZstd;
        break;
      case 0xfd:
        if (StartsWith(p, string_view("\xfd\x37\x7a\x58\x5a\x00", 6))) {
          return FileFormat::kXz;
        }
        break;
      case 'B':
        if (IsBzip2(p)) return FileFormat::kBzip2;
        break;
      case 'P':
        if (StartsWith(p, "PK\x03\x04") || StartsWith(p, "PK\x05\x06") ||
            StartsWith(p, "PK\x07\x08")) {
          return FileFormat::kZip;
        }
        break;
      case 0x37:
        if (StartsWith(p, "\x37\x7a\xbc\xaf\x27\x1c")) return FileFormat::k7z;
        break;
      case 'R':
        if (StartsWith(p, "Rar!\x1a\x07")) return FileFormat::kRar;
        break;
      case 0x04:
      case 0x02:
        if (StartsWith(p, "\x04\x22\x4d\x18") ||
            StartsWith(p, "\x02\x21\x4c\x18")) {
          return FileFormat::kLz4;
        }
        break;
      case 'L':
        if (StartsWith(p, "LZIP")) return FileFormat::kLzip;
        break;
      case 'x':
        if (StartsWith(p, "xar!")) return FileFormat::kXar;
        break;
      case 0x89:
        if (StartsWith(p, string_view("\x89LZO\x00\x0d\x0a\x1a\x0a", 9))) {
          return FileFormat::kLzop;
        }
        break;
      case 0x5d:
        if (StartsWith(p, string_view("\x5d\x00\x00", 3))) {
          return FileFormat::kLzma;
        }
        break;
      case '0':
      case 0xc7:
      case 0x71:
        if (IsCpio(p)) return FileFormat::kCpio;
        break;
      default:
        break;
    }
    // A skippable frame (magic 0x184D2A50..5F, little-endian) may open a
    // zstd file; lz4 frames use the same magic, zstd decides.
    if ((static_cast<unsigned char>(p[0]) & 0xf0) == 0x50 && p.size() >= 4 &&
        p.substr(1, 3) == "\x2a\x4d\x18") {
      return FileFormat::kZstd;
    }
  }
  // POSIX ("ustar\0") and GNU ("ustar ") tar; pre-POSIX tar has no magic.
  if (p.size() >= 263 && p.substr(257, 5) == "ustar" &&
      (p[262] == '\0' || p[262] == ' ')) {
    return FileFormat::kTar;
  }
  return FileFormat::kPlain;
}

std::optional<FileFormat> FormatPromisedByName(std::string_view path) {
  size_t slash = path.rfind('/');
  std::string_view name =
      slash == std::string_view::npos ? path : path.substr(slash + 1);
  size_t dot = name.rfind('.');
  if (dot == std::string_view::npos || dot == 0) return std::nullopt;
  const std::string_view suffix = name.substr(dot);
  for (const Suffix& s : kSuffixes) {
    if (s.suffix.size() == suffix.size() &&
        std::equal(suffix.begin(), suffix.end(), s.suffix.begin(),
                   [](char a, char b) {
                     return (a >= 'A' && a <= 'Z' ? a - 'A' + 'a' : a) == b;
                   })) {
      return s.format;
    }
  }
  return std::nullopt;
}

Status CheckFormat(std::string_view path, std::string_view prefix) {
  return CheckFormat(path, DetectFormat(prefix), prefix.empty());
}

Status CheckFormat(std::string_view path, FileFormat content, bool empty) {
  const std::optional<FileFormat> promised = FormatPromisedByName(path);
  if (!IsReadableFormat(content)) {
    std::string message =
        std::string("unsupported format: ") + FileFormatName(content);
    if (promised && *promised != content) {
      message +=
          std::string(" (the name says ") + FileFormatName(*promised) + ")";
    }
    return InvalidArgumentError(std::move(message));
  }
  if (!promised || *promised == content) return OkStatus();
  const std::string want = FileFormatName(*promised);
  if (empty) {
    return DataLossError("empty file: 0 bytes, expected " + want + " data");
  }
  return DataLossError("not " + want + ": the name says " + want +
                       ", the content is " + Describe(content));
}

StatusOr<FileFormat> DetectFileFormat(const std::string& path) {
  StatusOr<std::unique_ptr<FileSource>> file = FileSource::Open(path);
  if (!file.ok()) return file.status();
  StatusOr<std::string> prefix = (*file)->Peek(kFormatPrefixBytes);
  if (!prefix.ok()) return prefix.status();
  return DetectFormat(*prefix);
}

}  // namespace logsweep::common
