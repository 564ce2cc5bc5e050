#include "common/base/host_counts.h"

#include <algorithm>

namespace logsweep::common {

void HostTally::AddLine(std::optional<int64_t> time) {
  ++count;
  if (!time) return;
  if (!first || *time < *first) first = time;
  if (!last || *time > *last) last = time;
}

void HostTally::Merge(const HostTally& other) {
  count += other.count;
  if (other.first && (!first || *other.first < *first)) first = other.first;
  if (other.last && (!last || *other.last > *last)) last = other.last;
}

void HostCounts::AddLine(std::string_view host, std::optional<int64_t> time) {
  // C++17 unordered_map has no heterogeneous lookup: look up a copy (short
  // hosts fit the string's inline buffer), as HostSet::Insert does.
  hosts_[std::string(host)].AddLine(time);
}

void HostCounts::Merge(const HostCounts& other) {
  for (const auto& [host, tally] : other.hosts_) hosts_[host].Merge(tally);
}

void HostCounts::MergeHost(std::string_view host, const HostTally& tally) {
  hosts_[std::string(host)].Merge(tally);
}

const HostTally* HostCounts::Find(std::string_view host) const {
  auto it = hosts_.find(std::string(host));
  return it == hosts_.end() ? nullptr : &it->second;
}

std::vector<HostCounts::Entry> HostCounts::SortedByHost() const {
  std::vector<Entry> out(hosts_.begin(), hosts_.end());
  std::sort(out.begin(), out.end(),
            [](const Entry& a, const Entry& b) { return a.first < b.first; });
  return out;
}

std::vector<HostCounts::Entry> HostCounts::Top(size_t n) const {
  std::vector<Entry> out(hosts_.begin(), hosts_.end());
  auto by_count = [](const Entry& a, const Entry& b) {
    if (a.second.count != b.second.count) {
      return a.second.count > b.second.count;
    }
    return a.first < b.first;
  };
  if (n < out.size()) {
    std::partial_sort(out.begin(), out.begin() + static_cast<ptrdiff_t>(n),
                      out.end(), by_count);
    out.resize(n);
  } else {
    std::sort(out.begin(), out.end(), by_count);
  }
  return out;
}

}  // namespace logsweep::common
