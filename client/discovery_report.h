#pragma once

#include <cstddef>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

namespace logsweep::common {
struct FoundFiles;
}  // namespace logsweep::common

namespace logsweep::client {

// How the CLI shows what common::FindFiles found: the paths that gave
// nothing, what was skipped, and the `--list-files` listing. Pure
// functions; paths are written as raw bytes except in JSON (json_bytes.h).

// At most this many skipped entries are listed in a job's --json.
inline constexpr size_t kJsonSkippedLimit = 1000;

// One line per path error: "logsweep: error: PATH: CODE: reason", the
// shape of a failed file's line.
std::vector<std::string> PathErrorLines(const common::FoundFiles& found);

// One line per skipped entry: "logsweep: skipped: PATH: reason".
std::vector<std::string> SkippedLines(const common::FoundFiles& found);

// The files to scan, one per line (`--list-files`).
std::string FileListText(const common::FoundFiles& found);

// What to add to a job's summary line: "; 3 skipped under directories
// (--list-files names them); 1 path error (named above)", or "" when
// nothing was skipped and no path failed.
std::string DiscoverySummarySuffix(const common::FoundFiles& found);

// "logsweep: 7 files to scan; 3 skipped under directories; 1 path error
// (named above)" (`--list-files`, after the skipped lines).
std::string FileListSummary(const common::FoundFiles& found);

// Adds "path_errors": [{"path", "code", "error"}] and "skipped": {"total",
// "paths": [{"path", "reason", "detail", "directory"}] (the first
// `skipped_limit`)} to `doc`.
void AddDiscoveryJson(const common::FoundFiles& found, size_t skipped_limit,
                      nlohmann::json& doc);

// `--list-files --json`: {"files": [{"path"}], ...AddDiscoveryJson with
// every skipped entry}.
std::string FileListJson(const common::FoundFiles& found);

}  // namespace logsweep::client
