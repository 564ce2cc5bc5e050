#include "common/transport/curve.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include "common/base/status.h"
#include "test_util.h"

namespace logsweep::common {
namespace {

using logsweep::testing::TempDir;

// A key pair written by keygen and read back.
CurveKeyPair WriteAndLoad(const TempDir& dir, const std::string& name) {
  auto pair = GenerateCurveKeyPair();
  EXPECT_TRUE(pair.ok()) << pair.status().ToString();
  EXPECT_TRUE(WriteCurveKeyPair(dir.path() + "/" + name, *pair).ok());
  return *pair;
}

TEST(CurveTest, LibzmqHasCurve) { EXPECT_TRUE(CurveAvailable()); }

TEST(CurveTest, WrittenPairLoadsBackWithPublicKeyDerivedFromSecret) {
  TempDir dir;
  CurveKeyPair written = WriteAndLoad(dir, "node");
  auto pair = LoadCurveKeyPair(dir.path() + "/node.key");
  ASSERT_TRUE(pair.ok()) << pair.status().ToString();
  EXPECT_EQ(pair->secret_key, written.secret_key);
  EXPECT_EQ(pair->public_key, written.public_key);
  auto pub = LoadCurvePublicKey(dir.path() + "/node.pub");
  ASSERT_TRUE(pub.ok()) << pub.status().ToString();
  EXPECT_EQ(*pub, written.public_key);
  EXPECT_EQ(written.public_key.size(), 32u);
}

TEST(CurveTest, SecretFileIsOwnerOnly) {
  TempDir dir;
  WriteAndLoad(dir, "node");
  struct stat st;
  ASSERT_EQ(::stat((dir.path() + "/node.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_TRUE(CheckSecretKeyFileMode(dir.path() + "/node.key").ok());
  std::string warning;
  EXPECT_TRUE(LoadCurveKeyPair(dir.path() + "/node.key", &warning).ok());
  EXPECT_EQ(warning, "");
}

TEST(CurveTest, KeyFilesAreOneLineOfZ85) {
  TempDir dir;
  CurveKeyPair written = WriteAndLoad(dir, "node");
  auto pub = LoadCurvePublicKey(dir.path() + "/node.pub");
  ASSERT_TRUE(pub.ok());
  std::string text = CurveKeyToZ85(written.public_key);
  EXPECT_EQ(text.size(), 40u);
  // Same bytes as the file, so a key can be pasted from one to the other.
  std::string copy = dir.Write("copy.pub", text + "\n");
  auto again = LoadCurvePublicKey(copy);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, written.public_key);
}

TEST(CurveTest, RefusesToOverwriteAnExistingPair) {
  TempDir dir;
  CurveKeyPair first = WriteAndLoad(dir, "node");
  auto second = GenerateCurveKeyPair();
  ASSERT_TRUE(second.ok());
  Status s = WriteCurveKeyPair(dir.path() + "/node", *second);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("already exists"), std::string::npos);
  auto still = LoadCurveKeyPair(dir.path() + "/node.key");
  ASSERT_TRUE(still.ok());
  EXPECT_EQ(still->secret_key, first.secret_key);
}

TEST(CurveTest, MissingKeyFileIsNotFoundNamingTheFile) {
  TempDir dir;
  std::string path = dir.path() + "/absent.pub";
  auto pub = LoadCurvePublicKey(path);
  ASSERT_FALSE(pub.ok());
  EXPECT_EQ(pub.status().code(), StatusCode::kNotFound);
  EXPECT_NE(pub.status().message().find(path), std::string::npos);
}

TEST(CurveTest, WrongLengthKeyFileIsInvalidArgumentNamingTheFile) {
  struct Case {
    const char* what;
    std::string text;
  };
  const Case cases[] = {
      {"empty", ""},
      {"short", "abc\n"},
      {"41 characters", std::string(41, 'a')},
      {"two keys", std::string(40, 'a') + "\n" + std::string(40, 'a')},
  };
  for (const Case& c : cases) {
    TempDir dir;
    std::string path = dir.Write("bad.pub", c.text);
    auto pub = LoadCurvePublicKey(path);
    ASSERT_FALSE(pub.ok()) << c.what;
    EXPECT_EQ(pub.status().code(), StatusCode::kInvalidArgument) << c.what;
    EXPECT_NE(pub.status().message().find(path), std::string::npos) << c.what;
    EXPECT_NE(pub.status().message().find("40 Z85"), std::string::npos)
        << c.what;
  }
}

TEST(CurveTest, BadZ85KeyFileIsInvalidArgument) {
  TempDir dir;
  // '"' and ',' are not in the Z85 alphabet.
  std::string path = dir.Write("bad.key", std::string(39, 'a') + "\"\n");
  ::chmod(path.c_str(), 0600);
  auto pair = LoadCurveKeyPair(path);
  ASSERT_FALSE(pair.ok());
  EXPECT_EQ(pair.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(pair.status().message().find("not valid Z85"), std::string::npos);
  EXPECT_NE(pair.status().message().find(path), std::string::npos);
}

TEST(CurveTest, SecretReadableByOurOwnGroupIsNotFlagged) {
  TempDir dir;
  WriteAndLoad(dir, "node");
  std::string path = dir.path() + "/node.key";
  // As a Kubernetes Secret with fsGroup presents it.
  ASSERT_EQ(::chmod(path.c_str(), 0440), 0);
  ASSERT_EQ(::chown(path.c_str(), -1, ::getegid()), 0);
  EXPECT_TRUE(CheckSecretKeyFileMode(path).ok());
}

TEST(CurveTest, SecretReadableByOthersIsFlagged) {
  TempDir dir;
  WriteAndLoad(dir, "node");
  std::string path = dir.path() + "/node.key";
  ASSERT_EQ(::chmod(path.c_str(), 0644), 0);
  Status s = CheckSecretKeyFileMode(path);
  EXPECT_EQ(s.code(), StatusCode::kPermissionDenied);
  EXPECT_NE(s.message().find("0644"), std::string::npos) << s.message();
  // Still usable: a warning, not a refusal.
  std::string warning;
  EXPECT_TRUE(LoadCurveKeyPair(path, &warning).ok());
  EXPECT_NE(warning.find("chmod 600"), std::string::npos) << warning;
}

TEST(CurveTest, KeyFlagTakesANameOrTheKeyFile) {
  EXPECT_EQ(SecretKeyPath("keys/worker"), "keys/worker.key");
  EXPECT_EQ(SecretKeyPath("keys/worker.key"), "keys/worker.key");
}

TEST(CurveTest, ClientKeysAreOffWithNeitherFlag) {
  auto keys = LoadCurveClientKeys("", "");
  ASSERT_TRUE(keys.ok());
  EXPECT_FALSE(keys->has_value());
}

TEST(CurveTest, ClientKeysNeedBothFlags) {
  TempDir dir;
  WriteAndLoad(dir, "node");
  auto only_server = LoadCurveClientKeys(dir.path() + "/node.pub", "");
  EXPECT_EQ(only_server.status().code(), StatusCode::kInvalidArgument);
  auto only_own = LoadCurveClientKeys("", dir.path() + "/node");
  EXPECT_EQ(only_own.status().code(), StatusCode::kInvalidArgument);
}

TEST(CurveTest, ClientKeysLoadOwnPairAndServerKey) {
  TempDir dir;
  CurveKeyPair server = WriteAndLoad(dir, "server");
  CurveKeyPair own = WriteAndLoad(dir, "client");
  auto keys =
      LoadCurveClientKeys(dir.path() + "/server.pub", dir.path() + "/client");
  ASSERT_TRUE(keys.ok()) << keys.status().ToString();
  ASSERT_TRUE(keys->has_value());
  EXPECT_EQ((*keys)->server_public_key, server.public_key);
  EXPECT_EQ((*keys)->own.public_key, own.public_key);
  EXPECT_EQ((*keys)->own.secret_key, own.secret_key);
}

}  // namespace
}  // namespace logsweep::common
