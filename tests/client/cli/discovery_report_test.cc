#include "client/cli/discovery_report.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/base/status.h"
#include "common/discovery/file_finder.h"
#include "test_util.h"

namespace logsweep::client {
namespace {

using common::SkipReason;

common::FoundFiles Example() {
  common::FoundFiles found;
  found.files = {"/logs/access.log", "/logs/access.log.1"};
  found.errors = {
      {"/logs/web3", common::NotFoundError("no such file or directory")}};
  found.skipped = {{"/logs/README", SkipReason::kNotLogName, "", false},
                   {"/logs/old", SkipReason::kExcluded, "old/", true}};
  return found;
}

TEST(DiscoveryReportTest, NamesEachPathErrorLikeAFailedFile) {
  EXPECT_EQ(PathErrorLines(Example()),
            (std::vector<std::string>{
                "logsweep: error: /logs/web3: NOT_FOUND: no such file or "
                "directory"}));
}

TEST(DiscoveryReportTest, SaysWhyEachEntryWasSkipped) {
  EXPECT_EQ(SkippedLines(Example()),
            (std::vector<std::string>{
                "logsweep: skipped: /logs/README: not named like a log",
                "logsweep: skipped: /logs/old: excluded by 'old/', not "
                "searched"}));
}

TEST(DiscoveryReportTest, ListsEachFileWithTheFormatOfItsContent) {
  testing::TempDir dir;
  common::FoundFiles found;
  found.files = {dir.Write("access.log.1", testing::Gzip("a\n")),
                 dir.Write("access.log", "a\n"),
                 dir.Write("access.log.2.gz", "plain text\n"),
                 dir.Write("access.log.3.gz", std::string("PK\x03\x04", 4)),
                 dir.path() + "/vanished.log"};

  std::vector<ListedFile> listed = ListFiles(found);

  EXPECT_EQ(FileListText(listed),
            "gzip\t" + found.files[0] + "\nplain\t" + found.files[1] +
                "\nplain\t" + found.files[2] + "\nzip\t" + found.files[3] +
                "\n?\t" + found.files[4] + "\n");
  EXPECT_EQ(VerdictLines(listed),
            (std::vector<std::string>{
                "logsweep: error: " + found.files[2] +
                    ": DATA_LOSS: not gzip: the name says gzip, the content "
                    "is plain text",
                "logsweep: error: " + found.files[3] +
                    ": INVALID_ARGUMENT: unsupported format: zip (the name "
                    "says gzip)",
                "logsweep: error: " + found.files[4] + ": " +
                    listed[4].verdict.ToString()}));
  EXPECT_EQ(listed[4].verdict.code(), common::StatusCode::kNotFound);
}

TEST(DiscoveryReportTest, SummaryCountsSkippedAndPathErrors) {
  EXPECT_EQ(DiscoverySummarySuffix(Example()),
            "; 2 skipped under directories (--list-files names them); 1 path "
            "error (named above)");
  std::vector<ListedFile> listed = {
      {"/logs/access.log", "plain", common::OkStatus()},
      {"/logs/access.log.1", "lz4",
       common::InvalidArgumentError("unsupported format: lz4")}};
  EXPECT_EQ(FileListSummary(Example(), listed),
            "logsweep: 2 files to scan (1 would fail, named above); 2 "
            "skipped under directories; 1 path error (named above)");
}

TEST(DiscoveryReportTest, SummaryAddsNothingWhenNothingWasLeftOut) {
  common::FoundFiles found;
  found.files = {"/a.log"};

  EXPECT_EQ(DiscoverySummarySuffix(found), "");
  EXPECT_EQ(FileListSummary(found, {{"/a.log", "plain", common::OkStatus()}}),
            "logsweep: 1 file to scan");
}

TEST(DiscoveryReportTest, FileListJsonHoldsFilesErrorsAndEverySkippedEntry) {
  std::vector<ListedFile> listed = {
      {"/logs/access.log", "plain", common::OkStatus()},
      {"/logs/access.log.1", "zip",
       common::InvalidArgumentError("unsupported format: zip")}};

  auto doc = nlohmann::json::parse(FileListJson(Example(), listed));

  ASSERT_EQ(doc["files"].size(), 2u);
  EXPECT_EQ(doc["files"][0], (nlohmann::json{{"path", "/logs/access.log"},
                                             {"format", "plain"}}));
  EXPECT_EQ(doc["files"][1]["path"], "/logs/access.log.1");
  EXPECT_EQ(doc["files"][1]["format"], "zip");
  EXPECT_EQ(doc["files"][1]["code"], "INVALID_ARGUMENT");
  EXPECT_EQ(doc["path_errors"][0]["path"], "/logs/web3");
  EXPECT_EQ(doc["path_errors"][0]["code"], "NOT_FOUND");
  EXPECT_EQ(doc["skipped"]["total"], 2);
  EXPECT_EQ(doc["skipped"]["paths"][1], (nlohmann::json{{"path", "/logs/old"},
                                                        {"reason", "excluded"},
                                                        {"detail", "old/"},
                                                        {"directory", true}}));
}

}  // namespace
}  // namespace logsweep::client
