#pragma once

#include <string>

#include "common/base/status.h"

namespace logsweep::worker {

// Confines a worker's reads to one directory tree (--data-root). Task paths
// are as the worker sees them: absolute, or relative to the root.
// Immutable after construction; thread-safe.
class DataRoot {
 public:
  // `root` "/" (the default) allows every path.
  explicit DataRoot(std::string root);

  // The path to open for `task_path`: the real path of the file (symlinks
  // resolved), guaranteed inside the root.
  // Errors: PermissionDenied (a `..` component, an absolute path outside
  // the root, or a symlink resolving outside it), NotFound (missing), or
  // InvalidArgument (the root itself cannot be resolved). Not retried.
  common::StatusOr<std::string> Resolve(const std::string& task_path) const;

  const std::string& root() const { return root_; }
  // InvalidArgument when the root itself could not be resolved.
  const common::Status& status() const { return root_status_; }

 private:
  std::string root_;  // real path, no trailing slash (except "/")
  common::Status root_status_;
};

}  // namespace logsweep::worker
