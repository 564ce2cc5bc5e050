#pragma once

// Domain types of every message on the wire (proto/logsweep.proto). Only
// common/codec.cc converts between these and the generated protobuf types,
// so scheduling, tracking and merging never see protobuf.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "common/base/file_identity.h"
#include "common/base/host_counts.h"
#include "common/base/host_set.h"
#include "common/base/query.h"
#include "common/base/scan_stats.h"
#include "common/base/status.h"

namespace logsweep::common {

// 4: --count (Query::count and per-host tallies beside hosts).
inline constexpr uint32_t kProtocolVersion = 4;
// Records the coordinator stored (journal, result cache) are read back
// from this version on: version 3's messages are version 4's without
// --count.
inline constexpr uint32_t kOldestStoredVersion = 3;

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
  std::vector<TaskRef> running;  // tasks the worker holds right now
  std::string instance;          // random per worker process
};
struct Heartbeat {};
struct Reregister {};
struct Goodbye {};  // the worker is stopping

struct TaskAssignment {
  TaskRef ref;
  std::string path;
  Query query;
  // The file's identity when the coordinator cached its result for this
  // query (docs/cache.md); none: scan.
  std::optional<FileIdentity> cached;
  // With `cached`: the entry's result covers the bytes before this offset;
  // a grown file may be scanned from here (Task.resume_from). 0: none.
  uint64_t resume_from = 0;
  // The coordinator keeps no cache: take no identity, offer no resume.
  bool no_identity = false;
  // Files smaller than this are not cached (Task.cache_min_bytes).
  uint64_t cache_min_bytes = 0;
};

// The end of one attempt: status OK with all hosts, or an error with the
// hosts found before it.
struct TaskOutcome {
  TaskRef ref;
  Status status;
  HostSet hosts;
  // A --count query: each of `hosts`' tally (exactly the same hosts);
  // empty otherwise.
  HostCounts counts;
  ScanStats stats;
  std::vector<std::string> warnings;  // did not cost the answer
  // OK outcomes only: the file's identity, equal before and after the
  // scan (none: it changed while read, or was not read as a file).
  std::optional<FileIdentity> identity;
  // The file still has TaskAssignment::cached (echoed in `identity`): no
  // hosts or stats, the coordinator answers from its cache.
  bool unchanged = false;
  // Growing files (TaskResult.resume_offset and start_offset): `hosts` and
  // `stats` cover [start_offset, resume_offset), `tail_hosts` and
  // `tail_stats` the bytes after resume_offset; 0: no resume offered (and
  // no tail). start_offset nonzero: an incremental scan over the cached
  // result of `base`.
  uint64_t resume_offset = 0;
  HostSet tail_hosts;
  ScanStats tail_stats;
  uint64_t start_offset = 0;
  std::optional<FileIdentity> base;
};

// The coordinator will not serve this peer (wrong endpoint or protocol
// version, or an undecodable message); `status` says why.
struct Refused {
  Status status;
  uint32_t protocol_version = kProtocolVersion;  // the coordinator's
};

// Tasks and outcomes travel in batches (one or more): see Tasks and
// Outcomes in proto/logsweep.proto.
struct TaskBatch {
  std::vector<TaskAssignment> tasks;
};
struct OutcomeBatch {
  std::vector<TaskOutcome> outcomes;
};

using WorkerToCoordinator =
    std::variant<WorkerHello, Heartbeat, OutcomeBatch, Goodbye>;
using CoordinatorToWorker =
    std::variant<TaskBatch, Heartbeat, Reregister, Refused>;

// ---- client <-> coordinator ----

// request_id: the client's, echoed in the answer (0: not needed).
struct SubmitJob {
  std::vector<std::string> paths;
  Query query;
  bool merge_partial = false;
  uint64_t request_id = 0;
  bool stream_files = false;  // send FilesDone as files finish
  std::string request_key;    // idempotency key chosen by the client
};

