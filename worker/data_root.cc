#include "worker/data_root.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
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

// The path the kernel has for an open descriptor (/proc/self/fd/N);
// Unavailable without /proc. A file deleted since it was opened reads
// "PATH (deleted)", still under the directory it was in.
common::StatusOr<std::string> DescriptorPath(int fd) {
  char link[64];
  std::snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
  std::string out(PATH_MAX, '\0');
  ssize_t n = ::readlink(link, out.data(), out.size());
  if (n < 0 || static_cast<size_t>(n) >= out.size() || out[0] != '/') {
    return common::UnavailableError("no /proc/self/fd");
  }
  out.resize(static_cast<size_t>(n));
  return out;
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

common::StatusOr<std::string> DataRoot::Lexical(
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
  return full;
}

common::Status DataRoot::CheckInside(const std::string& real) const {
  if (IsInside(root_, real)) return common::OkStatus();
  return common::PermissionDeniedError("resolves to " + real +
                                       ", outside --data-root " + root_);
}

common::StatusOr<std::string> DataRoot::Resolve(
    const std::string& task_path) const {
  auto full = Lexical(task_path);
  if (!full.ok()) return full.status();
  auto real = RealPath(*full);
  if (!real.ok()) return real.status();
  if (common::Status s = CheckInside(*real); !s.ok()) return s;
  return std::move(*real);
}

common::StatusOr<DataRoot::Opened> DataRoot::Open(
    const std::string& task_path) const {
  auto full = Lexical(task_path);
  if (!full.ok()) return full.status();
  auto file = common::FileSource::Open(*full);
  if (!file.ok()) return file.status();
  if (root_ == "/") return Opened{std::move(*file), std::move(*full)};
  const int fd = (*file)->fd();
  auto real = DescriptorPath(fd);
  if (!real.ok()) {
    // No /proc: the path's real path, if it is still the file opened.
    real = RealPath(*full);
    if (!real.ok()) return real.status();
    struct stat opened {};
    struct stat named {};
    if (::fstat(fd, &opened) != 0 || ::stat(real->c_str(), &named) != 0 ||
        opened.st_dev != named.st_dev || opened.st_ino != named.st_ino) {
      return common::UnavailableError(
          "the path changed while it was opened (--data-root " + root_ + ")");
    }
  }
  if (common::Status s = CheckInside(*real); !s.ok()) return s;
  return Opened{std::move(*file), std::move(*real)};
}

}  // namespace logsweep::worker
