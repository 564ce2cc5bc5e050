#include "common/transport/codec.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <variant>

namespace logsweep::common {
namespace {

TEST(CodecTest, TaskRoundTripsWithNonUtf8Path) {
  TaskAssignment task{TaskRef{"job1", 42, 3}, "/logs/\xff\xfe.gz",
                      ExactQuery(0, 6, "/wp-login.php"), std::nullopt};
  auto decoded = DecodeCoordinatorToWorker(EncodeTask(task));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  const auto& got = std::get<TaskBatch>(*decoded).tasks.at(0);
  EXPECT_EQ(got.ref.job_id, "job1");
  EXPECT_EQ(got.ref.task_id, 42u);
  EXPECT_EQ(got.ref.attempt, 3u);
  EXPECT_EQ(got.path, task.path);
  EXPECT_EQ(got.query, task.query);
}

FileIdentity CacheIdentity() {
  FileIdentity id;
  id.device = 0xfd01;
  id.inode = 1234567;
  id.size = 1ULL << 40;
  id.mtime_ns = -5;  // before 1970: times are signed
  id.ctime_ns = 1'700'000'000'123'456'789;
  id.fingerprint = 0xfedcba9876543210ULL;
  return id;
}

TEST(CodecTest, TaskCarriesTheCachedIdentityWhole) {
  TaskAssignment task{TaskRef{"job1", 1, 1}, "/logs/a.log", Query{},
                      CacheIdentity()};
  auto decoded = DecodeCoordinatorToWorker(EncodeTask(task));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  const auto& got = std::get<TaskBatch>(*decoded).tasks.at(0);
  ASSERT_TRUE(got.cached.has_value());
  EXPECT_EQ(*got.cached, CacheIdentity());
}

TEST(CodecTest, ResultCarriesIdentityUnchangedAndCacheCounters) {
  TaskOutcome outcome;
  outcome.ref = TaskRef{"job1", 1, 1};
  outcome.identity = CacheIdentity();
  outcome.unchanged = true;
  outcome.stats.files_cached = 1;
  outcome.stats.bytes_saved = 99;
  auto decoded = DecodeWorkerToCoordinator(EncodeOutcome(outcome));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  const TaskOutcome& got = std::get<OutcomeBatch>(*decoded).outcomes.at(0);
  ASSERT_TRUE(got.identity.has_value());
  EXPECT_EQ(*got.identity, CacheIdentity());
  EXPECT_TRUE(got.unchanged);
  EXPECT_EQ(got.stats, outcome.stats);
}

TEST(CodecTest, RejectsAnUnchangedResultWithoutTheIdentityItConfirms) {
  TaskOutcome outcome;
  outcome.ref = TaskRef{"job1", 1, 1};
  outcome.unchanged = true;
  auto decoded = DecodeWorkerToCoordinator(EncodeOutcome(outcome));
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().code(), StatusCode::kInvalidArgument);
}

TEST(CodecTest, ResultCarriesResumePointTailAndIncrementalBase) {
  TaskOutcome outcome;
  outcome.ref = TaskRef{"job1", 1, 1};
  outcome.hosts.Insert("before");
  outcome.identity = CacheIdentity();
  outcome.resume_offset = 4096;
  outcome.tail_hosts.Insert("partial");
  outcome.tail_stats.lines = 1;
  outcome.start_offset = 1024;
  outcome.base = CacheIdentity();
  outcome.base->size = 1100;
  outcome.stats.files_incremental = 1;
  auto decoded = DecodeWorkerToCoordinator(EncodeOutcome(outcome));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  const TaskOutcome& got = std::get<OutcomeBatch>(*decoded).outcomes.at(0);
  EXPECT_EQ(got.resume_offset, 4096u);
  EXPECT_EQ(got.tail_hosts.Sorted(), std::vector<std::string>{"partial"});
  EXPECT_EQ(got.tail_stats, outcome.tail_stats);
  EXPECT_EQ(got.start_offset, 1024u);
  ASSERT_TRUE(got.base.has_value());
  EXPECT_EQ(*got.base, *outcome.base);
  EXPECT_EQ(got.stats, outcome.stats);
}

TEST(CodecTest, RejectsAnIncrementalResultWithoutItsBase) {
  TaskOutcome outcome;
  outcome.ref = TaskRef{"job1", 1, 1};
  outcome.start_offset = 1024;
  auto decoded = DecodeWorkerToCoordinator(EncodeOutcome(outcome));
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().code(), StatusCode::kInvalidArgument);
}

