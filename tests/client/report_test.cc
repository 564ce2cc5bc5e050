#include "client/report.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "common/messages.h"
#include "common/status.h"

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

// What PrintHosts writes, byte for byte.
std::string Printed(const common::JobResult& result) {
  std::FILE* out = std::tmpfile();
  if (out == nullptr) {
    ADD_FAILURE() << "tmpfile failed";
    return {};
  }
  PrintHosts(result, out);
  std::fflush(out);
  std::rewind(out);
  std::string text;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), out)) > 0) text.append(buf, n);
  std::fclose(out);
  return text;
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

TEST(PrintHostsTest, WritesOneHostPerLineInResultOrder) {
  common::JobResult result;
  result.hosts = {"10.0.0.10", "10.0.0.2", "crawler.example"};

  EXPECT_EQ(Printed(result), "10.0.0.10\n10.0.0.2\ncrawler.example\n");
}

TEST(PrintHostsTest, WritesHostBytesUnchanged) {
  common::JobResult result;
  result.hosts = {std::string("a\0b", 3), "\xc3\xa9\xff"};

  EXPECT_EQ(Printed(result), std::string("a\0b\n\xc3\xa9\xff\n", 8));
}

TEST(PrintHostsTest, WritesNothingWithoutHosts) {
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

}  // namespace
}  // namespace logsweep::client
