#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/base/status.h"

namespace logsweep::common {

// An inclusive range of HTTP status codes: 404 is {404, 404}, 4xx is
// {400, 499}. Value type.
struct StatusRange {
  uint32_t low = 0;
  uint32_t high = 0;
  bool operator==(const StatusRange& o) const {
    return low == o.low && high == o.high;
  }
};

// The question asked of every line: collect field `key_field` of each line
// on which every predicate the query has holds. Fields are counted from 0
// after splitting on runs of ASCII whitespace (Python's bytes.split());
// bytes are never decoded. docs/cli.md ("The query") is the user's view.
//
// The predicates, all of which must hold (an empty one is absent):
//   the match field (the request path) equals `match_value` or one of
//   `more_values` byte for byte; starts with `path_prefix`; or contains a
//   match of the RE2 pattern `path_regex` (unanchored, bytes as Latin-1,
//   case-sensitive unless the pattern says (?i));
//   the status field is a decimal number inside one of `statuses`;
//   the method field is `"` followed by one of `methods`;
//   the time (`[10/Oct/2000:13:55:36` and `-0700]`, fields time_field and
//   time_field + 1) is at or after `since` and before `until`.
// A line whose status, method or time cannot be read does not match and
// is counted (ScanStats::unreadable_*).
//
// The default is the headline query, hosts that asked for /robots.txt;
// IsHeadline() queries take the matcher's fastest path. Value type.
struct Query {
  uint32_t key_field = 0;
  uint32_t match_field = 6;
  std::string match_value = "/robots.txt";  // empty: no exact-value test
  std::vector<std::string> more_values;     // further exact values (any of)
  std::string path_prefix;
  std::string path_regex;
  std::vector<StatusRange> statuses;  // any of
  std::vector<std::string> methods;   // any of, without the quote
  std::optional<int64_t> since;       // Unix seconds, inclusive
  std::optional<int64_t> until;       // Unix seconds, exclusive
  uint32_t method_field = 5;
  uint32_t time_field = 3;  // and time_field + 1 for the zone
  uint32_t status_field = 8;

  // What to collect: false, the set of keys (hosts); true (--count), per
  // key the number of matching lines and the first and last time among
  // them (HostCounts), which reads the time fields of every matching line.
  bool count = false;

  // A listing instead of a scan (`logsweep submit --remote`, docs/protocol.md
  // "Remote expansion"): the worker expands the task's path under its
  // --data-root with the discovery rules (common/discovery, FindOptions:
  // these three fields) and answers with the files found in place of
  // hosts. The predicates are unused then.
  bool list_files = false;
  std::vector<std::string> include;
  std::vector<std::string> exclude;
  bool all_files = false;

  // Only an exact value (and key and match field), collecting keys: the
  // headline question.
  bool IsHeadline() const {
    return !match_value.empty() && more_values.empty() && path_prefix.empty() &&
           path_regex.empty() && statuses.empty() && methods.empty() &&
           !since && !until && !count;
  }
  bool HasTime() const { return since.has_value() || until.has_value(); }

  bool operator==(const Query& o) const {
    return key_field == o.key_field && match_field == o.match_field &&
           match_value == o.match_value && more_values == o.more_values &&
           path_prefix == o.path_prefix && path_regex == o.path_regex &&
           statuses == o.statuses && methods == o.methods && since == o.since &&
           until == o.until && method_field == o.method_field &&
           time_field == o.time_field && status_field == o.status_field &&
           count == o.count && list_files == o.list_files &&
           include == o.include && exclude == o.exclude &&
           all_files == o.all_files;
  }
};

// The headline form of a query: field `key_field` of each line whose field
// `match_field` equals `value`.
inline Query ExactQuery(uint32_t key_field, uint32_t match_field,
                        std::string value) {
  Query q;
  q.key_field = key_field;
  q.match_field = match_field;
  q.match_value = std::move(value);
  return q;
}

// Largest field index a query may name; lines are only split this far.
inline constexpr uint32_t kMaxQueryField = 64;
// Most --include plus --exclude patterns a listing query carries.
inline constexpr size_t kMaxListPatterns = 256;

// Limits the coordinator enforces on every query (codec.cc).
inline constexpr size_t kMaxMatchValueBytes = 4096;     // each value, prefix
inline constexpr size_t kMaxQueryValues = 1024;         // exact values
inline constexpr size_t kMaxRegexBytes = 4096;          // the pattern's text
inline constexpr int64_t kMaxRegexProgramSize = 20000;  // RE2's ProgramSize
inline constexpr size_t kMaxStatusRanges = 64;
inline constexpr size_t kMaxMethods = 32;
inline constexpr size_t kMaxMethodBytes = 32;

// Ok, or InvalidArgument naming the part of the query that is wrong (a
// field index, a value or pattern over its size limit, a pattern RE2 does
// not accept, an empty status range or time window, a method with a space
// or quote). The codec calls it on every query it decodes, so the
// coordinator refuses a bad one before any task is made and a matcher
// never sees one.
Status ValidateQuery(const Query& query);

// The query as the `logsweep run` flags that ask it, e.g.
// `--path /a --path /b --status 400-499 --since 2026-10-01T00:00:00Z`:
// the one text form shown by `status`, `--json` and the docs. Values that
// are not plain printable ASCII are quoted as in bash ($'\xff').
std::string QueryText(const Query& query);

}  // namespace logsweep::common
