#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/base/scan_stats.h"

namespace logsweep::swarm {

// What a fake worker answers for a path, derived from the path alone, so the
// job driver can compute the exact expected result without asking the swarm.
// Value type.
struct AnswerShape {
  // Hosts per answered task (0 .. 1,000), all distinct.
  uint32_t hosts_per_task = 1;
  // Distinct hosts over the whole job (1 .. 16,777,216): the union of every
  // task's hosts is at most this many.
  uint32_t host_space = 1000;
  // Reported as bytes_scanned (and a quarter of it as bytes_read) per task.
  uint64_t bytes_per_task = 20480;
};

// The synthetic path of task `index` (0-based): `prefix` then 8 digits of
// index + 1, e.g. "/swarm/00000001". With the default prefix it fits the
// standard library's short-string buffer, which keeps a 10M-path job small.
std::string SwarmPath(std::string_view prefix, uint64_t index);

// The hosts a fake worker reports for `path`: min(hosts_per_task,
// host_space) distinct dotted quads "10.a.b.c" picked by a hash of the path.
std::vector<std::string> SyntheticHosts(std::string_view path,
                                        const AnswerShape& shape);

// The stats a fake worker reports for a task that found `hosts` hosts.
common::ScanStats SyntheticStats(const AnswerShape& shape, size_t hosts);

}  // namespace logsweep::swarm
