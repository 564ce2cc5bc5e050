#include "common/discovery/log_file_name.h"

#include <array>
#include <cctype>
#include <string>

namespace logsweep::common {
namespace {

// No suffix here ends another, so at most one can match.
constexpr std::array<std::string_view, 11> kCompressionSuffixes = {
    ".gz",  ".bz2",  ".bz", ".xz", ".zst", ".zstd",
    ".lz4", ".lzma", ".lz", ".z",  ".lzo"};

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.substr(s.size() - suffix.size()) == suffix;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Strips trailing rotation groups ([.-_] then digits) from `s`.
std::string_view StripRotation(std::string_view s) {
  for (;;) {
    size_t end = s.size();
    size_t i = end;
    while (i > 0 && IsDigit(s[i - 1])) --i;
    if (i == end || i == 0) return s;
    char sep = s[i - 1];
    if (sep != '.' && sep != '-' && sep != '_') return s;
    s = s.substr(0, i - 1);
  }
}

}  // namespace

bool IsLogFileName(std::string_view name) {
  std::string lower(name);
  for (char& c : lower) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  std::string_view s = lower;
  for (std::string_view suffix : kCompressionSuffixes) {
    if (EndsWith(s, suffix)) {
      s.remove_suffix(suffix.size());
      break;
    }
  }
  if (EndsWith(s, ".txt")) s.remove_suffix(4);
  s = StripRotation(s);
  // Something must come before the stem's ".log" / "_log".
  return s.size() > 4 && (EndsWith(s, ".log") || EndsWith(s, "_log"));
}

}  // namespace logsweep::common
