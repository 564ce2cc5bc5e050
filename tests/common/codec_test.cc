#include "common/codec.h"

#include <gtest/gtest.h>

#include <string>
#include <variant>

namespace logsweep::common {
namespace {

TEST(CodecTest, TaskRoundTripsWithNonUtf8Path) {
  TaskAssignment task{TaskRef{"job1", 42, 3}, "/logs/\xff\xfe.gz",
                      Query{0, 6, "/wp-login.php"}};
  auto decoded = DecodeCoordinatorToWorker(Encode(CoordinatorToWorker(task)));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  const auto& got = std::get<TaskAssignment>(*decoded);
  EXPECT_EQ(got.ref.job_id, "job1");
  EXPECT_EQ(got.ref.task_id, 42u);
  EXPECT_EQ(got.ref.attempt, 3u);
  EXPECT_EQ(got.path, task.path);
  EXPECT_EQ(got.query, task.query);
}

TEST(CodecTest, SuccessfulOutcomeRoundTripsHostsAndStats) {
  TaskOutcome outcome;
  outcome.ref = TaskRef{"j", 1, 1};
  outcome.hosts.Insert("a\xff");
  outcome.hosts.Insert("b");
  outcome.stats = ScanStats{10, 2, 1, 100, 1000};
  auto decoded =
      DecodeWorkerToCoordinator(Encode(WorkerToCoordinator(outcome)));
  ASSERT_TRUE(decoded.ok());
  const auto& got = std::get<TaskOutcome>(*decoded);
  EXPECT_TRUE(got.status.ok());
  EXPECT_EQ(got.hosts.Sorted(), outcome.hosts.Sorted());
  EXPECT_EQ(got.stats, outcome.stats);
}

TEST(CodecTest, FailedOutcomeKeepsCodeReasonAndPartialHosts) {
  TaskOutcome outcome;
  outcome.ref = TaskRef{"j", 1, 2};
  outcome.status = DataLossError("truncated");
  outcome.hosts.Insert("partial");
  auto decoded =
      DecodeWorkerToCoordinator(Encode(WorkerToCoordinator(outcome)));
  ASSERT_TRUE(decoded.ok());
  const auto& got = std::get<TaskOutcome>(*decoded);
  EXPECT_EQ(got.status.code(), StatusCode::kDataLoss);
  EXPECT_EQ(got.status.message(), "truncated");
  EXPECT_TRUE(got.hosts.Contains("partial"));
}

TEST(CodecTest, HelloAndHeartbeatRoundTrip) {
  auto hello = DecodeWorkerToCoordinator(Encode(WorkerToCoordinator(
      WorkerHello{"host:1", 8, std::chrono::milliseconds(250)})));
  ASSERT_TRUE(hello.ok());
  EXPECT_EQ(std::get<WorkerHello>(*hello).slots, 8u);
  EXPECT_EQ(std::get<WorkerHello>(*hello).heartbeat_interval.count(), 250);
  auto beat =
      DecodeCoordinatorToWorker(Encode(CoordinatorToWorker(Heartbeat{})));
  ASSERT_TRUE(beat.ok());
  EXPECT_TRUE(std::holds_alternative<Heartbeat>(*beat));
}

TEST(CodecTest, JobResultRoundTripsFileReports) {
  JobResult r;
  r.job_id = "abc";
  r.hosts = {"a", "b"};
  r.files.push_back(
      FileReport{"/x.gz", OkStatus(), ScanStats{1, 1, 0, 2, 3}, 1});
  r.files.push_back(FileReport{"/y.gz", NotFoundError("open: gone"), {}, 1});
  r.totals = ScanStats{1, 1, 0, 2, 3};
  r.elapsed_us = 99;
  auto decoded = DecodeCoordinatorToClient(Encode(CoordinatorToClient(r)));
  ASSERT_TRUE(decoded.ok());
  const auto& got = std::get<JobResult>(*decoded);
  EXPECT_EQ(got.hosts, r.hosts);
  ASSERT_EQ(got.files.size(), 2u);
  EXPECT_TRUE(got.files[0].status.ok());
  EXPECT_EQ(got.files[1].status.code(), StatusCode::kNotFound);
  EXPECT_EQ(got.files[1].path, "/y.gz");
  EXPECT_EQ(got.totals, r.totals);
  EXPECT_EQ(got.elapsed_us, 99u);
}

TEST(CodecTest, SubmitRoundTrips) {
  SubmitJob job{{"/a.gz", "/b.log"}, Query{}, true};
  auto decoded = DecodeClientToCoordinator(Encode(ClientToCoordinator(job)));
  ASSERT_TRUE(decoded.ok());
  const auto& got = std::get<SubmitJob>(*decoded);
  EXPECT_EQ(got.paths, job.paths);
  EXPECT_TRUE(got.merge_partial);
}

TEST(CodecTest, GarbageBytesAreInvalidArgument) {
  std::string garbage = "\xff\xff\xff\xff\x0f garbage";
  EXPECT_EQ(DecodeWorkerToCoordinator(garbage).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(DecodeClientToCoordinator(garbage).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(DecodeCoordinatorToWorker(garbage).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(DecodeCoordinatorToClient(garbage).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(CodecTest, EmptyMessageHasWrongVersion) {
  // Zero bytes parse as a message with every field unset: version 0.
  auto decoded = DecodeWorkerToCoordinator("");
  ASSERT_FALSE(decoded.ok());
  EXPECT_NE(decoded.status().message().find("version"), std::string::npos);
}

TEST(CodecTest, MessageWithoutBodyIsRejected) {
  // protocol_version = 1 and nothing else.
  auto decoded = DecodeWorkerToCoordinator(std::string("\x08\x01", 2));
  ASSERT_FALSE(decoded.ok());
  EXPECT_NE(decoded.status().message().find("no body"), std::string::npos);
}

TEST(CodecTest, OutOfRangeFieldsAreRejected) {
  EXPECT_FALSE(DecodeWorkerToCoordinator(
                   Encode(WorkerToCoordinator(WorkerHello{"w", 0})))
                   .ok());
  SubmitJob bad_query{{"/a"}, Query{0, 1000, "/x"}, false};
  EXPECT_FALSE(
      DecodeClientToCoordinator(Encode(ClientToCoordinator(bad_query))).ok());
  SubmitJob empty_value{{"/a"}, Query{0, 6, ""}, false};
  EXPECT_FALSE(
      DecodeClientToCoordinator(Encode(ClientToCoordinator(empty_value))).ok());
  SubmitJob nul_path{{std::string("/a\0b", 4)}, Query{}, false};
  EXPECT_FALSE(
      DecodeClientToCoordinator(Encode(ClientToCoordinator(nul_path))).ok());
  TaskOutcome no_job;
  no_job.ref = TaskRef{"", 1, 1};
  EXPECT_FALSE(
      DecodeWorkerToCoordinator(Encode(WorkerToCoordinator(no_job))).ok());
}

}  // namespace
}  // namespace logsweep::common