TEST(CodecTest, TaskCarriesItsResumeOffsetWithTheCachedIdentity) {
  TaskAssignment task{TaskRef{"job1", 1, 1}, "/logs/a", ExactQuery(0, 6, "/x"),
                      CacheIdentity()};
  task.resume_from = 777;
  task.no_identity = true;
  task.cache_min_bytes = 65536;
  auto batch = DecodeCoordinatorToWorker(EncodeTask(task));
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  EXPECT_EQ(std::get<TaskBatch>(*batch).tasks.at(0).resume_from, 777u);
  EXPECT_TRUE(std::get<TaskBatch>(*batch).tasks.at(0).no_identity);
  EXPECT_EQ(std::get<TaskBatch>(*batch).tasks.at(0).cache_min_bytes, 65536u);
}

TEST(CodecTest, ConcatenatedTasksAndOutcomesDecodeAsOneBatchInOrder) {
  std::string tasks;
  for (uint64_t id : {7, 3, 9}) {
    tasks += EncodeTask(
        TaskAssignment{TaskRef{"job" + std::to_string(id), id, 1},
                       "/logs/" + std::to_string(id),
                       ExactQuery(0, 6, "/robots.txt"), std::nullopt});
  }
  auto batch = DecodeCoordinatorToWorker(tasks);
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  const auto& got = std::get<TaskBatch>(*batch).tasks;
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].ref.task_id, 7u);
  EXPECT_EQ(got[1].path, "/logs/3");
  EXPECT_EQ(got[2].ref.job_id, "job9");
  EXPECT_EQ(got[2].query.match_value, "/robots.txt");

  TaskOutcome ok;
  ok.ref = TaskRef{"j", 1, 1};
  ok.hosts.Insert("h1");
  TaskOutcome failed;
  failed.ref = TaskRef{"j", 2, 1};
  failed.status = NotFoundError("gone");
  auto outcomes =
      DecodeWorkerToCoordinator(EncodeOutcome(ok) + EncodeOutcome(failed));
  ASSERT_TRUE(outcomes.ok()) << outcomes.status().ToString();
  const auto& items = std::get<OutcomeBatch>(*outcomes).outcomes;
  ASSERT_EQ(items.size(), 2u);
  EXPECT_TRUE(items[0].hosts.Contains("h1"));
  EXPECT_EQ(items[1].ref.task_id, 2u);
  EXPECT_EQ(items[1].status.code(), StatusCode::kNotFound);

  EXPECT_FALSE(
      DecodeWorkerToCoordinator(Encode(WorkerToCoordinator(OutcomeBatch{})))
          .ok());
  EXPECT_FALSE(
      DecodeCoordinatorToWorker(Encode(CoordinatorToWorker(TaskBatch{}))).ok());
}

TEST(CodecTest, SuccessfulOutcomeRoundTripsHostsAndStats) {
  TaskOutcome outcome;
  outcome.ref = TaskRef{"j", 1, 1};
  outcome.hosts.Insert("a\xff");
  outcome.hosts.Insert("b");
  outcome.stats = ScanStats{10, 2, 1, 100, 1000, 3, 4, 5};
  auto decoded = DecodeWorkerToCoordinator(EncodeOutcome(outcome));
  ASSERT_TRUE(decoded.ok());
  const auto& got = std::get<OutcomeBatch>(*decoded).outcomes.at(0);
  EXPECT_TRUE(got.status.ok());
  EXPECT_EQ(got.hosts.Sorted(), outcome.hosts.Sorted());
  EXPECT_EQ(got.stats, outcome.stats);
}

TEST(CodecTest, FailedOutcomeKeepsCodeReasonAndPartialHosts) {
  TaskOutcome outcome;
  outcome.ref = TaskRef{"j", 1, 2};
  outcome.status = DataLossError("truncated");
  outcome.hosts.Insert("partial");
  auto decoded = DecodeWorkerToCoordinator(EncodeOutcome(outcome));
  ASSERT_TRUE(decoded.ok());
  const auto& got = std::get<OutcomeBatch>(*decoded).outcomes.at(0);
  EXPECT_EQ(got.status.code(), StatusCode::kDataLoss);
  EXPECT_EQ(got.status.message(), "truncated");
  EXPECT_TRUE(got.hosts.Contains("partial"));
}

