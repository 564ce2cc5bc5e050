#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace logsweep::common {

// The question asked of every line: collect field `key_field` of each line
// whose field `match_field` equals `match_value` byte for byte. Fields are
// counted from 0 after splitting on runs of ASCII whitespace. Value type.
struct Query {
  uint32_t key_field = 0;
  uint32_t match_field = 6;
  std::string match_value = "/robots.txt";

  // A listing instead of a scan (`logsweep submit --remote`, docs/protocol.md
  // "Remote expansion"): the worker expands the task's path under its
  // --data-root with the discovery rules (common/discovery, FindOptions:
  // these three fields) and answers with the files found in place of
  // hosts. The fields above are unused then.
  bool list_files = false;
  std::vector<std::string> include;
  std::vector<std::string> exclude;
  bool all_files = false;

  bool operator==(const Query& other) const {
    return key_field == other.key_field && match_field == other.match_field &&
           match_value == other.match_value && list_files == other.list_files &&
           include == other.include && exclude == other.exclude &&
           all_files == other.all_files;
  }
};

// Largest field index a query may name; lines are only split this far.
inline constexpr uint32_t kMaxQueryField = 64;
// Most --include plus --exclude patterns a listing query carries.
inline constexpr size_t kMaxListPatterns = 256;

}  // namespace logsweep::common
