#include "coordinator/job_journal.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <fstream>

#include "common/transport/codec.h"
#include "coordinator/coordinator.h"
#include "test_util.h"

namespace logsweep::coordinator {
namespace {

using common::SubmitJob;
using common::TaskOutcome;
using common::TaskRef;

SubmitJob Job(std::vector<std::string> paths) {
  SubmitJob job;
  job.paths = std::move(paths);
  return job;
}

TaskOutcome Outcome(const std::string& job, uint64_t task,
                    std::vector<std::string> hosts,
                    common::Status status = {}) {
  TaskOutcome o;
  o.ref = TaskRef{job, task, 1};
  o.status = std::move(status);
  for (const auto& h : hosts) o.hosts.Insert(h);
  o.stats.lines = 7;
  return o;
}

TEST(JobJournalTest, UnfinishedJobsAndTheirDoneTasksSurviveReopen) {
  testing::TempDir dir;
  {
    auto journal = JobJournal::Open(dir.path() + "/state");
    ASSERT_TRUE(journal.ok()) << journal.status().ToString();
    (*journal)->RecordJob("j1", Job({"/a", "/b", "/c"}));
    (*journal)->RecordJob("j2", Job({"/d"}));
    (*journal)->RecordTask(Outcome("j1", 0, {"h1"}));
    (*journal)->RecordTask(Outcome("j1", 2, {}, common::NotFoundError("gone")));
    (*journal)->RecordJobDone("j2");
    ASSERT_TRUE((*journal)->Commit().ok());
  }
  auto journal = JobJournal::Open(dir.path() + "/state");
  ASSERT_TRUE(journal.ok());
  auto jobs = (*journal)->LoadUnfinished();
  ASSERT_TRUE(jobs.ok());
  ASSERT_EQ(jobs->size(), 1u);
  const auto& j1 = (*jobs)[0];
  EXPECT_EQ(j1.id, "j1");
  EXPECT_EQ(j1.submit.paths, (std::vector<std::string>{"/a", "/b", "/c"}));
  ASSERT_EQ(j1.done.size(), 2u);
  auto finished = (*journal)->Load("j2");
  ASSERT_TRUE(finished.ok());
  ASSERT_TRUE(finished->has_value());
  EXPECT_TRUE((*finished)->finished);
  auto unknown = (*journal)->Load("nope");
  ASSERT_TRUE(unknown.ok());
  EXPECT_FALSE(unknown->has_value());
}

TEST(JobJournalTest, AFileThatIsNotAJournalIsAnError) {
  testing::TempDir dir;
  dir.Write("journal.db", std::string(4096, 'x'));
  auto journal = JobJournal::Open(dir.path());
  EXPECT_FALSE(journal.ok());
}

std::vector<common::TaskAssignment> Tasks(const std::vector<Outgoing>& out) {
  std::vector<common::TaskAssignment> tasks;
  for (const auto& o : out) {
    if (o.socket != Outgoing::Socket::kWorkers) continue;
    auto msg = common::DecodeCoordinatorToWorker(o.payload);
    if (msg.ok()) {
      if (auto* b = std::get_if<common::TaskBatch>(&*msg)) {
        for (const auto& t : b->tasks) tasks.push_back(t);
      }
    }
  }
  return tasks;
}

std::optional<common::CoordinatorToClient> LastToClient(
    const std::vector<Outgoing>& out, const std::string& peer) {
  std::optional<common::CoordinatorToClient> last;
  for (const auto& o : out) {
    if (o.socket != Outgoing::Socket::kClients || o.peer != peer) continue;
    auto msg = common::DecodeCoordinatorToClient(o.payload);
    if (msg.ok()) last = *msg;
  }
  return last;
}

std::string Hello() {
  return common::Encode(
      common::WorkerToCoordinator(common::WorkerHello{"w", 1, {}, {}, {}}));
}

TEST(JobJournalTest, RestartedCoordinatorRunsOnlyUnfinishedTasks) {
  testing::TempDir dir;
  TimePoint t0{};
  std::string job_id;
  {
    auto journal = JobJournal::Open(dir.path());
    ASSERT_TRUE(journal.ok());
    Coordinator before(CoordinatorConfig{}, journal->get());
    before.OnWorkerMessage("w", Hello(), t0);
    before.OnClientMessage(
        "c", common::Encode(common::ClientToCoordinator(Job({"/a", "/b"}))),
        t0);
    auto tasks = Tasks(before.TakeOutbox());
    ASSERT_FALSE(tasks.empty());
    job_id = tasks[0].ref.job_id;
    TaskOutcome done = Outcome(job_id, tasks[0].ref.task_id, {"first"});
    before.OnWorkerMessage("w", common::EncodeOutcome(done), t0);
    ASSERT_TRUE(before.CommitJournal(t0).ok());
    // The coordinator dies here, with task 1 unfinished.
  }
  auto journal = JobJournal::Open(dir.path());
  ASSERT_TRUE(journal.ok());
  Coordinator after(CoordinatorConfig{}, journal->get());
  ASSERT_TRUE(after.Restore(t0).ok());
  after.OnClientMessage(
      "c2",
      common::Encode(common::ClientToCoordinator(common::WaitJob{job_id})), t0);
  after.OnWorkerMessage("w2", Hello(), t0);
  auto tasks = Tasks(after.TakeOutbox());
  ASSERT_EQ(tasks.size(), 1u);  // only the unfinished one runs again
  EXPECT_EQ(tasks[0].ref.task_id, 1u);
  after.OnWorkerMessage(
      "w2", common::EncodeOutcome(Outcome(job_id, 1, {"second"})), t0);
  auto last = LastToClient(after.TakeOutbox(), "c2");
  ASSERT_TRUE(last.has_value());
  auto* result = std::get_if<common::JobResult>(&*last);
  ASSERT_NE(result, nullptr);
  EXPECT_EQ(result->hosts, (std::vector<std::string>{"first", "second"}));
  ASSERT_TRUE(after.CommitJournal(t0).ok());

  // The finished job's result can still be fetched.
  after.OnClientMessage(
      "c3",
      common::Encode(common::ClientToCoordinator(common::WaitJob{job_id})), t0);
  auto again = LastToClient(after.TakeOutbox(), "c3");
  ASSERT_TRUE(again.has_value());
  auto* result2 = std::get_if<common::JobResult>(&*again);
  ASSERT_NE(result2, nullptr);
  EXPECT_EQ(result2->hosts, result->hosts);
}

TEST(JobJournalTest, WaitForUnknownJobIsNotFound) {
  Coordinator coordinator(CoordinatorConfig{});
  coordinator.OnClientMessage(
      "c", common::Encode(common::ClientToCoordinator(common::WaitJob{"x"})),
      TimePoint{});
  auto last = LastToClient(coordinator.TakeOutbox(), "c");
  ASSERT_TRUE(last.has_value());
  auto* rejected = std::get_if<common::JobRejected>(&*last);
  ASSERT_NE(rejected, nullptr);
  EXPECT_EQ(rejected->status.code(), common::StatusCode::kNotFound);
}

TEST(JobJournalTest, ASecondJournalOnTheSameDirectoryIsRefusedNamingThePid) {
  testing::TempDir dir;
  auto first = JobJournal::Open(dir.path());
  ASSERT_TRUE(first.ok()) << first.status().ToString();

  auto second = JobJournal::Open(dir.path());

  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), common::StatusCode::kUnavailable);
  EXPECT_NE(
      second.status().message().find("in use by another coordinator (pid " +
                                     std::to_string(::getpid()) + ")"),
      std::string::npos)
      << second.status().ToString();
  first->reset();
  EXPECT_TRUE(JobJournal::Open(dir.path()).ok());
}

