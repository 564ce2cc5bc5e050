#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace logsweep::swarm {

// The part one fake worker plays in a swarm's fault script.
enum class WorkerRole : uint8_t {
  kHealthy,
  kBad,     // fails every task (a node with a broken mount)
  kCloser,  // closes its connection without goodbye, once triggered
  kFreezer  // stops reading and sending for a while, once triggered
};

// How the closers are placed among the workers.
enum class ClosePlacement : uint8_t {
  kSpread,  // evenly over the index range (single machines failing)
  kBlock    // the lowest indices not bad: a rack or a swarm process gone;
            // they connected first, so the coordinator lists them first
};

// Gives `bad`, `closers` and `freezers` workers of `workers` their role,
// each group spread evenly over the index range (so over shards and over
// the coordinator's registration order; closers as `placement` says) and
// disjoint from the others; the rest are healthy. Counts must add up to at
// most `workers` (asserted).
std::vector<WorkerRole> AssignRoles(
    size_t workers, size_t bad, size_t closers, size_t freezers,
    ClosePlacement placement = ClosePlacement::kSpread);

// The number of bad workers for a fraction in [0, 1] of `workers`, rounded
// to the nearest; at least one when the fraction is above zero.
size_t BadWorkerCount(size_t workers, double fraction);

}  // namespace logsweep::swarm
