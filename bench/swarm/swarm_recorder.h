#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bench/swarm/fake_worker.h"
#include "bench/swarm/swarm.h"

namespace logsweep::swarm {

// Follows a swarm's counters over time, from snapshots taken by its caller:
// answers per second, when answering began and ended, when every worker
// had registered; and renders progress lines and the final JSON report.
// Owned by one thread.
class SwarmRecorder {
 public:
  explicit SwarmRecorder(TimePoint start) : start_(start) {}
  SwarmRecorder(const SwarmRecorder&) = delete;
  SwarmRecorder& operator=(const SwarmRecorder&) = delete;

  // Takes one sample (call every 100 ms or so). Returns true once, at the
  // first sample where every worker not closed by the fault script has
  // registered (heard from the coordinator).
  bool Sample(const SwarmSnapshot& snap, TimePoint now);

  // One line: registered workers, tasks answered and the recent rate,
  // duplicates, reregisters, reconnects.
  std::string ProgressLine(const SwarmSnapshot& snap, TimePoint now);

  // Seconds from start until every worker had registered, if it happened.
  std::optional<double> ready_seconds() const { return ready_; }

  // The report: `config`, every counter, duplicates, timing and rates,
  // and this process's CPU time and peak RSS. Pretty-printed JSON.
  std::string Json(const SwarmConfig& config, const SwarmSnapshot& snap,
                   TimePoint now) const;

  // The same figures as text, for stdout.
  std::string Summary(const SwarmSnapshot& snap, TimePoint now) const;

 private:
  double Seconds(TimePoint t) const {
    return std::chrono::duration<double>(t - start_).count();
  }

  TimePoint start_;
  std::optional<double> ready_;
  std::optional<double> first_answer_;  // seconds from start
  std::optional<double> last_answer_;
  uint64_t last_answered_ = 0;
  std::vector<uint64_t> per_second_;  // answers in each second from start
  uint64_t line_answered_ = 0;        // at the previous progress line
  TimePoint line_time_{};
};

}  // namespace logsweep::swarm
