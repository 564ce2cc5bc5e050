#include "common/scan/gzip_stream.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "common/scan/log_file.h"
#include "test_util.h"

namespace logsweep::common {

void PrintTo(InflateBackend b, std::ostream* os) {
  *os << InflateBackendName(b);
}

namespace {

using testing::Gzip;
using testing::TempDir;

std::vector<InflateBackend> Backends() {
  std::vector<InflateBackend> b = {InflateBackend::kZlib};
  if (IsalAvailable()) b.push_back(InflateBackend::kIsal);
  return b;
}

// Reads a whole log file in chunks of `chunk` bytes.
StatusOr<std::string> ReadAll(const std::string& path, InflateBackend backend,
                              size_t chunk = 4096) {
  InflateScratch scratch;
  auto stream = OpenLogFile(path, backend, scratch);
  if (!stream.ok()) return stream.status();
  std::string out;
  std::vector<char> buf(chunk);
  for (;;) {
    auto n = (*stream)->Read(buf.data(), buf.size());
    if (!n.ok()) return n.status();
    if (*n == 0) return out;
    out.append(buf.data(), *n);
  }
}

std::string SampleText(int lines) {
  std::string text;
  for (int i = 0; i < lines; ++i) {
    text += "10.0." + std::to_string(i % 250) + ".1 - - [x y] \"GET /p" +
            std::to_string(i * 7919 % 1000) + " HTTP/1.1\" 200 " +
            std::to_string(i) + "\n";
  }
  return text;
}

class GzipStreamTest : public ::testing::TestWithParam<InflateBackend> {
 protected:
  TempDir dir_;
};

TEST_P(GzipStreamTest, InflatesOneMember) {
  std::string text = SampleText(5000);
  auto got = ReadAll(dir_.Write("a.log.gz", Gzip(text)), GetParam());
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(*got, text);
}

TEST_P(GzipStreamTest, InflatesEveryMemberOfAMultiMemberFile) {
  std::string a = SampleText(300), b = "tail without newline", c = "\n";
  auto got =
      ReadAll(dir_.Write("m.gz", Gzip(a) + Gzip(b) + Gzip(c)), GetParam(), 7);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(*got, a + b + c);
}

TEST_P(GzipStreamTest, TinyReadsGiveTheSameBytes) {
  std::string text = SampleText(200);
  std::string path = dir_.Write("t.gz", Gzip(text) + Gzip(text));
  for (size_t chunk : {1, 2, 3, 13}) {
    auto got = ReadAll(path, GetParam(), chunk);
    ASSERT_TRUE(got.ok()) << "chunk " << chunk;
    EXPECT_EQ(*got, text + text) << "chunk " << chunk;
  }
}

TEST_P(GzipStreamTest, EmptyGzFileIsDataLoss) {
  auto got = ReadAll(dir_.Write("empty.gz", ""), GetParam());
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(got.status().message().find("empty"), std::string::npos);
}

TEST_P(GzipStreamTest, RandomBytesNamedGzAreNotGzip) {
  std::string junk(1000, '\0');
  for (size_t i = 0; i < junk.size(); ++i) junk[i] = static_cast<char>(i * 31);
  auto got = ReadAll(dir_.Write("junk.gz", junk), GetParam());
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(got.status().message().find("not gzip"), std::string::npos);
}

TEST_P(GzipStreamTest, TruncatedFileIsDataLossAfterItsWholeText) {
  std::string text = SampleText(20000);
  std::string gz = Gzip(text);
  auto got =
      ReadAll(dir_.Write("cut.gz", gz.substr(0, gz.size() / 2)), GetParam());
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(got.status().message().find("truncated"), std::string::npos)
      << got.status().message();
}

TEST_P(GzipStreamTest, WrongCrcIsDataLoss) {
  std::string gz = Gzip(SampleText(100));
  gz[gz.size() - 8] ^= 0x55;  // first byte of the CRC-32 in the trailer
  auto got = ReadAll(dir_.Write("crc.gz", gz), GetParam());
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), StatusCode::kDataLoss);
}

