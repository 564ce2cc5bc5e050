#include "common/base/signals.h"

#include <gtest/gtest.h>
#include <poll.h>

#include <csignal>

namespace logsweep::common {
namespace {

// A stop signal must wake a poll loop at once, whichever thread it was
// delivered to: the stop descriptor becomes readable, not just the flag set.
TEST(SignalsTest, StopSignalMakesTheWakeDescriptorReadable) {
  const std::atomic<bool>& stop = InstallStopSignals();
  const int fd = StopSignalFd();
  ASSERT_GE(fd, 0);
  pollfd before{fd, POLLIN, 0};
  EXPECT_EQ(::poll(&before, 1, 0), 0);
  EXPECT_FALSE(stop.load());
  std::raise(SIGTERM);
  pollfd after{fd, POLLIN, 0};
  EXPECT_EQ(::poll(&after, 1, 1000), 1);
  EXPECT_TRUE(stop.load());
}

}  // namespace
}  // namespace logsweep::common