// Holds SQLite's write lock on DIR/journal.db from another connection, as
// a backup tool or a stray sqlite3 shell would.
class WriteLock {
 public:
  explicit WriteLock(const std::string& dir) {
    sqlite3_open((dir + "/journal.db").c_str(), &db_);
    sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr);
  }
  ~WriteLock() { Release(); }
  void Release() {
    if (db_ == nullptr) return;
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    sqlite3_close(db_);
    db_ = nullptr;
  }

 private:
  sqlite3* db_ = nullptr;
};

TEST(JobJournalTest, FailedCommitKeepsTheBatchUntilACommitSucceeds) {
  testing::TempDir dir;
  auto journal = JobJournal::Open(dir.path());
  ASSERT_TRUE(journal.ok());
  WriteLock lock(dir.path());
  (*journal)->RecordJob("j1", Job({"/a"}));
  (*journal)->RecordTask(Outcome("j1", 0, {"h1"}));

  common::Status failed = (*journal)->Commit();
  EXPECT_EQ(failed.code(), common::StatusCode::kUnavailable);
  EXPECT_NE(failed.message().find(dir.path()), std::string::npos)
      << failed.ToString();
  EXPECT_TRUE((*journal)->has_pending());
  // A second failure does not wedge it either (no transaction left open).
  EXPECT_FALSE((*journal)->Commit().ok());

  lock.Release();
  ASSERT_TRUE((*journal)->Commit().ok());
  EXPECT_FALSE((*journal)->has_pending());
  auto loaded = (*journal)->Load("j1");
  ASSERT_TRUE(loaded.ok() && loaded->has_value());
  EXPECT_EQ((*loaded)->done.size(), 1u);
}

