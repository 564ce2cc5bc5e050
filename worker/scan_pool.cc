#include "worker/scan_pool.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>

#include "common/scan/file_format.h"
#include "common/scan/file_identity.h"
#include "common/scan/file_range.h"
#include "common/scan/file_source.h"
#include "common/scan/line_matcher.h"
#include "common/transport/codec.h"
#include "worker/file_lister.h"
#include "worker/incremental_scan.h"

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

namespace {

// The new end of a grown file (docs/cache.md, "Growing files"), from
// task.resume_from: true, with `outcome` set, when it was scanned cleanly
// (no error, no warning, whose offsets would be the part's); false: scan
// the whole file instead.
bool ScanGrownPart(const common::TaskAssignment& task,
                   common::FileScanner& scanner, int fd,
                   common::FileFormat format, uint64_t size,
                   const common::LineMatcher& matcher,
                   common::TaskOutcome& outcome) {
  common::TaskOutcome grown;
  grown.ref = task.ref;
  if (format == common::FileFormat::kPlain) {
    ScanPlainRange(scanner, fd, task.resume_from, size, matcher, grown);
  } else {
    common::ScanReport report = scanner.ScanPart(
        std::make_unique<common::FileRange>(fd, task.resume_from, size),
        common::FileFormat::kGzip, matcher);
    if (!report.warnings.empty()) return false;
    grown.status = std::move(report.status);
    grown.hosts = std::move(report.hosts);
    grown.stats = report.stats;
    if (report.ends_line && task.resume_from + report.data_end == size) {
      grown.resume_offset = size;
    }
  }
  if (!grown.status.ok()) return false;
  grown.start_offset = task.resume_from;
  grown.base = *task.cached;
  outcome = std::move(grown);
  return true;
}

// The whole file, read through a duplicate of `file`'s descriptor (the
// scan closes it; `file` stays open for the identity's second look). A
// resumable file whose text ended with a whole line (and, for gzip, whose
// last member ended the file) offers its end as the next scan's resume
// point.
void ScanWholeFile(const common::TaskAssignment& task, const std::string& path,
                   const common::FileSource& file,
                   std::optional<common::FileFormat> format,
                   common::FileScanner& scanner,
                   const common::LineMatcher& matcher,
                   common::TaskOutcome& outcome) {
  const int scan_fd = ::fcntl(file.fd(), F_DUPFD_CLOEXEC, 0);
  if (scan_fd < 0) {
    outcome.status = common::ErrnoStatus(errno, "dup");
    return;
  }
  common::ScanReport report = scanner.ScanOpened(
      path, std::make_unique<common::FileSource>(scan_fd, file.size()),
      matcher);
  outcome.status = std::move(report.status);
  outcome.hosts = std::move(report.hosts);
  if (task.query.count) {
    // The counts' hosts are the outcome's hosts (TaskOutcome::counts).
    for (const auto& [host, tally] : report.counts.SortedByHost()) {
      outcome.hosts.Insert(host);
    }
    outcome.counts = std::move(report.counts);
  }
  outcome.stats = report.stats;
  outcome.warnings = std::move(report.warnings);
  if (format && outcome.status.ok() && report.ends_line &&
      outcome.warnings.empty() && report.data_end == file.size()) {
    outcome.resume_offset = file.size();
  }
}

}  // namespace

common::TaskOutcome RunTask(const common::TaskAssignment& task,
                            common::FileScanner& scanner,
                            const DataRoot& data_root) {
  if (task.query.list_files) return ListTask(task, data_root);
  common::TaskOutcome outcome;
  outcome.ref = task.ref;
  try {
    // The file is opened once: where it is is checked on the descriptor
    // (DataRoot::Open), and its identity (for the result cache,
    // docs/cache.md) is taken on the descriptor that is read, before and
    // after the scan, so a path renamed over meanwhile cannot mix two files.
    auto opened = data_root.Open(task.path);
    if (!opened.ok()) {
      outcome.status = opened.status();
      return outcome;
    }
    const common::FileSource& file = *opened->file;
    const int fd = file.fd();
    // A coordinator without a cache says so, and one that does not cache
    // files this small: the identity (an fstat and up to 128 KiB of
    // preads) and the resume point would go unused. A file with an entry
    // is checked whatever its size.
    const bool wanted = !task.no_identity &&
                        (task.cached || file.size() >= task.cache_min_bytes);
    common::StatusOr<common::FileIdentity> before =
        wanted ? common::IdentifyOpenFile(fd)
               : common::StatusOr<common::FileIdentity>(
                     common::UnavailableError("not wanted"));
    if (before.ok() && task.cached && *task.cached == *before) {
      outcome.identity = *before;
      outcome.unchanged = true;
      return outcome;
    }
    common::LineMatcher matcher(task.query);
    // Growing files (docs/cache.md): only for host sets (a --count query's
    // tallies are not merged across scans), and only plain text or gzip.
    std::optional<common::FileFormat> format;
    if (before.ok() && !task.query.count && before->size > 0) {
      format = ResumableFormat(opened->path, fd);
    }
    const bool grown =
        format && task.cached && task.resume_from != 0 &&
        GrownFrom(*task.cached, task.resume_from, *format, *before, fd) &&
        ScanGrownPart(task, scanner, fd, *format, before->size, matcher,
                      outcome);
    if (!grown) {
      // A plain file's partial last line is scanned apart, so the result
      // before it can be kept for the next, incremental, scan.
      bool partial_last_line = false;
      if (format == common::FileFormat::kPlain) {
        common::StatusOr<std::string> last =
            ReadFileAt(fd, before->size - 1, 1);
        partial_last_line = last.ok() && *last != "\n";
      }
      if (partial_last_line) {
        ScanPlainRange(scanner, fd, 0, before->size, matcher, outcome);
      } else {
        ScanWholeFile(task, opened->path, file, format, scanner, matcher,
                      outcome);
      }
    }
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
