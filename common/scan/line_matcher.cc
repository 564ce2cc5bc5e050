#include "common/scan/line_matcher.h"

#include <algorithm>
#include <array>
#include <cassert>
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

// The headline question, collecting keys or counts: the fast path serves
// both (a --count match is split for its time, only then).
bool IsHeadlineQuestion(const Query& query) {
  Query keys = query;
  keys.count = false;
  return keys.IsHeadline();
}

}  // namespace

LineMatcher::LineMatcher(Query query)
    : query_(std::move(query)),
      predicates_(IsHeadlineQuestion(query_)
                      ? nullptr
                      : std::make_unique<QueryPredicates>(query_)),
      // Several values may come down to one literal (all hold "/a").
      literal_(predicates_ ? (predicates_->literals().size() == 1
                                  ? predicates_->literals().front()
                                  : std::string())
                           : query_.match_value),
      last_field_(predicates_ ? predicates_->last_field()
                              : std::max(query_.key_field, query_.match_field)),
      value_has_space_(std::any_of(literal_.begin(), literal_.end(), IsSpace)),
      value_has_newline_(literal_.find('\n') != std::string::npos),
      finder_(literal_) {
  if (predicates_) {
    literals_ = predicates_->literals();
  } else if (!literal_.empty()) {
    literals_ = {literal_};
  }
  if (literals_.size() > 1) {
    std::vector<std::string> needles;
    for (const std::string& l : literals_) {
      if (l.find('\n') == std::string::npos) needles.push_back(l);
    }
    no_line_holds_literal_ = needles.empty();
    if (!needles.empty() &&
        needles.size() <= MultiSubstringFinder::kMaxNeedles) {
      multi_finder_ =
          std::make_unique<MultiSubstringFinder>(std::move(needles));
    }
  }
}

bool LineMatcher::HoldsLiteral(std::string_view line) const {
  if (multi_finder_) return multi_finder_->FoundIn(line);
  for (const std::string& l : literals_) {
    if (line.find(l) != std::string_view::npos) return true;
  }
  return literals_.empty();
}

namespace {

// Counts a line that did not match.
void CountOther(LineMatcher::LineKind kind, bool holds_literal,
                ScanStats& stats) {
  switch (kind) {
    case LineMatcher::LineKind::kMalformed:
      if (holds_literal) ++stats.malformed;
      break;
    case LineMatcher::LineKind::kUnreadableMethod:
      ++stats.unreadable_method;
      break;
    case LineMatcher::LineKind::kUnreadableStatus:
      ++stats.unreadable_status;
      break;
    case LineMatcher::LineKind::kUnreadableTime:
      ++stats.unreadable_time;
      break;
    case LineMatcher::LineKind::kMatch:
    case LineMatcher::LineKind::kNoMatch:
      break;
  }
}

}  // namespace

void LineMatcher::Count(LineKind kind, std::string_view key, bool holds_literal,
                        HostSet& hosts, ScanStats& stats) {
  if (kind == LineKind::kMatch) {
    ++stats.matches;
    hosts.Insert(key);
    return;
  }
  CountOther(kind, holds_literal, stats);
}

void LineMatcher::Record(LineKind kind, std::string_view key,
                         const std::string_view* /*fields*/, bool holds_literal,
                         HostSet& out, ScanStats& stats) const {
  Count(kind, key, holds_literal, out, stats);
}

void LineMatcher::Record(LineKind kind, std::string_view key,
                         const std::string_view* fields, bool holds_literal,
                         HostCounts& out, ScanStats& stats) const {
  if (kind != LineKind::kMatch) {
    CountOther(kind, holds_literal, stats);
    return;
  }
  ++stats.matches;
  int64_t time = 0;
  if (ParseLogTime(fields[query_.time_field], fields[query_.time_field + 1],
                   &time)) {
    out.AddLine(key, time);
  } else {
    ++stats.untimed_matches;
    out.AddLine(key, std::nullopt);
  }
}

LineMatcher::LineKind LineMatcher::MatchLineGeneral(
    std::string_view line, std::string_view* key,
    std::string_view* fields) const {
  const char* p = line.data();
  const char* const end = p + line.size();
  for (uint32_t field = 0; field <= last_field_; ++field) {
    while (p < end && IsSpace(*p)) ++p;
    if (p == end) return LineKind::kMalformed;
    const char* start = p;
    while (p < end && !IsSpace(*p)) ++p;
    fields[field] = std::string_view(start, static_cast<size_t>(p - start));
  }
  switch (predicates_->Evaluate(fields)) {
    case QueryPredicates::Verdict::kMatch:
      *key = fields[query_.key_field];
      return LineKind::kMatch;
    case QueryPredicates::Verdict::kNoMatch:
      return LineKind::kNoMatch;
    case QueryPredicates::Verdict::kUnreadableMethod:
      return LineKind::kUnreadableMethod;
    case QueryPredicates::Verdict::kUnreadableStatus:
      return LineKind::kUnreadableStatus;
    case QueryPredicates::Verdict::kUnreadableTime:
      return LineKind::kUnreadableTime;
  }
  return LineKind::kNoMatch;
}