TEST(JobJournalTest, JobIsRefusedWhenItCannotBeMadeDurable) {
  testing::TempDir dir;
  auto journal = JobJournal::Open(dir.path());
  ASSERT_TRUE(journal.ok());
  Coordinator coordinator(CoordinatorConfig{}, journal->get());
  WriteLock lock(dir.path());

  coordinator.OnClientMessage(
      "c", common::Encode(common::ClientToCoordinator(Job({"/a"}))),
      TimePoint{});

  auto last = LastToClient(coordinator.TakeOutbox(), "c");
  ASSERT_TRUE(last.has_value());
  auto* rejected = std::get_if<common::JobRejected>(&*last);
  ASSERT_NE(rejected, nullptr);
  EXPECT_EQ(rejected->status.code(), common::StatusCode::kUnavailable);
  EXPECT_NE(rejected->status.message().find(dir.path()), std::string::npos)
      << rejected->status.ToString();
  EXPECT_EQ(coordinator.job_count(), 0u);
  // The refused job does not become durable later either.
  lock.Release();
  ASSERT_TRUE(coordinator.CommitJournal(TimePoint{}).ok());
  auto unfinished = (*journal)->LoadUnfinished();
  ASSERT_TRUE(unfinished.ok());
  EXPECT_TRUE(unfinished->empty());
}

TEST(JobJournalTest, SubmitSentAgainAfterARestartGetsTheSameJob) {
  testing::TempDir dir;
  common::SubmitJob submit = Job({"/a", "/b"});
  submit.request_key = "key-1";
  std::string first_id;
  {
    auto journal = JobJournal::Open(dir.path());
    ASSERT_TRUE(journal.ok());
    Coordinator before(CoordinatorConfig{}, journal->get());
    before.OnClientMessage(
        "c", common::Encode(common::ClientToCoordinator(submit)), TimePoint{});
    for (const auto& o : before.TakeOutbox()) {
      auto msg = common::DecodeCoordinatorToClient(o.payload);
      if (!msg.ok()) continue;
      if (auto* a = std::get_if<common::JobAccepted>(&*msg)) {
        first_id = a->job_id;
      }
    }
    ASSERT_FALSE(first_id.empty());
  }
  auto journal = JobJournal::Open(dir.path());
  ASSERT_TRUE(journal.ok());
  Coordinator after(CoordinatorConfig{}, journal->get());
  ASSERT_TRUE(after.Restore(TimePoint{}).ok());

  after.OnClientMessage(
      "c2", common::Encode(common::ClientToCoordinator(submit)), TimePoint{});

  std::vector<Outgoing> out = after.TakeOutbox();
  std::vector<std::string> accepted;
  for (const auto& o : out) {
    auto msg = common::DecodeCoordinatorToClient(o.payload);
    if (msg.ok()) {
      if (auto* a = std::get_if<common::JobAccepted>(&*msg)) {
        accepted.push_back(a->job_id);
      }
    }
  }
  EXPECT_EQ(accepted, (std::vector<std::string>{first_id}));
  EXPECT_EQ(after.job_count(), 1u);
}

}  // namespace
}  // namespace logsweep::coordinator
