#include "client/runner/local_cluster.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "client/cli/job_client.h"
#include "common/transport/messages.h"
#include "test_util.h"

namespace logsweep::client {
namespace {

namespace fs = std::filesystem;

std::string Line(const std::string& host, const std::string& path) {
  return host + " - - [25/Nov/2026:10:00:00 +0000] \"GET " + path +
         " HTTP/1.1\" 200 512\n";
}

// Three gzip logs: a and b asked for /robots.txt, c only for /.
std::vector<std::string> WriteLogs(const testing::TempDir& dir) {
  return {
      dir.Write("1.log.gz",
                testing::Gzip(Line("a", "/robots.txt") + Line("c", "/"))),
      dir.Write("2.log.gz", testing::Gzip(Line("b", "/robots.txt"))),
      dir.Write("3.log.gz",
                testing::Gzip(Line("c", "/") + Line("a", "/robots.txt"))),
  };
}

std::string Comm(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/comm");
  std::string comm;
  std::getline(in, comm);
  return comm;
}

// The name a forked worker gives itself, once it has (the child names
// itself after the fork returns in the parent: a loaded machine may not
// have run it yet); its last name after 10 s otherwise.
std::string NameOnceSet(pid_t pid, const std::string& wanted) {
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(10);
  std::string comm = Comm(pid);
  while (comm != wanted && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    comm = Comm(pid);
  }
  return comm;
}

// Points $TMPDIR at a scratch directory for one test, so the cluster's
// directory can be looked for.
class LocalClusterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* old = std::getenv("TMPDIR");
    if (old != nullptr) old_tmpdir_ = old;
    ::setenv("TMPDIR", tmp_.path().c_str(), 1);
  }
  void TearDown() override {
    if (old_tmpdir_.empty()) {
      ::unsetenv("TMPDIR");
    } else {
      ::setenv("TMPDIR", old_tmpdir_.c_str(), 1);
    }
  }
  size_t EntriesInTmp() const {
    return static_cast<size_t>(std::distance(
        fs::directory_iterator(tmp_.path()), fs::directory_iterator()));
  }

  testing::TempDir logs_;
  testing::TempDir tmp_;
  std::string old_tmpdir_;
};

TEST_F(LocalClusterTest, RunsAJobOnForkedWorkerProcesses) {
  LocalCluster cluster;
  LocalCluster::Options options;
  options.workers = 2;
  ASSERT_TRUE(cluster.Start(options).ok());
  ASSERT_EQ(cluster.worker_pids().size(), 2u);
  for (pid_t pid : cluster.worker_pids()) {
    EXPECT_NE(pid, ::getpid());
    EXPECT_EQ(NameOnceSet(pid, "logsweep-worker"), "logsweep-worker");
  }
  {
    JobClient client(cluster.context(), cluster.clients_endpoint(), {});
    common::SubmitJob job;
    job.paths = WriteLogs(logs_);
    job.query.match_value = "/robots.txt";
    auto result = client.Run(job, [](const common::JobProgress&) {});
    ASSERT_TRUE(result.ok()) << result.status().ToString();
    EXPECT_EQ(result->hosts, (std::vector<std::string>{"a", "b"}));
    ASSERT_EQ(result->files.size(), 3u);
    for (const auto& file : result->files) {
      EXPECT_TRUE(file.status.ok()) << file.path;
    }
  }
  EXPECT_EQ(cluster.LiveWorkers(), 2u);
}

TEST_F(LocalClusterTest, StopReapsTheWorkersAndRemovesItsDirectory) {
  std::vector<pid_t> pids;
  {
    LocalCluster cluster;
    ASSERT_TRUE(cluster.Start({}).ok());
    pids = cluster.worker_pids();
    EXPECT_EQ(EntriesInTmp(), 1u);  // its ipc directory
    cluster.Stop();
    EXPECT_EQ(cluster.LiveWorkers(), 0u);
  }
  EXPECT_EQ(EntriesInTmp(), 0u);
  for (pid_t pid : pids) {
    // Reaped, so not even a zombie is left.
    EXPECT_EQ(::kill(pid, 0), -1);
    EXPECT_EQ(errno, ESRCH);
  }
}

TEST_F(LocalClusterTest, CountsAWorkerThatDied) {
  LocalCluster cluster;
  LocalCluster::Options options;
  options.workers = 2;
  ASSERT_TRUE(cluster.Start(options).ok());
  ASSERT_EQ(::kill(cluster.worker_pids()[0], SIGKILL), 0);
  for (int i = 0; i < 500 && cluster.LiveWorkers() != 1; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(cluster.LiveWorkers(), 1u);
}

TEST_F(LocalClusterTest, RefusesToForkBesideAnotherThread) {
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  std::thread other([&] {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return done; });
  });
  {
    LocalCluster cluster;
    common::Status s = cluster.Start({});
    EXPECT_EQ(s.code(), common::StatusCode::kInternal) << s.ToString();
    EXPECT_NE(s.message().find("threads running"), std::string::npos)
        << s.ToString();
    EXPECT_TRUE(cluster.worker_pids().empty());
  }
  {
    std::lock_guard<std::mutex> lock(mu);
    done = true;
  }
  cv.notify_one();
  other.join();
  EXPECT_EQ(EntriesInTmp(), 0u);
}

}  // namespace
}  // namespace logsweep::client
