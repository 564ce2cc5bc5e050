#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "common/base/status.h"
#include "worker/worker.h"

namespace logsweep::worker {

// logsweep-worker's command line, shared with the test worker
// (tests/worker/test_worker_main.cc) so both accept the same flags.
struct WorkerFlags {
  WorkerConfig config;
  std::string log_level = "info";
  std::string log_format = "text";
  int parent_pid = 0;
  std::string inflate;
  int64_t heartbeat_ms = 1000;
  std::string curve_server_key;
  std::string curve_key;
};

// Adds every worker flag to `app`, bound to `flags` (defaults: the
// config's, a host:pid name and one thread per core).
void AddWorkerFlags(CLI::App& app, WorkerFlags& flags);

// Completes flags.config from the parsed flags (inflate backend, heartbeat,
// CURVE keys; a key warning is logged). Errors: InvalidArgument (ISA-L
// asked for but not built in), the key loader's (NotFound,
// PermissionDenied, InvalidArgument naming the file).
common::Status FinishWorkerFlags(WorkerFlags& flags);

}  // namespace logsweep::worker
