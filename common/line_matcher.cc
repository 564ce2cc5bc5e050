#include "common/line_matcher.h"

#include <algorithm>
#include <array>
#include <cstring>

namespace logsweep::common {
namespace {

// Python's bytes.split() whitespace. '\n' never occurs inside a line.
constexpr std::array<bool, 256> MakeSpaceTable() {
  std::array<bool, 256> table{};
  table[' '] = table['\t'] = table['\r'] = table['\v'] = table['\f'] = true;
  table['\n'] = true;
  return table;
}
constexpr std::array<bool, 256> kSpace = MakeSpaceTable();

inline bool IsSpace(char c) { return kSpace[static_cast<unsigned char>(c)]; }

}  // namespace

LineMatcher::LineMatcher(Query query)
    : query_(std::move(query)),
      last_field_(std::max(query_.key_field, query_.match_field)) {}

LineMatcher::LineKind LineMatcher::MatchLine(std::string_view line,
                                             std::string_view* key) const {
  const char* p = line.data();
  const char* const end = p + line.size();
  std::string_view key_field;
  bool matched = false;
  for (uint32_t field = 0;; ++field) {
    while (p < end && IsSpace(*p)) ++p;
    if (p == end) return LineKind::kMalformed;
    const char* start = p;
    while (p < end && !IsSpace(*p)) ++p;
    std::string_view token(start, static_cast<size_t>(p - start));
    if (field == query_.key_field) key_field = token;
    if (field == query_.match_field) matched = token == query_.match_value;
    // Splitting stops at the last field the query needs: the rest of the
    // line (user agent, referrer) is never looked at.
    if (field == last_field_) break;
  }
  if (!matched) return LineKind::kNoMatch;
  *key = key_field;
  return LineKind::kMatch;
}

void LineMatcher::ScanLines(std::string_view text, HostSet& hosts,
                            ScanStats& stats) const {
  const char* p = text.data();
  const char* const end = p + text.size();
  while (p < end) {
    const void* nl = std::memchr(p, '\n', static_cast<size_t>(end - p));
    const char* line_end = nl ? static_cast<const char*>(nl) : end;
    std::string_view key;
    switch (MatchLine(std::string_view(p, line_end - p), &key)) {
      case LineKind::kMatch:
        ++stats.matches;
        hosts.Insert(key);
        break;
      case LineKind::kMalformed:
        ++stats.malformed;
        break;
      case LineKind::kNoMatch:
        break;
    }
    ++stats.lines;
    p = nl ? line_end + 1 : end;
  }
}

}  // namespace logsweep::common
