#include "common/base/signals.h"

#include <fcntl.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>

namespace logsweep::common {
namespace {

std::atomic<bool> g_stop{false};
int g_wake[2] = {-1, -1};  // self-pipe: [0] polled, [1] written by the handler

extern "C" void OnStopSignal(int) {
  g_stop.store(true);
  if (g_wake[1] >= 0) {
    const int saved = errno;
    const char byte = 1;
    // Async-signal-safe; a full pipe already wakes the poller.
    [[maybe_unused]] ssize_t n = ::write(g_wake[1], &byte, 1);
    errno = saved;
  }
}

}  // namespace

const std::atomic<bool>& InstallStopSignals() {
  if (g_wake[0] < 0 && ::pipe2(g_wake, O_NONBLOCK | O_CLOEXEC) != 0) {
    g_wake[0] = g_wake[1] = -1;  // loops still see the flag within 200 ms
  }
  struct sigaction sa {};
  sa.sa_handler = OnStopSignal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
  return g_stop;
}

int StopSignalFd() { return g_wake[0]; }

bool StopWithParent(int parent) {
  ::prctl(PR_SET_PDEATHSIG, SIGTERM);
  // The parent may have died before prctl took effect.
  return ::getppid() == parent;
}

}  // namespace logsweep::common
