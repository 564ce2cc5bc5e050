#include "bench/swarm/worker_roles.h"

#include <cassert>
#include <cmath>

namespace logsweep::swarm {
namespace {

// Takes `count` of `candidates` at even spacing, gives them `role`, and
// removes them from `candidates`.
void Pick(std::vector<size_t>& candidates, size_t count, WorkerRole role,
          std::vector<WorkerRole>& roles) {
  if (count == 0) return;
  const size_t n = candidates.size();
  assert(count <= n && "more workers with a role than workers");
  std::vector<size_t> rest;
  rest.reserve(n - count);
  for (size_t i = 0; i < n; ++i) {
    // Candidate i is picked when (i * count / n) steps up at i + 1: exactly
    // `count` picks, evenly spaced.
    if ((i + 1) * count / n > i * count / n) {
      roles[candidates[i]] = role;
    } else {
      rest.push_back(candidates[i]);
    }
  }
  candidates.swap(rest);
}

}  // namespace

std::vector<WorkerRole> AssignRoles(size_t workers, size_t bad, size_t closers,
                                    size_t freezers, ClosePlacement placement) {
  assert(bad + closers + freezers <= workers &&
         "more workers with a role than workers");
  std::vector<WorkerRole> roles(workers, WorkerRole::kHealthy);
  std::vector<size_t> candidates(workers);
  for (size_t i = 0; i < workers; ++i) candidates[i] = i;
  Pick(candidates, bad, WorkerRole::kBad, roles);
  if (placement == ClosePlacement::kBlock) {
    for (size_t i = 0; i < closers; ++i) {
      roles[candidates[i]] = WorkerRole::kCloser;
    }
    candidates.erase(candidates.begin(),
                     candidates.begin() + static_cast<long>(closers));
  } else {
    Pick(candidates, closers, WorkerRole::kCloser, roles);
  }
  Pick(candidates, freezers, WorkerRole::kFreezer, roles);
  return roles;
}

size_t BadWorkerCount(size_t workers, double fraction) {
  if (fraction <= 0 || workers == 0) return 0;
  if (fraction >= 1) return workers;
  auto n = static_cast<size_t>(std::llround(fraction * workers));
  return n == 0 ? 1 : n;
}

}  // namespace logsweep::swarm
