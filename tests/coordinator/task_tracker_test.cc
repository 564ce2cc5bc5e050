#include "coordinator/task_tracker.h"

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "common/base/host_counts.h"
#include "common/base/host_set.h"
#include "common/base/scan_stats.h"
#include "common/base/status.h"
#include "common/transport/messages.h"

namespace logsweep::coordinator {

// Lets GoogleTest print Accept values by name (found by ADL, so it cannot sit
// in the unnamed namespace).
void PrintTo(TaskTracker::Accept accept, std::ostream* os) {
  switch (accept) {
    case TaskTracker::Accept::kAccepted:
      *os << "kAccepted";
      return;
    case TaskTracker::Accept::kStale:
      *os << "kStale";
      return;
    case TaskTracker::Accept::kUnknown:
      *os << "kUnknown";
      return;
  }
  *os << "Accept(" << static_cast<int>(accept) << ")";
}

namespace {

using common::ScanStats;
using common::StatusCode;
using common::TaskAssignment;
using common::TaskOutcome;
using common::TaskRef;

TimePoint At(int seconds) {
  return TimePoint{} + std::chrono::seconds(seconds);
}

common::SubmitJob Submit(std::vector<std::string> paths,
                         bool merge_partial = false) {
  common::SubmitJob submit;
  submit.paths = std::move(paths);
  submit.merge_partial = merge_partial;
  return submit;
}

common::HostSet Hosts(const std::vector<std::string>& hosts) {
  common::HostSet set;
  for (const std::string& h : hosts) set.Insert(h);
  return set;
}

ScanStats Stats(uint64_t lines, uint64_t matches, uint64_t bytes_scanned) {
  ScanStats s;
  s.lines = lines;
  s.matches = matches;
  s.bytes_read = bytes_scanned / 2;
  s.bytes_scanned = bytes_scanned;
  return s;
}

TaskOutcome Success(const TaskRef& ref, const std::vector<std::string>& hosts,
                    ScanStats stats = {}) {
  TaskOutcome outcome;
  outcome.ref = ref;
  outcome.hosts = Hosts(hosts);
  outcome.stats = stats;
  return outcome;
}

TaskOutcome Failure(const TaskRef& ref, common::Status status,
                    const std::vector<std::string>& partial_hosts = {},
                    ScanStats stats = {}) {
  TaskOutcome outcome;
  outcome.ref = ref;
  outcome.status = std::move(status);
  outcome.hosts = Hosts(partial_hosts);
  outcome.stats = stats;
  return outcome;
}

// Takes the next task, failing the test if there is none.
TaskAssignment MustTake(TaskTracker& tracker) {
  std::optional<TaskAssignment> task = tracker.TakeNext();
  EXPECT_TRUE(task.has_value()) << "no pending task";
  if (!task) return TaskAssignment{};
  return std::move(*task);
}

// The one finished job, failing the test if there is not exactly one.
// The one finished job's result, with its hosts sorted in (the tracker
// keeps them as a set; the coordinator sorts or streams them).
common::JobResult OnlyFinished(TaskTracker& tracker, TimePoint now = At(1)) {
  std::vector<TaskTracker::Finished> finished = tracker.TakeFinished(now);
  EXPECT_EQ(finished.size(), 1u);
  if (finished.empty()) return {};
  common::JobResult result = finished.front().result;
  EXPECT_TRUE(result.hosts.empty());
  result.hosts = finished.front().hosts.Sorted();
  return result;
}

TEST(TaskTrackerTest, DispatchesTasksOfAJobInSubmissionOrder) {
  TaskTracker tracker(3);
  std::string job = tracker.AddJob("client", Submit({"/a", "/b", "/c"}), At(0));

  std::vector<std::string> paths;
  std::vector<uint64_t> task_ids;
  while (auto task = tracker.TakeNext()) {
    EXPECT_EQ(task->ref.job_id, job);
    EXPECT_EQ(task->ref.attempt, 1u);
    paths.push_back(task->path);
    task_ids.push_back(task->ref.task_id);
  }
  EXPECT_EQ(paths, (std::vector<std::string>{"/a", "/b", "/c"}));
  EXPECT_EQ(task_ids, (std::vector<uint64_t>{0, 1, 2}));
}

TEST(TaskTrackerTest, HasNothingToDispatchWithoutJobs) {
  TaskTracker tracker(3);
  EXPECT_FALSE(tracker.HasPending());
  EXPECT_FALSE(tracker.TakeNext().has_value());
}

TEST(TaskTrackerTest, HasNothingToDispatchOnceEveryTaskIsTaken) {
  TaskTracker tracker(3);
  tracker.AddJob("client", Submit({"/a"}), At(0));
  MustTake(tracker);
  EXPECT_FALSE(tracker.TakeNext().has_value());
}

TEST(TaskTrackerTest, SendsTheJobQueryWithEveryTask) {
  TaskTracker tracker(3);
  common::SubmitJob submit = Submit({"/a", "/b"});
  submit.query.key_field = 2;
  submit.query.match_field = 5;
  submit.query.match_value = "/wp-login.php";
  tracker.AddJob("client", submit, At(0));

  EXPECT_EQ(MustTake(tracker).query, submit.query);
  EXPECT_EQ(MustTake(tracker).query, submit.query);
}

TEST(TaskTrackerTest, InterleavesTasksOfTwoJobsRoundRobin) {
  TaskTracker tracker(3);
  std::string big = tracker.AddJob("c1", Submit({"/b0", "/b1", "/b2"}), At(0));
  std::string small = tracker.AddJob("c2", Submit({"/s0", "/s1"}), At(0));

  std::vector<std::string> order;
  while (auto task = tracker.TakeNext()) {
    order.push_back((task->ref.job_id == big ? "big" : "small") +
                    std::to_string(task->ref.task_id));
  }
  EXPECT_EQ(order, (std::vector<std::string>{"big0", "small0", "big1", "small1",
                                             "big2"}));
}

TEST(TaskTrackerTest, JobIsNotFinishedWhileATaskIsOutstanding) {
  TaskTracker tracker(3);
  tracker.AddJob("client", Submit({"/a", "/b"}), At(0));
  TaskAssignment a = MustTake(tracker);
  MustTake(tracker);

  ASSERT_EQ(tracker.OnOutcome(Success(a.ref, {"h1"})).accept,
            TaskTracker::Accept::kAccepted);
  EXPECT_TRUE(tracker.TakeFinished(At(1)).empty());
  EXPECT_EQ(tracker.job_count(), 1u);
}

TEST(TaskTrackerTest, FinishesJobForItsClientWhenEveryTaskHasAResult) {
  TaskTracker tracker(3);
  std::string job = tracker.AddJob("client-7", Submit({"/a", "/b"}), At(0));
  TaskAssignment a = MustTake(tracker);
  TaskAssignment b = MustTake(tracker);
  ASSERT_EQ(tracker.OnOutcome(Success(a.ref, {"h1"})).accept,
            TaskTracker::Accept::kAccepted);
  ASSERT_EQ(tracker.OnOutcome(Success(b.ref, {"h2"})).accept,
            TaskTracker::Accept::kAccepted);

  std::vector<TaskTracker::Finished> finished = tracker.TakeFinished(At(1));
  ASSERT_EQ(finished.size(), 1u);
  EXPECT_EQ(finished[0].client, "client-7");
  EXPECT_EQ(finished[0].result.job_id, job);
}

TEST(TaskTrackerTest, TakeFinishedRemovesTheJob) {
  TaskTracker tracker(3);
  tracker.AddJob("client", Submit({"/a"}), At(0));
  ASSERT_EQ(tracker.OnOutcome(Success(MustTake(tracker).ref, {"h"})).accept,
            TaskTracker::Accept::kAccepted);

  EXPECT_EQ(tracker.TakeFinished(At(1)).size(), 1u);
  EXPECT_EQ(tracker.job_count(), 0u);
  EXPECT_TRUE(tracker.TakeFinished(At(2)).empty());
}

TEST(TaskTrackerTest, MergesHostsOfAllTasksSortedAndUnique) {
  TaskTracker tracker(3);
  tracker.AddJob("client", Submit({"/a", "/b"}), At(0));
  TaskAssignment a = MustTake(tracker);
  TaskAssignment b = MustTake(tracker);
  ASSERT_EQ(tracker.OnOutcome(Success(a.ref, {"10.0.0.9", "b.example"})).accept,
            TaskTracker::Accept::kAccepted);
  ASSERT_EQ(tracker.OnOutcome(Success(b.ref, {"a.example", "10.0.0.9"})).accept,
            TaskTracker::Accept::kAccepted);

  EXPECT_EQ(OnlyFinished(tracker).hosts,
            (std::vector<std::string>{"10.0.0.9", "a.example", "b.example"}));
}

TEST(TaskTrackerTest, ReportsFilesInSubmissionOrderWithTheirStats) {
  TaskTracker tracker(3);
  tracker.AddJob("client", Submit({"/first", "/second"}), At(0));
  TaskAssignment first = MustTake(tracker);
  TaskAssignment second = MustTake(tracker);
  // Results come back in the opposite order.
  ASSERT_EQ(
      tracker.OnOutcome(Success(second.ref, {"h"}, Stats(20, 2, 2000))).accept,
      TaskTracker::Accept::kAccepted);
  ASSERT_EQ(
      tracker.OnOutcome(Success(first.ref, {"h"}, Stats(10, 1, 1000))).accept,
      TaskTracker::Accept::kAccepted);

  common::JobResult result = OnlyFinished(tracker);
  ASSERT_EQ(result.files.size(), 2u);
  EXPECT_EQ(result.files[0].path, "/first");
  EXPECT_TRUE(result.files[0].status.ok());
  EXPECT_EQ(result.files[0].stats, Stats(10, 1, 1000));
  EXPECT_EQ(result.files[0].attempts, 1u);
  EXPECT_EQ(result.files[1].path, "/second");
  EXPECT_TRUE(result.files[1].status.ok());
  EXPECT_EQ(result.files[1].stats, Stats(20, 2, 2000));
  EXPECT_EQ(result.files[1].attempts, 1u);
}

TEST(TaskTrackerTest, CarriesEachFilesWarningsIntoTheResult) {
  TaskTracker tracker(3);
  tracker.AddJob("c", Submit({"/a.gz", "/b.gz"}), At(0));
  TaskAssignment a = MustTake(tracker);
  TaskAssignment b = MustTake(tracker);
  TaskOutcome with_warning = Success(a.ref, {"h1"});
  with_warning.warnings = {"trailing garbage after gzip member 1 at offset 9"};
  ASSERT_EQ(tracker.OnOutcome(with_warning).accept,
            TaskTracker::Accept::kAccepted);
  ASSERT_EQ(tracker.OnOutcome(Success(b.ref, {"h2"})).accept,
            TaskTracker::Accept::kAccepted);

  std::vector<TaskTracker::Finished> finished = tracker.TakeFinished(At(1));
  ASSERT_EQ(finished.size(), 1u);
  ASSERT_EQ(finished[0].result.files.size(), 2u);
  EXPECT_EQ(finished[0].result.files[0].warnings, with_warning.warnings);
  EXPECT_TRUE(finished[0].result.files[1].warnings.empty());
}

TEST(TaskTrackerTest, StreamsEachFilesWarningsWithItsOutcome) {
  TaskTracker tracker(3);
  common::SubmitJob submit = Submit({"/a.gz"});
  submit.stream_files = true;
  tracker.AddJob("c", submit, At(0));
  TaskOutcome outcome = Success(MustTake(tracker).ref, {"h1"});
  outcome.warnings = {"w"};
  ASSERT_EQ(tracker.OnOutcome(outcome).accept, TaskTracker::Accept::kAccepted);

  std::vector<TaskTracker::FilesToSend> sent = tracker.TakeFileOutcomes();
  ASSERT_EQ(sent.size(), 1u);
  ASSERT_EQ(sent[0].files.files.size(), 1u);
  EXPECT_EQ(sent[0].files.files[0].report.warnings,
            std::vector<std::string>{"w"});
}

TEST(TaskTrackerTest, SumsStatsOfAllFilesIntoTotals) {
  TaskTracker tracker(3);
  tracker.AddJob("client", Submit({"/a", "/b"}), At(0));
  TaskAssignment a = MustTake(tracker);
  TaskAssignment b = MustTake(tracker);
  ASSERT_EQ(tracker.OnOutcome(Success(a.ref, {}, Stats(10, 1, 1000))).accept,
            TaskTracker::Accept::kAccepted);
  ASSERT_EQ(tracker.OnOutcome(Success(b.ref, {}, Stats(20, 2, 2000))).accept,
            TaskTracker::Accept::kAccepted);

  EXPECT_EQ(OnlyFinished(tracker).totals, Stats(30, 3, 3000));
}

TEST(TaskTrackerTest, ReportsTimeFromSubmissionToFinish) {
  TaskTracker tracker(3);
  tracker.AddJob("client", Submit({"/a"}), At(5));
  ASSERT_EQ(tracker.OnOutcome(Success(MustTake(tracker).ref, {})).accept,
            TaskTracker::Accept::kAccepted);

  EXPECT_EQ(OnlyFinished(tracker, At(7)).elapsed_us, 2'000'000u);
}

TEST(TaskTrackerTest, DuplicateResultAfterDoneIsStale) {
  TaskTracker tracker(3);
  tracker.AddJob("client", Submit({"/a", "/b"}), At(0));
  TaskAssignment a = MustTake(tracker);
  ASSERT_EQ(tracker.OnOutcome(Success(a.ref, {"h1"})).accept,
            TaskTracker::Accept::kAccepted);

  EXPECT_EQ(tracker.OnOutcome(Success(a.ref, {"h1"})).accept,
            TaskTracker::Accept::kStale);
}

TEST(TaskTrackerTest, StaleResultChangesNeitherCountsNorHosts) {
  TaskTracker tracker(3);
  tracker.AddJob("client", Submit({"/a", "/b"}), At(0));
  TaskAssignment a = MustTake(tracker);
  TaskAssignment b = MustTake(tracker);
  ASSERT_EQ(tracker.OnOutcome(Success(a.ref, {"h1"}, Stats(10, 1, 100))).accept,
            TaskTracker::Accept::kAccepted);
  ASSERT_EQ(
      tracker.OnOutcome(Success(a.ref, {"h1", "extra"}, Stats(99, 9, 900)))
          .accept,
      TaskTracker::Accept::kStale);

  std::vector<TaskTracker::Progress> progress = tracker.ProgressReports();
  ASSERT_EQ(progress.size(), 1u);
  EXPECT_EQ(progress[0].progress.done, 1u);
  EXPECT_EQ(progress[0].progress.bytes_scanned, 100u);

  ASSERT_EQ(tracker.OnOutcome(Success(b.ref, {"h2"}, Stats(20, 2, 200))).accept,
            TaskTracker::Accept::kAccepted);
  common::JobResult result = OnlyFinished(tracker);
  EXPECT_EQ(result.hosts, (std::vector<std::string>{"h1", "h2"}));
  EXPECT_EQ(result.totals, Stats(30, 3, 300));
  EXPECT_EQ(result.files[0].stats, Stats(10, 1, 100));
}

TEST(TaskTrackerTest, LateErrorAfterDoneIsStaleAndKeepsTheResult) {
  TaskTracker tracker(3);
  tracker.AddJob("client", Submit({"/a"}), At(0));
  TaskAssignment a = MustTake(tracker);
  ASSERT_EQ(tracker.OnOutcome(Success(a.ref, {"h1"})).accept,
            TaskTracker::Accept::kAccepted);

  EXPECT_EQ(
      tracker.OnOutcome(Failure(a.ref, common::DataLossError("crc"))).accept,
      TaskTracker::Accept::kStale);
  common::JobResult result = OnlyFinished(tracker);
  ASSERT_EQ(result.files.size(), 1u);
  EXPECT_TRUE(result.files[0].status.ok());
}

TEST(TaskTrackerTest, ResultForUnknownJobIsUnknown) {
  TaskTracker tracker(3);
  tracker.AddJob("client", Submit({"/a"}), At(0));
  TaskRef ref = MustTake(tracker).ref;
  ref.job_id = "00000000000000000000000000000000";

  EXPECT_EQ(tracker.OnOutcome(Success(ref, {"h"})).accept,
            TaskTracker::Accept::kUnknown);
}

TEST(TaskTrackerTest, ResultForJobAlreadyReportedIsUnknown) {
  TaskTracker tracker(3);
  tracker.AddJob("client", Submit({"/a"}), At(0));
  TaskRef ref = MustTake(tracker).ref;
  ASSERT_EQ(tracker.OnOutcome(Success(ref, {"h"})).accept,
            TaskTracker::Accept::kAccepted);
  ASSERT_EQ(tracker.TakeFinished(At(1)).size(), 1u);

  EXPECT_EQ(tracker.OnOutcome(Success(ref, {"h"})).accept,
            TaskTracker::Accept::kUnknown);
}

TEST(TaskTrackerTest, ResultForUnknownTaskIdIsUnknown) {
  TaskTracker tracker(3);
  tracker.AddJob("client", Submit({"/a", "/b"}), At(0));
  TaskRef ref = MustTake(tracker).ref;
  ref.task_id = 2;

  EXPECT_EQ(tracker.OnOutcome(Success(ref, {"h"})).accept,
            TaskTracker::Accept::kUnknown);
}

TEST(TaskTrackerTest, ResultWithAttemptZeroIsUnknown) {
  TaskTracker tracker(3);
  tracker.AddJob("client", Submit({"/a"}), At(0));
  TaskRef ref = MustTake(tracker).ref;
  ref.attempt = 0;

  EXPECT_EQ(tracker.OnOutcome(Success(ref, {"h"})).accept,
            TaskTracker::Accept::kUnknown);
}

TEST(TaskTrackerTest, ResultForAttemptNeverHandedOutIsUnknown) {
  TaskTracker tracker(3);
  tracker.AddJob("client", Submit({"/a"}), At(0));
  TaskRef ref = MustTake(tracker).ref;
  TaskRef future = ref;
  future.attempt = 2;

  EXPECT_EQ(tracker.OnOutcome(Success(future, {"bogus"})).accept,
            TaskTracker::Accept::kUnknown);
  // The real attempt still counts, and the bogus hosts were not merged.
  ASSERT_EQ(tracker.OnOutcome(Success(ref, {"h"})).accept,
            TaskTracker::Accept::kAccepted);
  EXPECT_EQ(OnlyFinished(tracker).hosts, (std::vector<std::string>{"h"}));
}

TEST(TaskTrackerTest, ResultForTaskNotYetDispatchedIsUnknown) {
  TaskTracker tracker(3);
  std::string job = tracker.AddJob("client", Submit({"/a"}), At(0));

  EXPECT_EQ(tracker.OnOutcome(Success(TaskRef{job, 0, 1}, {"h"})).accept,
            TaskTracker::Accept::kUnknown);
}

TEST(TaskTrackerTest, RequeuesTaskWithNextAttemptWhenWorkerIsLost) {
  TaskTracker tracker(3);
  tracker.AddJob("client", Submit({"/a"}), At(0));
  TaskAssignment first = MustTake(tracker);

  tracker.OnLost(first.ref, "worker w1 lost");

  ASSERT_TRUE(tracker.HasPending());
  TaskAssignment retry = MustTake(tracker);
  EXPECT_EQ(retry.ref.job_id, first.ref.job_id);
  EXPECT_EQ(retry.ref.task_id, first.ref.task_id);
  EXPECT_EQ(retry.ref.attempt, 2u);
  EXPECT_EQ(retry.path, "/a");
}

TEST(TaskTrackerTest, FailsTaskAsUnavailableNamingReasonAfterMaxAttempts) {
  TaskTracker tracker(2);
  tracker.AddJob("client", Submit({"/a"}), At(0));
  tracker.OnLost(MustTake(tracker).ref, "worker w1 lost: expired");
  tracker.OnLost(MustTake(tracker).ref, "worker w2 lost: expired");

  EXPECT_FALSE(tracker.TakeNext().has_value());
  common::JobResult result = OnlyFinished(tracker);
  ASSERT_EQ(result.files.size(), 1u);
  EXPECT_EQ(result.files[0].status.code(), StatusCode::kUnavailable);
  EXPECT_NE(result.files[0].status.message().find("worker w2 lost: expired"),
            std::string::npos)
      << result.files[0].status.message();
  EXPECT_EQ(result.files[0].attempts, 2u);
}

TEST(TaskTrackerTest, CountsLostTaskAsFailedInProgressAfterMaxAttempts) {
  TaskTracker tracker(1);
  tracker.AddJob("client", Submit({"/a", "/b"}), At(0));
  tracker.OnLost(MustTake(tracker).ref, "worker w1 lost");

  std::vector<TaskTracker::Progress> progress = tracker.ProgressReports();
  ASSERT_EQ(progress.size(), 1u);
  EXPECT_EQ(progress[0].progress.done, 1u);
  EXPECT_EQ(progress[0].progress.failed, 1u);
}

// What OnLost charged is what the coordinator may later withdraw: never
// the loss of an old attempt, nor a free one.
TEST(TaskTrackerTest, SaysWhetherALossWasCharged) {
  TaskTracker tracker(3);
  tracker.AddJob("client", Submit({"/a"}), At(0));
  TaskAssignment first = MustTake(tracker);
  EXPECT_TRUE(tracker.OnLost(first.ref, "worker w1 lost"));
  TaskAssignment second = MustTake(tracker);
  EXPECT_FALSE(tracker.OnLost(first.ref, "worker w1 lost again"));
  EXPECT_FALSE(tracker.OnLost(second.ref, "not delivered", Charge::kFree));
}

TEST(TaskTrackerTest, IgnoresLossOfAnOldAttempt) {
  TaskTracker tracker(3);
  tracker.AddJob("client", Submit({"/a"}), At(0));
  TaskAssignment first = MustTake(tracker);
  tracker.OnLost(first.ref, "worker w1 lost");
  TaskAssignment second = MustTake(tracker);

  tracker.OnLost(first.ref, "worker w1 lost again");

  EXPECT_FALSE(tracker.HasPending());
  EXPECT_FALSE(tracker.TakeNext().has_value());
  ASSERT_EQ(tracker.OnOutcome(Success(second.ref, {"h"})).accept,
            TaskTracker::Accept::kAccepted);
  common::JobResult result = OnlyFinished(tracker);
  EXPECT_TRUE(result.files[0].status.ok());
  EXPECT_EQ(result.files[0].attempts, 2u);
}

TEST(TaskTrackerTest, IgnoresLossOfAFinishedTask) {
  TaskTracker tracker(3);
  tracker.AddJob("client", Submit({"/a", "/b"}), At(0));
  TaskAssignment a = MustTake(tracker);
  ASSERT_EQ(tracker.OnOutcome(Success(a.ref, {"h"})).accept,
            TaskTracker::Accept::kAccepted);
  MustTake(tracker);

  tracker.OnLost(a.ref, "worker w1 lost");

  EXPECT_FALSE(tracker.TakeNext().has_value());
  std::vector<TaskTracker::Progress> progress = tracker.ProgressReports();
  ASSERT_EQ(progress.size(), 1u);
  EXPECT_EQ(progress[0].progress.done, 1u);
  EXPECT_EQ(progress[0].progress.failed, 0u);
}

TEST(TaskTrackerTest, AcceptsLateResultOfLostAttemptWhileTaskIsRequeued) {
  TaskTracker tracker(3);
  tracker.AddJob("client", Submit({"/a"}), At(0));
  TaskAssignment first = MustTake(tracker);
  tracker.OnLost(first.ref, "worker w1 lost");

  EXPECT_EQ(tracker.OnOutcome(Success(first.ref, {"h"})).accept,
            TaskTracker::Accept::kAccepted);
  common::JobResult result = OnlyFinished(tracker);
  EXPECT_EQ(result.hosts, (std::vector<std::string>{"h"}));
  EXPECT_TRUE(result.files[0].status.ok());
}

TEST(TaskTrackerTest, DoesNotDispatchRequeuedTaskThatALateResultFinished) {
  TaskTracker tracker(3);
  tracker.AddJob("client", Submit({"/a"}), At(0));
  TaskAssignment first = MustTake(tracker);
  tracker.OnLost(first.ref, "worker w1 lost");
  ASSERT_EQ(tracker.OnOutcome(Success(first.ref, {"h"})).accept,
            TaskTracker::Accept::kAccepted);

  EXPECT_FALSE(tracker.TakeNext().has_value());
}

TEST(TaskTrackerTest, FirstValidAttemptWinsAndLaterAttemptIsStale) {
  TaskTracker tracker(3);
  tracker.AddJob("client", Submit({"/a"}), At(0));
  TaskAssignment first = MustTake(tracker);
  tracker.OnLost(first.ref, "worker w1 lost");
  TaskAssignment second = MustTake(tracker);
  ASSERT_EQ(second.ref.attempt, 2u);

  EXPECT_EQ(
      tracker.OnOutcome(Success(first.ref, {"old"}, Stats(1, 1, 10))).accept,
      TaskTracker::Accept::kAccepted);
  EXPECT_EQ(
      tracker.OnOutcome(Success(second.ref, {"new"}, Stats(1, 1, 10))).accept,
      TaskTracker::Accept::kStale);
  common::JobResult result = OnlyFinished(tracker);
  EXPECT_EQ(result.hosts, (std::vector<std::string>{"old"}));
  EXPECT_EQ(result.totals, Stats(1, 1, 10));
}

TEST(TaskTrackerTest, ContentErrorFailsTaskAtOnceWithoutRetry) {
  const common::Status kFileErrors[] = {
      common::DataLossError("crc mismatch at offset 12"),
      common::InvalidArgumentError("unsupported format: zip"),
  };
  for (const common::Status& error : kFileErrors) {
    SCOPED_TRACE(error.ToString());
    TaskTracker tracker(3);
    tracker.AddJob("client", Submit({"/a"}), At(0));
    TaskAssignment task = MustTake(tracker);

    EXPECT_EQ(tracker.OnOutcome(Failure(task.ref, error)).accept,
              TaskTracker::Accept::kAccepted);

    EXPECT_FALSE(tracker.TakeNext().has_value());
    common::JobResult result = OnlyFinished(tracker);
    ASSERT_EQ(result.files.size(), 1u);
    EXPECT_EQ(result.files[0].status.code(), error.code());
    EXPECT_EQ(result.files[0].status.message(), error.message());
    EXPECT_EQ(result.files[0].attempts, 1u);
  }
}

TEST(TaskTrackerTest, FileErrorDropsPartialHostsByDefault) {
  TaskTracker tracker(3);
  tracker.AddJob("client", Submit({"/good", "/bad"}), At(0));
  TaskAssignment good = MustTake(tracker);
  TaskAssignment bad = MustTake(tracker);
  ASSERT_EQ(tracker.OnOutcome(Success(good.ref, {"h1"})).accept,
            TaskTracker::Accept::kAccepted);
  ASSERT_EQ(tracker
                .OnOutcome(
                    Failure(bad.ref, common::DataLossError("crc"), {"partial"}))
                .accept,
            TaskTracker::Accept::kAccepted);

  EXPECT_EQ(OnlyFinished(tracker).hosts, (std::vector<std::string>{"h1"}));
}

TEST(TaskTrackerTest, FileErrorKeepsPartialHostsWhenJobAsksForThem) {
  TaskTracker tracker(3);
  tracker.AddJob("client", Submit({"/good", "/bad"}, /*merge_partial=*/true),
                 At(0));
  TaskAssignment good = MustTake(tracker);
  TaskAssignment bad = MustTake(tracker);
  ASSERT_EQ(tracker.OnOutcome(Success(good.ref, {"h1"})).accept,
            TaskTracker::Accept::kAccepted);
  ASSERT_EQ(tracker
                .OnOutcome(
                    Failure(bad.ref, common::DataLossError("crc"), {"partial"}))
                .accept,
            TaskTracker::Accept::kAccepted);

  EXPECT_EQ(OnlyFinished(tracker).hosts,
            (std::vector<std::string>{"h1", "partial"}));
}

TEST(TaskTrackerTest, FileErrorKeepsStatsOfWhatWasRead) {
  TaskTracker tracker(3);
  tracker.AddJob("client", Submit({"/bad"}), At(0));
  TaskAssignment bad = MustTake(tracker);
  ASSERT_EQ(tracker
                .OnOutcome(Failure(bad.ref, common::DataLossError("crc"), {},
                                   Stats(7, 0, 700)))
                .accept,
            TaskTracker::Accept::kAccepted);

  common::JobResult result = OnlyFinished(tracker);
  EXPECT_EQ(result.files[0].stats, Stats(7, 0, 700));
  EXPECT_EQ(result.totals, Stats(7, 0, 700));
}

TEST(TaskTrackerTest, RetriesTaskAfterUnavailableError) {
  TaskTracker tracker(3);
  tracker.AddJob("client", Submit({"/a"}), At(0));
  TaskAssignment first = MustTake(tracker);

  EXPECT_EQ(tracker
                .OnOutcome(Failure(first.ref,
                                   common::UnavailableError("EIO, try again")))
                .accept,
            TaskTracker::Accept::kAccepted);

  EXPECT_TRUE(tracker.TakeFinished(At(1)).empty());
  TaskAssignment retry = MustTake(tracker);
  EXPECT_EQ(retry.ref.task_id, first.ref.task_id);
  EXPECT_EQ(retry.ref.attempt, 2u);
}

TEST(TaskTrackerTest, FailsTaskWithUnavailableErrorOnItsLastAttempt) {
  TaskTracker tracker(1);
  tracker.AddJob("client", Submit({"/a"}), At(0));
  TaskAssignment only = MustTake(tracker);

  EXPECT_EQ(tracker
                .OnOutcome(Failure(only.ref,
                                   common::UnavailableError("EIO, try again")))
                .accept,
            TaskTracker::Accept::kAccepted);

  EXPECT_FALSE(tracker.TakeNext().has_value());
  common::JobResult result = OnlyFinished(tracker);
  EXPECT_EQ(result.files[0].status.code(), StatusCode::kUnavailable);
  EXPECT_NE(result.files[0].status.message().find("EIO, try again"),
            std::string::npos);
}

// A transient error from an attempt already given up on says nothing about
// the attempt now running; the running attempt decides.
TEST(TaskTrackerTest, IgnoresUnavailableErrorOfOldAttemptWhileNewerRuns) {
  TaskTracker tracker(2);
  tracker.AddJob("client", Submit({"/a"}), At(0));
  TaskAssignment first = MustTake(tracker);
  tracker.OnLost(first.ref, "worker w1 lost");
  TaskAssignment second = MustTake(tracker);

  tracker.OnOutcome(Failure(first.ref, common::UnavailableError("EIO"))).accept;
  ASSERT_EQ(tracker.OnOutcome(Success(second.ref, {"h"})).accept,
            TaskTracker::Accept::kAccepted);

  common::JobResult result = OnlyFinished(tracker);
  EXPECT_TRUE(result.files[0].status.ok()) << result.files[0].status.ToString();
  EXPECT_EQ(result.hosts, (std::vector<std::string>{"h"}));
}

TEST(TaskTrackerTest, EmptyJobFinishesAtOnce) {
  TaskTracker tracker(3);
  std::string job = tracker.AddJob("client", Submit({}), At(0));

  EXPECT_FALSE(tracker.HasPending());
  std::vector<TaskTracker::Finished> finished = tracker.TakeFinished(At(0));
  ASSERT_EQ(finished.size(), 1u);
  EXPECT_EQ(finished[0].client, "client");
  EXPECT_EQ(finished[0].result.job_id, job);
  EXPECT_TRUE(finished[0].result.files.empty());
  EXPECT_TRUE(finished[0].result.hosts.empty());
}

TEST(TaskTrackerTest, JobIdIs32HexDigits) {
  TaskTracker tracker(3);
  std::string job = tracker.AddJob("client", Submit({"/a"}), At(0));

  EXPECT_EQ(job.size(), 32u);
  EXPECT_EQ(job.find_first_not_of("0123456789abcdef"), std::string::npos)
      << job;
}

TEST(TaskTrackerTest, JobIdsDifferBetweenJobs) {
  TaskTracker tracker(3);
  std::set<std::string> ids;
  for (int i = 0; i < 50; ++i) {
    ids.insert(tracker.AddJob("client", Submit({"/a"}), At(0)));
  }
  EXPECT_EQ(ids.size(), 50u);
}

TEST(TaskTrackerTest, ProgressCountsDoneFailedAndBytesPerJob) {
  TaskTracker tracker(3);
  std::string job =
      tracker.AddJob("client-1", Submit({"/ok", "/bad", "/open"}), At(0));
  TaskAssignment ok = MustTake(tracker);
  TaskAssignment bad = MustTake(tracker);
  ASSERT_EQ(tracker.OnOutcome(Success(ok.ref, {"h"}, Stats(5, 1, 500))).accept,
            TaskTracker::Accept::kAccepted);
  ASSERT_EQ(tracker
                .OnOutcome(Failure(bad.ref, common::DataLossError("crc"), {},
                                   Stats(1, 0, 40)))
                .accept,
            TaskTracker::Accept::kAccepted);

  std::vector<TaskTracker::Progress> progress = tracker.ProgressReports();
  ASSERT_EQ(progress.size(), 1u);
  EXPECT_EQ(progress[0].client, "client-1");
  EXPECT_EQ(progress[0].progress.job_id, job);
  EXPECT_EQ(progress[0].progress.total, 3u);
  EXPECT_EQ(progress[0].progress.done, 2u);
  EXPECT_EQ(progress[0].progress.failed, 1u);
  EXPECT_EQ(progress[0].progress.bytes_scanned, 540u);
}

// ---- --count: tallies merge once per task ----

common::SubmitJob CountSubmit(std::vector<std::string> paths,
                              bool merge_partial = false) {
  common::SubmitJob submit = Submit(std::move(paths), merge_partial);
  submit.query.count = true;
  return submit;
}

// A --count outcome: `lines` of (host, time or -1 for none).
TaskOutcome Counted(const TaskRef& ref,
                    const std::vector<std::pair<std::string, int64_t>>& lines,
                    common::Status status = common::OkStatus()) {
  TaskOutcome outcome;
  outcome.ref = ref;
  outcome.status = std::move(status);
  for (const auto& [host, time] : lines) {
    outcome.hosts.Insert(host);
    outcome.counts.AddLine(
        host, time < 0 ? std::nullopt : std::optional<int64_t>(time));
  }
  return outcome;
}

// The one finished job's tallies by host.
std::vector<common::HostCounts::Entry> FinishedCounts(TaskTracker& tracker) {
  std::vector<TaskTracker::Finished> finished = tracker.TakeFinished(At(1));
  EXPECT_EQ(finished.size(), 1u);
  if (finished.empty()) return {};
  EXPECT_TRUE(finished.front().result.counted);
  EXPECT_EQ(finished.front().counts.size(), finished.front().hosts.size());
  return finished.front().counts.SortedByHost();
}

common::HostTally Tally(uint64_t count, std::optional<int64_t> first,
                        std::optional<int64_t> last) {
  common::HostTally t;
  t.count = count;
  t.first = first;
  t.last = last;
  return t;
}

TEST(TaskTrackerCountTest, AddsEachFilesTalliesAndTakesMinAndMaxTimes) {
  TaskTracker tracker(3);
  tracker.AddJob("client", CountSubmit({"/a", "/b"}), At(0));
  TaskAssignment a = MustTake(tracker);
  TaskAssignment b = MustTake(tracker);
  ASSERT_EQ(
      tracker.OnOutcome(Counted(a.ref, {{"h1", 50}, {"h1", 10}, {"h2", -1}}))
          .accept,
      TaskTracker::Accept::kAccepted);
  ASSERT_EQ(
      tracker.OnOutcome(Counted(b.ref, {{"h1", 70}, {"h2", -1}, {"h3", 5}}))
          .accept,
      TaskTracker::Accept::kAccepted);

  using Entry = common::HostCounts::Entry;
  EXPECT_EQ(FinishedCounts(tracker),
            (std::vector<Entry>{{"h1", Tally(3, 10, 70)},
                                {"h2", Tally(2, std::nullopt, std::nullopt)},
                                {"h3", Tally(1, 5, 5)}}));
}

TEST(TaskTrackerCountTest, RetriedTaskIsCountedOnceWhenBothAttemptsAnswer) {
  TaskTracker tracker(3);
  tracker.AddJob("client", CountSubmit({"/a"}), At(0));
  TaskAssignment first = MustTake(tracker);
  tracker.OnLost(first.ref, "worker w1 lost");
  TaskAssignment retry = MustTake(tracker);
  ASSERT_EQ(retry.ref.attempt, 2u);
  EXPECT_TRUE(retry.query.count);

  // The lost attempt answers late, then the retry; then a duplicate.
  EXPECT_EQ(tracker.OnOutcome(Counted(first.ref, {{"h", 1}, {"h", 2}})).accept,
            TaskTracker::Accept::kAccepted);
  EXPECT_EQ(tracker.OnOutcome(Counted(retry.ref, {{"h", 1}, {"h", 2}})).accept,
            TaskTracker::Accept::kStale);
  EXPECT_EQ(tracker.OnOutcome(Counted(first.ref, {{"h", 1}, {"h", 2}})).accept,
            TaskTracker::Accept::kStale);

  using Entry = common::HostCounts::Entry;
  EXPECT_EQ(FinishedCounts(tracker),
            (std::vector<Entry>{{"h", Tally(2, 1, 2)}}));
}

TEST(TaskTrackerCountTest, SpeculatedCopyIsCountedOnceWhicheverAnswersFirst) {
  for (bool copy_first : {false, true}) {
    SCOPED_TRACE(copy_first ? "the copy answers first"
                            : "the original answers first");
    TaskTracker tracker(3);
    tracker.AddJob("client", CountSubmit({"/fast", "/slow"}), At(0));
    TaskAssignment fast = MustTake(tracker);
    TaskAssignment slow = MustTake(tracker);
    ASSERT_EQ(tracker.OnOutcome(Counted(fast.ref, {{"h", 100}})).accept,
              TaskTracker::Accept::kAccepted);
    tracker.NoteRunTime(fast.ref.job_id, std::chrono::milliseconds(1));
    TaskTracker::SpeculationRule rule;
    rule.quantile = 0.5;
    rule.min_runtime = std::chrono::milliseconds(1);
    std::optional<TaskAssignment> copy =
        tracker.Speculate(slow.ref, std::chrono::seconds(10), rule);
    ASSERT_TRUE(copy.has_value());
    EXPECT_TRUE(copy->query.count);

    const TaskRef& winner = copy_first ? copy->ref : slow.ref;
    const TaskRef& loser = copy_first ? slow.ref : copy->ref;
    EXPECT_EQ(
        tracker.OnOutcome(Counted(winner, {{"h", 200}, {"h2", 300}})).accept,
        TaskTracker::Accept::kAccepted);
    EXPECT_EQ(
        tracker.OnOutcome(Counted(loser, {{"h", 200}, {"h2", 300}})).accept,
        TaskTracker::Accept::kStale);

    using Entry = common::HostCounts::Entry;
    EXPECT_EQ(FinishedCounts(tracker),
              (std::vector<Entry>{{"h", Tally(2, 100, 200)},
                                  {"h2", Tally(1, 300, 300)}}));
  }
}

TEST(TaskTrackerCountTest, FailedFilesTalliesAreDroppedByDefault) {
  TaskTracker tracker(3);
  tracker.AddJob("client", CountSubmit({"/good", "/bad"}), At(0));
  TaskAssignment good = MustTake(tracker);
  TaskAssignment bad = MustTake(tracker);
  ASSERT_EQ(tracker.OnOutcome(Counted(good.ref, {{"h", 1}})).accept,
            TaskTracker::Accept::kAccepted);
  ASSERT_EQ(tracker
                .OnOutcome(Counted(bad.ref, {{"h", 0}, {"p", 9}},
                                   common::DataLossError("crc")))
                .accept,
            TaskTracker::Accept::kAccepted);

  using Entry = common::HostCounts::Entry;
  EXPECT_EQ(FinishedCounts(tracker),
            (std::vector<Entry>{{"h", Tally(1, 1, 1)}}));
}

TEST(TaskTrackerCountTest, FailedFilesTalliesAreMergedWithMergePartial) {
  TaskTracker tracker(3);
  tracker.AddJob("client", CountSubmit({"/good", "/bad"}, true), At(0));
  TaskAssignment good = MustTake(tracker);
  TaskAssignment bad = MustTake(tracker);
  ASSERT_EQ(tracker.OnOutcome(Counted(good.ref, {{"h", 1}})).accept,
            TaskTracker::Accept::kAccepted);
  ASSERT_EQ(tracker
                .OnOutcome(Counted(bad.ref, {{"h", 0}, {"p", 9}},
                                   common::DataLossError("crc")))
                .accept,
            TaskTracker::Accept::kAccepted);

  using Entry = common::HostCounts::Entry;
  EXPECT_EQ(FinishedCounts(tracker),
            (std::vector<Entry>{{"h", Tally(2, 0, 1)}, {"p", Tally(1, 9, 9)}}));
}

TEST(TaskTrackerCountTest, AnswerWithHostsButNoTalliesFailsTheFile) {
  TaskTracker tracker(3);
  tracker.AddJob("client", CountSubmit({"/a"}), At(0));
  TaskAssignment a = MustTake(tracker);
  ASSERT_EQ(tracker.OnOutcome(Success(a.ref, {"h"})).accept,
            TaskTracker::Accept::kAccepted);

  std::vector<TaskTracker::Finished> finished = tracker.TakeFinished(At(1));
  ASSERT_EQ(finished.size(), 1u);
  EXPECT_TRUE(finished[0].hosts.empty());
  EXPECT_TRUE(finished[0].counts.empty());
  EXPECT_EQ(finished[0].result.files[0].status.code(), StatusCode::kInternal);
}

TEST(TaskTrackerCountTest, StreamsEachFilesTalliesWithItsHosts) {
  TaskTracker tracker(3);
  common::SubmitJob submit = CountSubmit({"/a"});
  submit.stream_files = true;
  tracker.AddJob("client", submit, At(0));
  TaskAssignment a = MustTake(tracker);
  ASSERT_EQ(
      tracker.OnOutcome(Counted(a.ref, {{"b", 3}, {"a", -1}, {"b", 1}})).accept,
      TaskTracker::Accept::kAccepted);

  std::vector<TaskTracker::FilesToSend> sent = tracker.TakeFileOutcomes();
  ASSERT_EQ(sent.size(), 1u);
  ASSERT_EQ(sent[0].files.files.size(), 1u);
  const common::FileOutcome& f = sent[0].files.files[0];
  EXPECT_EQ(f.hosts, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(f.tallies,
            (std::vector<common::HostTally>{
                Tally(1, std::nullopt, std::nullopt), Tally(2, 1, 3)}));
}

}  // namespace
}  // namespace logsweep::coordinator
