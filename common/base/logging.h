#pragma once

#include <string>
#include <string_view>

#include "common/base/status.h"

namespace logsweep::common {

// How log lines are written: `text` (the default, for people) or `json`
// (one object per line, for log collectors; see FormatJsonLogLine).
enum class LogFormat { kText, kJson };

// "text" or "json". Errors: InvalidArgument naming the value.
StatusOr<LogFormat> ParseLogFormat(const std::string& text);

// Sets up the process-wide spdlog logger on stderr, tagged with `role`
// ("coordinator", "worker", "client"). `level` is one of trace, debug,
// info, warn, error, off. Call from main before starting threads; a second
// call for the same role replaces its logger.
// Errors: InvalidArgument for an unknown level.
Status InitLogging(const std::string& role, const std::string& level,
                   LogFormat format = LogFormat::kText);

// One JSON log line (with its "\n"): {"time": ISO 8601 UTC with
// milliseconds, "level", "component": `role`, "pid", "message"} and, when
// the message names them, "job" (after "job "), "task" (a number, after
// "task "), "worker" (after "worker "), "path" (a message that starts with
// one, up to ": "). Bytes that are not UTF-8 become
// U+FFFD in "message", and then "message_bytes_hex" holds every byte of
// the message, so the line is always valid JSON and nothing is lost.
std::string FormatJsonLogLine(std::string_view role, std::string_view level,
                              int64_t unix_ms, int pid,
                              std::string_view message);

}  // namespace logsweep::common