LineMatcher::LineKind LineMatcher::MatchLine(std::string_view line,
                                             std::string_view* key) const {
  if (predicates_) {
    std::string_view fields[kMaxQueryField + 2];
    return MatchLineGeneral(line, key, fields);
  }
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

#ifdef __SSE2__
namespace {

__extension__ typedef unsigned __int128 Mask128;

inline size_t Ctz(uint64_t x) {
  return static_cast<size_t>(__builtin_ctzll(x));
}
inline size_t Ctz(Mask128 x) {
  uint64_t low = static_cast<uint64_t>(x);
  return low ? Ctz(low) : 64 + Ctz(static_cast<uint64_t>(x >> 64));
}

// `starts` without its `k` lowest set bits.
template <class Mask>
inline Mask DropLowest(Mask starts, uint32_t k) {
  for (; k > 0 && starts != 0; --k) starts &= starts - 1;
  return starts;
}

}  // namespace

// Classifies the line from `ws`, its separator mask over the first kBits
// bytes. False when that is not enough to decide.
template <class Mask, size_t kBits>
bool LineMatcher::Decide(const char* line, size_t len, Mask ws,
                         std::string_view* key, LineKind* kind) const {
  if (len < kBits) ws |= ~Mask{0} << len;  // past the end: separators
  const Mask starts = ~ws & ((ws << 1) | 1);
  if (DropLowest(starts, last_field_) == 0) {
    if (len > kBits) return false;  // more fields may follow the window
    *kind = LineKind::kMalformed;
    return true;
  }
  // The match field starts inside the window; it must be exactly the value:
  // its bytes, then a separator or the end of the line. Both lie inside the
  // line, so they are read directly even past the window.
  const size_t value_len = query_.match_value.size();
  const size_t m = Ctz(DropLowest(starts, query_.match_field));
  const size_t end = m + value_len;
  const bool ends_there = end == len || (end < len && IsSpace(line[end]));
  if (!ends_there ||
      std::memcmp(line + m, query_.match_value.data(), value_len) != 0) {
    *kind = LineKind::kNoMatch;
    return true;
  }
  const size_t k = Ctz(DropLowest(starts, query_.key_field));
  const Mask after = ws >> k;
  if (after == 0) return false;  // the key runs past the window
  *key = std::string_view(line + k, Ctz(after));
  *kind = LineKind::kMatch;
  return true;
}
#endif

bool LineMatcher::MatchWindow(const char* line, size_t len, size_t readable,
                              std::string_view* key, LineKind* kind) const {
#ifdef __SSE2__
  if (value_has_space_ || readable < 64) return false;
  const uint64_t ws = SpaceMask64(line);
  if (Decide<uint64_t, 64>(line, len, ws, key, kind)) return true;
  // Long hosts (IPv6, names) push field 7 past 64 bytes: look at 128.
  if (len <= 64 || readable < 128) return false;
  const Mask128 ws128 =
      ws | (static_cast<Mask128>(SpaceMask64(line + 64)) << 64);
  return Decide<Mask128, 128>(line, len, ws128, key, kind);
#else
  (void)line;
  (void)len;
  (void)readable;
  (void)key;
  (void)kind;
  return false;
#endif
}

void LineMatcher::AddHeadlineMatch(std::string_view key, std::string_view,
                                   HostSet& hosts, ScanStats& stats) const {
  ++stats.matches;
  hosts.Insert(key);
}

void LineMatcher::AddHeadlineMatch(std::string_view key, std::string_view line,
                                   HostCounts& counts, ScanStats& stats) const {
  ++stats.matches;
  // Only a matching line is split as far as its time.
  std::string_view fields[kMaxQueryField + 2];
  const char* p = line.data();
  const char* const end = p + line.size();
  const uint32_t last = query_.time_field + 1;
  uint32_t field = 0;
  for (; field <= last; ++field) {
    while (p < end && IsSpace(*p)) ++p;
    if (p == end) break;
    const char* start = p;
    while (p < end && !IsSpace(*p)) ++p;
    fields[field] = std::string_view(start, static_cast<size_t>(p - start));
  }
  int64_t time = 0;
  if (field > last &&
      ParseLogTime(fields[query_.time_field], fields[last], &time)) {
    counts.AddLine(key, time);
  } else {
    ++stats.untimed_matches;
    counts.AddLine(key, std::nullopt);
  }
}

template <class Out>
void LineMatcher::ClassifyLine(const char* line, size_t len, size_t readable,
                               Out& hosts, ScanStats& stats) const {
  std::string_view key;
  LineKind kind;
  if (!MatchWindow(line, len, readable, &key, &kind)) {
    kind = MatchLine(std::string_view(line, len), &key);
  }
  switch (kind) {
    case LineKind::kMatch:
      AddHeadlineMatch(key, std::string_view(line, len), hosts, stats);
      break;
    case LineKind::kMalformed:
      ++stats.malformed;
      break;
    case LineKind::kNoMatch:
    case LineKind::kUnreadableMethod:  // only general queries read these
    case LineKind::kUnreadableStatus:
    case LineKind::kUnreadableTime:
      break;
  }
}

void LineMatcher::ScanLines(std::string_view text, HostSet& hosts,
                            ScanStats& stats) const {
  if (text.empty()) return;
  if (predicates_) {
    ScanLinesGeneral(text, hosts, stats);
    return;
  }
  ScanHeadline(text, hosts, stats);
}

template <class Out>
void LineMatcher::ScanHeadline(std::string_view text, Out& hosts,
                               ScanStats& stats) const {
  const char* const begin = text.data();
  const char* const end = begin + text.size();
  if (query_.match_value.empty()) {
    ScanEveryLineHeadline(text, hosts, stats);
    return;
  }
  const uint64_t unterminated = end[-1] != '\n' ? 1 : 0;
  if (value_has_newline_) {
    stats.lines += CountNewlines(begin, text.size()) + unterminated;
    return;
  }
  // Only a line that contains the value can match (or be worth calling
  // malformed): find the value, back up to its line's start, classify that
  // one line, and search on from the next. The search counts the newlines
  // it passes, so the text is read once.
  const size_t value_len = query_.match_value.size();
  uint64_t newlines = 0;
  uint64_t candidates = 0;
  const char* p = begin;  // always the start of a line
  while (const char* hit = finder_.FindCountingNewlines(p, end, &newlines)) {
    const void* before = ::memrchr(p, '\n', static_cast<size_t>(hit - p));
    const char* line =
        before != nullptr ? static_cast<const char*>(before) + 1 : p;
    // The value holds no '\n', so the line runs at least to its end, and
    // [hit, line_end) holds no newline to count.
    const void* nl = std::memchr(hit + value_len, '\n',
                                 static_cast<size_t>(end - hit) - value_len);
    const char* line_end = nl != nullptr ? static_cast<const char*>(nl) : end;
    // The window may read past the line but never past the text.
    ClassifyLine(line, static_cast<size_t>(line_end - line),
                 static_cast<size_t>(end - line), hosts, stats);
    if (nl == nullptr) break;
    ++newlines;
    p = line_end + 1;
    // Where most lines hold the value (a one-byte value, a field every line
    // has), finding it costs more than classifying every line: switch.
    if (++candidates % 64 == 0 && candidates * 4 > newlines) {
      stats.lines += newlines;
      ScanEveryLineHeadline(std::string_view(p, static_cast<size_t>(end - p)),
                            hosts, stats);
      return;
    }
  }
  stats.lines += newlines + unterminated;
}

void LineMatcher::ScanEveryLine(std::string_view text, HostSet& hosts,
                                ScanStats& stats) const {
  if (predicates_) {
    ScanEveryLineGeneral(text, hosts, stats);
    return;
  }
  ScanEveryLineHeadline(text, hosts, stats);
}

template <class Out>
void LineMatcher::ScanEveryLineHeadline(std::string_view text, Out& hosts,
                                        ScanStats& stats) const {
  const char* p = text.data();
  const char* const end = p + text.size();
  while (p < end) {
    const void* nl = std::memchr(p, '\n', static_cast<size_t>(end - p));
    const char* line_end = nl ? static_cast<const char*>(nl) : end;
    const size_t len = static_cast<size_t>(line_end - p);
    ++stats.lines;
    std::string_view key;
    LineKind kind;
    // The window may read past the line but never past the text.
    if (!MatchWindow(p, len, static_cast<size_t>(end - p), &key, &kind)) {
      kind = MatchLine(std::string_view(p, len), &key);
    }
    if (kind == LineKind::kMatch) {
      AddHeadlineMatch(key, std::string_view(p, len), hosts, stats);
    } else if (kind == LineKind::kMalformed &&
               std::string_view(p, len).find(query_.match_value) !=
                   std::string_view::npos) {
      // Only a line that holds the value counts, as in ScanLines.
      ++stats.malformed;
    }
    p = nl ? line_end + 1 : end;
  }
}

void LineMatcher::ScanLinesGeneral(std::string_view text, HostSet& hosts,
                                   ScanStats& stats) const {
  ScanLinesInto(text, hosts, stats);
}

void LineMatcher::ScanLines(std::string_view text, HostCounts& counts,
                            ScanStats& stats) const {
  assert(query_.count && "ScanLines into HostCounts needs a --count query");
  if (text.empty()) return;
  if (predicates_) {
    ScanLinesInto(text, counts, stats);
  } else {
    ScanHeadline(text, counts, stats);
  }
}

template <class Out>
void LineMatcher::ScanLinesInto(std::string_view text, Out& hosts,
                                ScanStats& stats) const {
  const char* const begin = text.data();
  const char* const end = begin + text.size();
  const uint64_t unterminated = end[-1] != '\n' ? 1 : 0;
  if (literals_.size() > 1) {
    if (no_line_holds_literal_) {
      stats.lines += CountNewlines(begin, text.size()) + unterminated;
    } else if (multi_finder_) {
      ScanCandidatesGeneral(*multi_finder_, text, hosts, stats);
    } else {
      ScanEveryLineInto(text, hosts, stats);
    }
    return;
  }
  if (literal_.empty()) {
    ScanEveryLineInto(text, hosts, stats);
    return;
  }
  if (value_has_newline_) {
    stats.lines += CountNewlines(begin, text.size()) + unterminated;
    return;
  }
  ScanCandidatesGeneral(finder_, text, hosts, stats);
}

template <class Finder, class Out>
void LineMatcher::ScanCandidatesGeneral(const Finder& finder,
                                        std::string_view text, Out& hosts,
                                        ScanStats& stats) const {
  // As ScanLines: only lines that hold a literal are split.
  const char* const begin = text.data();
  const char* const end = begin + text.size();
  const uint64_t unterminated = end[-1] != '\n' ? 1 : 0;
  uint64_t newlines = 0;
  uint64_t candidates = 0;
  const char* p = begin;  // always the start of a line
  while (const char* hit = finder.FindCountingNewlines(p, end, &newlines)) {
    const void* before = ::memrchr(p, '\n', static_cast<size_t>(hit - p));
    const char* line =
        before != nullptr ? static_cast<const char*>(before) + 1 : p;
    // The literal found holds no '\n': [hit, line_end) has none to count.
    const void* nl = std::memchr(hit, '\n', static_cast<size_t>(end - hit));
    const char* line_end = nl != nullptr ? static_cast<const char*>(nl) : end;
    std::string_view key;
    std::string_view fields[kMaxQueryField + 2];
    const LineKind kind = MatchLineGeneral(
        std::string_view(line, static_cast<size_t>(line_end - line)), &key,
        fields);
    Record(kind, key, fields, true, hosts, stats);
    if (nl == nullptr) break;
    ++newlines;
    p = line_end + 1;
    if (++candidates % 64 == 0 && candidates * 4 > newlines) {
      stats.lines += newlines;
      ScanEveryLineInto(std::string_view(p, static_cast<size_t>(end - p)),
                        hosts, stats);
      return;
    }
  }
  stats.lines += newlines + unterminated;
}

void LineMatcher::ScanEveryLineGeneral(std::string_view text, HostSet& hosts,
                                       ScanStats& stats) const {
  ScanEveryLineInto(text, hosts, stats);
}

template <class Out>
void LineMatcher::ScanEveryLineInto(std::string_view text, Out& hosts,
                                    ScanStats& stats) const {
  const char* p = text.data();
  const char* const end = p + text.size();
  while (p < end) {
    const void* nl = std::memchr(p, '\n', static_cast<size_t>(end - p));
    const char* line_end = nl ? static_cast<const char*>(nl) : end;
    const std::string_view line(p, static_cast<size_t>(line_end - p));
    ++stats.lines;
    std::string_view key;
    std::string_view fields[kMaxQueryField + 2];
    const LineKind kind = MatchLineGeneral(line, &key, fields);
    Record(kind, key, fields,
           kind == LineKind::kMalformed && HoldsLiteral(line), hosts, stats);
    p = nl ? line_end + 1 : end;
  }
}

}  // namespace logsweep::common
