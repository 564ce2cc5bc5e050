#include "common/base/logging.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace logsweep::common {

Status InitLogging(const std::string& role, const std::string& level) {
  spdlog::level::level_enum parsed = spdlog::level::from_str(level);
  if (parsed == spdlog::level::off && level != "off") {
    return InvalidArgumentError("unknown log level '" + level + "'");
  }
  spdlog::drop(role);  // set up again (a second LocalCluster): replace it
  auto logger = spdlog::stderr_logger_mt(role);
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %n[%P] %^%l%$: %v");
  logger->set_level(parsed);
  spdlog::set_default_logger(logger);
  return OkStatus();
}

}  // namespace logsweep::common
