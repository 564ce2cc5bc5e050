#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/base/status.h"

namespace logsweep::common {

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
// days_from_civil); month 1..12, day 1..31, not checked here.
int64_t DaysFromCivil(int64_t year, unsigned month, unsigned day);

// Unix seconds as ISO 8601 UTC: `2026-10-01T00:00:00Z`.
std::string FormatIsoUtc(int64_t unix_seconds);

// A --since/--until value as Unix seconds:
//   ISO 8601: `2026-10-01`, `2026-10-01T13:55`, `2026-10-01T13:55:36`,
//   optionally followed by `Z` or an offset (`+02:00`, `-0700`); without
//   one the time is UTC (a date alone is its midnight, UTC);
//   relative to `now`: `-7d`, `-12h`, `-30m`, `-90s`, `-2w`;
//   `now`.
// InvalidArgument (naming the text) for anything else.
StatusOr<int64_t> ParseTimeBound(std::string_view text, int64_t now);

// A duration flag's value: a whole number and one unit, `500ms`, `90s`,
// `30m`, `12h`, `3d`, `2w`, or `0` alone. InvalidArgument (naming the text)
// for anything else, a bare number other than 0 included (its unit would
// be a guess), and beyond 100 years.
StatusOr<std::chrono::milliseconds> ParseDuration(std::string_view text);

}  // namespace logsweep::common
