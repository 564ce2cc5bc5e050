#pragma once

#include <string>

#include "coordinator/status_snapshot.h"

namespace logsweep::coordinator::http {

// The snapshot in the Prometheus text exposition format (version 0.0.4):
// every metric with HELP and TYPE, per-worker series labelled by worker
// name (a name seen twice gets "#2", "#3" appended so no series repeats).
// The metrics are listed in docs/operations.md. Pure; thread-safe.
std::string RenderMetrics(const StatusSnapshot& snapshot);

}  // namespace logsweep::coordinator::http
