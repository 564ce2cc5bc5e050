#include "common/scan/bzip2_stream.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "test_util.h"

namespace logsweep::common {
namespace {

using testing::Bzip2;
using testing::ReadResult;
using testing::ReadStream;
using testing::StringSource;

ReadResult Decode(const std::string& file, size_t chunk = 977) {
  InflateScratch scratch;
  auto stream =
      MakeBzip2Stream(std::make_unique<StringSource>(file, chunk), scratch);
  return ReadStream(*stream);
}

std::string Text(int lines, const std::string& tag) {
  std::string text;
  for (int i = 0; i < lines; ++i) {
    text += tag + std::to_string(i) + " - - [d z] \"GET /p" +
            std::to_string(i * 7919 % 1000) + " HTTP/1.1\" 200 1\n";
  }
  return text;
}

TEST(Bzip2StreamTest, DecodesEveryStreamOfAMultiStreamFile) {
  std::string a = Text(3000, "a"), b = "no newline", c = "\n";
  ReadResult r = Decode(Bzip2(a) + Bzip2(b) + Bzip2(c), 3);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.text, a + b + c);
  EXPECT_TRUE(r.warnings.empty());
}

TEST(Bzip2StreamTest, TrailingZerosKeepTheTextAndWarnAsBzip2Does) {
  std::string a = Text(10, "a");
  std::string file = Bzip2(a) + Bzip2(a);
  ReadResult r = Decode(file + std::string(16, '\0'));
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.text, a + a);
  EXPECT_EQ(r.warnings, std::vector<std::string>{
                            "trailing garbage after bzip2 stream 2 at offset " +
                            std::to_string(file.size()) + " ignored"});
}

TEST(Bzip2StreamTest, TrailingJunkKeepsTheTextAndWarns) {
  ReadResult r = Decode(Bzip2("x y\n") + "BZh0 is not a stream");
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.text, "x y\n");
  ASSERT_EQ(r.warnings.size(), 1u);
}

TEST(Bzip2StreamTest, FileEndingInsideAStreamHeaderIsTruncated) {
  ReadResult r = Decode(Bzip2("x y\n") + "BZ");
  EXPECT_EQ(r.status.code(), StatusCode::kDataLoss);
  EXPECT_NE(r.status.message().find("truncated"), std::string::npos);
  EXPECT_NE(r.status.message().find("bzip2 stream 2"), std::string::npos);
}

TEST(Bzip2StreamTest, TruncatedStreamIsDataLossNamingStreamAfterItsText) {
  std::string a = Text(100, "a"), b = Text(40000, "b");
  std::string second = Bzip2(b);
  ReadResult r = Decode(Bzip2(a) + second.substr(0, second.size() - 100));
  EXPECT_EQ(r.status.code(), StatusCode::kDataLoss);
  EXPECT_NE(r.status.message().find("truncated"), std::string::npos);
  EXPECT_NE(r.status.message().find("bzip2 stream 2"), std::string::npos)
      << r.status.message();
  ASSERT_GT(r.text.size(), a.size());
  EXPECT_EQ(r.text, (a + b).substr(0, r.text.size()));
}

TEST(Bzip2StreamTest, CorruptBlockIsDataLossNamingStream) {
  std::string a = Text(10, "a");
  std::string second = Bzip2(Text(2000, "b"));
  for (size_t i = 200; i < 240; ++i) second[i] ^= 0x44;
  ReadResult r = Decode(Bzip2(a) + second);
  EXPECT_EQ(r.status.code(), StatusCode::kDataLoss);
  EXPECT_NE(r.status.message().find("corrupt bzip2 stream 2"),
            std::string::npos)
      << r.status.message();
  EXPECT_EQ(r.text.substr(0, a.size()), a);
}

}  // namespace
}  // namespace logsweep::common
