#include "client/cli/query_flags.h"

#include <algorithm>

#include "common/base/time_text.h"

namespace logsweep::client {
namespace {

std::vector<std::string> SplitCommas(const std::vector<std::string>& values) {
  std::vector<std::string> out;
  for (const std::string& v : values) {
    size_t start = 0;
    for (;;) {
      size_t comma = v.find(',', start);
      out.push_back(v.substr(start, comma - start));
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }
  return out;
}

bool ParseNumber(const std::string& s, uint32_t* out) {
  if (s.empty() || s.size() > 9) return false;
  uint32_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<uint32_t>(c - '0');
  }
  *out = v;
  return true;
}

}  // namespace

common::StatusOr<common::StatusRange> ParseStatusRange(
    const std::string& text) {
  auto bad = [&] {
    return common::InvalidArgumentError(
        "--status '" + text +
        "': want a code (404), a class (4xx) or a range "
        "(400-499)");
  };
  common::StatusRange r;
  if (text.size() == 3 && text[0] >= '1' && text[0] <= '9' &&
      (text[1] == 'x' || text[1] == 'X') &&
      (text[2] == 'x' || text[2] == 'X')) {
    r.low = static_cast<uint32_t>(text[0] - '0') * 100;
    r.high = r.low + 99;
    return r;
  }
  const size_t dash = text.find('-');
  if (dash == std::string::npos) {
    if (!ParseNumber(text, &r.low)) return bad();
    r.high = r.low;
    return r;
  }
  if (!ParseNumber(text.substr(0, dash), &r.low) ||
      !ParseNumber(text.substr(dash + 1), &r.high)) {
    return bad();
  }
  if (r.low > r.high) {
    return common::InvalidArgumentError("--status '" + text +
                                        "': the range is empty");
  }
  return r;
}

common::StatusOr<common::Query> BuildQuery(const QueryFlags& f, int64_t now) {
  common::Query q;
  q.match_value.clear();
  const bool any = !f.paths.empty() || !f.path_prefix.empty() ||
                   !f.path_regex.empty() || !f.statuses.empty() ||
                   !f.methods.empty() || !f.since.empty() || !f.until.empty();
  std::vector<std::string> paths = f.paths;
  if (!any) paths = {"/robots.txt"};
  for (const std::string& p : paths) {
    if (p.empty())
      return common::InvalidArgumentError(
          "--path: the request path cannot be empty (e.g. --path /robots.txt)");
    if (q.match_value.empty()) {
      q.match_value = p;
    } else if (p != q.match_value &&
               std::find(q.more_values.begin(), q.more_values.end(), p) ==
                   q.more_values.end()) {
      q.more_values.push_back(p);
    }
  }
  q.path_prefix = f.path_prefix;
  q.path_regex = f.path_regex;
  q.count = f.count;
  for (const std::string& s : SplitCommas(f.statuses)) {
    auto r = ParseStatusRange(s);
    if (!r.ok()) return r.status();
    q.statuses.push_back(*r);
  }
  for (const std::string& m : SplitCommas(f.methods)) {
    if (m.empty()) return common::InvalidArgumentError("--method: empty");
    q.methods.push_back(m);
  }
  if (!f.since.empty()) {
    auto t = common::ParseTimeBound(f.since, now);
    if (!t.ok()) {
      return common::InvalidArgumentError("--since: " + t.status().message());
    }
    q.since = *t;
  }
  if (!f.until.empty()) {
    auto t = common::ParseTimeBound(f.until, now);
    if (!t.ok()) {
      return common::InvalidArgumentError("--until: " + t.status().message());
    }
    q.until = *t;
  }
  const uint32_t max = common::kMaxQueryField + 1;
  if (f.key != 0) {
    if (f.key > max) {
      return common::InvalidArgumentError("--key " + std::to_string(f.key) +
                                          ": fields go from 1 to " +
                                          std::to_string(max));
    }
    q.key_field = f.key - 1;
  }
  if (f.field != 0) {
    // The method sits one field before the path and the time three.
    if (f.field > max - 2) {
      return common::InvalidArgumentError("--field " + std::to_string(f.field) +
                                          ": the path field goes from 1 to " +
                                          std::to_string(max - 2));
    }
    if (f.field < 4 && (!q.methods.empty() || q.HasTime())) {
      return common::InvalidArgumentError(
          "--field " + std::to_string(f.field) +
          ": --method and --since/--until need the path at field 4 or later "
          "(the method is the field before it, the time three before)");
    }
    q.match_field = f.field - 1;
    q.method_field = q.match_field >= 1 ? q.match_field - 1 : 0;
    q.time_field = q.match_field >= 3 ? q.match_field - 3 : 0;
    q.status_field = q.match_field + 2;
  }
  if (auto s = common::ValidateQuery(q); !s.ok()) return s;
  return q;
}

}  // namespace logsweep::client
