#include "worker/scan_pool.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sched.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <ctime>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "common/base/clock.h"
#include "common/base/status.h"
#include "common/scan/file_identity.h"
#include "common/scan/file_scanner.h"
#include "common/transport/codec.h"
#include "common/transport/messages.h"
#include "test_util.h"

namespace logsweep::worker {
namespace {

DataRoot AnyRoot() { return DataRoot("/"); }

using common::StatusCode;
using common::TaskAssignment;
using common::TaskOutcome;

// Combined log format: field 0 is the host, field 6 the request path.
const char kLog[] =
    "10.0.0.1 - - [10/Oct/2023:13:55:36 +0000] \"GET /robots.txt HTTP/1.1\" "
    "200 26 \"-\" \"bot\"\n"
    "10.0.0.2 - - [10/Oct/2023:13:55:37 +0000] \"GET /index.html HTTP/1.1\" "
    "200 512 \"-\" \"browser\"\n"
    "crawler.example - - [10/Oct/2023:13:55:38 +0000] \"GET /robots.txt "
    "HTTP/1.1\" 200 26 \"-\" \"bot\"\n"
    "10.0.0.1 - - [10/Oct/2023:13:55:39 +0000] \"GET /robots.txt HTTP/1.1\" "
    "304 0 \"-\" \"bot\"\n";

TaskAssignment Task(const std::string& path, uint64_t task_id = 0) {
  TaskAssignment task;
  task.ref = common::TaskRef{"job-1", task_id, 1};
  task.path = path;
  return task;
}

common::ScanOptions Options() { return common::ScanOptions{}; }

TEST(RunTaskTest, ReturnsOkWithHostsOfMatchingLinesForGoodGzipFile) {
  logsweep::testing::TempDir dir;
  std::string path = dir.Write("access.log.gz", logsweep::testing::Gzip(kLog));
  common::FileScanner scanner(Options());

  TaskOutcome outcome = RunTask(Task(path), scanner, AnyRoot());

  EXPECT_TRUE(outcome.status.ok()) << outcome.status.ToString();
  EXPECT_EQ(outcome.hosts.Sorted(),
            (std::vector<std::string>{"10.0.0.1", "crawler.example"}));
  EXPECT_EQ(outcome.stats.lines, 4u);
  EXPECT_EQ(outcome.stats.matches, 3u);
}

TEST(RunTaskTest, CarriesTheScansWarningsIntoTheOutcome) {
  logsweep::testing::TempDir dir;
  std::string gz = logsweep::testing::Gzip(kLog);
  std::string path = dir.Write("access.log.gz", gz + "junk");
  common::FileScanner scanner(Options());

  TaskOutcome outcome = RunTask(Task(path), scanner, AnyRoot());

  EXPECT_TRUE(outcome.status.ok()) << outcome.status.ToString();
  EXPECT_EQ(outcome.hosts.Sorted(),
            (std::vector<std::string>{"10.0.0.1", "crawler.example"}));
  EXPECT_EQ(outcome.warnings,
            std::vector<std::string>{
                "trailing garbage after gzip member 1 at offset " +
                std::to_string(gz.size()) + " ignored"});
}

TEST(RunTaskTest, CarriesTheTaskRefIntoTheOutcome) {
  logsweep::testing::TempDir dir;
  std::string path = dir.Write("access.log.gz", logsweep::testing::Gzip(kLog));
  common::FileScanner scanner(Options());
  TaskAssignment task = Task(path, 17);
  task.ref.attempt = 3;

  TaskOutcome outcome = RunTask(task, scanner, AnyRoot());

  EXPECT_EQ(outcome.ref.job_id, "job-1");
  EXPECT_EQ(outcome.ref.task_id, 17u);
  EXPECT_EQ(outcome.ref.attempt, 3u);
}

TEST(RunTaskTest, AppliesTheQueryOfTheTask) {
  logsweep::testing::TempDir dir;
  std::string path = dir.Write("access.log.gz", logsweep::testing::Gzip(kLog));
  common::FileScanner scanner(Options());
  TaskAssignment task = Task(path);
  task.query.match_value = "/index.html";

  TaskOutcome outcome = RunTask(task, scanner, AnyRoot());

  ASSERT_TRUE(outcome.status.ok()) << outcome.status.ToString();
  EXPECT_EQ(outcome.hosts.Sorted(), (std::vector<std::string>{"10.0.0.2"}));
}

TEST(RunTaskTest, ReturnsNotFoundWithNoHostsForMissingFile) {
  logsweep::testing::TempDir dir;
  common::FileScanner scanner(Options());

  TaskOutcome outcome =
      RunTask(Task(dir.path() + "/missing.gz", 4), scanner, AnyRoot());

  EXPECT_EQ(outcome.status.code(), StatusCode::kNotFound)
      << outcome.status.ToString();
  EXPECT_TRUE(outcome.hosts.empty());
  EXPECT_EQ(outcome.ref.task_id, 4u);
}

TEST(RunTaskTest, ReturnsDataLossForGzFileThatIsNotGzip) {
  logsweep::testing::TempDir dir;
  std::string path = dir.Write("plain.gz", kLog);
  common::FileScanner scanner(Options());

  TaskOutcome outcome = RunTask(Task(path), scanner, AnyRoot());

  EXPECT_EQ(outcome.status.code(), StatusCode::kDataLoss)
      << outcome.status.ToString();
}

TEST(RunTaskTest, ReturnsDataLossForTruncatedGzipFile) {
  logsweep::testing::TempDir dir;
  std::string gz = logsweep::testing::Gzip(kLog);
  std::string path = dir.Write("cut.gz", gz.substr(0, gz.size() - 10));
  common::FileScanner scanner(Options());

  TaskOutcome outcome = RunTask(Task(path), scanner, AnyRoot());

  EXPECT_EQ(outcome.status.code(), StatusCode::kDataLoss)
      << outcome.status.ToString();
}

// Takes outcomes from a pool the way the worker's I/O thread does: waits
// on its wake fd, no longer than its next hand-over, and decodes each
// result, whose ref must name the task its outcome answers.
class ScanPoolTest : public ::testing::Test {
 protected:
  // The next outcome, or nullopt when none arrives within `timeout`.
  std::optional<TaskOutcome> Receive(ScanPool& pool,
                                     std::chrono::milliseconds timeout) {
    const auto deadline = common::Clock::now() + timeout;
    while (taken_.empty()) {
      const common::TimePoint now = common::Clock::now();
      for (ScanResult& result : pool.TakeResults(now)) {
        taken_.push_back(std::move(result));
      }
      if (!taken_.empty()) break;
      if (now >= deadline) return std::nullopt;
      const auto until = std::min(deadline, pool.NextHandOver());
      pollfd item{pool.wake_fd(), POLLIN, 0};
      ::poll(&item, 1,
             static_cast<int>(
                 std::chrono::ceil<std::chrono::milliseconds>(until - now)
                     .count()));
    }
    ScanResult result = std::move(taken_.front());
    taken_.pop_front();
    auto decoded = common::DecodeWorkerToCoordinator(result.payload);
    if (!decoded.ok()) {
      ADD_FAILURE() << decoded.status().ToString();
      return std::nullopt;
    }
    auto* batch = std::get_if<common::OutcomeBatch>(&*decoded);
    if (batch == nullptr || batch->outcomes.size() != 1) {
      ADD_FAILURE() << "result is not one task outcome";
      return std::nullopt;
    }
    TaskOutcome* outcome = &batch->outcomes.front();
    EXPECT_EQ(result.ref.job_id, outcome->ref.job_id);
    EXPECT_EQ(result.ref.task_id, outcome->ref.task_id);
    EXPECT_EQ(result.ref.attempt, outcome->ref.attempt);
    return *outcome;
  }

