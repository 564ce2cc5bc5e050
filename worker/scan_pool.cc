#include "worker/scan_pool.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <memory>
#include <new>

#include "common/scan/file_identity.h"
#include "common/scan/file_source.h"
#include "common/scan/line_matcher.h"
#include "common/transport/codec.h"
#include "common/transport/zmq_io.h"
#include "worker/file_lister.h"

namespace logsweep::worker {

bool ChangedRecently(const common::FileIdentity& id,
                     std::chrono::system_clock::time_point now) {
  const int64_t now_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                             now.time_since_epoch())
                             .count();
  const int64_t window_ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(kRacyWindow).count();
  return now_ns - std::max(id.mtime_ns, id.ctime_ns) < window_ns;
}

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
    // The file is opened once: its identity (for the result cache,
    // docs/cache.md) is taken on the descriptor that is read, before and
    // after the scan, so a path renamed over meanwhile cannot mix two files.
    auto file = common::FileSource::Open(*path);
    if (!file.ok()) {
      outcome.status = file.status();
      return outcome;
    }
    const int fd = (*file)->fd();
    common::StatusOr<common::FileIdentity> before =
        common::IdentifyOpenFile(fd);
    if (before.ok() && task.cached && *task.cached == *before) {
      outcome.identity = *before;
      outcome.unchanged = true;
      return outcome;
    }
    // The scan reads (and closes) a duplicate; `file` keeps the descriptor
    // open for the second look.
    const int scan_fd = ::fcntl(fd, F_DUPFD_CLOEXEC, 0);
    if (scan_fd < 0) {
      outcome.status = common::ErrnoStatus(errno, "dup");
      return outcome;
    }
    common::LineMatcher matcher(task.query);
    common::ScanReport report = scanner.ScanOpened(
        *path, std::make_unique<common::FileSource>(scan_fd, (*file)->size()),
        matcher);
    outcome.status = std::move(report.status);
    outcome.hosts = std::move(report.hosts);
    outcome.stats = report.stats;
    outcome.warnings = std::move(report.warnings);
    if (outcome.status.ok() && before.ok()) {
      // The stat fields alone: any write during the scan moved the ctime
      // (a write in the same clock tick is ruled out by kRacyWindow).
      common::StatusOr<common::FileIdentity> after = common::StatOpenFile(fd);
      if (after.ok()) after->fingerprint = before->fingerprint;
      // A file that changed while it was read is answered, never cached;
      // nor is one changed within kRacyWindow of now, which a later write
      // in the same timestamp tick could change without changing its
      // times (git's "racy clean" problem).
      if (after.ok() && *after == *before &&
          !ChangedRecently(*after, std::chrono::system_clock::now())) {
        outcome.identity = *before;
      }
    }
  } catch (const std::bad_alloc&) {
    outcome.status =
        common::ResourceExhaustedError("out of memory while scanning");
  }
  return outcome;
}

std::string EncodeResultRef(const common::TaskRef& ref) {
  // job id, NUL, task id, NUL, attempt: job ids never hold a NUL.
  return ref.job_id + '\0' + std::to_string(ref.task_id) + '\0' +
         std::to_string(ref.attempt);
}

bool DecodeResultRef(const std::string& bytes, common::TaskRef* ref) {
  size_t a = bytes.find('\0');
  if (a == std::string::npos) return false;
  size_t b = bytes.find('\0', a + 1);
  if (b == std::string::npos) return false;
  try {
    ref->job_id = bytes.substr(0, a);
    ref->task_id = std::stoull(bytes.substr(a + 1, b - a - 1));
    ref->attempt = static_cast<uint32_t>(std::stoul(bytes.substr(b + 1)));
  } catch (const std::exception&) {
    return false;
  }
  return true;
}

ScanPool::ScanPool(zmq::context_t& context, std::string results_endpoint,
                   size_t threads, common::ScanOptions options,
                   DataRoot data_root, ScanHook* hook)
    : context_(context),
      results_endpoint_(std::move(results_endpoint)),
      hook_(hook),
      options_(options),
      data_root_(std::move(data_root)) {
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
}

void ScanPool::Submit(common::TaskAssignment task) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    queue_.push_back(std::move(task));
  }
  cv_.notify_one();
}

void ScanPool::ThreadMain() {
  zmq::socket_t results(context_, zmq::socket_type::push);
  if (auto s = common::ConfigureSocket(results); !s.ok()) {
    spdlog::critical("scan thread: {}", s.ToString());
    std::abort();
  }
  if (auto s = common::Connect(results, results_endpoint_); !s.ok()) {
    spdlog::critical("scan thread: {}", s.ToString());
    std::abort();
  }
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
    std::string ref = EncodeResultRef(outcome.ref);
    std::string payload = common::EncodeOutcome(outcome);
    // inproc to our own I/O thread, which drains it constantly. The two
    // frames travel as one message: a ref and its payload never part.
    bool sent = false;
    for (int tries = 0; tries < 1000 && !sent; ++tries) {
      sent = common::SendMessage(results, ref, payload).ok();
      if (!sent) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (!sent) {
      // The coordinator will time the task out and retry it elsewhere.
      spdlog::error("{}: result dropped, I/O thread not draining", task.path);
    }
  }
}

}  // namespace logsweep::worker
