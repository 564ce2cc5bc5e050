#include "client/cli/report.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "client/cli/discovery_report.h"
#include "common/base/status.h"
#include "common/discovery/file_finder.h"
#include "common/transport/messages.h"
#include "test_util.h"

namespace logsweep::client {
namespace {

common::FileReport File(const std::string& path,
                        common::Status status = common::OkStatus()) {
  common::FileReport file;
  file.path = path;
  file.status = std::move(status);
  file.attempts = 1;
  return file;
}

std::string Printed(const common::JobResult& result) {
  return HostsText(result);
}

TEST(ExitCodeForTest, IsOkWhenEveryFileWasScanned) {
  common::JobResult result;
  result.files = {File("/a.gz"), File("/b.gz")};

  EXPECT_EQ(ExitCodeFor(result), kExitOk);
  EXPECT_EQ(kExitOk, 0);
}

TEST(ExitCodeForTest, IsOkForAJobWithoutFiles) {
  EXPECT_EQ(ExitCodeFor(common::JobResult{}), kExitOk);
}

TEST(ExitCodeForTest, IsFilesFailedWhenAnyFileFailed) {
  common::JobResult result;
  result.files = {File("/a.gz"), File("/b.gz", common::NotFoundError("gone")),
                  File("/c.gz")};

  EXPECT_EQ(ExitCodeFor(result), kExitFilesFailed);
  EXPECT_EQ(kExitFilesFailed, 3);
}

TEST(ExitCodeForTest, IsFilesFailedWhenEveryFileFailed) {
  common::JobResult result;
  result.files = {File("/a.gz", common::DataLossError("crc")),
                  File("/b.gz", common::UnavailableError("lost"))};

  EXPECT_EQ(ExitCodeFor(result), kExitFilesFailed);
}

TEST(HostsTextTest, WritesOneHostPerLineInResultOrder) {
  common::JobResult result;
  result.hosts = {"10.0.0.10", "10.0.0.2", "crawler.example"};

  EXPECT_EQ(Printed(result), "10.0.0.10\n10.0.0.2\ncrawler.example\n");
}

TEST(HostsTextTest, WritesHostBytesUnchanged) {
  common::JobResult result;
  result.hosts = {std::string("a\0b", 3), "\xc3\xa9\xff"};

  EXPECT_EQ(Printed(result), std::string("a\0b\n\xc3\xa9\xff\n", 8));
}

TEST(HostsTextTest, WritesNothingWithoutHosts) {
  EXPECT_EQ(Printed(common::JobResult{}), "");
}

TEST(ErrorLinesTest, NamesPathCodeAndReasonOfFailedFile) {
  common::JobResult result;
  result.files = {File("/logs/ok.gz"),
                  File("/logs/bad.gz",
                       common::DataLossError("CRC mismatch at offset 812"))};

  EXPECT_EQ(ErrorLines(result), (std::vector<std::string>{
                                    "logsweep: error: /logs/bad.gz: "
                                    "DATA_LOSS: CRC mismatch at offset 812"}));
}

TEST(ErrorLinesTest, GivesOneLinePerFailedFileInFileOrder) {
  common::JobResult result;
  result.files = {File("/z.gz", common::NotFoundError("no such file")),
                  File("/ok.gz"),
                  File("/a.gz", common::PermissionDeniedError("denied"))};

  std::vector<std::string> lines = ErrorLines(result);

  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0], "logsweep: error: /z.gz: NOT_FOUND: no such file");
  EXPECT_EQ(lines[1], "logsweep: error: /a.gz: PERMISSION_DENIED: denied");
}

TEST(ErrorLinesTest, IsEmptyWhenNoFileFailed) {
  common::JobResult result;
  result.files = {File("/a.gz"), File("/b.gz")};

  EXPECT_TRUE(ErrorLines(result).empty());
}

TEST(WarningLinesTest, GivesOneLinePerWarningNamingThePathInFileOrder) {
  common::JobResult result;
  result.files = {File("/logs/a.gz"), File("/logs/b.gz"), File("/logs/c.bz2")};
  result.files[1].warnings = {
      "trailing garbage after gzip member 2 at "
      "offset 812 ignored"};
  result.files[2].warnings = {"w1", "w2"};

  EXPECT_EQ(WarningLines(result),
            (std::vector<std::string>{
                "logsweep: warning: /logs/b.gz: trailing garbage after gzip "
                "member 2 at offset 812 ignored",
                "logsweep: warning: /logs/c.bz2: w1",
                "logsweep: warning: /logs/c.bz2: w2"}));
}

