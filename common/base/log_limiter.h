#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <unordered_map>

#include "common/base/clock.h"

namespace logsweep::common {

// Decides whether a repeated log line is written: the first of a kind at
// once, then at most one per `interval`, which says how many like it were
// held back meanwhile. A kind is any string (a message with its variable
// parts left out, or a peer). Bounded: kinds not seen for a while are
// forgotten by Prune. Value type; owned by one thread.
class LogLimiter {
 public:
  explicit LogLimiter(std::chrono::milliseconds interval)
      : interval_(interval) {}

  // True when a line of `kind` should be written now; then `*suppressed`
  // (if not null) is how many were held back since the last one written.
  bool Allow(const std::string& kind, TimePoint now,
             uint64_t* suppressed = nullptr) {
    Entry& e = entries_[kind];
    if (e.seen && now - e.last < interval_) {
      ++e.suppressed;
      return false;
    }
    if (suppressed != nullptr) *suppressed = e.suppressed;
    e.seen = true;
    e.last = now;
    e.suppressed = 0;
    return true;
  }

  // Forgets kinds whose last line is older than `age`.
  void Prune(TimePoint now, std::chrono::milliseconds age) {
    for (auto it = entries_.begin(); it != entries_.end();) {
      it = now - it->second.last > age ? entries_.erase(it) : std::next(it);
    }
  }

  size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    bool seen = false;
    TimePoint last{};
    uint64_t suppressed = 0;
  };
  std::chrono::milliseconds interval_;
  std::unordered_map<std::string, Entry> entries_;
};

// " (N more like this since)" when N > 0, for the line LogLimiter allowed.
inline std::string SuppressedNote(uint64_t suppressed) {
  return suppressed == 0
             ? std::string()
             : " (" + std::to_string(suppressed) + " more like this held back)";
}

}  // namespace logsweep::common
