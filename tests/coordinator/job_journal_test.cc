#include "coordinator/job_journal.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <limits>
#include <map>
#include <optional>

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
    (*journal)->RecordJobDone("j2", {});
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

TEST(JobJournalTest, OwnerSubmitTimeAndDurationSurviveReopen) {
  testing::TempDir dir;
  {
    auto journal = JobJournal::Open(dir.path());
    ASSERT_TRUE(journal.ok());
    (*journal)->RecordJob("ab12", Job({"/a"}), "10.0.0.1", 1'700'000'000'000);
    (*journal)->RecordJobDone("ab12", {61'500'000});
    ASSERT_TRUE((*journal)->Commit().ok());
  }
  auto journal = JobJournal::Open(dir.path());
  ASSERT_TRUE(journal.ok());
  auto job = (*journal)->Load("ab12");
  ASSERT_TRUE(job.ok() && job->has_value());
  EXPECT_EQ((*job)->owner, "10.0.0.1");
  EXPECT_EQ((*job)->submitted_unix_ms, 1'700'000'000'000);
  EXPECT_EQ((*job)->elapsed_us, 61'500'000u);
  auto mine = (*journal)->FindByPrefix("ab", "10.0.0.1", 10);
  auto theirs = (*journal)->FindByPrefix("ab", "10.0.0.2", 10);
  ASSERT_TRUE(mine.ok() && theirs.ok());
  EXPECT_EQ(*mine, (std::vector<std::string>{"ab12"}));
  EXPECT_TRUE(theirs->empty());
}

// Status of `id` asked by `client`: the reply's one job, or nullopt.
std::optional<common::JobStatus> StatusOf(Coordinator& c,
                                          const std::string& client,
                                          const std::string& id,
                                          TimePoint now) {
  c.OnClientMessage(
      "p-" + client,
      common::Encode(common::ClientToCoordinator(common::GetStatus{id, 7})),
      now, client);
  auto last = LastToClient(c.TakeOutbox(), "p-" + client);
  if (!last) return std::nullopt;
  auto* reply = std::get_if<common::StatusReply>(&*last);
  if (reply == nullptr || reply->jobs.size() != 1) return std::nullopt;
  return reply->jobs[0];
}

