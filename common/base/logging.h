#pragma once

#include <string>

#include "common/base/status.h"

namespace logsweep::common {

// Sets up the process-wide spdlog logger on stderr, tagged with `role`
// ("coordinator", "worker", "client"). `level` is one of trace, debug,
// info, warn, error, off. Call from main before starting threads; a second
// call for the same role replaces its logger.
// Errors: InvalidArgument for an unknown level.
Status InitLogging(const std::string& role, const std::string& level);

}  // namespace logsweep::common
