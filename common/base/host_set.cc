#include "common/base/host_set.h"

#include <algorithm>

namespace logsweep::common {

void HostSet::Insert(std::string_view host) {
  // emplace would allocate a node before finding a duplicate, and most
  // matches are hosts seen before. C++17 has no heterogeneous lookup, so
  // look up a copy (short hosts fit the string's inline buffer).
  std::string key(host);
  if (hosts_.find(key) == hosts_.end()) hosts_.insert(std::move(key));
}

void HostSet::Merge(const HostSet& other) {
  hosts_.insert(other.hosts_.begin(), other.hosts_.end());
}

bool HostSet::Contains(std::string_view host) const {
  // C++17 unordered_set has no heterogeneous lookup; the copy is small.
  return hosts_.count(std::string(host)) != 0;
}

std::vector<std::string> HostSet::Sorted() const {
  std::vector<std::string> out(hosts_.begin(), hosts_.end());
  // std::string compares with char_traits<char>::compare, i.e. memcmp:
  // unsigned bytewise, the same order as LC_ALL=C sort.
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace logsweep::common