TEST(JobJournalTest, ARestartKeepsAJobsOwnerAndItsTimeSinceSubmit) {
  testing::TempDir dir;
  const TimePoint t0 = TimePoint{} + std::chrono::hours(1);
  std::string job_id;
  {
    auto journal = JobJournal::Open(dir.path());
    ASSERT_TRUE(journal.ok());
    Coordinator before(CoordinatorConfig{}, journal->get());
    before.OnClientMessage(
        "c", common::Encode(common::ClientToCoordinator(Job({"/a", "/b"}))), t0,
        "10.0.0.1");
    for (const auto& m : before.TakeOutbox()) {
      auto decoded = common::DecodeCoordinatorToClient(m.payload);
      if (decoded.ok()) {
        if (auto* a = std::get_if<common::JobAccepted>(&*decoded)) {
          job_id = a->job_id;
        }
      }
    }
    ASSERT_FALSE(job_id.empty());
  }
  ::usleep(300'000);  // wall-clock time the job has been waiting
  auto journal = JobJournal::Open(dir.path());
  ASSERT_TRUE(journal.ok());
  Coordinator after(CoordinatorConfig{}, journal->get());
  const TimePoint t1 = t0 + std::chrono::minutes(5);
  ASSERT_TRUE(after.Restore(t1).ok());

  // Its owner sees the whole id in a list, and may name it by a prefix.
  after.OnClientMessage(
      "p-owner",
      common::Encode(common::ClientToCoordinator(common::GetStatus{"", 1})), t1,
      "10.0.0.1");
  auto list = LastToClient(after.TakeOutbox(), "p-owner");
  ASSERT_TRUE(list.has_value());
  auto* reply = std::get_if<common::StatusReply>(&*list);
  ASSERT_TRUE(reply != nullptr && reply->jobs.size() == 1);
  EXPECT_EQ(reply->jobs[0].progress.job_id, job_id);
  auto mine = StatusOf(after, "10.0.0.1", job_id.substr(0, 6), t1);
  ASSERT_TRUE(mine.has_value());
  EXPECT_EQ(mine->progress.job_id, job_id);
  // Elapsed counts from the submit, not from the restart.
  EXPECT_GE(mine->elapsed_ms, 250u);
  // Another client may not.
  EXPECT_FALSE(StatusOf(after, "10.0.0.2", job_id.substr(0, 6), t1));
}

TEST(JobJournalTest, AFinishedJobFromTheJournalShowsAsFinishedWithItsDuration) {
  testing::TempDir dir;
  const TimePoint t0 = TimePoint{} + std::chrono::hours(1);
  std::string job_id;
  {
    auto journal = JobJournal::Open(dir.path());
    ASSERT_TRUE(journal.ok());
    Coordinator before(CoordinatorConfig{}, journal->get());
    before.OnWorkerMessage("w", Hello(), t0);
    before.OnClientMessage(
        "c", common::Encode(common::ClientToCoordinator(Job({"/a"}))), t0,
        "10.0.0.1");
    auto tasks = Tasks(before.TakeOutbox());
    ASSERT_EQ(tasks.size(), 1u);
    job_id = tasks[0].ref.job_id;
    before.OnWorkerMessage("w",
                           common::EncodeOutcome(Outcome(job_id, 0, {"h"})),
                           t0 + std::chrono::seconds(60));
    ASSERT_TRUE(before.CommitJournal(t0 + std::chrono::seconds(60)).ok());
  }
  auto journal = JobJournal::Open(dir.path());
  ASSERT_TRUE(journal.ok());
  Coordinator after(CoordinatorConfig{}, journal->get());
  ASSERT_TRUE(after.Restore(t0).ok());

  auto status = StatusOf(after, "10.0.0.1", job_id, t0);
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(status->finished);
  EXPECT_EQ(status->elapsed_ms, 60'000u);

  // Its result, rebuilt from the journal, says how long the job took.
  after.OnClientMessage(
      "c2",
      common::Encode(common::ClientToCoordinator(common::WaitJob{job_id})),
      t0 + std::chrono::hours(2), "10.0.0.1");
  auto last = LastToClient(after.TakeOutbox(), "c2");
  ASSERT_TRUE(last.has_value());
  auto* result = std::get_if<common::JobResult>(&*last);
  ASSERT_NE(result, nullptr);
  EXPECT_EQ(result->elapsed_us, 60'000'000u);
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

// ---- retention (--keep-jobs) and the job list ----

JobJournal::JobEnd EndAt(int64_t finished_unix_ms, uint64_t files = 1) {
  JobJournal::JobEnd end;
  end.finished_unix_ms = finished_unix_ms;
  end.files = files;
  return end;
}

// Rows in `table` for `job`, read over a connection of the test's own.
int64_t RowsOf(const std::string& dir, const char* table,
               const std::string& job) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2((dir + "/journal.db").c_str(), &db,
                            SQLITE_OPEN_READONLY, nullptr),
            SQLITE_OK);
  const std::string column = std::string(table) == "jobs" ? "id" : "job_id";
  const std::string sql = "SELECT count(*) FROM " + std::string(table) +
                          " WHERE " + column + " = ?1";
  sqlite3_stmt* st = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr), SQLITE_OK);
  sqlite3_bind_text(st, 1, job.data(), static_cast<int>(job.size()),
                    SQLITE_TRANSIENT);
  EXPECT_EQ(sqlite3_step(st), SQLITE_ROW);
  const int64_t n = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  sqlite3_close(db);
  return n;
}

// Runs retention with `cutoff` until it has nothing left to do.
JobJournal::PruneStep PruneAll(JobJournal& j, int64_t cutoff, size_t max_rows) {
  JobJournal::PruneStep total;
  for (int i = 0; i < 10000; ++i) {
    auto step = j.Prune(cutoff, max_rows);
    EXPECT_TRUE(step.ok()) << step.status().ToString();
    if (!step.ok()) break;
    total.jobs += step->jobs;
    total.rows += step->rows;
    total.pages += step->pages;
    if (!step->more) return total;
  }
  ADD_FAILURE() << "retention never finished";
  return total;
}

