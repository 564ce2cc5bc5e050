#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include "common/messages.h"

namespace logsweep::client {

// Exit codes of the `logsweep` CLI.
inline constexpr int kExitOk = 0;
inline constexpr int kExitError = 1;        // could not run the job
inline constexpr int kExitUsage = 2;        // bad flags or arguments
inline constexpr int kExitFilesFailed = 3;  // some files failed; others ok

// kExitOk when every file was scanned, else kExitFilesFailed.
int ExitCodeFor(const common::JobResult& result);

// The hosts, one per line, in the result's (sorted) order.
void PrintHosts(const common::JobResult& result, std::FILE* out);

// "logsweep: 20 files (1 failed), 40000 lines, 8.1 MB, 214 matches,
//  97 hosts, 0.42 s": one line for stderr.
std::string SummaryLine(const common::JobResult& result, double seconds);

// One line per failed file: "logsweep: error: PATH: CODE: reason".
std::vector<std::string> ErrorLines(const common::JobResult& result);

}  // namespace logsweep::client
