#pragma once

#include <string>

#include "common/transport/messages.h"
#include "logsweep_version.h"

namespace logsweep::common {

// "logsweep 0.2.0 (protocol 2)": what every binary prints for --version.
inline std::string VersionText(const std::string& program) {
  return program + " " + LOGSWEEP_VERSION + " (protocol " +
         std::to_string(kProtocolVersion) + ")";
}

}  // namespace logsweep::common
