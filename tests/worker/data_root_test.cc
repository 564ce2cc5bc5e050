#include "worker/data_root.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "test_util.h"

namespace logsweep::worker {
namespace {

namespace fs = std::filesystem;
using common::StatusCode;

class DataRootTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(dir_.path() + "/root/logs");
    fs::create_directories(dir_.path() + "/outside");
    inside_ = dir_.Write("root/logs/a.log", "x\n");
    outside_ = dir_.Write("outside/secret.log", "s\n");
  }
  testing::TempDir dir_;
  std::string inside_;
  std::string outside_;
};

TEST_F(DataRootTest, AllowsAbsoluteAndRelativePathsInside) {
  DataRoot root(dir_.path() + "/root");
  auto abs = root.Resolve(inside_);
  ASSERT_TRUE(abs.ok()) << abs.status().ToString();
  auto rel = root.Resolve("logs/a.log");
  ASSERT_TRUE(rel.ok()) << rel.status().ToString();
  EXPECT_EQ(*abs, *rel);
}

TEST_F(DataRootTest, RefusesDotDot) {
  DataRoot root(dir_.path() + "/root");
  auto got = root.Resolve("logs/../../outside/secret.log");
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(got.status().message().find(".."), std::string::npos);
}

TEST_F(DataRootTest, RefusesAbsolutePathOutside) {
  DataRoot root(dir_.path() + "/root");
  auto got = root.Resolve(outside_);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), StatusCode::kPermissionDenied);
}

TEST_F(DataRootTest, RefusesSiblingWithTheRootAsPrefix) {
  fs::create_directories(dir_.path() + "/rootx");
  std::string sibling = dir_.Write("rootx/b.log", "b\n");
  DataRoot root(dir_.path() + "/root");
  EXPECT_EQ(root.Resolve(sibling).status().code(),
            StatusCode::kPermissionDenied);
}

TEST_F(DataRootTest, RefusesSymlinkResolvingOutside) {
  std::string link = dir_.path() + "/root/logs/link.log";
  ASSERT_EQ(::symlink(outside_.c_str(), link.c_str()), 0);
  DataRoot root(dir_.path() + "/root");
  auto got = root.Resolve(link);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(got.status().message().find("outside"), std::string::npos);
}

TEST_F(DataRootTest, FollowsSymlinkThatStaysInside) {
  std::string link = dir_.path() + "/root/alias.log";
  ASSERT_EQ(::symlink(inside_.c_str(), link.c_str()), 0);
  DataRoot root(dir_.path() + "/root");
  auto got = root.Resolve(link);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, fs::canonical(inside_).string());
}

TEST_F(DataRootTest, MissingFileIsNotFound) {
  DataRoot root(dir_.path() + "/root");
  EXPECT_EQ(root.Resolve("logs/none.log").status().code(),
            StatusCode::kNotFound);
}

TEST_F(DataRootTest, SlashAllowsEverything) {
  DataRoot root("/");
  EXPECT_TRUE(root.Resolve(outside_).ok());
}

TEST_F(DataRootTest, UnresolvableRootIsInvalidArgument) {
  DataRoot root(dir_.path() + "/no-such-root");
  EXPECT_EQ(root.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(root.Resolve("a.log").status().code(),
            StatusCode::kInvalidArgument);
}

// Open checks the file it opened, by its descriptor: the same answers as
// Resolve, and a file to read.
TEST_F(DataRootTest, OpensFilesInsideAndNamesThemByTheirRealPath) {
  std::string link = dir_.path() + "/root/alias.log";
  ASSERT_EQ(::symlink(inside_.c_str(), link.c_str()), 0);
  DataRoot root(dir_.path() + "/root");
  for (const std::string& path : {inside_, std::string("logs/a.log"), link}) {
    SCOPED_TRACE(path);
    auto got = root.Open(path);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_EQ(got->path, fs::canonical(inside_).string());
    char buf[8];
    auto n = got->file->Read(buf, sizeof(buf));
    ASSERT_TRUE(n.ok());
    EXPECT_EQ(std::string(buf, *n), "x\n");
  }
}

TEST_F(DataRootTest, OpenRefusesWhatResolveRefuses) {
  std::string link = dir_.path() + "/root/logs/link.log";
  ASSERT_EQ(::symlink(outside_.c_str(), link.c_str()), 0);
  // A directory inside that is a symlink to one outside: the path reads as
  // inside, the file opened is not.
  ASSERT_EQ(::symlink((dir_.path() + "/outside").c_str(),
                      (dir_.path() + "/root/swapped").c_str()),
            0);
  DataRoot root(dir_.path() + "/root");
  for (const std::string& path :
       {link, std::string("swapped/secret.log"), outside_,
        std::string("logs/../../outside/secret.log")}) {
    SCOPED_TRACE(path);
    auto got = root.Open(path);
    ASSERT_FALSE(got.ok());
    EXPECT_EQ(got.status().code(), StatusCode::kPermissionDenied);
  }
  EXPECT_NE(root.Open(link).status().message().find("outside"),
            std::string::npos);
  EXPECT_EQ(root.Open("logs/none.log").status().code(), StatusCode::kNotFound);
}

TEST_F(DataRootTest, OpenUnderSlashOpensAnything) {
  DataRoot root("/");
  auto got = root.Open(outside_);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->path, outside_);
}

}  // namespace
}  // namespace logsweep::worker
