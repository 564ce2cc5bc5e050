// JobJournal::PruneFinished (--keep-jobs): the journal keeps the newest
// finished jobs and every unfinished one, and nothing of the others.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "coordinator/job_journal.h"
#include "test_util.h"

namespace logsweep::coordinator {
namespace {

common::SubmitJob Job(std::vector<std::string> paths) {
  common::SubmitJob job;
  job.paths = std::move(paths);
  return job;
}

common::TaskOutcome Done(const std::string& job, uint64_t task) {
  common::TaskOutcome o;
  o.ref = common::TaskRef{job, task, 1};
  o.hosts.Insert("h");
  return o;
}

TEST(JournalRetentionTest, KeepsTheNewestFinishedJobsAndEveryUnfinishedOne) {
  testing::TempDir dir;
  auto journal = JobJournal::Open(dir.path() + "/state");
  ASSERT_TRUE(journal.ok()) << journal.status().ToString();
  JobJournal& j = **journal;
  for (const char* id : {"old1", "running", "old2", "new1", "new2"}) {
    j.RecordJob(id, Job({"/a", "/b"}));
    j.RecordTask(Done(id, 0));
    if (std::string(id) != "running") {
      j.RecordTask(Done(id, 1));
      j.RecordJobDone(id);
    }
  }
  ASSERT_TRUE(j.Commit().ok());

  auto pruned = j.PruneFinished(2);
  ASSERT_TRUE(pruned.ok()) << pruned.status().ToString();
  EXPECT_EQ(*pruned, 2u);

  for (const char* gone : {"old1", "old2"}) {
    auto loaded = j.Load(gone);
    ASSERT_TRUE(loaded.ok());
    EXPECT_FALSE(loaded->has_value()) << gone << " was kept";
  }
  for (const char* kept : {"new1", "new2"}) {
    auto loaded = j.Load(kept);
    ASSERT_TRUE(loaded.ok());
    ASSERT_TRUE(loaded->has_value()) << kept << " was pruned";
    EXPECT_EQ((*loaded)->done.size(), 2u);
  }
  auto unfinished = j.LoadUnfinished();
  ASSERT_TRUE(unfinished.ok());
  ASSERT_EQ(unfinished->size(), 1u);
  EXPECT_EQ((*unfinished)[0].id, "running");
  EXPECT_EQ((*unfinished)[0].done.size(), 1u);

  auto again = j.PruneFinished(2);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, 0u);
}

}  // namespace
}  // namespace logsweep::coordinator
