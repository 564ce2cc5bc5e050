#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace logsweep::common {

// What `--count` collects for one host: how many matching lines, and the
// earliest and latest time among those whose time could be read (Unix
// seconds; absent when none could). Value type.
struct HostTally {
  uint64_t count = 0;
  std::optional<int64_t> first;
  std::optional<int64_t> last;

  // Adds one matching line; `time` is absent when the line's time could
  // not be read: the line counts, its time is not used.
  void AddLine(std::optional<int64_t> time);
  // The tally of both: counts add, first and last take min and max.
  void Merge(const HostTally& other);

  bool operator==(const HostTally& o) const {
    return count == o.count && first == o.first && last == o.last;
  }
};

// Per-host tallies (hosts as raw bytes, never decoded); the reduce step
// adds counts and takes the min of first and the max of last, so merging
// is exact only when each file's tallies are merged once (the coordinator
// accepts one outcome per task). Value type; thread-compatible.
class HostCounts {
 public:
  HostCounts() = default;

  void AddLine(std::string_view host, std::optional<int64_t> time);
  void Merge(const HostCounts& other);
  // Merges `tally` into `host`'s (a decoded partial result).
  void MergeHost(std::string_view host, const HostTally& tally);

  size_t size() const { return hosts_.size(); }
  bool empty() const { return hosts_.empty(); }
  // Null when the host has no matching line.
  const HostTally* Find(std::string_view host) const;

  using Entry = std::pair<std::string, HostTally>;
  // By host, bytewise (the order of `LC_ALL=C sort`).
  std::vector<Entry> SortedByHost() const;
  // By count, descending, ties by host bytewise; at most `n` entries.
  std::vector<Entry> Top(size_t n) const;

 private:
  std::unordered_map<std::string, HostTally> hosts_;
};

}  // namespace logsweep::common
