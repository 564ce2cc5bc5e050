#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "common/base/status.h"
#include "common/transport/messages.h"

namespace logsweep::common {
struct FoundFiles;
}  // namespace logsweep::common

namespace logsweep::client {

// Exit codes of the `logsweep` CLI.
inline constexpr int kExitOk = 0;
inline constexpr int kExitError = 1;          // could not run the job
inline constexpr int kExitUsage = 2;          // bad flags or arguments, or
                                              // nothing to scan
inline constexpr int kExitFilesFailed = 3;    // some files or paths failed;
                                              // others were scanned
inline constexpr int kExitCancelled = 4;      // the job was cancelled
                                              // (`logsweep cancel`); no
                                              // file failed
inline constexpr int kExitInterrupted = 130;  // SIGINT/SIGTERM, as shells do

// kExitOk when every file was scanned; kExitFilesFailed when one failed;
// else kExitCancelled when files were cancelled.
int ExitCodeFor(const common::JobResult& result);

// The hosts, one per line, in the result's (sorted) order.
std::string HostsText(const common::JobResult& result);

// The indexes into result.hosts (and result.tallies) of the hosts a
// --count result shows: every host in the result's order (bytewise by
// host) when `top` is 0; else the `top` hosts with the most matching
// lines, by count descending, ties by host bytewise.
std::vector<size_t> CountOrder(const common::JobResult& result, size_t top);

// A --count result (result.counted), one line per host of CountOrder:
// "HOST\tCOUNT\tFIRST\tLAST\n", FIRST and LAST the earliest and latest
// time among the host's matching lines in ISO 8601 UTC
// (2026-10-01T13:55:36Z), `-` when no line of the host had a readable time.
std::string CountsText(const common::JobResult& result, size_t top);

// The whole result as one JSON document (`--json`): hosts, per-file stats,
// errors and warnings, totals, timings, and with `found` (what the paths
// given expanded to) the path errors and skipped files. Hosts and paths are
// raw bytes: one that is not UTF-8 is written as {"text", "bytes_hex"}
// (json_bytes.h), so none is lost; the plain output keeps them as they are.
// A --count result adds "counts": [{"host", "count", "first", "last"}] in
// CountOrder(result, top) (first/last ISO 8601 UTC strings, or null).
std::string ResultJson(const common::JobResult& result, double wall_seconds,
                       const common::FoundFiles* found = nullptr,
                       size_t top = 0);

// "logsweep: 20 files (1 failed, 3 cancelled), 40000 lines, 8.1 MB, 214
//  matches, 97 hosts, 0.42 s": one line for stderr. `seconds`: the job's
// duration.
std::string SummaryLine(const common::JobResult& result, double seconds);

// The failed files, cancelled ones aside (the summary counts them): one
// line each, "logsweep: error: PATH: CODE: reason", except that more than
// kErrorGroupMin files failing with the same error (the path aside) share
// one line: "logsweep: error: 271 files: CODE: reason; first: PATH; every
// file in --json".
inline constexpr size_t kErrorGroupMin = 3;
std::vector<std::string> ErrorLines(const common::JobResult& result);

// One line per warning of a file (a problem that cost no hosts, such as
// bytes ignored after the last gzip member), in file order:
// "logsweep: warning: PATH: message".
std::vector<std::string> WarningLines(const common::JobResult& result);

// The progress line shown on a terminal: "12/40 files, 310 MB/s, ETA 4 s,
// 1 failed, 2 workers" (no ETA before the first file is done).
std::string ProgressText(const common::JobProgress& progress,
                         double elapsed_seconds);

// `logsweep status` / `workers`: aligned tables for a person, or JSON.
// RUNNING is at most SLOTS; QUEUED are tasks sent ahead of a free slot.
// MB/s NOW is over the last 10 to 20 s, MB/s AVG since the worker came.
std::string WorkersTable(const std::vector<common::WorkerStatus>& workers);
// The unfinished jobs ("jobs: 2 unfinished"), or with `one_job` the job
// asked for, finished or not.
std::string JobsTable(const std::vector<common::JobStatus>& jobs,
                      bool one_job = false);
std::string StatusJson(const common::StatusReply& status, bool workers_only);

// `logsweep jobs`: the journal's newest jobs as the coordinator sent them
// (newest first), as a table (SUBMITTED in UTC) or one JSON document.
std::string HistoryTable(const std::vector<common::JobSummary>& jobs);
std::string HistoryJson(const std::vector<common::JobSummary>& jobs);

// Checks, before a job starts, that --output `path` can be written: "-"
// (stdout) can; a directory cannot (InvalidArgument), nor a file in a
// directory that is missing (NotFound) or not writable (PermissionDenied).
common::Status CheckOutputPath(const std::string& path);

// Writes `content` to `path` atomically: a temporary file in the same
// directory, flushed to disk, then renamed over `path`, so readers see the
// old file or the whole new one, never a part. A symbolic link is written
// through (the file it leads to is replaced; the link stays), and a file
// replaced keeps its mode. Errors name the path.
common::Status WriteFileAtomically(const std::string& path,
                                   const std::string& content);

}  // namespace logsweep::client
