#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/base/query.h"
#include "common/scan/line_matcher.h"

namespace logsweep::common {

// Decides one line that arrives in pieces (a line longer than the scanner's
// buffer), exactly as LineMatcher::MatchLine would on the whole line, while
// keeping only what the query needs: the key field (up to `max_key_bytes`),
// how much of the match field equals the value so far, and the last
// value-length bytes (to tell whether the line holds the value, which
// decides `malformed`). The rest of the line streams past, so a line of
// any length costs bounded memory. A query other than the headline one
// keeps each field it reads (up to max_key_bytes, at least 64) and decides
// with QueryPredicates. Borrows `query`, which must outlive it.
// Owned by one thread.
class LongLineMatcher {
 public:
  LongLineMatcher(const Query& query, size_t max_key_bytes);
  // The same for `matcher`'s query, borrowing its compiled predicates.
  LongLineMatcher(const LineMatcher& matcher, size_t max_key_bytes);
  ~LongLineMatcher();
  LongLineMatcher(const LongLineMatcher&) = delete;
  LongLineMatcher& operator=(const LongLineMatcher&) = delete;

  // Forgets the previous line; the next Feed starts a new one.
  void Reset();
  // The next `n` bytes of the line, which hold no '\n'.
  void Feed(const char* p, size_t n);

  struct Verdict {
    LineMatcher::LineKind kind;
    // The line contains the match value (the query's literal) somewhere
    // (with kMalformed, the line counts as malformed; see scan_stats.h).
    bool holds_value;
    // kMatch only: the key field, or key_too_long when it was longer than
    // max_key_bytes (then `key` holds its first max_key_bytes).
    bool key_too_long;
    std::string_view key;  // valid until the next Reset or Feed
    // The request path was longer than max_key_bytes and the query needs
    // all of it (a --path-regex, or a value that long) to decide: the
    // caller reports an error rather than guess (kind is kNoMatch).
    bool path_too_long = false;
    // kMatch of a --count query (Query::count): the line's time
    // (ParseLogTime), absent when it cannot be read.
    std::optional<int64_t> time;
  };
  // The verdict on the bytes fed since Reset.
  Verdict Finish() const;

 private:
  // Feed's field walk for a query that is not the headline one.
  void FeedGeneral(const char* p, size_t n);
  Verdict FinishGeneral() const;

  const Query& query_;
  std::unique_ptr<QueryPredicates> owned_predicates_;
  const QueryPredicates* predicates_;  // null: the headline query
  // Byte strings of which a line must hold one to count as malformed
  // (LineMatcher's literals; the match value for the headline query).
  const std::vector<std::string> literals_;
  const size_t longest_literal_;
  const size_t max_key_bytes_;
  const uint32_t last_field_;  // max(key_field, match_field)
  uint32_t field_ = 0;         // index of the current or next field
  bool in_field_ = false;
  bool enough_fields_ = false;  // field last_field_ has started
  bool past_last_field_ = false;
  std::string key_;
  bool key_too_long_ = false;
  size_t match_length_ = 0;  // bytes of the match field seen so far
  bool match_equal_ = true;  // and they equal the value's first bytes
  bool holds_value_ = false;
  std::string tail_;  // the last value-length - 1 bytes fed
  // General queries: the fields the query reads, each up to max_key_bytes_
  // (indexed by field; those it does not read stay empty), and which of
  // them were cut there.
  std::vector<std::string> fields_;
  std::vector<bool> wanted_;
  std::vector<bool> cut_;
  bool method_has_quote_ = false;  // in the method field, past its cut
};

}  // namespace logsweep::common