TEST(CodecTest, HelloAndHeartbeatRoundTrip) {
  auto hello = DecodeWorkerToCoordinator(Encode(WorkerToCoordinator(
      WorkerHello{"host:1", 8, std::chrono::milliseconds(250), {}, {}})));
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
      FileReport{"/x.gz", OkStatus(), ScanStats{1, 1, 0, 2, 3}, 1, {}});
  r.files.push_back(
      FileReport{"/y.gz", NotFoundError("open: gone"), {}, 1, {}});
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
  SubmitJob job{{"/a.gz", "/b.log"}, Query{}, true, 0, false, {}};
  auto decoded = DecodeClientToCoordinator(Encode(ClientToCoordinator(job)));
  ASSERT_TRUE(decoded.ok());
  const auto& got = std::get<SubmitJob>(*decoded);
  EXPECT_EQ(got.paths, job.paths);
  EXPECT_TRUE(got.merge_partial);
}

TEST(CodecTest, ListingQueryRoundTripsInTaskAndSubmit) {
  Query query;
  query.list_files = true;
  query.include = {"*.txt", "**/access*"};
  query.exclude = {"old/"};
  query.all_files = true;
  TaskAssignment task{TaskRef{"job1", 0, 1}, "site-a", query, std::nullopt};
  auto decoded = DecodeCoordinatorToWorker(EncodeTask(task));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(std::get<TaskBatch>(*decoded).tasks.at(0).query, query);

  SubmitJob job{{"site-a", "b/*.gz"}, query, true, 0, false, {}};
  auto submit = DecodeClientToCoordinator(Encode(ClientToCoordinator(job)));
  ASSERT_TRUE(submit.ok()) << submit.status().ToString();
  EXPECT_EQ(std::get<SubmitJob>(*submit).query, query);
}

TEST(CodecTest, ListingQueryWithEmptyOrTooManyPatternsIsRejected) {
  Query empty_pattern;
  empty_pattern.list_files = true;
  empty_pattern.exclude = {""};
  Query too_many;
  too_many.list_files = true;
  too_many.include.assign(kMaxListPatterns + 1, "*.log");
  for (const Query& query : {empty_pattern, too_many}) {
    SubmitJob job{{"site-a"}, query, false, 0, false, {}};
    auto decoded = DecodeClientToCoordinator(Encode(ClientToCoordinator(job)));
    ASSERT_FALSE(decoded.ok());
    EXPECT_EQ(decoded.status().code(), StatusCode::kInvalidArgument);
  }
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
  // protocol_version = 4, sender = worker, and nothing else.
  auto decoded = DecodeWorkerToCoordinator(std::string("\x08\x04\x78\x01", 4));
  ASSERT_FALSE(decoded.ok());
  EXPECT_NE(decoded.status().message().find("no body"), std::string::npos);
}

TEST(CodecTest, GeneralQueryRoundTripsAndHidesFromOldPeers) {
  Query q;
  q.match_value = "/a";
  q.more_values = {"/b\xff"};
  q.path_prefix = "/";
  q.path_regex = "^/(a|b)";
  q.statuses = {{400, 499}, {200, 200}};
  q.methods = {"GET", "POST"};
  q.since = -5;
  q.until = 1'800'000'000;
  q.key_field = 6;
  SubmitJob submit{{"/x"}, q, false, 0, false, {}};
  const std::string bytes = Encode(ClientToCoordinator(submit));
  auto decoded = DecodeClientToCoordinator(bytes);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(std::get<SubmitJob>(*decoded).query, q);
  // A release that reads only match_value sees an empty one and refuses.
  EXPECT_EQ(std::string(bytes).find("\x1a\x02/a"), std::string::npos);
}

