#include "worker/data_root.h"

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <memory>

namespace logsweep::worker {
namespace {

// realpath(3) as a StatusOr.
common::StatusOr<std::string> RealPath(const std::string& path) {
  std::unique_ptr<char, decltype(&std::free)> resolved(
      ::realpath(path.c_str(), nullptr), &std::free);
  if (!resolved) return common::ErrnoStatus(errno, "resolve");
  return std::string(resolved.get());
}

bool HasDotDot(const std::string& path) {
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    if (path.compare(start, end - start, "..") == 0 && end - start == 2) {
      return true;
    }
    start = end + 1;
  }
  return false;
}

bool IsInside(const std::string& root, const std::string& path) {
  if (root == "/") return true;
  return path.size() > root.size() && path.compare(0, root.size(), root) == 0 &&
         path[root.size()] == '/';
}

}  // namespace

DataRoot::DataRoot(std::string root) {
  auto real = RealPath(root);
  if (real.ok()) {
    root_ = std::move(*real);
  } else {
    root_ = std::move(root);
    root_status_ = common::InvalidArgumentError("--data-root " + root_ + ": " +
                                                real.status().message());
  }
}

common::StatusOr<std::string> DataRoot::Resolve(
    const std::string& task_path) const {
  if (!root_status_.ok()) return root_status_;
  if (HasDotDot(task_path)) {
    return common::PermissionDeniedError(
        "path has a '..' component; refused (--data-root " + root_ + ")");
  }
  std::string full = task_path.empty() || task_path[0] != '/'
                         ? (root_ == "/" ? "/" : root_ + "/") + task_path
                         : task_path;
  if (!IsInside(root_, full)) {
    return common::PermissionDeniedError("outside --data-root " + root_);
  }
  auto real = RealPath(full);
  if (!real.ok()) return real.status();
  if (!IsInside(root_, *real)) {
    return common::PermissionDeniedError("resolves to " + *real +
                                         ", outside --data-root " + root_);
  }
  return std::move(*real);
}

}  // namespace logsweep::worker
