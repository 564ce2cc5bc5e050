#pragma once

#include <atomic>

namespace logsweep::common {

// Installs SIGINT and SIGTERM handlers that set the returned flag, so the
// poll loops finish their current step and shut down cleanly. Call once,
// from main, before starting threads. SIGPIPE is ignored.
const std::atomic<bool>& InstallStopSignals();

// A descriptor that becomes readable once a stop signal has arrived, or -1
// before InstallStopSignals (or if its pipe could not be made). Poll loops
// add it to their poll set: the kernel may deliver the signal to any thread,
// and only this wakes a loop blocked in poll on another one at once.
int StopSignalFd();

// Asks the kernel to send SIGTERM when the parent process dies, so children
// of `logsweep run` never outlive it, even if it is killed. `parent` is the
// pid the caller was started by: if it is already gone, returns false and
// the caller should exit. Call after InstallStopSignals().
bool StopWithParent(int parent);

}  // namespace logsweep::common