TEST_P(GzipStreamTest, WrongLengthIsDataLoss) {
  std::string gz = Gzip(SampleText(100));
  gz[gz.size() - 4] ^= 0x01;  // ISIZE in the trailer
  auto got = ReadAll(dir_.Write("len.gz", gz), GetParam());
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), StatusCode::kDataLoss);
}

TEST_P(GzipStreamTest, CorruptDeflateDataIsDataLoss) {
  std::string gz = Gzip(SampleText(5000));
  for (size_t i = 100; i < 400; ++i) gz[i] = static_cast<char>(0xff);
  auto got = ReadAll(dir_.Write("bad.gz", gz), GetParam());
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), StatusCode::kDataLoss);
}

// What reading a whole gzip file gave, with its warnings.
testing::ReadResult ReadWithWarnings(const std::string& path,
                                     InflateBackend backend) {
  InflateScratch scratch;
  auto stream = OpenLogFile(path, backend, scratch);
  if (!stream.ok()) return testing::ReadResult{"", stream.status(), {}};
  return testing::ReadStream(**stream, 1000);
}

TEST_P(GzipStreamTest, ZeroPaddingAfterLastMemberIsIgnoredSilently) {
  std::string a = SampleText(100), b = SampleText(7);
  auto r = ReadWithWarnings(
      dir_.Write("pad.gz", Gzip(a) + Gzip(b) + std::string(300000, '\0')),
      GetParam());
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.text, a + b);
  EXPECT_TRUE(r.warnings.empty());
}

TEST_P(GzipStreamTest, TrailingGarbageKeepsVerifiedMembersAndWarnsAtItsOffset) {
  std::string a = SampleText(100), b = SampleText(7);
  std::string members = Gzip(a) + Gzip(b);
  auto r =
      ReadWithWarnings(dir_.Write("tg.gz", members + "garbage\n"), GetParam());
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.text, a + b);
  EXPECT_EQ(r.warnings, std::vector<std::string>{
                            "trailing garbage after gzip member 2 at offset " +
                            std::to_string(members.size()) + " ignored"});
}

TEST_P(GzipStreamTest, ZerosThenGarbageWarnFromTheFirstZero) {
  std::string member = Gzip("a b\n");
  auto r = ReadWithWarnings(
      dir_.Write("zg.gz", member + std::string(1000, '\0') + "x"), GetParam());
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.text, "a b\n");
  EXPECT_EQ(r.warnings, std::vector<std::string>{
                            "trailing garbage after gzip member 1 at offset " +
                            std::to_string(member.size()) + " ignored"});
}

TEST_P(GzipStreamTest, ReservedFlagBitIsDataLossNamingMember) {
  for (unsigned bit : {0x20u, 0x40u, 0x80u}) {
    std::string a = SampleText(20), second = Gzip("b\n");
    second[3] = static_cast<char>(second[3] | bit);
    auto r =
        ReadWithWarnings(dir_.Write("flg.gz", Gzip(a) + second), GetParam());
    char flg[8];
    std::snprintf(flg, sizeof flg, "0x%02x", bit);
    EXPECT_EQ(r.status.code(), StatusCode::kDataLoss) << flg;
    EXPECT_NE(r.status.message().find("corrupt gzip member 2"),
              std::string::npos)
        << r.status.message();
    EXPECT_NE(r.status.message().find(
                  std::string("reserved header flag bits set (FLG ") + flg),
              std::string::npos)
        << r.status.message();
    EXPECT_EQ(r.text, a) << flg;
  }
}