TEST(WarningLinesTest, IsEmptyWithoutWarnings) {
  common::JobResult result;
  result.files = {File("/a.gz"), File("/b.gz", common::DataLossError("x"))};
  EXPECT_TRUE(WarningLines(result).empty());
}

TEST(SummaryLineTest, MentionsFileFailureLineMatchAndHostCounts) {
  common::JobResult result;
  result.files = {File("/a.gz"), File("/b.gz", common::DataLossError("crc")),
                  File("/c.gz")};
  result.hosts = {"h1", "h2", "h3", "h4"};
  result.totals.lines = 40000;
  result.totals.matches = 214;
  result.totals.bytes_scanned = 8'100'000;

  std::string line = SummaryLine(result, 0.42);

  SCOPED_TRACE(line);
  EXPECT_EQ(line.rfind("logsweep: ", 0), 0u);
  EXPECT_NE(line.find("3 files"), std::string::npos);
  EXPECT_NE(line.find("1 failed"), std::string::npos);
  EXPECT_NE(line.find("40000 lines"), std::string::npos);
  EXPECT_NE(line.find("214 matches"), std::string::npos);
  EXPECT_NE(line.find("4 hosts"), std::string::npos);
  EXPECT_NE(line.find("8.1 MB"), std::string::npos);
  EXPECT_NE(line.find("0.42 s"), std::string::npos);
  EXPECT_EQ(line.find('\n'), std::string::npos);
}

TEST(SummaryLineTest, SaysNoneFailedWhenAllFilesWereScanned) {
  common::JobResult result;
  result.files = {File("/a.gz"), File("/b.gz")};

  std::string line = SummaryLine(result, 1.0);

  EXPECT_NE(line.find("2 files (0 failed)"), std::string::npos) << line;
}

TEST(SummaryLineTest, CountsFilesFromCacheAndScannedWhenTheCacheAnswered) {
  common::JobResult result;
  result.files = {File("/a.gz"), File("/b.gz"), File("/c.gz")};
  result.files[0].stats.files_cached = 1;
  result.files[0].stats.bytes_saved = 2'500'000;
  result.totals.files_cached = 1;
  result.totals.bytes_saved = 2'500'000;

  std::string line = SummaryLine(result, 1.0);

  EXPECT_NE(line.find(", 1 files from cache (2.5 MB not read), 2 scanned in "
                      "full"),
            std::string::npos)
      << line;
}

TEST(SummaryLineTest, SaysNothingOfTheCacheWhenItAnsweredNoFile) {
  common::JobResult result;
  result.files = {File("/a.gz")};

  EXPECT_EQ(SummaryLine(result, 1.0).find("cache"), std::string::npos);
}

TEST(SummaryLineTest, NamesCountedMatchesWithoutATimeOnlyWhenThereAreSome) {
  common::JobResult result;
  result.files = {File("/a.log")};
  EXPECT_EQ(SummaryLine(result, 1.0).find("without a readable time"),
            std::string::npos);

  result.totals.untimed_matches = 3;

  EXPECT_NE(
      SummaryLine(result, 1.0).find(", 3 matches without a readable time"),
      std::string::npos)
      << SummaryLine(result, 1.0);
}

