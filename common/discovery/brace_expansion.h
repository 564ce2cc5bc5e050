#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/base/status.h"

namespace logsweep::common {

// Expands braces as bash does, before globbing: "web{1,2}/x" gives
// "web1/x", "web2/x"; lists nest ("{a,{b,c}d}" gives a, bd, cd) and
// combine left to right ("{a,b}{1,2}" gives a1 a2 b1 b2); "{1..3}",
// "{01..10}", "{3..1}", "{a..e}" and "{1..9..2}" are sequences. A brace
// pair with neither a top-level comma nor a sequence ("{a}", "{}") and an
// unmatched brace stay literal, as does a brace escaped with a backslash
// (the backslash is kept: the words are glob patterns). A string without
// braces gives itself.
// Errors: InvalidArgument when the expansion would give more than
// kMaxBraceWords words (a typo such as {1..100000000}).
inline constexpr size_t kMaxBraceWords = 100000;
StatusOr<std::vector<std::string>> ExpandBraces(std::string_view text);

}  // namespace logsweep::common
