#include "worker/file_lister.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "common/base/status.h"
#include "test_util.h"

namespace logsweep::worker {
namespace {

using common::StatusCode;

common::TaskAssignment Listing(const std::string& path) {
  common::TaskAssignment task;
  task.ref = common::TaskRef{"job", 7, 1};
  task.path = path;
  task.query.list_files = true;
  return task;
}

std::vector<std::string> Files(const common::TaskOutcome& outcome) {
  return outcome.hosts.Sorted();
}

class FileListerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = data_.path() + "/root";
    ASSERT_EQ(::mkdir(root_.c_str(), 0755), 0);
    ASSERT_EQ(::mkdir((root_ + "/site").c_str(), 0755), 0);
    WriteFile("site/access.log");
    WriteFile("site/error.log.1.gz");
    WriteFile("site/README");
  }
  void WriteFile(const std::string& relative) {
    data_.Write("root/" + relative, "x\n");
  }

  testing::TempDir data_;
  std::string root_;
};

TEST_F(FileListerTest, RelativePathIsExpandedUnderTheDataRoot) {
  common::TaskOutcome outcome = ListTask(Listing("site"), DataRoot(root_));
  ASSERT_TRUE(outcome.status.ok()) << outcome.status.ToString();
  EXPECT_EQ(outcome.ref.task_id, 7u);
  EXPECT_EQ(Files(outcome),
            (std::vector<std::string>{root_ + "/site/access.log",
                                      root_ + "/site/error.log.1.gz"}));
  // README is skipped, and counted.
  ASSERT_EQ(outcome.warnings.size(), 1u);
  EXPECT_NE(outcome.warnings[0].find("1 files or directories skipped"),
            std::string::npos);
}

TEST_F(FileListerTest, GlobAndIncludeUseTheClientsRules) {
  common::TaskAssignment task = Listing("s*/*");
  common::TaskOutcome glob = ListTask(task, DataRoot(root_));
  ASSERT_TRUE(glob.status.ok()) << glob.status.ToString();
  // A glob takes every file it matches, whatever its name.
  EXPECT_EQ(Files(glob).size(), 3u);
  task = Listing("site");
  task.query.include = {"README"};
  common::TaskOutcome include = ListTask(task, DataRoot(root_));
  EXPECT_EQ(Files(include).size(), 3u);
}

TEST_F(FileListerTest, MissingPathIsNotFoundNamingWhereItWasLooked) {
  common::TaskOutcome outcome = ListTask(Listing("nope"), DataRoot(root_));
  EXPECT_EQ(outcome.status.code(), StatusCode::kNotFound);
  EXPECT_NE(outcome.status.message().find(root_ + "/nope"), std::string::npos)
      << outcome.status.ToString();
  EXPECT_TRUE(outcome.hosts.empty());
}

TEST_F(FileListerTest, FilesOutsideTheDataRootAreRefused) {
  data_.Write("outside.log", "x\n");
  ASSERT_EQ(::symlink((data_.path() + "/outside.log").c_str(),
                      (root_ + "/site/escape.log").c_str()),
            0);
  common::TaskOutcome outcome = ListTask(Listing("site"), DataRoot(root_));
  EXPECT_EQ(outcome.status.code(), StatusCode::kPermissionDenied)
      << outcome.status.ToString();
  // The files inside are still given, for a merge_partial listing job.
  EXPECT_EQ(Files(outcome).size(), 2u);
  common::TaskOutcome absolute =
      ListTask(Listing(data_.path() + "/outside.log"), DataRoot(root_));
  EXPECT_EQ(absolute.status.code(), StatusCode::kPermissionDenied);
  EXPECT_TRUE(absolute.hosts.empty());
}

}  // namespace
}  // namespace logsweep::worker
