#pragma once

#include <cstdint>
#include <string>

namespace logsweep::common {

// The question asked of every line: collect field `key_field` of each line
// whose field `match_field` equals `match_value` byte for byte. Fields are
// counted from 0 after splitting on runs of ASCII whitespace. Value type.
struct Query {
  uint32_t key_field = 0;
  uint32_t match_field = 6;
  std::string match_value = "/robots.txt";

  bool operator==(const Query& other) const {
    return key_field == other.key_field && match_field == other.match_field &&
           match_value == other.match_value;
  }
};

// Largest field index a query may name; lines are only split this far.
inline constexpr uint32_t kMaxQueryField = 64;

}  // namespace logsweep::common