  std::deque<ScanResult> taken_;
};

TEST_F(ScanPoolTest, DeliversEveryOutcomeExactlyOnce) {
  logsweep::testing::TempDir dir;
  std::string good = dir.Write("a.log.gz", logsweep::testing::Gzip(kLog));
  constexpr uint64_t kTasks = 8;
  std::map<uint64_t, int> seen;
  {
    ScanPool pool(2, Options(), AnyRoot());
    for (uint64_t i = 0; i < kTasks; ++i) {
      pool.Submit(Task(i % 2 == 0 ? good : dir.path() + "/missing.gz", i));
    }
    for (uint64_t i = 0; i < kTasks; ++i) {
      std::optional<TaskOutcome> outcome =
          Receive(pool, std::chrono::seconds(10));
      ASSERT_TRUE(outcome.has_value()) << "only " << i << " outcomes arrived";
      ++seen[outcome->ref.task_id];
    }
    EXPECT_FALSE(Receive(pool, std::chrono::milliseconds(50)).has_value())
        << "an outcome arrived twice";
  }

  std::map<uint64_t, int> expected;
  for (uint64_t i = 0; i < kTasks; ++i) expected[i] = 1;
  EXPECT_EQ(seen, expected);
  EXPECT_TRUE(taken_.empty()) << "an outcome arrived twice";
}

TEST_F(ScanPoolTest, SendsEachTaskItsOwnOutcome) {
  logsweep::testing::TempDir dir;
  std::string good = dir.Write("a.log.gz", logsweep::testing::Gzip(kLog));
  std::string missing = dir.path() + "/missing.gz";
  std::map<uint64_t, TaskOutcome> outcomes;
  {
    ScanPool pool(2, Options(), AnyRoot());
    pool.Submit(Task(good, 0));
    pool.Submit(Task(missing, 1));
    pool.Submit(Task(good, 2));
    for (int i = 0; i < 3; ++i) {
      std::optional<TaskOutcome> outcome =
          Receive(pool, std::chrono::seconds(10));
      ASSERT_TRUE(outcome.has_value()) << "only " << i << " outcomes arrived";
      outcomes[outcome->ref.task_id] = *outcome;
    }
  }

  ASSERT_EQ(outcomes.size(), 3u);
  for (uint64_t id : {0u, 2u}) {
    SCOPED_TRACE("task " + std::to_string(id));
    EXPECT_TRUE(outcomes[id].status.ok()) << outcomes[id].status.ToString();
    EXPECT_EQ(outcomes[id].hosts.Sorted(),
              (std::vector<std::string>{"10.0.0.1", "crawler.example"}));
  }
  EXPECT_EQ(outcomes[1].status.code(), StatusCode::kNotFound);
  EXPECT_TRUE(outcomes[1].hosts.empty());
}

// Hangs every scan of a path holding `needle` until the pool stops.
class StallHook : public ScanHook {
 public:
  explicit StallHook(std::string needle) : needle_(std::move(needle)) {}
  bool BeforeScan(const TaskAssignment& task) override {
    if (task.path.find(needle_) == std::string::npos) return true;
    std::unique_lock<std::mutex> lock(mu_);
    ++stalled_;
    cv_.wait(lock, [this] { return released_; });
    return false;
  }
  void Unblock() override {
    std::lock_guard<std::mutex> lock(mu_);
    released_ = true;
    cv_.notify_all();
  }
  int stalled() {
    std::lock_guard<std::mutex> lock(mu_);
    return stalled_;
  }

