#include "worker/file_lister.h"

#include <string>
#include <vector>

#include "common/discovery/file_finder.h"

namespace logsweep::worker {

common::TaskOutcome ListTask(const common::TaskAssignment& task,
                             const DataRoot& data_root) {
  common::TaskOutcome outcome;
  outcome.ref = task.ref;
  common::FindOptions options;
  options.include = task.query.include;
  options.exclude = task.query.exclude;
  options.all_files = task.query.all_files;
  options.base_directory = data_root.root();
  auto found = common::FindFiles({task.path}, options);
  if (!found.ok()) {
    outcome.status = found.status();
    return outcome;
  }
  // Errors in the order met: the path's own, then each file found outside
  // the root (a symlink out of it, an absolute path elsewhere).
  std::vector<common::Status> errors;
  for (const common::PathError& e : found->errors) {
    errors.push_back(
        common::Status(e.status.code(), e.path + ": " + e.status.message()));
  }
  for (const std::string& file : found->files) {
    auto real = data_root.Resolve(file);
    if (real.ok()) {
      outcome.hosts.Insert(file);
    } else {
      errors.push_back(real.status());
    }
  }
  if (!errors.empty()) {
    std::string reason = errors.front().message();
    if (errors.size() > 1) {
      reason += " (and " + std::to_string(errors.size() - 1) +
                " more: " + errors[1].message() +
                (errors.size() > 2 ? "; ..." : "") + ")";
    }
    outcome.status = common::Status(errors.front().code(), reason);
  }
  if (!found->skipped.empty()) {
    outcome.warnings.push_back(
        std::to_string(found->skipped.size()) +
        " files or directories skipped (not named like a log, hidden, "
        "excluded, or the same file again)");
  }
  return outcome;
}

}  // namespace logsweep::worker
