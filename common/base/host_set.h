#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace logsweep::common {

// A set of hosts (raw bytes, never decoded); the reduce step is union.
// Value type; thread-compatible.
class HostSet {
 public:
  HostSet() = default;

  void Insert(std::string_view host);
  // Union: adds every host of `other`. Idempotent.
  void Merge(const HostSet& other);
  bool Contains(std::string_view host) const;
  size_t size() const { return hosts_.size(); }
  bool empty() const { return hosts_.empty(); }

  using const_iterator = std::unordered_set<std::string>::const_iterator;
  const_iterator begin() const { return hosts_.begin(); }
  const_iterator end() const { return hosts_.end(); }

  // Bytewise-sorted copy (the order of `LC_ALL=C sort -u`).
  std::vector<std::string> Sorted() const;

 private:
  std::unordered_set<std::string> hosts_;
};

}  // namespace logsweep::common