 private:
  const std::string needle_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool released_ = false;
  int stalled_ = 0;
};

// A thread held by the hook must not swallow the wake-up meant for the idle
// one: every task submitted one at a time still runs.
TEST_F(ScanPoolTest, AStalledThreadDoesNotStarveTheOthers) {
  logsweep::testing::TempDir dir;
  std::string good = dir.Write("a.log.gz", logsweep::testing::Gzip(kLog));
  StallHook hook("HANGS");
  {
    ScanPool pool(2, Options(), AnyRoot(), &hook);
    pool.Submit(Task(dir.path() + "/HANGS.gz", 0));
    for (uint64_t i = 1; i <= 20; ++i) {
      pool.Submit(Task(good, i));
      std::optional<TaskOutcome> outcome =
          Receive(pool, std::chrono::seconds(5));
      ASSERT_TRUE(outcome.has_value()) << "task " << i << " never ran";
      EXPECT_EQ(outcome->ref.task_id, i);
    }
    EXPECT_EQ(hook.stalled(), 1);
    // The stalled task never answers.
    EXPECT_FALSE(Receive(pool, std::chrono::milliseconds(50)).has_value());
  }  // stopping releases the stalled thread
}

// Lets scans start only as Allow() permits, one per permit.
class GateHook : public ScanHook {
 public:
  bool BeforeScan(const TaskAssignment&) override {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [this] { return stopping_ || permits_ > 0; });
    if (stopping_) return false;
    --permits_;
    return true;
  }
  void Unblock() override {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    cv_.notify_all();
  }
  void Allow(int n) {
    std::lock_guard<std::mutex> lock(mu_);
    permits_ += n;
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int permits_ = 0;
  bool stopping_ = false;
};

// A result waits while more tasks wait to start than results are finished
// (the I/O thread would otherwise wake, and the coordinator get a message,
// per file), but never longer than kHandOverWait; once no task waits,
// everything finished is handed over at once.
TEST_F(ScanPoolTest, HandsResultsOverTogetherWhileTasksWait) {
  logsweep::testing::TempDir dir;
  std::string good = dir.Write("a.log.gz", logsweep::testing::Gzip(kLog));
  GateHook hook;
  ScanPool pool(1, Options(), AnyRoot(), &hook);
  for (uint64_t i = 0; i < 6; ++i) pool.Submit(Task(good, i));
  hook.Allow(1);  // task 0 runs; the only thread then waits at task 1

  // Task 0's result wakes the I/O thread, which must wait: 4 tasks wait.
  pollfd item{pool.wake_fd(), POLLIN, 0};
  ASSERT_EQ(::poll(&item, 1, 10000), 1) << "the first result never woke us";
  const common::TimePoint hand_over = pool.NextHandOver();
  ASSERT_NE(hand_over, common::TimePoint::max());
  EXPECT_TRUE(
      pool.TakeResults(hand_over - std::chrono::microseconds(1)).empty());
  std::vector<ScanResult> first = pool.TakeResults(hand_over);
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].ref.task_id, 0u);
  EXPECT_EQ(pool.NextHandOver(), common::TimePoint::max());