TEST(JobJournalTest, RetentionPrunesJobsFinishedBeforeTheCutoffNotAtIt) {
  testing::TempDir dir;
  auto journal = JobJournal::Open(dir.path());
  ASSERT_TRUE(journal.ok()) << journal.status().ToString();
  JobJournal& j = **journal;
  for (const auto& [id, at] : std::vector<std::pair<std::string, int64_t>>{
           {"early", 1'999}, {"at", 2'000}, {"late", 2'001}}) {
    j.RecordJob(id, Job({"/a"}), "", 1'000);
    j.RecordTask(Outcome(id, 0, {"h"}));
    j.RecordJobDone(id, EndAt(at));
  }
  ASSERT_TRUE(j.Commit().ok());

  auto step = j.Prune(2'000, 100);
  ASSERT_TRUE(step.ok()) << step.status().ToString();
  EXPECT_EQ(step->jobs, 1u);
  EXPECT_EQ(step->rows, 1u);
  for (const char* gone : {"early"}) {
    auto loaded = j.Load(gone);
    ASSERT_TRUE(loaded.ok());
    EXPECT_FALSE(loaded->has_value()) << gone << " was kept";
    EXPECT_EQ(RowsOf(dir.path(), "tasks", gone), 0) << gone;
  }
  for (const char* kept : {"at", "late"}) {
    auto loaded = j.Load(kept);
    ASSERT_TRUE(loaded.ok());
    ASSERT_TRUE(loaded->has_value()) << kept << " was pruned";
    EXPECT_EQ((*loaded)->done.size(), 1u) << kept;
  }
}

TEST(JobJournalTest, RetentionNeverPrunesAnUnfinishedJob) {
  testing::TempDir dir;
  auto journal = JobJournal::Open(dir.path());
  ASSERT_TRUE(journal.ok());
  JobJournal& j = **journal;
  j.RecordJob("running", Job({"/a", "/b"}), "", 1);  // submitted long ago
  j.RecordTask(Outcome("running", 0, {"h"}));
  ASSERT_TRUE(j.Commit().ok());

  PruneAll(j, std::numeric_limits<int64_t>::max(), 100);
  auto unfinished = j.LoadUnfinished();
  ASSERT_TRUE(unfinished.ok());
  ASSERT_EQ(unfinished->size(), 1u);
  EXPECT_EQ((*unfinished)[0].id, "running");
  EXPECT_EQ((*unfinished)[0].done.size(), 1u);
}

TEST(JobJournalTest, RetentionDeletesALargeJobInBoundedBatchesGoneAtOnce) {
  testing::TempDir dir;
  auto journal = JobJournal::Open(dir.path());
  ASSERT_TRUE(journal.ok());
  JobJournal& j = **journal;
  j.RecordJob("big", Job(std::vector<std::string>(25, "/f")));
  for (uint64_t t = 0; t < 25; ++t) j.RecordTask(Outcome("big", t, {"h"}));
  j.RecordJobDone("big", EndAt(10, 25));
  ASSERT_TRUE(j.Commit().ok());

  auto first = j.Prune(11, 10);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->jobs, 1u);
  EXPECT_EQ(first->rows, 10u);  // the batch bound
  EXPECT_TRUE(first->more);
  // Unknown from the first batch on, though its records are still going.
  auto loaded = j.Load("big");
  ASSERT_TRUE(loaded.ok());
  EXPECT_FALSE(loaded->has_value());
  EXPECT_EQ(RowsOf(dir.path(), "tasks", "big"), 15);

  auto rest = PruneAll(j, 11, 10);
  EXPECT_EQ(rest.jobs, 0u);
  EXPECT_EQ(rest.rows, 15u);
  EXPECT_EQ(RowsOf(dir.path(), "tasks", "big"), 0);
}

TEST(JobJournalTest, ARestartAfterPruningRecoversUnfinishedJobsExactly) {
  testing::TempDir dir;
  {
    auto journal = JobJournal::Open(dir.path());
    ASSERT_TRUE(journal.ok());
    JobJournal& j = **journal;
    j.RecordJob("old", Job({"/a", "/b"}));
    j.RecordTask(Outcome("old", 0, {"x"}));
    j.RecordTask(Outcome("old", 1, {"y"}));
    j.RecordJobDone("old", EndAt(5, 2));
    j.RecordJob("open", Job({"/c", "/d", "/e"}), "10.0.0.9", 7);
    j.RecordTask(Outcome("open", 0, {"h1"}));
    j.RecordTask(Outcome("open", 2, {}, common::NotFoundError("gone")));
    ASSERT_TRUE(j.Commit().ok());
    PruneAll(j, 1'000, 1);  // one row per batch: many batches
  }
  auto journal = JobJournal::Open(dir.path());
  ASSERT_TRUE(journal.ok());
  auto jobs = (*journal)->LoadUnfinished();
  ASSERT_TRUE(jobs.ok());
  ASSERT_EQ(jobs->size(), 1u);
  const auto& open = (*jobs)[0];
  EXPECT_EQ(open.id, "open");
  EXPECT_EQ(open.owner, "10.0.0.9");
  EXPECT_EQ(open.submitted_unix_ms, 7);
  EXPECT_EQ(open.submit.paths, (std::vector<std::string>{"/c", "/d", "/e"}));
  ASSERT_EQ(open.done.size(), 2u);
  std::map<uint64_t, common::TaskOutcome> by_task;
  for (const auto& o : open.done) by_task[o.ref.task_id] = o;
  ASSERT_EQ(by_task.count(0), 1u);
  ASSERT_EQ(by_task.count(2), 1u);
  EXPECT_TRUE(by_task[0].status.ok());
  EXPECT_EQ(by_task[0].hosts.size(), 1u);
  EXPECT_EQ(by_task[2].status.code(), common::StatusCode::kNotFound);
  auto old = (*journal)->Load("old");
  ASSERT_TRUE(old.ok());
  EXPECT_FALSE(old->has_value());
}

TEST(JobJournalTest, RetentionGivesFreedPagesBackToTheFile) {
  testing::TempDir dir;
  auto journal = JobJournal::Open(dir.path());
  ASSERT_TRUE(journal.ok());
  JobJournal& j = **journal;
  j.RecordJob("big", Job({"/a"}));
  for (uint64_t t = 0; t < 2000; ++t) {
    j.RecordTask(Outcome("big", t, {std::string(300, 'h')}));
  }
  j.RecordJobDone("big", EndAt(10, 2000));
  ASSERT_TRUE(j.Commit().ok());
  auto pages = [&](const char* pragma) {
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open_v2((dir.path() + "/journal.db").c_str(), &db,
                              SQLITE_OPEN_READONLY, nullptr),
              SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(db, pragma, -1, &st, nullptr);
    EXPECT_EQ(sqlite3_step(st), SQLITE_ROW);
    int64_t n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return n;
  };
  const int64_t full = pages("PRAGMA page_count");
  auto total = PruneAll(j, 11, 100);
  EXPECT_EQ(total.rows, 2000u);
  EXPECT_GT(total.pages, 0u);
  EXPECT_EQ(pages("PRAGMA freelist_count"), 0);
  EXPECT_LT(pages("PRAGMA page_count"), full / 4)
      << "the file kept its pages: " << full;
}

TEST(JobJournalTest, ListJobsShowsTheNewestFirstWithHowEachEnded) {
  testing::TempDir dir;
  auto journal = JobJournal::Open(dir.path());
  ASSERT_TRUE(journal.ok());
  JobJournal& j = **journal;
  j.RecordJob("first", Job({"/a"}), "me", 100);
  JobJournal::JobEnd failed = EndAt(200, 3);
  failed.failed = 1;
  failed.state = "failed";
  failed.elapsed_us = 5'000;
  j.RecordJobDone("first", failed);
  j.RecordJob("second", Job({"/b"}), "you", 300);
  j.RecordJob("third", Job({"/c"}), "me", 400);
  ASSERT_TRUE(j.Commit().ok());

  auto all = j.ListJobs(10);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].id, "third");
  EXPECT_EQ((*all)[1].id, "second");
  EXPECT_EQ((*all)[1].owner, "you");
  EXPECT_FALSE((*all)[1].finished);
  const auto& f = (*all)[2];
  EXPECT_EQ(f.id, "first");
  EXPECT_TRUE(f.finished);
  EXPECT_EQ(f.state, "failed");
  EXPECT_EQ(f.files, 3u);
  EXPECT_EQ(f.failed, 1u);
  EXPECT_EQ(f.elapsed_us, 5'000u);
  EXPECT_EQ(f.submitted_unix_ms, 100);
  EXPECT_EQ(f.finished_unix_ms, 200);

  auto two = j.ListJobs(2);
  ASSERT_TRUE(two.ok());
  ASSERT_EQ(two->size(), 2u);
  EXPECT_EQ((*two)[1].id, "second");
}

TEST(JobJournalTest, AJournalWithoutEndsListsFinishedJobsFromTheirTasks) {
  testing::TempDir dir;
  {
    auto journal = JobJournal::Open(dir.path());
    ASSERT_TRUE(journal.ok());
    JobJournal& j = **journal;
    j.RecordJob("legacy", Job({"/a", "/b", "/c"}), "", 1'000);
    j.RecordTask(Outcome("legacy", 0, {"h"}));
    j.RecordTask(Outcome("legacy", 1, {}, common::CancelledError("cancel")));
    j.RecordTask(Outcome("legacy", 2, {}, common::DataLossError("bad")));
    j.RecordJobDone("legacy", {});
    ASSERT_TRUE(j.Commit().ok());
  }
  {  // As an older coordinator wrote it: no end, no finish time.
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((dir.path() + "/journal.db").c_str(), &db),
              SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db,
                           "UPDATE jobs SET state = '', files = 0, "
                           "finished_unix_ms = 0, elapsed_us = 2000000",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(db);
  }
  auto journal = JobJournal::Open(dir.path());
  ASSERT_TRUE(journal.ok());
  auto all = (*journal)->ListJobs(10);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ((*all)[0].state, "cancelled");
  EXPECT_EQ((*all)[0].files, 3u);
  EXPECT_EQ((*all)[0].failed, 2u);
  // Its finish time: submit plus duration, so retention counts from then.
  EXPECT_EQ((*all)[0].finished_unix_ms, 3'000);
}

TEST(JobJournalTest,
     AnOlderJournalIsConvertedToGiveFreedPagesBackAndKeepsItsJobs) {
  testing::TempDir dir;
  {  // As the first journals were written: no auto_vacuum, the old columns.
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((dir.path() + "/journal.db").c_str(), &db),
              SQLITE_OK);
    const std::string submit =
        common::Encode(common::ClientToCoordinator(Job({"/a", "/b"})));
    const std::string sql =
        "CREATE TABLE jobs (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT "
        "UNIQUE NOT NULL, submit BLOB NOT NULL, finished INTEGER NOT NULL "
        "DEFAULT 0);"
        "CREATE TABLE tasks (job_id TEXT NOT NULL, task_id INTEGER NOT NULL, "
        "outcome BLOB NOT NULL, PRIMARY KEY (job_id, task_id));";
    ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(db,
                                 "INSERT INTO jobs (id, submit) VALUES "
                                 "('old', ?1)",
                                 -1, &st, nullptr),
              SQLITE_OK);
    sqlite3_bind_blob(st, 1, submit.data(), static_cast<int>(submit.size()),
                      SQLITE_TRANSIENT);
    ASSERT_EQ(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
    sqlite3_close(db);
  }
  auto journal = JobJournal::Open(dir.path());
  ASSERT_TRUE(journal.ok()) << journal.status().ToString();
  auto unfinished = (*journal)->LoadUnfinished();
  ASSERT_TRUE(unfinished.ok());
  ASSERT_EQ(unfinished->size(), 1u);
  EXPECT_EQ((*unfinished)[0].submit.paths,
            (std::vector<std::string>{"/a", "/b"}));
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2((dir.path() + "/journal.db").c_str(), &db,
                            SQLITE_OPEN_READONLY, nullptr),
            SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db, "PRAGMA auto_vacuum", -1, &st, nullptr);
  ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(st, 0), 2);  // INCREMENTAL
  sqlite3_finalize(st);
  sqlite3_close(db);
}

}  // namespace
}  // namespace logsweep::coordinator
