#pragma once

#include <cstddef>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "common/base/status.h"

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

// A file as `--list-files` shows it: the format its content was detected
// as (common/file_format.h: "gzip", "plain", "zip", ...), and what a scan
// would say about it before reading on: OK, or the per-file error it would
// give (unsupported format, a name promising another format, unreadable).
struct ListedFile {
  std::string path;
  std::string format;  // "?" when the file could not be read
  common::Status verdict;
};

// Reads the first bytes of each file found (kFormatPrefixBytes) to detect
// its format. Never fails: a file that cannot be read gets its error as its
// verdict. Call it from any thread; it does I/O.
std::vector<ListedFile> ListFiles(const common::FoundFiles& found);

// `--list-files`: one line per file, "FORMAT<TAB>PATH".
std::string FileListText(const std::vector<ListedFile>& files);

// One line per file whose scan would fail: "logsweep: error: PATH: CODE:
// reason", as the job would print it.
std::vector<std::string> VerdictLines(const std::vector<ListedFile>& files);

// What to add to a job's summary line: "; 3 skipped under directories
// (--list-files names them); 1 path error (named above)", or "" when
// nothing was skipped and no path failed.
std::string DiscoverySummarySuffix(const common::FoundFiles& found);

// "logsweep: 7 files to scan (1 would fail, named above); 3 skipped under
// directories; 1 path error (named above)" (`--list-files`, after the
// skipped lines).
std::string FileListSummary(const common::FoundFiles& found,
                            const std::vector<ListedFile>& files);

// Adds "path_errors": [{"path", "code", "error"}] and "skipped": {"total",
// "paths": [{"path", "reason", "detail", "directory"}] (the first
// `skipped_limit`)} to `doc`.
void AddDiscoveryJson(const common::FoundFiles& found, size_t skipped_limit,
                      nlohmann::json& doc);

// `--list-files --json`: {"files": [{"path", "format"} and, for a file
// whose scan would fail, "code" and "error"], ...AddDiscoveryJson with
// every skipped entry}.
std::string FileListJson(const common::FoundFiles& found,
                         const std::vector<ListedFile>& files);

}  // namespace logsweep::client