TEST(ResultJsonTest, HoldsHostsFilesErrorsTotalsAndTimings) {
  common::JobResult result;
  result.job_id = "abc";
  result.hosts = {"h1", "h2"};
  result.files = {File("/a.gz"), File("/b.gz", common::DataLossError("crc"))};
  result.files[0].stats.lines = 7;
  result.totals.lines = 7;
  result.totals.bytes_scanned = 1000;
  result.elapsed_us = 1'500'000;

  auto doc = nlohmann::json::parse(ResultJson(result, 2.0));

  EXPECT_EQ(doc["job_id"], "abc");
  EXPECT_EQ(doc["hosts"], (std::vector<std::string>{"h1", "h2"}));
  ASSERT_EQ(doc["files"].size(), 2u);
  EXPECT_EQ(doc["files"][0]["path"], "/a.gz");
  EXPECT_EQ(doc["files"][0]["ok"], true);
  EXPECT_EQ(doc["files"][0]["stats"]["lines"], 7);
  EXPECT_FALSE(doc["files"][0].contains("error"));
  EXPECT_EQ(doc["files"][1]["ok"], false);
  EXPECT_EQ(doc["files"][1]["code"], "DATA_LOSS");
  EXPECT_EQ(doc["files"][1]["error"], "crc");
  EXPECT_EQ(doc["failed_files"], 1);
  EXPECT_EQ(doc["totals"]["bytes_scanned"], 1000);
  EXPECT_DOUBLE_EQ(doc["elapsed_seconds"].get<double>(), 1.5);
  EXPECT_DOUBLE_EQ(doc["wall_seconds"].get<double>(), 2.0);
}

TEST(ResultJsonTest, ListsEachFilesWarnings) {
  common::JobResult result;
  result.files = {File("/a.gz"), File("/b.gz")};
  result.files[1].warnings = {
      "trailing garbage after gzip member 1 at "
      "offset 20 ignored"};

  auto doc = nlohmann::json::parse(ResultJson(result, 1.0));

  EXPECT_EQ(doc["files"][0]["warnings"], nlohmann::json::array());
  EXPECT_EQ(doc["files"][1]["warnings"],
            (std::vector<std::string>{
                "trailing garbage after gzip member 1 at offset 20 ignored"}));
}

TEST(ResultJsonTest, WritesHostsThatAreNotUtf8WithoutMergingThem) {
  common::JobResult result;
  result.hosts = {"ok", "h\xfe", "h\xff"};

  auto doc = nlohmann::json::parse(ResultJson(result, 0));

  ASSERT_EQ(doc["hosts"].size(), 3u);
  EXPECT_EQ(doc["hosts"][0], "ok");
  EXPECT_EQ(doc["hosts"][1],
            (nlohmann::json{{"text", "h\xef\xbf\xbd"}, {"bytes_hex", "68fe"}}));
  EXPECT_EQ(doc["hosts"][2],
            (nlohmann::json{{"text", "h\xef\xbf\xbd"}, {"bytes_hex", "68ff"}}));
}

TEST(ResultJsonTest, WritesPathsThatAreNotUtf8Losslessly) {
  common::JobResult result;
  result.files = {File("/logs/\xe9t\xe9.log")};  // Latin-1 "été"

  auto doc = nlohmann::json::parse(ResultJson(result, 0));

  EXPECT_EQ(doc["files"][0]["path"]["bytes_hex"], "2f6c6f67732fe974e92e6c6f67");
}

TEST(ResultJsonTest, HoldsPathErrorsAndSkippedFilesWhenGiven) {
  common::JobResult result;
  common::FoundFiles found;
  found.errors = {{"/x/missing.log", common::NotFoundError("no such file")}};
  found.skipped = {{"/x/README", common::SkipReason::kNotLogName, "", false}};

  auto doc = nlohmann::json::parse(ResultJson(result, 0, &found));

  ASSERT_EQ(doc["path_errors"].size(), 1u);
  EXPECT_EQ(doc["path_errors"][0]["path"], "/x/missing.log");
  EXPECT_EQ(doc["path_errors"][0]["code"], "NOT_FOUND");
  EXPECT_EQ(doc["skipped"]["total"], 1);
  EXPECT_EQ(doc["skipped"]["paths"][0]["reason"], "not_log_name");
}

TEST(ResultJsonTest, CapsTheSkippedListButKeepsTheTotal) {
  common::JobResult result;
  common::FoundFiles found;
  for (size_t i = 0; i < kJsonSkippedLimit + 5; ++i) {
    found.skipped.push_back({"/x/f" + std::to_string(i),
                             common::SkipReason::kNotLogName, "", false});
  }

  auto doc = nlohmann::json::parse(ResultJson(result, 0, &found));

  EXPECT_EQ(doc["skipped"]["total"], kJsonSkippedLimit + 5);
  EXPECT_EQ(doc["skipped"]["paths"].size(), kJsonSkippedLimit);
}

