#include "common/scan/file_identity.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <string>

#include "test_util.h"

namespace logsweep::common {
namespace {

FileIdentity IdentityOf(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  EXPECT_GE(fd, 0);
  StatusOr<FileIdentity> id = IdentifyOpenFile(fd);
  ::close(fd);
  EXPECT_TRUE(id.ok());
  return id.ok() ? *id : FileIdentity{};
}

TEST(FileIdentityTest, IsStableForAFileLeftAlone) {
  logsweep::testing::TempDir dir;
  std::string path = dir.Write("a.log", std::string(300000, 'x'));
  EXPECT_EQ(IdentityOf(path), IdentityOf(path));
}

// Same size, inode and times: only the fingerprint can tell. A change in
// either end region changes it; the middle is left to the stat fields.
TEST(FileIdentityTest, FingerprintCoversTheFirstAndLastBlocks) {
  logsweep::testing::TempDir dir;
  const std::string base(300000, 'x');
  for (size_t at : {size_t{0}, kFingerprintBytes - 1, base.size() - 1,
                    base.size() - kFingerprintBytes}) {
    std::string changed = base;
    changed[at] = 'y';
    FileIdentity a = IdentityOf(dir.Write("a.log", base));
    FileIdentity b = IdentityOf(dir.Write("b.log", changed));
    EXPECT_NE(a.fingerprint, b.fingerprint) << "byte " << at;
  }
}

TEST(FileIdentityTest, FingerprintOfASmallFileCoversEveryByte) {
  logsweep::testing::TempDir dir;
  for (size_t at = 0; at < 100; ++at) {
    std::string text(100, 'x');
    std::string changed = text;
    changed[at] = 'y';
    EXPECT_NE(IdentityOf(dir.Write("a.log", text)).fingerprint,
              IdentityOf(dir.Write("b.log", changed)).fingerprint)
        << "byte " << at;
  }
}

TEST(FileIdentityTest, AppendingChangesSizeAndFingerprint) {
  logsweep::testing::TempDir dir;
  FileIdentity before = IdentityOf(dir.Write("a.log", "line\n"));
  FileIdentity after = IdentityOf(dir.Write("a.log", "line\nmore\n"));
  EXPECT_NE(before.size, after.size);
  EXPECT_NE(before.fingerprint, after.fingerprint);
}

}  // namespace
}  // namespace logsweep::common