struct JobAccepted {
  std::string job_id;
  uint64_t total_tasks = 0;
  uint64_t request_id = 0;
};
struct JobRejected {
  Status status;
  uint64_t request_id = 0;
};
struct JobProgress {
  std::string job_id;
  uint64_t total = 0;
  uint64_t done = 0;  // finished, including failed
  uint64_t failed = 0;
  uint64_t bytes_scanned = 0;
  uint32_t workers = 0;
  uint64_t speculated = 0;  // tasks copied to a second worker
};
struct FileReport {
  std::string path;
  Status status;
  ScanStats stats;
  uint32_t attempts = 0;
  std::vector<std::string> warnings;
};
// A piece of a large JobResult, sent before it (see the proto).
struct JobResultPart {
  std::string job_id;
  std::vector<std::string> hosts;  // unique across parts, unsorted
  std::vector<FileReport> files;   // the next files in submission order
  uint64_t index = 0;              // 0: the first piece of a sending
  std::vector<HostTally> tallies;  // --count: parallel to hosts, else empty
};
struct JobResult {
  std::string job_id;
  std::vector<std::string> hosts;  // sorted, unique (once assembled)
  std::vector<HostTally> tallies;  // --count: parallel to hosts, else empty
  bool counted = false;            // the job's query is a --count one
  std::vector<FileReport> files;   // in submission order
  ScanStats totals;
  uint64_t elapsed_us = 0;
  // On the wire only: the parts sent before this message and the size of
  // the whole result (see JobResultPart).
  uint64_t parts = 0;
  uint64_t host_count = 0;
  uint64_t file_count = 0;
  std::string query;        // the job's query as text (common::QueryText)
  uint64_t speculated = 0;  // tasks copied to a second worker
};

struct WaitJob {
  std::string job_id;
  uint64_t request_id = 0;
  bool stream_files = false;
  // Start a result already being sent to this client over (see proto).
  bool restart_result = false;
};

// One finished file of a streaming job; task_id is its index in the job.
struct FileOutcome {
  uint64_t task_id = 0;
  FileReport report;
  std::vector<std::string> hosts;  // sorted, unique
  std::vector<HostTally> tallies;  // --count: parallel to hosts, else empty
};
struct FilesDone {
  std::string job_id;
  std::vector<FileOutcome> files;
};

// No task_ids: every unfinished task of the job.
struct CancelJob {
  std::string job_id;
  std::vector<uint64_t> task_ids;
  uint64_t request_id = 0;
};
struct CancelReply {
  std::string job_id;
  uint64_t cancelled = 0;
  uint64_t request_id = 0;
};

// Empty job_id: every unfinished job. history: the journal's newest
// `history_limit` jobs instead (StatusReply::history).
struct GetStatus {
  std::string job_id;
  uint64_t request_id = 0;
  bool history = false;
  uint32_t history_limit = 0;
};
struct WorkerStatus {
  std::string name;
  uint32_t slots = 0;
  uint32_t in_flight = 0;
  uint64_t tasks_done = 0;
  uint64_t bytes_scanned = 0;
  uint64_t connected_ms = 0;
  bool quarantined = false;
  std::string quarantine_reason;
  uint64_t recent_bytes_per_second = 0;  // over the last 10 to 20 s
  uint64_t last_seen_ms = 0;  // since its last message (any: a heartbeat too)
};
struct JobStatus {
  JobProgress progress;
  uint64_t elapsed_ms = 0;  // since submit; when finished, its duration
  bool client_attached = false;
  std::string query;  // the job's query as text (common::QueryText)
  bool finished = false;
};
// One job of the journal's history.
struct JobSummary {
  std::string job_id;             // shortened unless the asker's own
  int64_t submitted_unix_ms = 0;  // 0: unknown
  std::string state;              // "running", "done", "failed", "cancelled"
  uint64_t files = 0;
  uint64_t failed = 0;
  uint64_t done = 0;
  uint64_t elapsed_ms = 0;
};
struct StatusReply {
  std::vector<WorkerStatus> workers;
  std::vector<JobStatus> jobs;
  uint64_t request_id = 0;
  std::vector<JobSummary> history;
  bool has_history = false;  // an answer to a history request
};

using ClientToCoordinator =
    std::variant<SubmitJob, WaitJob, CancelJob, GetStatus>;
using CoordinatorToClient =
    std::variant<JobAccepted, JobRejected, JobProgress, JobResult, CancelReply,
                 StatusReply, FilesDone, JobResultPart, Refused>;

}  // namespace logsweep::common