  // The rest finish; the last leaves no task waiting.
  hook.Allow(5);
  std::map<uint64_t, int> seen;
  for (int i = 0; i < 5; ++i) {
    std::optional<TaskOutcome> outcome =
        Receive(pool, std::chrono::seconds(10));
    ASSERT_TRUE(outcome.has_value()) << "only " << i << " outcomes arrived";
    ++seen[outcome->ref.task_id];
  }
  EXPECT_EQ(seen,
            (std::map<uint64_t, int>{{1, 1}, {2, 1}, {3, 1}, {4, 1}, {5, 1}}));
  EXPECT_FALSE(Receive(pool, std::chrono::milliseconds(30)).has_value());
}

}  // namespace
}  // namespace logsweep::worker

namespace logsweep::worker {
namespace {

// Until the clock file times are taken from (the kernel's coarse clock)
// has moved on, so the next change gets a later ctime. Spins a tick (a few
// ms) instead of sleeping for a guess.
void WaitForNextTimestampTick() {
  struct timespec start {};
  ::clock_gettime(CLOCK_REALTIME_COARSE, &start);
  for (;;) {
    struct timespec now {};
    ::clock_gettime(CLOCK_REALTIME_COARSE, &now);
    if (now.tv_sec != start.tv_sec || now.tv_nsec != start.tv_nsec) return;
    ::sched_yield();
  }
}

common::FileIdentity IdentityOf(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  EXPECT_GE(fd, 0);
  auto id = common::IdentifyOpenFile(fd);
  ::close(fd);
  EXPECT_TRUE(id.ok());
  return id.ok() ? *id : common::FileIdentity{};
}

TEST(RunTaskTest, AnswersUnchangedWithoutHostsWhenTheFileHasTheCachedIdentity) {
  logsweep::testing::TempDir dir;
  std::string path = dir.Write("access.log", kLog);
  common::FileScanner scanner(Options());
  TaskAssignment task = Task(path);
  task.cached = IdentityOf(path);

  TaskOutcome outcome = RunTask(task, scanner, AnyRoot());

  ASSERT_TRUE(outcome.status.ok()) << outcome.status.ToString();
  EXPECT_TRUE(outcome.unchanged);
  ASSERT_TRUE(outcome.identity.has_value());
  EXPECT_EQ(*outcome.identity, *task.cached);
  EXPECT_EQ(outcome.hosts.size(), 0u);
}

TEST(RunTaskTest,
     ScansTheSamePathUnderAnotherDataRootDespiteTheCachedIdentity) {
  logsweep::testing::TempDir root1;
  logsweep::testing::TempDir root2;
  const std::string other =
      "other.host - - [10/Oct/2023:13:55:36 +0000] \"GET /robots.txt "
      "HTTP/1.1\" 200 26 \"-\" \"bot\"\n";
  std::string first = root1.Write("x.log", kLog);
  root2.Write("x.log", other);
  common::FileScanner scanner(Options());
  TaskAssignment task = Task("x.log");
  task.cached = IdentityOf(first);

  TaskOutcome outcome = RunTask(task, scanner, DataRoot(root2.path()));

  ASSERT_TRUE(outcome.status.ok()) << outcome.status.ToString();
  EXPECT_FALSE(outcome.unchanged);
  EXPECT_EQ(outcome.hosts.Sorted(), std::vector<std::string>{"other.host"});
}

// Same size, same inode, mtime restored, and the change in the middle,
// outside the fingerprint's two ends: only the ctime can tell.
TEST(RunTaskTest, ScansAFileRewrittenInPlaceWithItsMtimeRestored) {
  logsweep::testing::TempDir dir;
  const std::string filler =
      "10.9.9.9 - - [10/Oct/2023:13:55:37 +0000] \"GET /index.html "
      "HTTP/1.1\" 200 512 \"-\" \"browser\"\n";
  std::string text;
  while (text.size() < 3 * common::kFingerprintBytes) text += filler;
  const size_t middle = text.size();
  text +=
      "10.0.0.1 - - [10/Oct/2023:13:55:36 +0000] \"GET /robots.txt "
      "HTTP/1.1\" 200 26 \"-\" \"bot\"\n";
  while (text.size() < 6 * common::kFingerprintBytes) text += filler;
  std::string path = dir.Write("access.log", text);
  TaskAssignment task = Task(path);
  task.cached = IdentityOf(path);
  struct stat before {};
  ASSERT_EQ(::stat(path.c_str(), &before), 0);
  WaitForNextTimestampTick();
  // Same size, one byte else, and the mtime put back as `touch -d` would.
  int fd = ::open(path.c_str(), O_WRONLY);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::pwrite(fd, "9", 1, static_cast<off_t>(middle)), 1);
  ::close(fd);
  struct timespec times[2] = {before.st_atim, before.st_mtim};
  ASSERT_EQ(::utimensat(AT_FDCWD, path.c_str(), times, 0), 0);
  common::FileScanner scanner(Options());

