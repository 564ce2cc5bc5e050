#include "client/discovery_report.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/file_finder.h"
#include "common/status.h"

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

TEST(DiscoveryReportTest, ListsFilesOnePerLine) {
  EXPECT_EQ(FileListText(Example()), "/logs/access.log\n/logs/access.log.1\n");
}

TEST(DiscoveryReportTest, SummaryCountsSkippedAndPathErrors) {
  EXPECT_EQ(DiscoverySummarySuffix(Example()),
            "; 2 skipped under directories (--list-files names them); 1 path "
            "error (named above)");
  EXPECT_EQ(FileListSummary(Example()),
            "logsweep: 2 files to scan; 2 skipped under directories; 1 path "
            "error (named above)");
}

TEST(DiscoveryReportTest, SummaryAddsNothingWhenNothingWasLeftOut) {
  common::FoundFiles found;
  found.files = {"/a.log"};

  EXPECT_EQ(DiscoverySummarySuffix(found), "");
  EXPECT_EQ(FileListSummary(found), "logsweep: 1 file to scan");
}

TEST(DiscoveryReportTest, FileListJsonHoldsFilesErrorsAndEverySkippedEntry) {
  auto doc = nlohmann::json::parse(FileListJson(Example()));

  ASSERT_EQ(doc["files"].size(), 2u);
  EXPECT_EQ(doc["files"][1]["path"], "/logs/access.log.1");
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
