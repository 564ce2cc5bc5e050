#pragma once

#include <re2/re2.h>

namespace logsweep::common {

// How a query's --path-regex is compiled, the same for validation and
// matching: Latin-1 (each byte one character, never decoded),
// case-sensitive, errors returned rather than logged.
RE2::Options QueryRegexOptions();

}  // namespace logsweep::common
