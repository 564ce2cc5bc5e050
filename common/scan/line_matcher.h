#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/base/host_counts.h"
#include "common/base/host_set.h"
#include "common/base/query.h"
#include "common/base/scan_stats.h"
#include "common/scan/byte_search.h"
#include "common/scan/query_predicates.h"

namespace logsweep::common {

// Applies a Query to lines of text, exactly as Python's
// `fields = line.split(); fields[match] == value` would on bytes: fields are
// separated by runs of space, \t, \r, \v, \f; bytes are never decoded.
// The headline query (Query::IsHeadline) takes the fast path below; any
// other is split as far as its last field and decided by QueryPredicates,
// after the same search for its required literal where it has one.
// The query must be valid (QueryPredicates::Validate).
// Immutable after construction, so one matcher may be shared by threads.
class LineMatcher {
 public:
  explicit LineMatcher(Query query);

  enum class LineKind {
    kMatch,
    kNoMatch,
    kMalformed,
    kUnreadableMethod,  // see QueryPredicates::Verdict
    kUnreadableStatus,
    kUnreadableTime,
  };

  // Classifies one line (without its '\n'). On kMatch, `*key` views the key
  // field inside `line`. A line with too few fields is kMalformed.
  LineKind MatchLine(std::string_view line, std::string_view* key) const;

  // Scans `text`, which must hold whole lines: each ends in '\n' except,
  // possibly, the last one (the end of a stream without a final newline).
  // Adds the keys of matching lines to `hosts` and counts into `stats`
  // (lines, matches, malformed, not bytes). Lines are counted in bulk; only
  // lines that contain the match value somewhere are split and classified,
  // so `malformed` counts those of them with too few fields (with an empty
  // value, every line). Allocates nothing but new hosts.
  void ScanLines(std::string_view text, HostSet& hosts, ScanStats& stats) const;

  // ScanLines for a --count query (Query::count, asserted): tallies each
  // matching line under its key with the time of its fields time_field and
  // time_field + 1 (ParseLogTime); a matching line whose time cannot be
  // read counts, without a time, and in stats.untimed_matches. The search
  // for the query's literal is the same as ScanLines'.
  void ScanLines(std::string_view text, HostCounts& counts,
                 ScanStats& stats) const;

  // The same result line by line: every line is classified, and a short
  // one counted malformed only if it holds the value. ScanLines' path for
  // an empty value and where most lines hold the value.
  void ScanEveryLine(std::string_view text, HostSet& hosts,
                     ScanStats& stats) const;

  const Query& query() const { return query_; }
  // The byte string every matching line holds (the match value for the
  // headline query); lines without it are never split. May be empty.
  const std::string& literal() const { return literal_; }
  // Null for the headline query, also with --count (Query::count).
  const QueryPredicates* predicates() const { return predicates_.get(); }

  // Counts a line of `kind` (and its key on a match) as every scan path
  // does; `holds_literal` decides whether a kMalformed line counts.
  static void Count(LineKind kind, std::string_view key, bool holds_literal,
                    HostSet& hosts, ScanStats& stats);

 private:
  // Fast path: classifies the line from a SIMD separator mask of its first
  // 64 (or, for long hosts, 128) bytes; `readable` bytes from `line` may be
  // read. False when the window cannot decide (fields beyond it); then
  // MatchLine decides.
  bool MatchWindow(const char* line, size_t len, size_t readable,
                   std::string_view* key, LineKind* kind) const;
  template <class Mask, size_t kBits>
  bool Decide(const char* line, size_t len, Mask ws, std::string_view* key,
              LineKind* kind) const;

  // Classifies the line [line, line + len), of which `readable` bytes may be
  // read, and counts a match or a malformed line.
  template <class Out>
  void ClassifyLine(const char* line, size_t len, size_t readable, Out& hosts,
                    ScanStats& stats) const;
  // ScanLines and ScanEveryLine of the headline question into a HostSet,
  // or into HostCounts for the same question with --count.
  template <class Out>
  void ScanHeadline(std::string_view text, Out& hosts, ScanStats& stats) const;
  template <class Out>
  void ScanEveryLineHeadline(std::string_view text, Out& hosts,
                             ScanStats& stats) const;
  // Counts a match of the headline question: its key, and with --count
  // the time of `line` (split only then).
  void AddHeadlineMatch(std::string_view key, std::string_view line,
                        HostSet& hosts, ScanStats& stats) const;
  void AddHeadlineMatch(std::string_view key, std::string_view line,
                        HostCounts& counts, ScanStats& stats) const;

  // Whether `line` holds one of literals_ (every line when there is none):
  // only such a short line counts as malformed.
  bool HoldsLiteral(std::string_view line) const;

  // ScanLinesGeneral's loop with `finder` (a SubstringFinder or a
  // MultiSubstringFinder): only lines holding what it finds are split.
  // `Out` is HostSet (keys) or HostCounts (Query::count).
  template <class Finder, class Out>
  void ScanCandidatesGeneral(const Finder& finder, std::string_view text,
                             Out& out, ScanStats& stats) const;
  template <class Out>
  void ScanLinesInto(std::string_view text, Out& out, ScanStats& stats) const;
  template <class Out>
  void ScanEveryLineInto(std::string_view text, Out& out,
                         ScanStats& stats) const;
  // Counts a line of `kind` as Count does; a match goes into `out` with
  // its time (`fields` holds the line's fields on a match).
  void Record(LineKind kind, std::string_view key,
              const std::string_view* fields, bool holds_literal, HostSet& out,
              ScanStats& stats) const;
  void Record(LineKind kind, std::string_view key,
              const std::string_view* fields, bool holds_literal,
              HostCounts& out, ScanStats& stats) const;

  // ScanLines and ScanEveryLine for a query that is not the headline one.
  void ScanLinesGeneral(std::string_view text, HostSet& hosts,
                        ScanStats& stats) const;
  void ScanEveryLineGeneral(std::string_view text, HostSet& hosts,
                            ScanStats& stats) const;
  // `fields` (kMaxQueryField + 2 of them) receives the line's fields.
  LineKind MatchLineGeneral(std::string_view line, std::string_view* key,
                            std::string_view* fields) const;

  Query query_;
  std::unique_ptr<QueryPredicates> predicates_;  // null: the headline query
  std::string literal_;
  // Byte strings of which every matching line holds one (QueryPredicates::
  // literals; {literal_} for the headline query; none: every line).
  std::vector<std::string> literals_;
  uint32_t last_field_;     // max(key_field, match_field)
  bool value_has_space_;    // such a value can never equal a field
  bool value_has_newline_;  // such a value never occurs inside a line
  SubstringFinder finder_;  // of literal_
  // Of several literals_, those without '\n' (the others never occur in a
  // line), when there are at most MultiSubstringFinder::kMaxNeedles of
  // them; null otherwise (more of them: every line is split).
  std::unique_ptr<MultiSubstringFinder> multi_finder_;
  bool no_line_holds_literal_ = false;  // every one of several holds '\n'
};

}  // namespace logsweep::common
