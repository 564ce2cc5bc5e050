#include "common/base/logging.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <cstdio>
#include <memory>

#include "common/base/time_text.h"

namespace logsweep::common {
namespace {

// Length of the well-formed UTF-8 sequence at s[i] (RFC 3629), 0 if none.
size_t Utf8Length(std::string_view s, size_t i) {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = b(i);
  if (c < 0x80) return 1;
  size_t n = c >= 0xC2 && c <= 0xDF   ? 2
             : c >= 0xE0 && c <= 0xEF ? 3
             : c >= 0xF0 && c <= 0xF4 ? 4
                                      : 0;
  if (n == 0 || i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((b(i + k) & 0xC0) != 0x80) return 0;
  }
  const unsigned char d = b(i + 1);
  if ((c == 0xE0 && d < 0xA0) || (c == 0xED && d > 0x9F) ||
      (c == 0xF0 && d < 0x90) || (c == 0xF4 && d > 0x8F)) {
    return 0;
  }
  return n;
}

// `text` as a JSON string; sets *lossy when a byte had to be replaced.
void AppendJsonString(std::string& out, std::string_view text, bool* lossy) {
  out += '"';
  for (size_t i = 0; i < text.size();) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    const size_t n = Utf8Length(text, i);
    if (n == 0) {
      out += "\xEF\xBF\xBD";  // U+FFFD
      if (lossy) *lossy = true;
      ++i;
    } else if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
      ++i;
    } else if (c == '\n' || c == '\t' || c == '\r') {
      out += c == '\n' ? "\\n" : c == '\t' ? "\\t" : "\\r";
      ++i;
    } else if (c < 0x20 || c == 0x7F) {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\u%04x", c);
      out += buf;
      ++i;
    } else {
      out.append(text.substr(i, n));
      i += n;
    }
  }
  out += '"';
}

// The word after `key` ("job ", "task ", "worker ") in `message`, up to a
// space, one of ",;)", or a ':' that ends a word (names like "host:123"
// keep theirs), or empty.
std::string_view WordAfter(std::string_view message, std::string_view key) {
  for (size_t at = message.find(key); at != std::string_view::npos;
       at = message.find(key, at + 1)) {
    if (at > 0 && std::isalnum(static_cast<unsigned char>(message[at - 1]))) {
      continue;  // "subtask 3" is not "task 3"
    }
    const size_t start = at + key.size();
    size_t end = start;
    while (end < message.size() && message[end] != ' ' &&
           std::string_view(",;)").find(message[end]) ==
               std::string_view::npos &&
           !(message[end] == ':' &&
             (end + 1 == message.size() || message[end + 1] == ' '))) {
      ++end;
    }
    if (end > start) return message.substr(start, end - start);
  }
  return {};
}

bool AllDigits(std::string_view s) {
  if (s.empty() || s.size() > 19) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

bool AllHex(std::string_view s) {
  if (s.size() < 8) return false;
  for (char c : s) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// spdlog formatter writing FormatJsonLogLine.
class JsonFormatter final : public spdlog::formatter {
 public:
  explicit JsonFormatter(std::string role) : role_(std::move(role)) {}
  void format(const spdlog::details::log_msg& msg,
              spdlog::memory_buf_t& dest) override {
    const auto level = spdlog::level::to_string_view(msg.level);
    const int64_t ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                           msg.time.time_since_epoch())
                           .count();
    const std::string line = FormatJsonLogLine(
        role_, std::string_view(level.data(), level.size()), ms, pid_,
        std::string_view(msg.payload.data(), msg.payload.size()));
    dest.append(line.data(), line.data() + line.size());
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<JsonFormatter>(role_);
  }

 private:
  std::string role_;
  int pid_ = static_cast<int>(::getpid());
};

}  // namespace

StatusOr<LogFormat> ParseLogFormat(const std::string& text) {
  if (text == "text") return LogFormat::kText;
  if (text == "json") return LogFormat::kJson;
  return InvalidArgumentError("unknown log format '" + text +
                              "' (want text or json)");
}

std::string FormatJsonLogLine(std::string_view role, std::string_view level,
                              int64_t unix_ms, int pid,
                              std::string_view message) {
  std::string out = "{\"time\":\"";
  std::string iso =
      FormatIsoUtc(unix_ms >= 0 ? unix_ms / 1000 : (unix_ms - 999) / 1000);
  char millis[8];
  std::snprintf(millis, sizeof(millis), ".%03d",
                static_cast<int>(((unix_ms % 1000) + 1000) % 1000));
  iso.insert(iso.size() - 1, millis);  // before the Z
  out += iso;
  out += "\",\"level\":";
  AppendJsonString(out, level, nullptr);
  out += ",\"component\":";
  AppendJsonString(out, role, nullptr);
  out += ",\"pid\":" + std::to_string(pid) + ",\"message\":";
  bool lossy = false;
  AppendJsonString(out, message, &lossy);
  if (std::string_view job = WordAfter(message, "job "); AllHex(job)) {
    out += ",\"job\":";
    AppendJsonString(out, job, nullptr);
  }
  if (std::string_view task = WordAfter(message, "task "); AllDigits(task)) {
    out += ",\"task\":";
    out.append(task);
  }
  if (std::string_view worker = WordAfter(message, "worker ");
      !worker.empty()) {
    out += ",\"worker\":";
    AppendJsonString(out, worker, nullptr);
  }
  // A worker's line about one file starts with its path: "/p/x.gz: ...".
  if (!message.empty() && message[0] == '/') {
    if (size_t end = message.find(": "); end != std::string_view::npos) {
      out += ",\"path\":";
      AppendJsonString(out, message.substr(0, end), nullptr);
    }
  }
  if (lossy) {
    static constexpr char kHex[] = "0123456789abcdef";
    out += ",\"message_bytes_hex\":\"";
    for (unsigned char c : message) {
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
    out += '"';
  }
  out += "}\n";
  return out;
}

Status InitLogging(const std::string& role, const std::string& level,
                   LogFormat format) {
  spdlog::level::level_enum parsed = spdlog::level::from_str(level);
  if (parsed == spdlog::level::off && level != "off") {
    return InvalidArgumentError("unknown log level '" + level + "'");
  }
  spdlog::drop(role);  // set up again (a second LocalCluster): replace it
  auto logger = spdlog::stderr_logger_mt(role);
  if (format == LogFormat::kJson) {
    logger->set_formatter(std::make_unique<JsonFormatter>(role));
  } else {
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %n[%P] %^%l%$: %v");
  }
  logger->set_level(parsed);
  spdlog::set_default_logger(logger);
  return OkStatus();
}

}  // namespace logsweep::common
