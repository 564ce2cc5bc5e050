#include "common/line_matcher.h"

#include <algorithm>
#include <array>
#include <cstring>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

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
      last_field_(std::max(query_.key_field, query_.match_field)),
      value_has_space_(std::any_of(query_.match_value.begin(),
                                   query_.match_value.end(), IsSpace)) {}

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

#ifdef __SSE2__
namespace {

// Bit i set when byte i of the 64 at `p` is a field separator (or '\n').
inline uint64_t SpaceMask64(const char* p) {
  const __m128i space = _mm_set1_epi8(' ');
  const __m128i nine = _mm_set1_epi8(9);
  const __m128i four = _mm_set1_epi8(4);
  uint64_t mask = 0;
  for (int i = 0; i < 4; ++i) {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * i));
    // \t \n \v \f \r are 9..13: (v - 9) <= 4 unsigned.
    __m128i t = _mm_sub_epi8(v, nine);
    __m128i control = _mm_cmpeq_epi8(_mm_min_epu8(t, four), t);
    __m128i ws = _mm_or_si128(_mm_cmpeq_epi8(v, space), control);
    mask |= static_cast<uint64_t>(static_cast<uint16_t>(_mm_movemask_epi8(ws)))
            << (16 * i);
  }
  return mask;
}

}  // namespace
#endif

bool LineMatcher::MatchWindow(const char* line, size_t len,
                              std::string_view* key, LineKind* kind) const {
#ifdef __SSE2__
  // Bytes past the end of the line count as separators.
  uint64_t ws = SpaceMask64(line);
  if (len < 64) ws |= ~uint64_t{0} << len;
  uint64_t starts = ~ws & ((ws << 1) | 1);
  if (static_cast<uint32_t>(__builtin_popcountll(starts)) <= last_field_) {
    if (len > 64) return false;  // more fields may follow the window
    *kind = LineKind::kMalformed;
    return true;
  }
  // Start of field k: drop the k lowest start bits.
  auto field_start = [starts](uint32_t k) {
    uint64_t s = starts;
    for (uint32_t i = 0; i < k; ++i) s &= s - 1;
    return static_cast<size_t>(__builtin_ctzll(s));
  };
  if (value_has_space_) return false;  // never a whole field; scalar says so
  const size_t value_len = query_.match_value.size();
  // The field starts inside the window; it must be exactly the value: its
  // bytes, then a separator or the end of the line. Both lie inside the
  // line, so they are read directly even past the 64 bytes.
  const size_t m = field_start(query_.match_field);
  const size_t end = m + value_len;
  const bool ends_there = end == len || (end < len && IsSpace(line[end]));
  if (!ends_there ||
      std::memcmp(line + m, query_.match_value.data(), value_len) != 0) {
    *kind = LineKind::kNoMatch;
    return true;
  }
  size_t k = field_start(query_.key_field);
  uint64_t after = ws >> k;
  if (after == 0) return false;  // key runs past the window
  *key =
      std::string_view(line + k, static_cast<size_t>(__builtin_ctzll(after)));
  *kind = LineKind::kMatch;
  return true;
#else
  (void)line;
  (void)len;
  (void)key;
  (void)kind;
  return false;
#endif
}

void LineMatcher::ScanLines(std::string_view text, HostSet& hosts,
                            ScanStats& stats) const {
  const char* p = text.data();
  const char* const end = p + text.size();
  while (p < end) {
    const void* nl = std::memchr(p, '\n', static_cast<size_t>(end - p));
    const char* line_end = nl ? static_cast<const char*>(nl) : end;
    const size_t len = static_cast<size_t>(line_end - p);
    std::string_view key;
    LineKind kind;
    // The 64-byte window may read past the line but never past the text.
    if (end - p < 64 || !MatchWindow(p, len, &key, &kind)) {
      kind = MatchLine(std::string_view(p, len), &key);
    }
    switch (kind) {
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
