#pragma once

#include <string>
#include <vector>

namespace logsweep::client {

// Turns command-line arguments into the list of files to scan, in a stable
// order: a directory is searched recursively for files named *.gz or *.log
// (sorted); an argument with *, ? or [ that names no file is a glob
// (sorted matches); anything else is kept as given, even if it does not
// exist, so the worker reports it as a per-file error. Relative paths are
// made absolute against the current directory, since workers may run
// elsewhere. A directory that cannot be read is kept as given (its error
// then names it). Duplicates are removed, keeping the first.
std::vector<std::string> ExpandPaths(const std::vector<std::string>& args);

}  // namespace logsweep::client
