#include "common/scan/file_format.h"

#include <gtest/gtest.h>

#include <string>

#include "test_util.h"

namespace logsweep::common {
namespace {

using testing::TempDir;

struct MagicCase {
  const char* name;
  std::string prefix;
  FileFormat format;
};

void PrintTo(const MagicCase& c, std::ostream* os) { *os << c.name; }

std::string TarHeader() {
  std::string block(512, '\0');
  block.replace(0, 10, "access.log");
  block.replace(257, 6, std::string("ustar\0", 6));
  return block;
}

class DetectFormatTest : public ::testing::TestWithParam<MagicCase> {};

TEST_P(DetectFormatTest, NamesTheFormatOfItsMagic) {
  const MagicCase& c = GetParam();
  EXPECT_EQ(DetectFormat(c.prefix), c.format) << c.name;
}

INSTANTIATE_TEST_SUITE_P(
    Magics, DetectFormatTest,
    ::testing::Values(
        MagicCase{"gzip", "\x1f\x8b\x08\x00rest", FileFormat::kGzip},
        MagicCase{"zstd", "\x28\xb5\x2f\xfd\x04", FileFormat::kZstd},
        MagicCase{"zstd_skippable_first", "\x5a\x2a\x4d\x18\x03",
                  FileFormat::kZstd},
        MagicCase{"xz", std::string("\xfd\x37\x7a\x58\x5a\x00\x00\x04", 8),
                  FileFormat::kXz},
        MagicCase{"bzip2", "BZh91AY&SYxx", FileFormat::kBzip2},
        MagicCase{"bzip2_empty_stream", "BZh9\x17\x72\x45\x38\x50\x90",
                  FileFormat::kBzip2},
        MagicCase{"text_starting_BZh9", "BZh9 is not bzip2 at all\n",
                  FileFormat::kPlain},
        MagicCase{"zip", "PK\x03\x04\x14", FileFormat::kZip},
        MagicCase{"empty_zip", "PK\x05\x06", FileFormat::kZip},
        MagicCase{"7z", "\x37\x7a\xbc\xaf\x27\x1c\x00\x04", FileFormat::k7z},
        MagicCase{"rar", "Rar!\x1a\x07\x01", FileFormat::kRar},
        MagicCase{"tar", TarHeader(), FileFormat::kTar},
        MagicCase{"lz4", "\x04\x22\x4d\x18\x64", FileFormat::kLz4},
        MagicCase{"lz4_legacy", "\x02\x21\x4c\x18", FileFormat::kLz4},
        MagicCase{"lzip", "LZIP\x01", FileFormat::kLzip},
        MagicCase{"lzma", std::string("\x5d\x00\x00\x80\x00", 5),
                  FileFormat::kLzma},
        MagicCase{"xar", "xar!\x00\x1c", FileFormat::kXar},
        MagicCase{"cpio_newc", "070701" + std::string(104, 'a'),
                  FileFormat::kCpio},
        MagicCase{"cpio_odc", "070707" + std::string(70, '1'),
                  FileFormat::kCpio},
        MagicCase{"log_line_starting_070707", "070707 12:00:01 GET /\n",
                  FileFormat::kPlain},
        MagicCase{"compress", "\x1f\x9d\x90", FileFormat::kCompress},
        MagicCase{"lzop", std::string("\x89LZO\x00\x0d\x0a\x1a\x0a", 9),
                  FileFormat::kLzop},
        MagicCase{"access_log", "1.2.3.4 - - [x] \"GET / HTTP/1.0\" 200 1\n",
                  FileFormat::kPlain},
        MagicCase{"empty", "", FileFormat::kPlain},
        MagicCase{"one_gzip_byte", "\x1f", FileFormat::kPlain}),
    [](const ::testing::TestParamInfo<MagicCase>& info) {
      return std::string(info.param.name);
    });

TEST(FileFormatTest, NamePromisesFormatByLastSuffixIgnoringCase) {
  EXPECT_EQ(FormatPromisedByName("/var/log/ACCESS.LOG.GZ"), FileFormat::kGzip);
  EXPECT_EQ(FormatPromisedByName("a.log.3-20261101.gz"), FileFormat::kGzip);
  EXPECT_EQ(FormatPromisedByName("a.log.zst"), FileFormat::kZstd);
  EXPECT_EQ(FormatPromisedByName("a.log.xz"), FileFormat::kXz);
  EXPECT_EQ(FormatPromisedByName("a.log.bz2"), FileFormat::kBzip2);
  EXPECT_EQ(FormatPromisedByName("logs.zip"), FileFormat::kZip);
  EXPECT_EQ(FormatPromisedByName("access.log"), std::nullopt);
  EXPECT_EQ(FormatPromisedByName("access.log.1"), std::nullopt);
  EXPECT_EQ(FormatPromisedByName("access.log-20261031"), std::nullopt);
  EXPECT_EQ(FormatPromisedByName("dir.gz/access_log"), std::nullopt);
  EXPECT_EQ(FormatPromisedByName(".gz"), std::nullopt);
}

TEST(FileFormatTest, UnsupportedContentIsInvalidArgumentNamingTheFormat) {
  Status s = CheckFormat("x.log", "PK\x03\x04 zip");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "unsupported format: zip");
}

TEST(FileFormatTest, UnsupportedContentUnderAnotherNameSaysBoth) {
  Status s = CheckFormat("x.log.gz", "\x37\x7a\xbc\xaf\x27\x1c\x00\x04");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "unsupported format: 7z (the name says gzip)");
}

