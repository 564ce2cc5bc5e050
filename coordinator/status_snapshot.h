#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <vector>

#include "common/base/clock.h"
#include "common/transport/messages.h"
#include "coordinator/coordinator_stats.h"

namespace logsweep::coordinator {

// Cumulative totals at one moment, for rates over the last minutes.
struct RateSample {
  TimePoint at;
  uint64_t files = 0;          // tasks finished, ok or failed
  uint64_t bytes_scanned = 0;  // uncompressed
};

// What the status page and /metrics show, as the poll loop saw it at
// `taken`: an immutable value, built on the I/O thread and read by the HTTP
// thread, so neither waits for the other.
struct StatusSnapshot {
  TimePoint taken;
  std::chrono::system_clock::time_point taken_wall;
  std::chrono::milliseconds uptime{0};
  std::vector<common::WorkerStatus> workers;
  std::vector<common::JobStatus> jobs;  // unfinished; ids in full
  uint64_t queued_tasks = 0;            // pending, not on any worker
  CoordinatorCounters counters;
  std::deque<RateSample> rates;  // oldest first, every publish
};

// The latest snapshot, handed from the I/O thread to any reader by an
// atomically swapped shared_ptr: Publish never waits for a reader, and a
// reader keeps the snapshot it took alive for as long as it needs it.
// Thread-safe.
class StatusBoard {
 public:
  StatusBoard() = default;
  StatusBoard(const StatusBoard&) = delete;
  StatusBoard& operator=(const StatusBoard&) = delete;

  void Publish(std::shared_ptr<const StatusSnapshot> snapshot) {
    std::atomic_store(&latest_, std::move(snapshot));
  }
  // Null until the first Publish.
  std::shared_ptr<const StatusSnapshot> Latest() const {
    return std::atomic_load(&latest_);
  }

 private:
  std::shared_ptr<const StatusSnapshot> latest_;
};

}  // namespace logsweep::coordinator
