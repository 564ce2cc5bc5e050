#include "common/scan/xz_stream.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "test_util.h"

namespace logsweep::common {
namespace {

using testing::ReadResult;
using testing::ReadStream;
using testing::StringSource;
using testing::Xz;

ReadResult Decode(const std::string& file, size_t chunk = 977) {
  InflateScratch scratch;
  auto stream =
      MakeXzStream(std::make_unique<StringSource>(file, chunk), scratch);
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

TEST(XzStreamTest, DecodesStreamsWithPaddingBetweenAndAfter) {
  std::string a = Text(3000, "a"), b = "no newline";
  ReadResult r =
      Decode(Xz(a) + std::string(4, '\0') + Xz(b) + std::string(8, '\0'), 5);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.text, a + b);
  EXPECT_TRUE(r.warnings.empty());
}

TEST(XzStreamTest, PaddingNotAMultipleOfFourIsDataLossAfterTheText) {
  std::string a = Text(10, "a");
  std::string file = Xz(a);
  ReadResult r = Decode(file + std::string(3, '\0'));
  EXPECT_EQ(r.status.code(), StatusCode::kDataLoss);
  EXPECT_EQ(r.status.message(),
            "corrupt stream padding after xz stream 1 at offset " +
                std::to_string(file.size()) +
                ": 3 zero bytes, not a multiple of 4");
  EXPECT_EQ(r.text, a);
}

TEST(XzStreamTest, TrailingGarbageIsDataLossNamingOffset) {
  std::string file = Xz("x y\n");
  ReadResult r = Decode(file + std::string(4, '\0') + "junk");
  EXPECT_EQ(r.status.code(), StatusCode::kDataLoss);
  EXPECT_EQ(r.status.message(), "trailing data after xz stream 1 at offset " +
                                    std::to_string(file.size() + 4) +
                                    " is not an xz stream");
  EXPECT_EQ(r.text, "x y\n");
}

TEST(XzStreamTest, TruncatedStreamIsDataLossNamingStream) {
  std::string a = Text(100, "a"), b = Text(20000, "b");
  std::string second = Xz(b);
  ReadResult r = Decode(Xz(a) + second.substr(0, second.size() - 30));
  EXPECT_EQ(r.status.code(), StatusCode::kDataLoss);
  EXPECT_NE(r.status.message().find("truncated"), std::string::npos);
  EXPECT_NE(r.status.message().find("xz stream 2"), std::string::npos)
      << r.status.message();
  EXPECT_EQ(r.text, (a + b).substr(0, r.text.size()));
}

TEST(XzStreamTest, CorruptDataIsDataLossNamingStream) {
  std::string a = Text(10, "a"), b = Text(5000, "b");
  std::string second = Xz(b);
  for (size_t i = 100; i < 140; ++i) second[i] ^= 0x33;
  ReadResult r = Decode(Xz(a) + second);
  EXPECT_EQ(r.status.code(), StatusCode::kDataLoss);
  EXPECT_NE(r.status.message().find("corrupt xz stream 2"), std::string::npos)
      << r.status.message();
}

TEST(XzStreamTest, WrongCheckIsDataLoss) {
  std::string file = Xz(Text(100, "a"));
  // Stream footer (12) and index (at least 8) follow the block, whose
  // last 8 bytes are its CRC-64.
  std::string bad = file;
  size_t crc = bad.size() - 12 - 12 - 8;
  bad[crc] ^= 0x01;
  ReadResult r = Decode(bad);
  EXPECT_EQ(r.status.code(), StatusCode::kDataLoss) << r.status.ToString();
}

}  // namespace
}  // namespace logsweep::common
