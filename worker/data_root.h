#pragma once

#include <memory>
#include <string>

#include "common/base/status.h"
#include "common/scan/file_source.h"

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

  // Opens the file for `task_path` (common::FileSource::Open's rules) and
  // checks where the file it opened is: the kernel's path of the
  // descriptor, so a directory swapped for a symlink after a check cannot
  // lead a read outside the root. One walk of the path instead of
  // realpath's one per component; none of this under the root "/". Errors:
  // Resolve's and FileSource::Open's. `path` names the file in messages.
  struct Opened {
    std::unique_ptr<common::FileSource> file;
    std::string path;
  };
  common::StatusOr<Opened> Open(const std::string& task_path) const;

  const std::string& root() const { return root_; }
  // InvalidArgument when the root itself could not be resolved.
  const common::Status& status() const { return root_status_; }

 private:
  // The path to open: `task_path` under the root, checked by its text.
  common::StatusOr<std::string> Lexical(const std::string& task_path) const;
  // PermissionDenied naming `real` unless it is inside the root.
  common::Status CheckInside(const std::string& real) const;

  std::string root_;  // real path, no trailing slash (except "/")
  common::Status root_status_;
};

}  // namespace logsweep::worker
