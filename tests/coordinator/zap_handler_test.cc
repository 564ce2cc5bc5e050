#include "coordinator/zap_handler.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <string>
#include <vector>

#include "common/transport/curve.h"
#include "test_util.h"

namespace logsweep::coordinator {
namespace {

using common::CurveKeyPair;
using logsweep::testing::TempDir;

// A key directory with one worker key and one client key.
class ZapHandlerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ::mkdir((dir_.path() + "/workers").c_str(), 0755);
    ::mkdir((dir_.path() + "/clients").c_str(), 0755);
    worker_ = NewPair("workers/w1");
    client_ = NewPair("clients/c1");
  }

  CurveKeyPair NewPair(const std::string& name) {
    auto pair = common::GenerateCurveKeyPair();
    EXPECT_TRUE(pair.ok());
    EXPECT_TRUE(
        common::WriteCurveKeyPair(dir_.path() + "/" + name, *pair).ok());
    return *pair;
  }

  static std::vector<std::string> Request(
      const std::string& domain, const std::string& key,
      const std::string& mechanism = "CURVE") {
    std::vector<std::string> r = {"1.0",       "7", domain,
                                  "192.0.2.1", "",  mechanism};
    if (!key.empty()) r.push_back(key);
    return r;
  }

  TempDir dir_;
  CurveKeyPair worker_;
  CurveKeyPair client_;
};

TEST_F(ZapHandlerTest, AdmitsListedWorkerKeyWithItsZ85AsUserId) {
  auto zap = ZapHandler::Load(dir_.path());
  ASSERT_TRUE(zap.ok()) << zap.status().ToString();
  auto reply = zap->Handle(Request(kWorkersZapDomain, worker_.public_key));
  ASSERT_EQ(reply.size(), 6u);
  EXPECT_EQ(reply[0], "1.0");
  EXPECT_EQ(reply[1], "7");
  EXPECT_EQ(reply[2], "200");
  EXPECT_EQ(reply[4], common::CurveKeyToZ85(worker_.public_key));
}

TEST_F(ZapHandlerTest, AdmitsListedClientKey) {
  auto zap = ZapHandler::Load(dir_.path());
  ASSERT_TRUE(zap.ok());
  EXPECT_EQ(zap->Handle(Request(kClientsZapDomain, client_.public_key))[2],
            "200");
}

TEST_F(ZapHandlerTest, RefusesUnlistedKey) {
  auto zap = ZapHandler::Load(dir_.path());
  ASSERT_TRUE(zap.ok());
  auto stranger = common::GenerateCurveKeyPair();
  ASSERT_TRUE(stranger.ok());
  auto reply = zap->Handle(Request(kWorkersZapDomain, stranger->public_key));
  EXPECT_EQ(reply[2], "400");
  EXPECT_EQ(reply[4], "");
}

TEST_F(ZapHandlerTest, RefusesClientKeyOnWorkersSocket) {
  auto zap = ZapHandler::Load(dir_.path());
  ASSERT_TRUE(zap.ok());
  EXPECT_EQ(zap->Handle(Request(kWorkersZapDomain, client_.public_key))[2],
            "400");
  EXPECT_EQ(zap->Handle(Request(kClientsZapDomain, worker_.public_key))[2],
            "400");
}

TEST_F(ZapHandlerTest, RefusesOtherMechanismsAndDomains) {
  auto zap = ZapHandler::Load(dir_.path());
  ASSERT_TRUE(zap.ok());
  EXPECT_EQ(zap->Handle(Request(kWorkersZapDomain, "", "NULL"))[2], "400");
  EXPECT_EQ(zap->Handle(Request("other", worker_.public_key))[2], "400");
}

TEST_F(ZapHandlerTest, LoadFailsWithoutTheSubdirectories) {
  TempDir empty;
  auto zap = ZapHandler::Load(empty.path());
  ASSERT_FALSE(zap.ok());
  EXPECT_EQ(zap.status().code(), common::StatusCode::kInvalidArgument);
  EXPECT_NE(zap.status().message().find("workers"), std::string::npos);
}

TEST_F(ZapHandlerTest, LoadFailsOnAMalformedKeyNamingIt) {
  std::string bad = dir_.Write("clients/bad.pub", "not a key\n");
  auto zap = ZapHandler::Load(dir_.path());
  ASSERT_FALSE(zap.ok());
  EXPECT_NE(zap.status().message().find(bad), std::string::npos)
      << zap.status().ToString();
}

}  // namespace
}  // namespace logsweep::coordinator
