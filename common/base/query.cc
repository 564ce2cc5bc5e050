#include "common/base/query.h"

#include <re2/re2.h>

#include <cstdio>

#include "common/base/query_regex.h"
#include "common/base/time_text.h"

namespace logsweep::common {
namespace {

bool IsPlain(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') ||
         std::string_view("/._-~:=+,@%").find(static_cast<char>(c)) !=
             std::string_view::npos;
}

// `value` as one bash word.
std::string Quote(const std::string& value) {
  bool plain = !value.empty(), printable = true;
  for (unsigned char c : value) {
    plain = plain && IsPlain(c);
    printable = printable && c >= 0x20 && c < 0x7f;
  }
  if (plain) return value;
  std::string out;
  if (printable) {
    out = "'";
    for (char c : value)
      out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
  }
  out = "$'";
  for (unsigned char c : value) {
    if (c >= 0x20 && c < 0x7f && c != '\'' && c != '\\') {
      out += static_cast<char>(c);
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    }
  }
  return out + "'";
}

std::string StatusText(const StatusRange& r) {
  if (r.low == r.high) return std::to_string(r.low);
  if (r.low % 100 == 0 && r.high == r.low + 99 && r.low >= 100 &&
      r.low <= 900) {
    return std::to_string(r.low / 100) + "xx";
  }
  return std::to_string(r.low) + "-" + std::to_string(r.high);
}

}  // namespace

std::string QueryText(const Query& q) {
  std::string out;
  auto add = [&](const char* flag, const std::string& value) {
    if (!out.empty()) out += ' ';
    out += flag;
    out += ' ';
    out += value;
  };
  if (!q.match_value.empty()) add("--path", Quote(q.match_value));
  for (const std::string& v : q.more_values) add("--path", Quote(v));
  if (!q.path_prefix.empty()) add("--path-prefix", Quote(q.path_prefix));
  if (!q.path_regex.empty()) add("--path-regex", Quote(q.path_regex));
  for (const StatusRange& r : q.statuses) add("--status", StatusText(r));
  for (const std::string& m : q.methods) add("--method", Quote(m));
  if (q.since) add("--since", FormatIsoUtc(*q.since));
  if (q.until) add("--until", FormatIsoUtc(*q.until));
  // Fields as awk counts them, from 1.
  if (q.key_field != 0) add("--key", std::to_string(q.key_field + 1));
  if (q.match_field != 6) add("--field", std::to_string(q.match_field + 1));
  if (q.count) out += out.empty() ? "--count" : " --count";
  if (out.empty()) out = "(every line)";
  return out;
}

RE2::Options QueryRegexOptions() {
  RE2::Options options;
  // Bytes, never decoded: each byte is one character, as in Python's re on
  // bytes.
  options.set_encoding(RE2::Options::EncodingLatin1);
  options.set_log_errors(false);
  options.set_case_sensitive(true);
  return options;
}

Status ValidateQuery(const Query& q) {
  if (q.key_field > kMaxQueryField || q.match_field > kMaxQueryField ||
      q.method_field > kMaxQueryField || q.time_field + 1 > kMaxQueryField ||
      q.status_field > kMaxQueryField) {
    return InvalidArgumentError("query: a field index above " +
                                std::to_string(kMaxQueryField + 1));
  }
  if (q.more_values.size() + 1 > kMaxQueryValues) {
    return InvalidArgumentError("query: more than " +
                                std::to_string(kMaxQueryValues) +
                                " --path values");
  }
  auto check_value = [](const std::string& v, const char* what) {
    if (v.size() > kMaxMatchValueBytes) {
      return InvalidArgumentError(std::string("query: ") + what + " over " +
                                  std::to_string(kMaxMatchValueBytes) +
                                  " bytes");
    }
    return OkStatus();
  };
  if (Status s = check_value(q.match_value, "--path"); !s.ok()) return s;
  for (const std::string& v : q.more_values) {
    if (v.empty()) return InvalidArgumentError("query: an empty --path");
    if (Status s = check_value(v, "--path"); !s.ok()) return s;
  }
  if (Status s = check_value(q.path_prefix, "--path-prefix"); !s.ok()) return s;
  if (q.statuses.size() > kMaxStatusRanges) {
    return InvalidArgumentError("query: more than " +
                                std::to_string(kMaxStatusRanges) +
                                " --status ranges");
  }
  for (const StatusRange& r : q.statuses) {
    if (r.low > r.high || r.high > 999999999) {
      return InvalidArgumentError("query: --status range " +
                                  std::to_string(r.low) + "-" +
                                  std::to_string(r.high) + " is empty");
    }
  }
  if (q.methods.size() > kMaxMethods) {
    return InvalidArgumentError(
        "query: more than " + std::to_string(kMaxMethods) + " --method values");
  }
  for (const std::string& m : q.methods) {
    if (m.empty() || m.size() > kMaxMethodBytes ||
        m.find_first_of(" \t\r\n\v\f\"") != std::string::npos) {
      return InvalidArgumentError(
          "query: --method '" + m +
          "' is not a method (1 to 32 bytes, no space or quote)");
    }
  }
  if (q.since && q.until && *q.since >= *q.until) {
    return InvalidArgumentError("query: --since " + FormatIsoUtc(*q.since) +
                                " is not before --until " +
                                FormatIsoUtc(*q.until));
  }
  if (!q.path_regex.empty()) {
    if (q.path_regex.size() > kMaxRegexBytes) {
      return InvalidArgumentError("query: --path-regex over " +
                                  std::to_string(kMaxRegexBytes) + " bytes");
    }
    RE2::Options options = QueryRegexOptions();
    // RE2 refuses what would need more memory than this to compile.
    options.set_max_mem(8 << 20);
    re2::RE2 re(q.path_regex, options);
    if (!re.ok()) {
      return InvalidArgumentError("query: --path-regex '" + q.path_regex +
                                  "': " + re.error());
    }
    if (re.ProgramSize() > kMaxRegexProgramSize) {
      return InvalidArgumentError(
          "query: --path-regex '" + q.path_regex + "' compiles to " +
          std::to_string(re.ProgramSize()) + " instructions, over the limit " +
          std::to_string(kMaxRegexProgramSize));
    }
  }
  return OkStatus();
}

}  // namespace logsweep::common
