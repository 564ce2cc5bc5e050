#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "common/base/query.h"
#include "common/base/status.h"

namespace re2 {
class RE2;
}

namespace logsweep::common {

// The predicates of a Query that is not the headline one, compiled once:
// the exact values as a set, the RE2 program, the status ranges. Evaluates
// them on a line's split fields. The query must be valid (ValidateQuery).
// Immutable after construction, so one
// instance may be shared by threads.
class QueryPredicates {
 public:
  explicit QueryPredicates(const Query& query);
  ~QueryPredicates();
  QueryPredicates(const QueryPredicates&) = delete;
  QueryPredicates& operator=(const QueryPredicates&) = delete;

  enum class Verdict {
    kMatch,
    kNoMatch,
    kUnreadableMethod,  // the method field is not `"` and a method
    kUnreadableStatus,  // the status field is not a decimal number
    kUnreadableTime,    // the time fields are not [dd/Mon/yyyy:hh:mm:ss +zzzz]
  };

  // Decides a line from its fields: `fields[i]` is field i for every i up
  // to last_field(). Predicates are tried in a fixed order (path, method,
  // status, time) and the first that fails decides, so a line is counted
  // unreadable only when every predicate before that one held.
  Verdict Evaluate(const std::string_view* fields) const;

  // The highest field index Evaluate (and the key) needs.
  uint32_t last_field() const { return last_field_; }

  // A byte string every matching line holds (see RequiredLiteral); empty
  // when the query has none.
  const std::string& literal() const { return literal_; }

  // Byte strings of which every matching line holds at least one (see
  // RequiredLiterals): {literal()} when there is one, the exact values
  // when there are several, else none.
  const std::vector<std::string>& literals() const { return literals_; }

  // The longest of: the exact value when it is the only one (a value given
  // twice counts once), the prefix, and a literal the pattern requires
  // (RegexLiteral); ties in that order. Empty with several values.
  static std::string RequiredLiteral(const Query& query);

  // With two or more distinct exact values: those values, less each one
  // that holds another (a line holding "/a/b" holds "/a"), in the order
  // given; a line holds one of them exactly when it holds one of the
  // values. Otherwise {RequiredLiteral(query)}, or none when that is empty.
  static std::vector<std::string> RequiredLiterals(const Query& query);

  // A run of bytes every match of `pattern` contains, found conservatively
  // from its text: the longest run of plain characters (or escaped
  // punctuation) at the top level of a pattern without a top-level `|` or
  // any (?i) flag, minus a character that a quantifier follows. Empty when
  // there is none.
  static std::string RegexLiteral(std::string_view pattern);

 private:
  const Query query_;  // a copy: values_ views its strings
  uint32_t last_field_;
  std::string literal_;
  std::vector<std::string> literals_;
  std::unordered_set<std::string_view> values_;  // views of query_'s values
  std::unique_ptr<re2::RE2> regex_;
};

// The time of a log line, from its fields `[10/Oct/2000:13:55:36` and
// `-0700]`, as Unix seconds; false when they are not exactly that form
// (also a month name in another case, a zone above +/-2359).
bool ParseLogTime(std::string_view date, std::string_view zone,
                  int64_t* unix_seconds);

}  // namespace logsweep::common