TEST(ResultJsonTest, LeavesOutDiscoveryWithoutIt) {
  auto doc = nlohmann::json::parse(ResultJson(common::JobResult{}, 0));

  EXPECT_FALSE(doc.contains("path_errors"));
  EXPECT_FALSE(doc.contains("skipped"));
}

TEST(ProgressTextTest, ShowsFilesRateEtaFailuresAndWorkers) {
  common::JobProgress p{"j", 40, 10, 1, 200'000'000, 2};

  // 10 files in 2 s: 30 more take 6 s.
  EXPECT_EQ(ProgressText(p, 2.0),
            "10/40 files, 100 MB/s, ETA 6.0 s, 1 failed, 2 workers");
}

TEST(ProgressTextTest, HasNoEtaBeforeTheFirstFileIsDone) {
  common::JobProgress p{"j", 40, 0, 0, 0, 0};

  EXPECT_EQ(ProgressText(p, 1.0), "0/40 files, 0 MB/s, 0 failed, 0 workers");
}

TEST(StatusTablesTest, ListWorkersWithThroughputAndJobsWithProgress) {
  std::vector<common::WorkerStatus> workers = {
      {"host-a:12", 2, 1, 30, 50'000'000, 10'000, false, {}}};
  std::vector<common::JobStatus> jobs = {
      {common::JobProgress{"job1", 40, 12, 3, 0, 1}, 4000, false,
       "--status 4xx"}};

  std::string w = WorkersTable(workers);
  std::string j = JobsTable(jobs);

  SCOPED_TRACE(w + j);
  EXPECT_NE(w.find("workers: 1 connected"), std::string::npos);
  EXPECT_NE(w.find("host-a:12"), std::string::npos);
  EXPECT_NE(w.find("5.0"), std::string::npos);  // 50 MB in 10 s
  EXPECT_NE(j.find("job1"), std::string::npos);
  EXPECT_NE(j.find("12/40"), std::string::npos);
  EXPECT_NE(j.find("no client attached"), std::string::npos);
  EXPECT_NE(j.find("query: --status 4xx"), std::string::npos);
  EXPECT_NE(j.find("running"), std::string::npos);
  EXPECT_NE(j.find("jobs: 1 unfinished"), std::string::npos);
}

TEST(StatusJsonTest, WorkersOnlyLeavesJobsOut) {
  common::StatusReply reply;
  reply.workers = {{"w", 1, 0, 0, 0, 0, false, {}}};
  reply.jobs = {{common::JobProgress{"j", 1, 0, 0, 0, 1}, 0, true, {}}};

  auto all = nlohmann::json::parse(StatusJson(reply, false));
  auto only = nlohmann::json::parse(StatusJson(reply, true));

  EXPECT_EQ(all["jobs"][0]["job_id"], "j");
  EXPECT_EQ(all["workers"][0]["name"], "w");
  EXPECT_FALSE(only.contains("jobs"));
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(WriteFileAtomicallyTest, ReplacesTheWholeFileAndLeavesNoTemporary) {
  testing::TempDir dir;
  std::string path = dir.Write("hosts.txt", "old contents, longer than new\n");

  ASSERT_TRUE(WriteFileAtomically(path, "h1\nh2\n").ok());

  EXPECT_EQ(ReadAll(path), "h1\nh2\n");
  int entries = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir.path())) {
    (void)e;
    ++entries;
  }
  EXPECT_EQ(entries, 1);
}

TEST(WriteFileAtomicallyTest, NamesThePathWhenTheDirectoryIsMissing) {
  testing::TempDir dir;
  std::string path = dir.path() + "/no/such/dir/hosts.txt";

  common::Status s = WriteFileAtomically(path, "h\n");

  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.ToString().find(path), std::string::npos) << s.ToString();
}

TEST(ExitCodeForTest, IsCancelledWhenFilesWereCancelledAndNoneFailed) {
  common::JobResult result;
  result.files = {File("/a"), File("/b", common::CancelledError("cancelled"))};

  EXPECT_EQ(ExitCodeFor(result), kExitCancelled);
}

