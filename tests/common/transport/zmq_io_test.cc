#include "common/transport/zmq_io.h"

#include <gtest/gtest.h>
#include <sys/mman.h>

#include <string>
#include <string_view>
#include <zmq.hpp>

#include "common/base/status.h"

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

TEST(ZmqIoTest, SendRefusesPayloadOverTheLimitWithAClearError) {
  // Address space only: the payload is never touched, because the size is
  // checked before anything is sent.
  size_t size = static_cast<size_t>(kMaxMessageBytes) + 1;
  void* big = ::mmap(nullptr, size, PROT_READ,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  ASSERT_NE(big, MAP_FAILED);
  zmq::context_t context(1);
  zmq::socket_t sender(context, zmq::socket_type::pair);
  zmq::socket_t receiver(context, zmq::socket_type::pair);
  ASSERT_TRUE(Bind(receiver, "inproc://zmq-io-test").ok());
  ASSERT_TRUE(Connect(sender, "inproc://zmq-io-test").ok());

  Status s =
      SendMessage(sender, "", std::string_view(static_cast<char*>(big), size));

  EXPECT_EQ(s.code(), StatusCode::kResourceExhausted);
  EXPECT_NE(s.message().find("256 MiB"), std::string::npos) << s.message();
  auto received = ReceiveMessage(receiver);
  ASSERT_TRUE(received.ok());
  EXPECT_FALSE(received->has_value());
  ::munmap(big, size);
}

TEST(ZmqIoTest, ReceiveReportsNoUserIdOrAddressWithoutZapOrTcp) {
  zmq::context_t context(1);
  zmq::socket_t sender(context, zmq::socket_type::pair);
  zmq::socket_t receiver(context, zmq::socket_type::pair);
  ASSERT_TRUE(Bind(receiver, "inproc://zmq-io-peer").ok());
  ASSERT_TRUE(Connect(sender, "inproc://zmq-io-peer").ok());
  ASSERT_TRUE(SendMessage(sender, "", "hello").ok());

  PeerInfo from{"stale", "stale"};
  auto received = ReceiveMessage(receiver, &from);

  ASSERT_TRUE(received.ok());
  ASSERT_TRUE(received->has_value());
  EXPECT_EQ((**received)[0], "hello");
  EXPECT_EQ(from.user_id, "");
  EXPECT_EQ(from.address, "");
}

}  // namespace
}  // namespace logsweep::common
