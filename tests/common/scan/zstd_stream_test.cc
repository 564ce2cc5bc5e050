#include "common/scan/zstd_stream.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <string>

#include "test_util.h"

namespace logsweep::common {
namespace {

using testing::ReadResult;
using testing::ReadStream;
using testing::StringSource;
using testing::Zstd;

ReadResult Decode(const std::string& file, size_t chunk = 977) {
  InflateScratch scratch;
  auto stream =
      MakeZstdStream(std::make_unique<StringSource>(file, chunk), scratch);
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

std::string Skippable(const std::string& payload, unsigned nibble = 0) {
  std::string frame = {static_cast<char>(0x50 | nibble), '\x2a', '\x4d',
                       '\x18'};
  uint32_t n = static_cast<uint32_t>(payload.size());
  for (int i = 0; i < 4; ++i) frame += static_cast<char>(n >> (8 * i));
  return frame + payload;
}

TEST(ZstdStreamTest, DecodesEveryFrameOfAMultiFrameFile) {
  std::string a = Text(3000, "a"), b = "tail without newline", c = "\n";
  ReadResult r = Decode(Zstd(a) + Zstd(b) + Zstd(c));
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.text, a + b + c);
  EXPECT_TRUE(r.warnings.empty());
}

TEST(ZstdStreamTest, SkipsSkippableFramesAnywhere) {
  std::string a = Text(100, "a"), b = Text(100, "b");
  ReadResult r = Decode(Skippable("meta") + Zstd(a) + Skippable("", 0xf) +
                            Zstd(b) + Skippable(std::string(5000, 'x'), 3),
                        7);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.text, a + b);
}

TEST(ZstdStreamTest, TruncatedFrameIsDataLossNamingFrameAfterItsText) {
  std::string a = Text(200, "a"), b = Text(20000, "b");
  std::string first = Zstd(a), second = Zstd(b);
  ReadResult r = Decode(first + second.substr(0, second.size() / 2));
  EXPECT_EQ(r.status.code(), StatusCode::kDataLoss);
  EXPECT_NE(r.status.message().find("truncated"), std::string::npos);
  EXPECT_NE(r.status.message().find("zstd frame 2"), std::string::npos)
      << r.status.message();
  ASSERT_GT(r.text.size(), a.size());
  EXPECT_EQ(r.text, (a + b).substr(0, r.text.size()));
}

TEST(ZstdStreamTest, WrongChecksumIsDataLossNamingFrame) {
  std::string a = Text(50, "a"), b = Text(50, "b");
  std::string second = Zstd(b);
  second.back() ^= 0x5a;  // the content checksum is the last 4 bytes
  ReadResult r = Decode(Zstd(a) + second);
  EXPECT_EQ(r.status.code(), StatusCode::kDataLoss);
  EXPECT_NE(r.status.message().find("corrupt zstd frame 2"), std::string::npos)
      << r.status.message();
  EXPECT_EQ(r.text.substr(0, a.size()), a);
}

TEST(ZstdStreamTest, TrailingZerosAreDataLossNamingOffsetAsInZstd) {
  std::string a = Text(50, "a");
  std::string file = Zstd(a);
  ReadResult r = Decode(file + std::string(8, '\0'));
  EXPECT_EQ(r.status.code(), StatusCode::kDataLoss);
  EXPECT_EQ(r.status.message(), "trailing data after zstd frame 1 at offset " +
                                    std::to_string(file.size()) +
                                    " is not a zstd frame");
  EXPECT_EQ(r.text, a);
}

TEST(ZstdStreamTest, TrailingGarbageIsDataLoss) {
  ReadResult r = Decode(Zstd("x y\n") + "garbage");
  EXPECT_EQ(r.status.code(), StatusCode::kDataLoss);
  EXPECT_NE(r.status.message().find("trailing data"), std::string::npos);
  EXPECT_EQ(r.text, "x y\n");
}

TEST(ZstdStreamTest, TruncatedSkippableFrameIsDataLoss) {
  ReadResult r = Decode(Zstd("x\n") + Skippable("abcdef").substr(0, 9));
  EXPECT_EQ(r.status.code(), StatusCode::kDataLoss);
  EXPECT_NE(r.status.message().find("truncated"), std::string::npos);
  EXPECT_NE(r.status.message().find("zstd frame 2"), std::string::npos);
}

TEST(ZstdStreamTest, WindowOverTheLimitIsResourceExhausted) {
  // A frame header asking for a 256 MiB window (log 28), then one raw
  // block of one byte.
  std::string frame("\x28\xb5\x2f\xfd\x00\x90\x09\x00\x00x", 10);
  ReadResult r = Decode(frame);
  EXPECT_EQ(r.status.code(), StatusCode::kResourceExhausted)
      << r.status.ToString();
  EXPECT_NE(r.status.message().find("zstd frame 1"), std::string::npos);
}

TEST(ZstdStreamTest, EmptyInputIsDataLoss) {
  ReadResult r = Decode("");
  EXPECT_EQ(r.status.code(), StatusCode::kDataLoss);
  EXPECT_NE(r.status.message().find("empty"), std::string::npos);
}

}  // namespace
}  // namespace logsweep::common