TEST(ExitCodeForTest, IsFilesFailedWhenOneFailedBesideCancelledOnes) {
  common::JobResult result;
  result.files = {File("/a", common::CancelledError("cancelled")),
                  File("/b", common::DataLossError("truncated"))};

  EXPECT_EQ(ExitCodeFor(result), kExitFilesFailed);
}

TEST(ErrorLinesTest, LeavesCancelledFilesToTheSummary) {
  common::JobResult result;
  for (int i = 0; i < 50; ++i) {
    result.files.push_back(File("/f" + std::to_string(i),
                                common::CancelledError("cancelled by client")));
  }

  EXPECT_TRUE(ErrorLines(result).empty());
  EXPECT_NE(SummaryLine(result, 1.0).find("(0 failed, 50 cancelled)"),
            std::string::npos)
      << SummaryLine(result, 1.0);
}

TEST(ErrorLinesTest, GroupsManyFilesFailingAlikeIntoOneLine) {
  common::JobResult result;
  for (int i = 0; i < 271; ++i) {
    std::string path = "/logs/f" + std::to_string(i) + ".log";
    result.files.push_back(File(path, common::PermissionDeniedError(
                                          "outside --data-root /x: " + path)));
  }
  result.files.push_back(
      File("/logs/t.gz", common::DataLossError("truncated")));

  std::vector<std::string> lines = ErrorLines(result);

  ASSERT_EQ(lines.size(), 2u) << ::testing::PrintToString(lines);
  EXPECT_EQ(lines[0],
            "logsweep: error: 271 files: PERMISSION_DENIED: outside "
            "--data-root /x: FILE; first: /logs/f0.log; every file in --json");
  EXPECT_EQ(lines[1], "logsweep: error: /logs/t.gz: DATA_LOSS: truncated");
}

TEST(ErrorLinesTest, ListsAFewFilesFailingAlikeOneByOne) {
  common::JobResult result;
  for (size_t i = 0; i < kErrorGroupMin; ++i) {
    result.files.push_back(
        File("/f" + std::to_string(i), common::NotFoundError("no such file")));
  }

  EXPECT_EQ(ErrorLines(result).size(), kErrorGroupMin);
}

TEST(StatusTablesTest, ShowsRunningAtMostSlotsAndQueuedApart) {
  common::WorkerStatus w{"w", 2, 5, 0, 0, 1000, false, {}, 3'000'000};

  std::string table = WorkersTable({w});

  SCOPED_TRACE(table);
  std::istringstream in(table);
  std::string title, header, row;
  std::getline(in, title);
  std::getline(in, header);
  std::getline(in, row);
  std::istringstream fields(row);
  std::string name, slots, running, queued, tasks, now;
  fields >> name >> slots >> running >> queued >> tasks >> now;
  EXPECT_EQ(slots, "2");
  EXPECT_EQ(running, "2");
  EXPECT_EQ(queued, "3");
  EXPECT_EQ(now, "3.0");  // the recent rate, beside the lifetime one
  EXPECT_NE(header.find("MB/s NOW"), std::string::npos);
  EXPECT_NE(header.find("MB/s AVG"), std::string::npos);
}

TEST(StatusTablesTest, ShowsWhenEachWorkerWasLastSeen) {
  common::WorkerStatus w{"w", 1, 0, 0, 0, 60'000, false, {}, 0, 2'500};

  std::string table = WorkersTable({w});
  auto doc = nlohmann::json::parse(StatusJson({{w}, {}, 0, {}, false}, true));

  SCOPED_TRACE(table);
  EXPECT_NE(table.find("SEEN"), std::string::npos);
  EXPECT_NE(table.find("2.5 s ago"), std::string::npos);
  EXPECT_EQ(doc["workers"][0]["last_seen_seconds"], 2.5);
}