TEST_P(GzipStreamTest, HeaderCrcMismatchIsDataLoss) {
  // A member with FHCRC set: the header's CRC-16 must be checked (both
  // backends reject a wrong one, as GNU gzip does).
  std::string member = Gzip("a b\n");
  std::string header = member.substr(0, 10);
  header[3] = static_cast<char>(header[3] | 0x02);
  uLong crc = crc32(0L, reinterpret_cast<const Bytef*>(header.data()), 10);
  std::string good = header;
  good += static_cast<char>(crc & 0xff);
  good += static_cast<char>((crc >> 8) & 0xff);
  good += member.substr(10);
  std::string bad = good;
  bad[10] = static_cast<char>(bad[10] ^ 0x5a);
  auto ok = ReadWithWarnings(dir_.Write("hcrc.gz", good), GetParam());
  ASSERT_TRUE(ok.status.ok()) << ok.status.ToString();
  EXPECT_EQ(ok.text, "a b\n");
  auto r = ReadWithWarnings(dir_.Write("hcrc-bad.gz", bad), GetParam());
  EXPECT_EQ(r.status.code(), StatusCode::kDataLoss) << r.status.ToString();
  EXPECT_NE(r.status.message().find("corrupt gzip member 1"),
            std::string::npos);
}

TEST_P(GzipStreamTest, GzipMagicByteAloneAtTheEndIsTruncated) {
  auto r =
      ReadWithWarnings(dir_.Write("m1.gz", Gzip("a\n") + "\x1f"), GetParam());
  EXPECT_EQ(r.status.code(), StatusCode::kDataLoss);
  EXPECT_NE(r.status.message().find("truncated"), std::string::npos);
  EXPECT_NE(r.status.message().find("gzip member 2"), std::string::npos);
  EXPECT_EQ(r.text, "a\n");
}

TEST_P(GzipStreamTest, BgzfEndOfFileBlockIsAnEmptyMember) {
  // The 28-byte empty block that ends every BGZF file (SAM/BAM spec 4.1.2).
  const std::string eof(
      "\x1f\x8b\x08\x04\x00\x00\x00\x00\x00\xff\x06\x00\x42\x43\x02\x00"
      "\x1b\x00\x03\x00\x00\x00\x00\x00\x00\x00\x00\x00",
      28);
  std::string text = SampleText(50);
  auto r =
      ReadWithWarnings(dir_.Write("b.log.bgz", Gzip(text) + eof), GetParam());
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.text, text);
}

TEST_P(GzipStreamTest, GzipContentWithoutGzNameIsSniffed) {
  auto got = ReadAll(dir_.Write("access.log", Gzip("x y\n")), GetParam());
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, "x y\n");
}

TEST_P(GzipStreamTest, PlainTextIsReadAsIs) {
  std::string text = "plain \x1f text\r\n";
  auto got = ReadAll(dir_.Write("access.log", text), GetParam());
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, text);
}

TEST_P(GzipStreamTest, EmptyPlainFileIsEmptyText) {
  auto got = ReadAll(dir_.Write("empty.log", ""), GetParam());
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, "");
}

INSTANTIATE_TEST_SUITE_P(Backends, GzipStreamTest,
                         ::testing::ValuesIn(Backends()), [](const auto& info) {
                           return std::string(InflateBackendName(info.param)) ==
                                          "isa-l"
                                      ? "isal"
                                      : "zlib";
                         });

TEST(LogFileTest, MissingFileIsNotFound) {
  TempDir dir;
  InflateScratch scratch;
  auto got =
      OpenLogFile(dir.path() + "/nope.gz", InflateBackend::kZlib, scratch);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), StatusCode::kNotFound);
}

TEST(LogFileTest, DirectoryIsInvalidArgument) {
  TempDir dir;
  InflateScratch scratch;
  auto got = OpenLogFile(dir.path(), InflateBackend::kZlib, scratch);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(got.status().message().find("directory"), std::string::npos);
}

TEST(LogFileTest, DeviceIsInvalidArgument) {
  InflateScratch scratch;
  auto got = OpenLogFile("/dev/zero", InflateBackend::kZlib, scratch);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace logsweep::common
