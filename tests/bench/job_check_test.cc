#include "bench/swarm/job_check.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>

namespace logsweep::swarm {
namespace {

JobExpectation Expect(uint64_t paths) {
  JobExpectation e;
  e.paths = paths;
  e.answer.hosts_per_task = 2;
  e.answer.host_space = 50;
  return e;
}

// The result an exact coordinator returns for `expect`.
common::JobResult Exact(const JobExpectation& expect) {
  common::JobResult r;
  r.job_id = "job";
  std::set<std::string> hosts;
  for (uint64_t i = 0; i < expect.paths; ++i) {
    common::FileReport f;
    f.path = SwarmPath(expect.prefix, i);
    f.attempts = 1;
    for (auto& h : SyntheticHosts(f.path, expect.answer)) hosts.insert(h);
    r.files.push_back(std::move(f));
  }
  r.hosts.assign(hosts.begin(), hosts.end());
  return r;
}

bool Mentions(const JobCheck& check, const std::string& text) {
  return std::any_of(
      check.problems.begin(), check.problems.end(),
      [&](const std::string& p) { return p.find(text) != std::string::npos; });
}

TEST(JobCheckTest, MakesOneTaskPerSyntheticPathInOrder) {
  common::SubmitJob job = MakeSwarmJob(Expect(3));

  ASSERT_EQ(job.paths.size(), 3u);
  EXPECT_EQ(job.paths[0], "/swarm/00000001");
  EXPECT_EQ(job.paths[2], "/swarm/00000003");
}

TEST(JobCheckTest, AcceptsAnExactResult) {
  JobExpectation e = Expect(200);

  JobCheck check = CheckJobResult(Exact(e), e);

  EXPECT_TRUE(check.ok) << (check.problems.empty() ? "" : check.problems[0]);
  EXPECT_EQ(check.files, 200u);
  EXPECT_EQ(check.attempts[1], 200u);
}

TEST(JobCheckTest, ReportsAMissingFile) {
  JobExpectation e = Expect(20);
  common::JobResult r = Exact(e);
  r.files.pop_back();

  JobCheck check = CheckJobResult(r, e);

  EXPECT_FALSE(check.ok);
  EXPECT_TRUE(Mentions(check, "19 files, expected 20"));
}

TEST(JobCheckTest, ReportsFilesOutOfOrder) {
  JobExpectation e = Expect(20);
  common::JobResult r = Exact(e);
  std::swap(r.files[3], r.files[4]);

  JobCheck check = CheckJobResult(r, e);

  EXPECT_FALSE(check.ok);
  EXPECT_TRUE(Mentions(check, "2 files out of submission order"));
}

TEST(JobCheckTest, ReportsFailedFilesGroupedByReasonWithCounts) {
  JobExpectation e = Expect(20);
  common::JobResult r = Exact(e);
  r.files[1].status = common::UnavailableError(
      "worker swarm-00012 lost: connection gone (gave up after 3 attempts)");
  r.files[7].status = common::UnavailableError(
      "worker swarm-00840 lost: connection gone (gave up after 3 attempts)");

  JobCheck check = CheckJobResult(r, e);

  EXPECT_FALSE(check.ok);
  EXPECT_EQ(check.failed, 2u);
  EXPECT_TRUE(Mentions(check, "2 files FAILED, expected 0"));
  EXPECT_EQ(check.failure_reasons["UNAVAILABLE: worker swarm-# lost: "
                                  "connection gone (gave up after # "
                                  "attempts)"],
            2u);
}

TEST(JobCheckTest, AcceptsTheExpectedFailuresWithoutTheirHosts) {
  JobExpectation e = Expect(20);
  e.answer.host_space = 1000;  // so that one file's hosts are its own
  e.failed = 1;
  common::JobResult r = Exact(e);
  r.files[5].status = common::NotFoundError("/swarm/00000006: no such file");
  std::set<std::string> hosts;
  for (const auto& f : r.files) {
    if (!f.status.ok()) continue;
    for (auto& h : SyntheticHosts(f.path, e.answer)) hosts.insert(h);
  }
  r.hosts.assign(hosts.begin(), hosts.end());

  JobCheck check = CheckJobResult(r, e);

  EXPECT_TRUE(check.ok) << (check.problems.empty() ? "" : check.problems[0]);
}

TEST(JobCheckTest, ReportsMissingAndExtraHosts) {
  JobExpectation e = Expect(20);
  common::JobResult r = Exact(e);
  r.hosts.erase(r.hosts.begin());
  r.hosts.push_back("192.0.2.1");

  JobCheck check = CheckJobResult(r, e);

  EXPECT_FALSE(check.ok);
  EXPECT_TRUE(Mentions(check, "1 missing, 1 extra"));
}

TEST(JobCheckTest, ReportsUnsortedHosts) {
  JobExpectation e = Expect(20);
  common::JobResult r = Exact(e);
  ASSERT_GT(r.hosts.size(), 1u);
  std::swap(r.hosts.front(), r.hosts.back());

  JobCheck check = CheckJobResult(r, e);

  EXPECT_FALSE(check.ok);
  EXPECT_TRUE(Mentions(check, "not sorted or not unique"));
}

TEST(SyntheticAnswerTest, HostsAreDistinctAndDependOnlyOnThePath) {
  AnswerShape shape;
  shape.hosts_per_task = 5;
  shape.host_space = 7;

  auto a = SyntheticHosts("/swarm/00000042", shape);
  auto b = SyntheticHosts("/swarm/00000042", shape);

  EXPECT_EQ(a, b);
  EXPECT_EQ(std::set<std::string>(a.begin(), a.end()).size(), 5u);
}

TEST(SyntheticAnswerTest, NeverMoreHostsThanTheHostSpace) {
  AnswerShape shape;
  shape.hosts_per_task = 10;
  shape.host_space = 3;

  EXPECT_EQ(SyntheticHosts("/swarm/00000001", shape).size(), 3u);
}

}  // namespace
}  // namespace logsweep::swarm