TEST(FileFormatTest, PlainTextNamedGzIsDataLossNamingBoth) {
  Status s = CheckFormat("x.log.gz", "1.2.3.4 - - [x]\n");
  EXPECT_EQ(s.code(), StatusCode::kDataLoss);
  EXPECT_EQ(s.message(),
            "not gzip: the name says gzip, the content is plain text");
}

TEST(FileFormatTest, ZstdContentNamedXzIsDataLossNamingBoth) {
  Status s = CheckFormat("x.xz", "\x28\xb5\x2f\xfd\x04");
  EXPECT_EQ(s.code(), StatusCode::kDataLoss);
  EXPECT_EQ(s.message(), "not xz: the name says xz, the content is zstd");
}

TEST(FileFormatTest, PlainTextNamedZipIsDataLoss) {
  Status s = CheckFormat("x.zip", "hello\n");
  EXPECT_EQ(s.code(), StatusCode::kDataLoss);
  EXPECT_EQ(s.message(),
            "not zip: the name says zip, the content is plain text");
}

TEST(FileFormatTest, EmptyFileNamedCompressedIsDataLoss) {
  Status s = CheckFormat("x.bz2", "");
  EXPECT_EQ(s.code(), StatusCode::kDataLoss);
  EXPECT_EQ(s.message(), "empty file: 0 bytes, expected bzip2 data");
}

TEST(FileFormatTest, ReadableContentWithoutPromiseIsOk) {
  EXPECT_TRUE(CheckFormat("access.log.1", "\x1f\x8b\x08").ok());
  EXPECT_TRUE(CheckFormat("access.log", "").ok());
  EXPECT_TRUE(CheckFormat("a.zst", "\x28\xb5\x2f\xfd").ok());
}

TEST(FileFormatTest, DetectFileFormatReadsTheFilesFirstBytes) {
  TempDir dir;
  auto got = DetectFileFormat(dir.Write("a.log", "PK\x03\x04zip"));
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(*got, FileFormat::kZip);
  EXPECT_STREQ(FileFormatName(*got), "zip");
}

TEST(FileFormatTest, DetectFileFormatOfMissingFileIsNotFound) {
  TempDir dir;
  auto got = DetectFileFormat(dir.path() + "/nope.gz");
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace logsweep::common
