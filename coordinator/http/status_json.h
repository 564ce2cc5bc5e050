#pragma once

#include <cstddef>
#include <string>

#include "coordinator/status_snapshot.h"

namespace logsweep::coordinator::http {

struct StatusJsonOptions {
  // Job ids are capabilities (they let a client wait for or cancel a job):
  // when the endpoint is reachable from other hosts, only their first 8
  // characters are shown.
  bool full_job_ids = true;
  // The page of workers to list (the summary always covers all of them);
  // limit is capped at 500.
  size_t workers_offset = 0;
  size_t workers_limit = 50;
  // Sort the workers by "name", "busy" (in flight, most first) or
  // "quarantined" (quarantined first, then by name).
  std::string workers_sort = "name";
};

// The snapshot as the JSON document /api/status serves and the page reads:
// summary, one page of workers, unfinished jobs, finished jobs (newest
// first), recent failures, gone workers and the rate samples. Pure;
// thread-safe.
std::string RenderStatusJson(const StatusSnapshot& snapshot,
                             const StatusJsonOptions& options);

}  // namespace logsweep::coordinator::http
