#pragma once

#include "common/transport/messages.h"
#include "worker/data_root.h"

namespace logsweep::worker {

// Runs a listing task (Query::list_files, `logsweep submit --remote`):
// expands the task's path with the client's discovery rules
// (common::FindFiles, the query's --include/--exclude/--all-files), a
// relative path against the data root, and answers with the files found,
// as this worker sees them, in the outcome's hosts. Only stat()s, never
// opens a file. Thread-safe (called on scan threads).
//
// The outcome's status: OK when the path gave files and every directory
// under it could be read; otherwise the first error's code (NotFound: the
// path or glob gives nothing; PermissionDenied: a directory could not be
// read, or a file found lies outside the data root; InvalidArgument: not a
// regular file, or a bad pattern), its reason naming the path as this
// worker sees it, and the files found anyway in hosts (the client asks for
// them with merge_partial). What was skipped is counted in a warning.
common::TaskOutcome ListTask(const common::TaskAssignment& task,
                             const DataRoot& data_root);

}  // namespace logsweep::worker