TEST(CodecTest, BadQueriesAreRefusedNamingThePart) {
  struct Case {
    Query query;
    const char* says;
  };
  Query regex, big_regex, window, values;
  regex.match_value.clear();
  regex.path_regex = "a(";
  big_regex.match_value.clear();
  big_regex.path_regex = std::string(5000, 'a');
  window.since = 10;
  window.until = 5;
  values.more_values.assign(kMaxQueryValues, "/v");
  for (const Case& c :
       {Case{regex, "--path-regex 'a('"},
        Case{big_regex, "--path-regex over 4096 bytes"},
        Case{window, "is not before --until"}, Case{values, "--path values"}}) {
    SubmitJob submit{{"/x"}, c.query, false, 0, false, {}};
    auto decoded =
        DecodeClientToCoordinator(Encode(ClientToCoordinator(submit)));
    ASSERT_FALSE(decoded.ok()) << c.says;
    EXPECT_EQ(decoded.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(decoded.status().message().find(c.says), std::string::npos)
        << decoded.status().message();
  }
}

TEST(CodecTest, OutOfRangeFieldsAreRejected) {
  EXPECT_FALSE(DecodeWorkerToCoordinator(
                   Encode(WorkerToCoordinator(WorkerHello{"w", 0, {}, {}, {}})))
                   .ok());
  SubmitJob bad_query{{"/a"}, ExactQuery(0, 1000, "/x"), false, 0, false, {}};
  EXPECT_FALSE(
      DecodeClientToCoordinator(Encode(ClientToCoordinator(bad_query))).ok());
  SubmitJob empty_value{{"/a"}, ExactQuery(0, 6, ""), false, 0, false, {}};
  EXPECT_FALSE(
      DecodeClientToCoordinator(Encode(ClientToCoordinator(empty_value))).ok());
  SubmitJob nul_path{{std::string("/a\0b", 4)}, Query{}, false, 0, false, {}};
  EXPECT_FALSE(
      DecodeClientToCoordinator(Encode(ClientToCoordinator(nul_path))).ok());
  TaskOutcome no_job;
  no_job.ref = TaskRef{"", 1, 1};
  EXPECT_FALSE(DecodeWorkerToCoordinator(EncodeOutcome(no_job)).ok());
}

TEST(CodecTest, HelloCarriesRunningTasksAndInstance) {
  WorkerHello hello{"w\xff",
                    2,
                    std::chrono::milliseconds(100),
                    {TaskRef{"j", 3, 1}, TaskRef{"k", 0, 2}},
                    "inst-1"};
  auto decoded = DecodeWorkerToCoordinator(Encode(WorkerToCoordinator(hello)));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  const auto& got = std::get<WorkerHello>(*decoded);
  EXPECT_EQ(got.name, "w\xff");
  EXPECT_EQ(got.instance, "inst-1");
  ASSERT_EQ(got.running.size(), 2u);
  EXPECT_EQ(got.running[1].job_id, "k");
  EXPECT_EQ(got.running[1].attempt, 2u);
}

TEST(CodecTest, NonUtf8ReasonAndWarningsSurvive) {
  TaskOutcome outcome;
  outcome.ref = TaskRef{"j", 1, 1};
  outcome.status = NotFoundError("open /logs/\xe9t\xe9.gz: gone");
  outcome.warnings = {"trailing bytes at \xff"};
  auto decoded = DecodeWorkerToCoordinator(EncodeOutcome(outcome));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  const auto& got = std::get<OutcomeBatch>(*decoded).outcomes.at(0);
  EXPECT_EQ(got.status.message(), outcome.status.message());
  EXPECT_EQ(got.warnings, outcome.warnings);
  FileReport report{"/\xe9", DataLossError("bad \xff"), {}, 1, {"w\xfe"}};
  JobResultPart part{"abc", {"h\xff"}, {report}, 0, {}};
  auto back = DecodeCoordinatorToClient(Encode(CoordinatorToClient(part)));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  const auto& p = std::get<JobResultPart>(*back);
  ASSERT_EQ(p.files.size(), 1u);
  EXPECT_EQ(p.files[0].status.message(), "bad \xff");
  EXPECT_EQ(p.files[0].warnings, report.warnings);
  EXPECT_EQ(p.hosts, part.hosts);
}

TEST(CodecTest, WorkerMessageOnTheClientsEndpointIsNamed) {
  std::string hello =
      Encode(WorkerToCoordinator(WorkerHello{"w", 1, {}, {}, {}}));
  auto decoded = DecodeClientToCoordinator(hello);
  ASSERT_FALSE(decoded.ok());
  EXPECT_NE(decoded.status().message().find("a worker connected to the "
                                            "coordinator's clients endpoint"),
            std::string::npos)
      << decoded.status().ToString();
  std::string submit = Encode(ClientToCoordinator(GetStatus{}));
  auto as_worker = DecodeWorkerToCoordinator(submit);
  ASSERT_FALSE(as_worker.ok());
  EXPECT_NE(as_worker.status().message().find("a client connected to the "
                                              "coordinator's workers endpoint"),
            std::string::npos)
      << as_worker.status().ToString();
}

TEST(CodecTest, RefusalIsReadByEitherPeerWhateverTheVersion) {
  Refused refused{InvalidArgumentError("wrong endpoint"), 2};
  std::string bytes = Encode(CoordinatorToClient(refused));
  // The worker's decoder reads the client envelope's refusal too.
  auto as_worker = DecodeCoordinatorToWorker(bytes);
  ASSERT_TRUE(as_worker.ok()) << as_worker.status().ToString();
  EXPECT_EQ(std::get<Refused>(*as_worker).status.message(), "wrong endpoint");
  // A refusal stamped with another version is still read.
  std::string other_version = bytes;
  ASSERT_EQ(other_version.substr(0, 2), std::string("\x08\x04", 2));
  other_version[1] = 7;
  auto as_client = DecodeCoordinatorToClient(other_version);
  ASSERT_TRUE(as_client.ok()) << as_client.status().ToString();
  EXPECT_EQ(std::get<Refused>(*as_client).protocol_version, 2u);
}

// ---- --count (protocol version 4) ----

HostTally Tally(uint64_t count, std::optional<int64_t> first,
                std::optional<int64_t> last) {
  HostTally t;
  t.count = count;
  t.first = first;
  t.last = last;
  return t;
}

TEST(CodecTest, CountQueryRoundTripsAndIsNeverTheHeadlineForm) {
  Query q;  // the headline question, counted
  q.count = true;
  TaskAssignment task{TaskRef{"j", 1, 1}, "/a.log", q, std::nullopt};
  const std::string bytes = EncodeTask(task);
  auto decoded = DecodeCoordinatorToWorker(bytes);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(std::get<TaskBatch>(*decoded).tasks.at(0).query, q);
  EXPECT_TRUE(std::get<TaskBatch>(*decoded).tasks.at(0).query.count);
  // Not in match_value, which a release without --count would read as
  // the host-set question.
  EXPECT_EQ(bytes.find("\x1a\x0b/robots.txt"), std::string::npos);
  EXPECT_EQ(QueryText(q), "--path /robots.txt --count");
}

TEST(CodecTest, ResultCarriesEachHostsTallyTimedOrNot) {
  TaskOutcome outcome;
  outcome.ref = TaskRef{"j", 2, 1};
  outcome.counts.MergeHost("b\xff", Tally(3, -7, 1'700'000'000));
  outcome.counts.MergeHost("a", Tally(2, std::nullopt, std::nullopt));
  outcome.counts.MergeHost("c", Tally(1, 0, 0));
  for (const char* h : {"a", "b\xff", "c"}) outcome.hosts.Insert(h);
  outcome.stats.untimed_matches = 2;
  auto decoded = DecodeWorkerToCoordinator(
      Encode(WorkerToCoordinator(OutcomeBatch{{outcome}})));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  const TaskOutcome& got = std::get<OutcomeBatch>(*decoded).outcomes.at(0);
  EXPECT_EQ(got.hosts.Sorted(), outcome.hosts.Sorted());
  EXPECT_EQ(got.counts.SortedByHost(), outcome.counts.SortedByHost());
  EXPECT_EQ(got.stats.untimed_matches, 2u);
}

TEST(CodecTest, FailureCarriesThePartialHostsTallies) {
  TaskOutcome outcome;
  outcome.ref = TaskRef{"j", 2, 1};
  outcome.status = DataLossError("crc");
  outcome.counts.MergeHost("p", Tally(4, 10, 20));
  outcome.hosts.Insert("p");
  auto decoded = DecodeWorkerToCoordinator(EncodeOutcome(outcome));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  const TaskOutcome& got = std::get<OutcomeBatch>(*decoded).outcomes.at(0);
  EXPECT_EQ(got.status.code(), StatusCode::kDataLoss);
  EXPECT_EQ(got.counts.SortedByHost(), outcome.counts.SortedByHost());
}

TEST(CodecTest, HostSetOutcomeHasNoTallies) {
  TaskOutcome outcome;
  outcome.ref = TaskRef{"j", 2, 1};
  outcome.hosts.Insert("h");
  auto decoded = DecodeWorkerToCoordinator(EncodeOutcome(outcome));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  const TaskOutcome& got = std::get<OutcomeBatch>(*decoded).outcomes.at(0);
  EXPECT_EQ(got.hosts.size(), 1u);
  EXPECT_TRUE(got.counts.empty());
}

TEST(CodecTest, JobResultPartAndFilesCarryTalliesParallelToHosts) {
  JobResult result;
  result.job_id = "j";
  result.hosts = {"a", "b"};
  result.tallies = {Tally(1, 5, 5), Tally(9, std::nullopt, std::nullopt)};
  result.counted = true;
  auto r = DecodeCoordinatorToClient(Encode(CoordinatorToClient(result)));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(std::get<JobResult>(*r).tallies, result.tallies);
  EXPECT_TRUE(std::get<JobResult>(*r).counted);

  JobResultPart part{"j", {"x"}, {}, 3, {Tally(2, 1, 8)}};
  auto p = DecodeCoordinatorToClient(Encode(CoordinatorToClient(part)));
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(std::get<JobResultPart>(*p).tallies, part.tallies);

  FilesDone files{"j", {FileOutcome{0, FileReport{}, {"x"}, {Tally(2, 1, 8)}}}};
  auto f = DecodeCoordinatorToClient(Encode(CoordinatorToClient(files)));
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ(std::get<FilesDone>(*f).files.at(0).tallies,
            files.files[0].tallies);
}

TEST(CodecTest, EmptyCountResultIsStillCounted) {
  JobResult counted;
  counted.counted = true;
  auto r = DecodeCoordinatorToClient(Encode(CoordinatorToClient(counted)));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(std::get<JobResult>(*r).counted);
  JobResult plain;
  plain.hosts = {"h"};
  r = DecodeCoordinatorToClient(Encode(CoordinatorToClient(plain)));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(std::get<JobResult>(*r).counted);
  EXPECT_TRUE(std::get<JobResult>(*r).tallies.empty());
}

TEST(CodecTest, TalliesNotParallelToHostsAreRefused) {
  // Two hosts, one tally: what a confused peer might send.
  JobResultPart part{"j", {"x", "y"}, {}, 0, {Tally(2, 1, 8)}};
  auto p = DecodeCoordinatorToClient(Encode(CoordinatorToClient(part)));
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.status().message().find("not parallel"), std::string::npos);
  JobResultPart zero{"j", {"x"}, {}, 0, {Tally(0, 1, 8)}};
  EXPECT_FALSE(
      DecodeCoordinatorToClient(Encode(CoordinatorToClient(zero))).ok());
  JobResultPart backwards{"j", {"x"}, {}, 0, {Tally(1, 9, 8)}};
  EXPECT_FALSE(
      DecodeCoordinatorToClient(Encode(CoordinatorToClient(backwards))).ok());
}

// protocol_version is field 1, written first: `\x08` and the version.
std::string AsVersion(std::string bytes, char version) {
  EXPECT_EQ(bytes.substr(0, 2), std::string("\x08\x04"));
  bytes[1] = version;
  return bytes;
}

TEST(CodecTest, PeerOfProtocol3IsRefusedNamingBothVersions) {
  SubmitJob submit{{"/x"}, Query{}, false, 0, false, {}};
  auto decoded = DecodeClientToCoordinator(
      AsVersion(Encode(ClientToCoordinator(submit)), '\x03'));
  ASSERT_FALSE(decoded.ok());
  EXPECT_NE(decoded.status().message().find("protocol version 3, expected 4"),
            std::string::npos);
}

TEST(CodecTest, StoredRecordsOfProtocol3AreStillRead) {
  // The journal and the result cache hold messages the coordinator wrote
  // before an upgrade: version 3's are version 4's without --count.
  TaskOutcome outcome;
  outcome.ref = TaskRef{"j", 2, 1};
  outcome.hosts.Insert("h");
  const std::string v3 = AsVersion(EncodeOutcome(outcome), '\x03');
  EXPECT_FALSE(DecodeWorkerToCoordinator(v3).ok());
  auto stored = DecodeWorkerToCoordinator(v3, kOldestStoredVersion);
  ASSERT_TRUE(stored.ok()) << stored.status().ToString();
  EXPECT_EQ(std::get<OutcomeBatch>(*stored).outcomes.at(0).hosts.size(), 1u);
  SubmitJob submit{{"/x"}, Query{}, false, 0, false, {}};
  EXPECT_TRUE(DecodeClientToCoordinator(
                  AsVersion(Encode(ClientToCoordinator(submit)), '\x03'),
                  kOldestStoredVersion)
                  .ok());
  EXPECT_FALSE(DecodeClientToCoordinator(
                   AsVersion(Encode(ClientToCoordinator(submit)), '\x02'),
                   kOldestStoredVersion)
                   .ok());
}

}  // namespace
}  // namespace logsweep::common
