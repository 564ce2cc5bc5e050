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
inline constexpr int kExitInterrupted = 130;  // SIGINT/SIGTERM, as shells do

// kExitOk when every file was scanned, else kExitFilesFailed.
int ExitCodeFor(const common::JobResult& result);

// The hosts, one per line, in the result's (sorted) order.
std::string HostsText(const common::JobResult& result);

// The whole result as one JSON document (`--json`): hosts, per-file stats,
// errors and warnings, totals, timings, and with `found` (what the paths
// given expanded to) the path errors and skipped files. Hosts and paths are
// raw bytes: one that is not UTF-8 is written as {"text", "bytes_hex"}
// (json_bytes.h), so none is lost; the plain output keeps them as they are.
std::string ResultJson(const common::JobResult& result, double wall_seconds,
                       const common::FoundFiles* found = nullptr);

// "logsweep: 20 files (1 failed), 40000 lines, 8.1 MB, 214 matches,
//  97 hosts, 0.42 s": one line for stderr.
std::string SummaryLine(const common::JobResult& result, double seconds);

// One line per failed file: "logsweep: error: PATH: CODE: reason".
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
std::string WorkersTable(const std::vector<common::WorkerStatus>& workers);
std::string JobsTable(const std::vector<common::JobStatus>& jobs);
std::string StatusJson(const common::StatusReply& status, bool workers_only);

// Writes `content` to `path` atomically: a temporary file in the same
// directory, flushed to disk, then renamed over `path`, so readers see the
// old file or the whole new one, never a part. Errors name the path.
common::Status WriteFileAtomically(const std::string& path,
                                   const std::string& content);

}  // namespace logsweep::client
