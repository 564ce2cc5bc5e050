#include "bench/swarm/synthetic_answer.h"

#include <algorithm>
#include <cstdio>

namespace logsweep::swarm {
namespace {

// FNV-1a: stable across runs and builds (std::hash is not promised to be).
uint64_t Fnv1a(std::string_view bytes) {
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

std::string DottedQuad(uint32_t n) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "10.%u.%u.%u", (n >> 16) & 255u,
                (n >> 8) & 255u, n & 255u);
  return buf;
}

}  // namespace

std::string SwarmPath(std::string_view prefix, uint64_t index) {
  char digits[24];
  std::snprintf(digits, sizeof digits, "%08llu",
                static_cast<unsigned long long>(index + 1));
  std::string path(prefix);
  path += digits;
  return path;
}

std::vector<std::string> SyntheticHosts(std::string_view path,
                                        const AnswerShape& shape) {
  std::vector<std::string> hosts;
  if (shape.host_space == 0) return hosts;
  const uint32_t count = std::min(shape.hosts_per_task, shape.host_space);
  const uint64_t first = Fnv1a(path) % shape.host_space;
  hosts.reserve(count);
  for (uint32_t j = 0; j < count; ++j) {
    hosts.push_back(
        DottedQuad(static_cast<uint32_t>((first + j) % shape.host_space)));
  }
  return hosts;
}

common::ScanStats SyntheticStats(const AnswerShape& shape, size_t hosts) {
  common::ScanStats stats;
  stats.lines = shape.bytes_per_task / 200;  // about 200 bytes per log line
  stats.matches = hosts;
  stats.bytes_scanned = shape.bytes_per_task;
  stats.bytes_read = shape.bytes_per_task / 4;
  return stats;
}

}  // namespace logsweep::swarm
