#pragma once

#include <atomic>

namespace logsweep::common {

// Installs SIGINT and SIGTERM handlers that set the returned flag, so the
// poll loops finish their current step and shut down cleanly. Call once,
// from main, before starting threads. SIGPIPE is ignored.
const std::atomic<bool>& InstallStopSignals();

}  // namespace logsweep::common
