#pragma once

#include <atomic>

namespace logsweep::common {

// Installs SIGINT and SIGTERM handlers that set the returned flag, so the
// poll loops finish their current step and shut down cleanly. Call once,
// from main, before starting threads. SIGPIPE is ignored.
const std::atomic<bool>& InstallStopSignals();

// Asks the kernel to send SIGTERM when the parent process dies, so children
// of `logsweep run` never outlive it, even if it is killed. `parent` is the
// pid the caller was started by: if it is already gone, returns false and
// the caller should exit. Call after InstallStopSignals().
bool StopWithParent(int parent);

}  // namespace logsweep::common
