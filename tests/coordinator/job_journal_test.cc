#include "coordinator/job_journal.h"

#include <gtest/gtest.h>

#include <fstream>

#include "common/codec.h"
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
    ASSERT_TRUE((*journal)->RecordJob("j1", Job({"/a", "/b", "/c"})).ok());
    ASSERT_TRUE((*journal)->RecordJob("j2", Job({"/d"})).ok());
    ASSERT_TRUE((*journal)->RecordTask(Outcome("j1", 0, {"h1"})).ok());
    ASSERT_TRUE(
        (*journal)
            ->RecordTask(Outcome("j1", 2, {}, common::NotFoundError("gone")))
            .ok());
    ASSERT_TRUE((*journal)->RecordJobDone("j2").ok());
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
      if (auto* t = std::get_if<common::TaskAssignment>(&*msg)) {
        tasks.push_back(*t);
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
    before.OnWorkerMessage(
        "w", common::Encode(common::WorkerToCoordinator(done)), t0);
    ASSERT_TRUE(before.CommitJournal().ok());
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
  after.OnWorkerMessage("w2",
                        common::Encode(common::WorkerToCoordinator(
                            Outcome(job_id, 1, {"second"}))),
                        t0);
  auto last = LastToClient(after.TakeOutbox(), "c2");
  ASSERT_TRUE(last.has_value());
  auto* result = std::get_if<common::JobResult>(&*last);
  ASSERT_NE(result, nullptr);
  EXPECT_EQ(result->hosts, (std::vector<std::string>{"first", "second"}));
  ASSERT_TRUE(after.CommitJournal().ok());

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

}  // namespace
}  // namespace logsweep::coordinator