TEST(HistoryTest, ListsJobsNewestFirstWithSubmitTimeStateAndFiles) {
  std::vector<common::JobSummary> jobs = {
      {"abcd", 1'764'518'400'000, "running", 10, 1, 4, 2'000},
      {"ef01", 0, "cancelled", 3, 2, 3, 500}};

  std::string table = HistoryTable(jobs);
  auto doc = nlohmann::json::parse(HistoryJson(jobs));

  SCOPED_TRACE(table);
  EXPECT_NE(table.find("jobs: 2 newest"), std::string::npos);
  EXPECT_LT(table.find("abcd"), table.find("ef01"));
  EXPECT_NE(table.find("2025-11-30T16:00:00Z running"), std::string::npos);
  EXPECT_NE(table.find("4/10"), std::string::npos);
  EXPECT_NE(table.find("unknown"), std::string::npos);
  ASSERT_EQ(doc["jobs"].size(), 2u);
  EXPECT_EQ(doc["jobs"][0]["submitted"], "2025-11-30T16:00:00Z");
  EXPECT_EQ(doc["jobs"][0]["done"], 4);
  EXPECT_EQ(doc["jobs"][0]["files"], 10);
  EXPECT_EQ(doc["jobs"][0]["elapsed_seconds"], 2.0);
  EXPECT_TRUE(doc["jobs"][1]["submitted"].is_null());
  EXPECT_EQ(doc["jobs"][1]["state"], "cancelled");
  EXPECT_EQ(doc["jobs"][1]["failed"], 2);
}

TEST(StatusTablesTest, KeepsColumnsAlignedWithALongWorkerName) {
  std::string long_name(70, 'n');
  std::string table = WorkersTable({{"short", 1, 0, 0, 0, 0, false, {}, 0},
                                    {long_name, 12, 0, 0, 0, 0, false, {}, 0}});

  SCOPED_TRACE(table);
  std::istringstream in(table);
  std::string line;
  std::getline(in, line);  // "workers: 2 connected"
  std::vector<size_t> slots_end;
  while (std::getline(in, line)) {
    // SLOTS is the column after the name: where it ends must agree.
    size_t name_end = line.find(' ', 2);
    size_t value = line.find_first_not_of(' ', name_end);
    slots_end.push_back(line.find(' ', value));
  }
  ASSERT_EQ(slots_end.size(), 3u);
  EXPECT_EQ(slots_end[0], slots_end[1]);
  EXPECT_EQ(slots_end[1], slots_end[2]);
}

TEST(StatusTablesTest, ShowsAFinishedJobAsFinished) {
  common::JobStatus job{common::JobProgress{"j", 300, 300, 0, 250'000'000, 1},
                        60'000, false, "", true};

  std::string one = JobsTable({job}, /*one_job=*/true);

  SCOPED_TRACE(one);
  EXPECT_EQ(one.find("unfinished"), std::string::npos);
  EXPECT_NE(one.find("finished"), std::string::npos);
  EXPECT_NE(one.find("1m00s"), std::string::npos);
  EXPECT_NE(one.find("4.2"), std::string::npos);  // 250 MB in 60 s
  EXPECT_EQ(one.find("no client attached"), std::string::npos);
}

TEST(WriteFileAtomicallyTest, WritesThroughASymlinkAndKeepsTheMode) {
  testing::TempDir dir;
  std::string target = dir.Write("real.txt", "old\n");
  ASSERT_EQ(::chmod(target.c_str(), 0600), 0);
  std::string link = dir.path() + "/link.txt";
  ASSERT_EQ(::symlink("real.txt", link.c_str()), 0);

  ASSERT_TRUE(WriteFileAtomically(link, "new\n").ok());

  struct stat st;
  ASSERT_EQ(::lstat(link.c_str(), &st), 0);
  EXPECT_TRUE(S_ISLNK(st.st_mode));
  EXPECT_EQ(ReadAll(target), "new\n");
  ASSERT_EQ(::stat(target.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST(CheckOutputPathTest, TakesDashAsStdout) {
  EXPECT_TRUE(CheckOutputPath("-").ok());
}

TEST(CheckOutputPathTest, SaysADirectoryIsADirectory) {
  testing::TempDir dir;
  for (const std::string& path : {dir.path(), dir.path() + "/"}) {
    common::Status s = CheckOutputPath(path);
    EXPECT_EQ(s.code(), common::StatusCode::kInvalidArgument) << path;
    EXPECT_NE(s.message().find("is a directory"), std::string::npos)
        << s.ToString();
  }
}

TEST(CheckOutputPathTest, RefusesAFileInAMissingDirectory) {
  testing::TempDir dir;
  common::Status s = CheckOutputPath(dir.path() + "/no/such/hosts.txt");
  EXPECT_EQ(s.code(), common::StatusCode::kNotFound) << s.ToString();
}

TEST(CheckOutputPathTest, AcceptsANewFileInAWritableDirectory) {
  testing::TempDir dir;
  EXPECT_TRUE(CheckOutputPath(dir.path() + "/hosts.txt").ok());
}

// ---- --count ----

common::HostTally Tally(uint64_t count, std::optional<int64_t> first,
                        std::optional<int64_t> last) {
  common::HostTally t;
  t.count = count;
  t.first = first;
  t.last = last;
  return t;
}

common::JobResult CountedResult() {
  common::JobResult result;
  result.counted = true;
  // Sorted by host, as a result arrives.
  result.hosts = {"10.0.0.1", "10.0.0.2", "a.example", "b.example"};
  result.tallies = {Tally(3, 971186136, 971199600), Tally(7, 0, 86399),
                    Tally(3, std::nullopt, std::nullopt), Tally(7, 5, 5)};
  return result;
}

TEST(CountsTextTest, PrintsHostCountFirstAndLastByHostWithDashForNoTime) {
  EXPECT_EQ(CountsText(CountedResult(), 0),
            "10.0.0.1\t3\t2000-10-10T13:55:36Z\t2000-10-10T17:40:00Z\n"
            "10.0.0.2\t7\t1970-01-01T00:00:00Z\t1970-01-01T23:59:59Z\n"
            "a.example\t3\t-\t-\n"
            "b.example\t7\t1970-01-01T00:00:05Z\t1970-01-01T00:00:05Z\n");
}

TEST(CountsTextTest, TopOrdersByCountDescendingThenHostBytewise) {
  EXPECT_EQ(CountOrder(CountedResult(), 10), (std::vector<size_t>{1, 3, 0, 2}));
  EXPECT_EQ(CountOrder(CountedResult(), 3), (std::vector<size_t>{1, 3, 0}));
  EXPECT_EQ(CountsText(CountedResult(), 1),
            "10.0.0.2\t7\t1970-01-01T00:00:00Z\t1970-01-01T23:59:59Z\n");
}

TEST(CountsTextTest, TopTiesGoByBytesNotLocale) {
  common::JobResult result;
  result.counted = true;
  result.hosts = {"B", "a", "\xff"};
  result.tallies = {Tally(1, 1, 1), Tally(1, 1, 1), Tally(2, 1, 1)};
  EXPECT_EQ(CountOrder(result, 3), (std::vector<size_t>{2, 0, 1}));
}

TEST(CountsTextTest, EmptyCountResultPrintsNothing) {
  common::JobResult result;
  result.counted = true;
  EXPECT_EQ(CountsText(result, 0), "");
  EXPECT_EQ(CountsText(result, 5), "");
}

TEST(ResultJsonTest, CountResultListsEachHostsCountFirstAndLast) {
  auto doc = nlohmann::json::parse(ResultJson(CountedResult(), 0));
  ASSERT_EQ(doc["counts"].size(), 4u);
  EXPECT_EQ(doc["counts"][0]["host"], "10.0.0.1");
  EXPECT_EQ(doc["counts"][0]["count"], 3);
  EXPECT_EQ(doc["counts"][0]["first"], "2000-10-10T13:55:36Z");
  EXPECT_EQ(doc["counts"][0]["last"], "2000-10-10T17:40:00Z");
  EXPECT_TRUE(doc["counts"][2]["first"].is_null());
  EXPECT_TRUE(doc["counts"][2]["last"].is_null());
  EXPECT_EQ(doc["hosts"].size(), 4u);

  auto top = nlohmann::json::parse(ResultJson(CountedResult(), 0, nullptr, 2));
  ASSERT_EQ(top["counts"].size(), 2u);
  EXPECT_EQ(top["counts"][0]["host"], "10.0.0.2");
  EXPECT_EQ(top["counts"][1]["host"], "b.example");
}

TEST(ResultJsonTest, HostSetResultHasNoCounts) {
  common::JobResult result;
  result.hosts = {"h"};
  auto doc = nlohmann::json::parse(ResultJson(result, 0));
  EXPECT_FALSE(doc.contains("counts"));
}

}  // namespace
}  // namespace logsweep::client
