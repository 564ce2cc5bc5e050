#pragma once

// Domain types of every message on the wire (proto/logsweep.proto). Only
// common/codec.cc converts between these and the generated protobuf types,
// so scheduling, tracking and merging never see protobuf.

#include <chrono>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "common/host_set.h"
#include "common/query.h"
#include "common/scan_stats.h"
#include "common/status.h"

namespace logsweep::common {

inline constexpr uint32_t kProtocolVersion = 1;

// One attempt at one task of one job.
struct TaskRef {
  std::string job_id;
  uint64_t task_id = 0;
  uint32_t attempt = 0;
};

// ---- worker <-> coordinator ----

struct WorkerHello {
  std::string name;
  uint32_t slots = 1;
  std::chrono::milliseconds heartbeat_interval{0};  // 0: unknown
};
struct Heartbeat {};
struct Reregister {};

struct TaskAssignment {
  TaskRef ref;
  std::string path;
  Query query;
};

// The end of one attempt: status OK with all hosts, or an error with the
// hosts found before it.
struct TaskOutcome {
  TaskRef ref;
  Status status;
  HostSet hosts;
  ScanStats stats;
};

using WorkerToCoordinator = std::variant<WorkerHello, Heartbeat, TaskOutcome>;
using CoordinatorToWorker = std::variant<TaskAssignment, Heartbeat, Reregister>;

// ---- client <-> coordinator ----

struct SubmitJob {
  std::vector<std::string> paths;
  Query query;
  bool merge_partial = false;
};

struct JobAccepted {
  std::string job_id;
  uint64_t total_tasks = 0;
};
struct JobRejected {
  Status status;
};
struct JobProgress {
  std::string job_id;
  uint64_t total = 0;
  uint64_t done = 0;  // finished, including failed
  uint64_t failed = 0;
  uint64_t bytes_scanned = 0;
  uint32_t workers = 0;
};
struct FileReport {
  std::string path;
  Status status;
  ScanStats stats;
  uint32_t attempts = 0;
};
struct JobResult {
  std::string job_id;
  std::vector<std::string> hosts;  // sorted, unique
  std::vector<FileReport> files;   // in submission order
  ScanStats totals;
  uint64_t elapsed_us = 0;
};

struct WaitJob {
  std::string job_id;
};

using ClientToCoordinator = std::variant<SubmitJob, WaitJob>;
using CoordinatorToClient =
    std::variant<JobAccepted, JobRejected, JobProgress, JobResult>;

}  // namespace logsweep::common
