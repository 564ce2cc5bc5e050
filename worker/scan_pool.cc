#include "worker/scan_pool.h"

#include <spdlog/spdlog.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <new>

#include "common/scan/line_matcher.h"
#include "common/transport/codec.h"
#include "worker/file_lister.h"

namespace logsweep::worker {

common::TaskOutcome RunTask(const common::TaskAssignment& task,
                            common::FileScanner& scanner,
                            const DataRoot& data_root) {
  if (task.query.list_files) return ListTask(task, data_root);
  common::TaskOutcome outcome;
  outcome.ref = task.ref;
  auto path = data_root.Resolve(task.path);
  if (!path.ok()) {
    outcome.status = path.status();
    return outcome;
  }
  try {
    common::LineMatcher matcher(task.query);
    common::ScanReport report = scanner.Scan(*path, matcher);
    outcome.status = std::move(report.status);
    outcome.hosts = std::move(report.hosts);
    outcome.stats = report.stats;
    outcome.warnings = std::move(report.warnings);
  } catch (const std::bad_alloc&) {
    outcome.status =
        common::ResourceExhaustedError("out of memory while scanning");
  }
  return outcome;
}

ScanPool::ScanPool(size_t threads, common::ScanOptions options,
                   DataRoot data_root, ScanHook* hook)
    : hook_(hook),
      options_(options),
      data_root_(std::move(data_root)),
      wake_fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
  if (wake_fd_ < 0) {
    spdlog::critical("scan pool: eventfd: {}", std::strerror(errno));
    std::abort();
  }
  threads_.reserve(threads);
  for (size_t i = 0; i < threads; ++i) {
    threads_.emplace_back([this] { ThreadMain(); });
  }
}

ScanPool::~ScanPool() {
  cancel_.store(true);
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (hook_ != nullptr) hook_->Unblock();
  for (std::thread& t : threads_) t.join();
  ::close(wake_fd_);
}

void ScanPool::Submit(common::TaskAssignment task) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    queue_.push_back(std::move(task));
  }
  cv_.notify_one();
}

bool ScanPool::ReadyLocked(common::TimePoint now) const {
  return !done_.empty() &&
         (done_.size() >= queue_.size() || now - first_done_ >= kHandOverWait);
}

std::vector<ScanResult> ScanPool::TakeResults(common::TimePoint now) {
  uint64_t count;
  while (::read(wake_fd_, &count, sizeof(count)) < 0 && errno == EINTR) {
  }
  std::vector<ScanResult> out;
  std::lock_guard<std::mutex> lock(mu_);
  if (ReadyLocked(now)) out.swap(done_);
  return out;
}

common::TimePoint ScanPool::NextHandOver() {
  std::lock_guard<std::mutex> lock(mu_);
  return done_.empty() ? common::TimePoint::max() : first_done_ + kHandOverWait;
}

void ScanPool::ThreadMain() {
  common::ScanOptions options = options_;
  options.cancel = &cancel_;
  common::FileScanner scanner(options);
  for (;;) {
    common::TaskAssignment task;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      task = std::move(queue_.front());
      queue_.pop_front();
    }
    if (hook_ != nullptr && !hook_->BeforeScan(task)) continue;
    common::TaskOutcome outcome = RunTask(task, scanner, data_root_);
    if (!outcome.status.ok()) {
      spdlog::info("{}: {}", task.path, outcome.status.ToString());
    }
    ScanResult result{outcome.ref, common::EncodeOutcome(outcome)};
    const common::TimePoint now = common::Clock::now();
    bool wake;
    {
      std::lock_guard<std::mutex> lock(mu_);
      // The first result wakes the I/O thread to start the wait; the one
      // that makes the batch ready wakes it to take them.
      wake = done_.empty();
      if (wake) first_done_ = now;
      done_.push_back(std::move(result));
      wake = wake || ReadyLocked(now);
    }
    if (wake) {
      const uint64_t one = 1;
      while (::write(wake_fd_, &one, sizeof(one)) < 0 && errno == EINTR) {
      }
    }
  }
}

}  // namespace logsweep::worker
