#pragma once

#include <chrono>

namespace logsweep::common {

// The one clock of every protocol engine: monotonic, so deadlines survive
// wall-clock changes. Handlers take `now` as a parameter (tests pass any
// time they like); only the thin socket loops read the clock.
using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;

}  // namespace logsweep::common
