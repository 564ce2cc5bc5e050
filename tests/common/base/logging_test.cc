#include "common/base/logging.h"

#include <gtest/gtest.h>

#include <string>

namespace logsweep::common {
namespace {

TEST(JsonLogLineTest, WritesTimeLevelComponentPidMessageAndNamedFields) {
  EXPECT_EQ(
      FormatJsonLogLine("coordinator", "warning", 1'764'518'400'123, 42,
                        "job 0123456789abcdef0123456789abcdef task 17 attempt "
                        "2 timed out on worker node-1:77: no answer"),
      "{\"time\":\"2025-11-30T16:00:00.123Z\",\"level\":\"warning\","
      "\"component\":\"coordinator\",\"pid\":42,\"message\":\"job "
      "0123456789abcdef0123456789abcdef task 17 attempt 2 timed out on worker "
      "node-1:77: no answer\",\"job\":\"0123456789abcdef0123456789abcdef\","
      "\"task\":17,\"worker\":\"node-1:77\"}\n");
}

TEST(JsonLogLineTest, LeavesOutFieldsTheMessageDoesNotName) {
  EXPECT_EQ(
      FormatJsonLogLine("worker", "info", 5, 1, "subtask 3 of the job is done"),
      "{\"time\":\"1970-01-01T00:00:00.005Z\",\"level\":\"info\","
      "\"component\":\"worker\",\"pid\":1,\"message\":\"subtask 3 of "
      "the job is done\"}\n");
}

TEST(JsonLogLineTest, EscapesQuotesBackslashesAndControlCharacters) {
  EXPECT_EQ(FormatJsonLogLine("worker", "error", 0, 1, "a\"b\\c\nd\te\x01"),
            "{\"time\":\"1970-01-01T00:00:00.000Z\",\"level\":\"error\","
            "\"component\":\"worker\",\"pid\":1,\"message\":"
            "\"a\\\"b\\\\c\\nd\\te\\u0001\"}\n");
}

TEST(JsonLogLineTest, BytesThatAreNotUtf8BecomeReplacementsAndAreKeptInHex) {
  const std::string line = FormatJsonLogLine(
      "worker", "info", 0, 1, std::string("/l/\xff\xc3\xa9.log: bad"));
  EXPECT_NE(line.find("\"message\":\"/l/\xEF\xBF\xBD\xC3\xA9.log: bad\""),
            std::string::npos)
      << line;
  EXPECT_NE(line.find("\"path\":\"/l/\xEF\xBF\xBD\xC3\xA9.log\""),
            std::string::npos)
      << line;
  EXPECT_NE(line.find("\"message_bytes_hex\":"
                      "\"2f6c2fffc3a92e6c6f673a20626164\""),
            std::string::npos)
      << line;
}

TEST(ParseLogFormatTest, KnowsTextAndJsonAndNamesAnythingElse) {
  EXPECT_EQ(*ParseLogFormat("text"), LogFormat::kText);
  EXPECT_EQ(*ParseLogFormat("json"), LogFormat::kJson);
  auto bad = ParseLogFormat("xml");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("'xml'"), std::string::npos);
}

}  // namespace
}  // namespace logsweep::common
