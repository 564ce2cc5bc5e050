#include "common/zmq_io.h"

#include <gtest/gtest.h>

#include <string>

#include "common/status.h"

namespace logsweep::common {
namespace {

TEST(ZmqIoTest, MessageAtTheSizeLimitIsAllowed) {
  EXPECT_TRUE(CheckMessageSize(kMaxMessageBytes).ok());
  EXPECT_TRUE(CheckMessageSize(0).ok());
}

TEST(ZmqIoTest, MessageOverTheSizeLimitIsResourceExhaustedNamingTheLimit) {
  Status s = CheckMessageSize(kMaxMessageBytes + 1);
  EXPECT_EQ(s.code(), StatusCode::kResourceExhausted);
  EXPECT_NE(s.message().find("256 MiB"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace logsweep::common
