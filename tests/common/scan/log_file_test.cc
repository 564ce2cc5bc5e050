#include "common/scan/log_file.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "test_util.h"

namespace logsweep::common {
namespace {

using testing::ReadResult;
using testing::TempDir;

ReadResult ReadFile(const std::string& path, size_t chunk = 4096) {
  InflateScratch scratch;
  auto stream = OpenLogFile(path, DefaultInflateBackend(), scratch);
  if (!stream.ok()) return ReadResult{"", stream.status(), {}};
  return testing::ReadStream(**stream, chunk);
}

struct Encoded {
  const char* format;
  std::string (*encode)(const std::string&);
  const char* suffix;
};

std::string Identity(const std::string& text) { return text; }

const Encoded kFormats[] = {{"gzip", testing::Gzip, ".gz"},
                            {"zstd", testing::Zstd, ".zst"},
                            {"xz", testing::Xz, ".xz"},
                            {"bzip2", testing::Bzip2, ".bz2"},
                            {"plain", Identity, ""}};

TEST(LogFileTest, ReadsEachFormatByContentUnderAnyUnpromisingName) {
  TempDir dir;
  const std::string text = "1.2.3.4 - - [d z] \"GET /robots.txt\"\r\nb\n";
  for (const Encoded& f : kFormats) {
    for (const std::string& name :
         {std::string("access.log.1"), std::string("access_log-20261031"),
          "access.log" + std::string(f.suffix)}) {
      ReadResult r = ReadFile(dir.Write(name, f.encode(text)));
      ASSERT_TRUE(r.status.ok())
          << f.format << " " << name << ": " << r.status.ToString();
      EXPECT_EQ(r.text, text) << f.format << " " << name;
    }
  }
}

TEST(LogFileTest, PlainFileLargerThanTheFirstReadIsReadWhole) {
  TempDir dir;
  std::string text;
  for (int i = 0; i < 40000; ++i) text += "line " + std::to_string(i) + "\n";
  ASSERT_GT(text.size(), 256u * 1024);
  ReadResult r = ReadFile(dir.Write("big.log", text), 1000);
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(r.text, text);
}

TEST(LogFileTest, UnsupportedFormatsAreInvalidArgumentNeverText) {
  TempDir dir;
  std::string tar(1024, '\0');
  tar.replace(0, 10, "access.log");
  tar.replace(257, 6, std::string("ustar\0", 6));
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"zip", std::string("PK\x03\x04\x14\x00\x00\x00", 8) + "GET /robots.txt"},
      {"7z", std::string("\x37\x7a\xbc\xaf\x27\x1c\x00\x04", 8)},
      {"lz4", std::string("\x04\x22\x4d\x18\x64\x40\xa7", 7)},
      {"rar", "Rar!\x1a\x07\x01"},
      {"tar", tar}};
  for (const auto& [format, content] : cases) {
    ReadResult r = ReadFile(dir.Write("access.log", content));
    EXPECT_EQ(r.status.code(), StatusCode::kInvalidArgument) << format;
    EXPECT_EQ(r.status.message(), "unsupported format: " + format);
    EXPECT_EQ(r.text, "") << format;
  }
}

TEST(LogFileTest, NamePromisingAnotherFormatIsDataLossNamingBoth) {
  TempDir dir;
  ReadResult r = ReadFile(dir.Write("x.log.gz", "1.2.3.4 - - plain\n"));
  EXPECT_EQ(r.status.code(), StatusCode::kDataLoss);
  EXPECT_EQ(r.status.message(),
            "not gzip: the name says gzip, the content is plain text");
  r = ReadFile(dir.Write("x.log.bz2", testing::Gzip("a\n")));
  EXPECT_EQ(r.status.code(), StatusCode::kDataLoss);
  EXPECT_EQ(r.status.message(),
            "not bzip2: the name says bzip2, the content is gzip");
}

TEST(LogFileTest, EmptyFileIsEmptyTextUnlessTheNamePromisesCompression) {
  TempDir dir;
  ReadResult r = ReadFile(dir.Write("empty.log", ""));
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(r.text, "");
  r = ReadFile(dir.Write("empty.log.zst", ""));
  EXPECT_EQ(r.status.code(), StatusCode::kDataLoss);
  EXPECT_EQ(r.status.message(), "empty file: 0 bytes, expected zstd data");
}

}  // namespace
}  // namespace logsweep::common