  TaskOutcome outcome = RunTask(task, scanner, AnyRoot());

  EXPECT_FALSE(outcome.unchanged);
  EXPECT_EQ(outcome.hosts.Sorted(), std::vector<std::string>{"90.0.0.1"});
}

TEST(RunTaskTest, OffersNoIdentityForAFileChangedWithinTheRacyWindow) {
  logsweep::testing::TempDir dir;
  std::string path = dir.Write("access.log", kLog);  // ctime: now
  common::FileScanner scanner(Options());

  TaskOutcome outcome = RunTask(Task(path), scanner, AnyRoot());

  ASSERT_TRUE(outcome.status.ok());
  EXPECT_FALSE(outcome.identity.has_value());
}

TEST(ChangedRecentlyTest, HoldsOnlyWithinTheRacyWindowOfTheLaterTime) {
  common::FileIdentity id;
  id.mtime_ns = 1'000'000'000'000'000'000;
  id.ctime_ns = id.mtime_ns + 5'000'000'000;  // ctime is the later one
  auto at = [&](int64_t ns) {
    return std::chrono::system_clock::time_point(
        std::chrono::duration_cast<std::chrono::system_clock::duration>(
            std::chrono::nanoseconds(ns)));
  };
  EXPECT_TRUE(ChangedRecently(id, at(id.ctime_ns + 1'999'000'000)));
  EXPECT_FALSE(ChangedRecently(id, at(id.ctime_ns + 2'000'000'000)));
  EXPECT_TRUE(ChangedRecently(id, at(id.mtime_ns + 3'000'000'000)));
}

}  // namespace
}  // namespace logsweep::worker
