#include "common/scan/query_predicates.h"

#include <re2/re2.h>

#include <algorithm>

#include "common/base/query_regex.h"
#include "common/base/time_text.h"

namespace logsweep::common {
namespace {

// A character that stands for itself in an RE2 pattern.
bool IsPlainRegexByte(char c) {
  return std::string_view("\\^$.|?*+()[]{}").find(c) == std::string_view::npos;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool IsAsciiAlnum(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
         (c >= 'A' && c <= 'Z');
}

// "Jan".."Dec" -> 1..12, else 0. Case-sensitive, as servers write them.
unsigned MonthNumber(std::string_view m) {
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr",
                                            "May", "Jun", "Jul", "Aug",
                                            "Sep", "Oct", "Nov", "Dec"};
  for (unsigned i = 0; i < 12; ++i) {
    if (m == kMonths[i]) return i + 1;
  }
  return 0;
}

inline bool Digit(char c) { return c >= '0' && c <= '9'; }
inline int D2(const char* p) { return (p[0] - '0') * 10 + (p[1] - '0'); }

}  // namespace

bool ParseLogTime(std::string_view date, std::string_view zone,
                  int64_t* unix_seconds) {
  // [10/Oct/2000:13:55:36  and  -0700]
  if (date.size() != 21 || zone.size() != 6) return false;
  const char* d = date.data();
  if (d[0] != '[' || d[3] != '/' || d[7] != '/' || d[12] != ':' ||
      d[15] != ':' || d[18] != ':') {
    return false;
  }
  for (int i : {1, 2, 8, 9, 10, 11, 13, 14, 16, 17, 19, 20}) {
    if (!Digit(d[i])) return false;
  }
  const char* z = zone.data();
  if ((z[0] != '+' && z[0] != '-') || z[5] != ']' || !Digit(z[1]) ||
      !Digit(z[2]) || !Digit(z[3]) || !Digit(z[4])) {
    return false;
  }
  const unsigned month = MonthNumber(date.substr(4, 3));
  const int day = D2(d + 1);
  const int year = D2(d + 8) * 100 + D2(d + 10);
  const int hour = D2(d + 13), minute = D2(d + 16), second = D2(d + 19);
  const int zh = D2(z + 1), zm = D2(z + 3);
  static constexpr int kDays[] = {31, 29, 31, 30, 31, 30,
                                  31, 31, 30, 31, 30, 31};
  if (month == 0 || day < 1 || day > kDays[month - 1] || hour > 23 ||
      minute > 59 || second > 59 || zh > 23 || zm > 59) {
    return false;
  }
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  if (month == 2 && day == 29 && !leap) return false;
  const int64_t offset = (z[0] == '-' ? -1 : 1) * (zh * 3600 + zm * 60);
  *unix_seconds =
      DaysFromCivil(year, month, static_cast<unsigned>(day)) * 86400 +
      hour * 3600 + minute * 60 + second - offset;
  return true;
}

QueryPredicates::QueryPredicates(const Query& query)
    : query_(query),
      literal_(RequiredLiteral(query)),
      literals_(RequiredLiterals(query)) {
  last_field_ = std::max(query_.key_field, query_.match_field);
  if (!query_.methods.empty()) {
    last_field_ = std::max(last_field_, query_.method_field);
  }
  if (!query_.statuses.empty()) {
    last_field_ = std::max(last_field_, query_.status_field);
  }
  if (query_.HasTime() || query_.count) {
    last_field_ = std::max(last_field_, query_.time_field + 1);
  }
  if (!query_.match_value.empty()) values_.insert(query_.match_value);
  for (const std::string& v : query_.more_values) values_.insert(v);
  if (!query_.path_regex.empty()) {
    regex_ = std::make_unique<re2::RE2>(query_.path_regex, QueryRegexOptions());
  }
}

QueryPredicates::~QueryPredicates() = default;

QueryPredicates::Verdict QueryPredicates::Evaluate(
    const std::string_view* fields) const {
  const std::string_view path = fields[query_.match_field];
  if (!values_.empty() && values_.find(path) == values_.end()) {
    return Verdict::kNoMatch;
  }
  if (!query_.path_prefix.empty() &&
      path.substr(0, query_.path_prefix.size()) != query_.path_prefix) {
    return Verdict::kNoMatch;
  }
  if (regex_ != nullptr &&
      !re2::RE2::PartialMatch(re2::StringPiece(path.data(), path.size()),
                              *regex_)) {
    return Verdict::kNoMatch;
  }
  if (!query_.methods.empty()) {
    const std::string_view f = fields[query_.method_field];
    if (f.size() < 2 || f[0] != '"' ||
        f.find('"', 1) != std::string_view::npos) {
      return Verdict::kUnreadableMethod;
    }
    const std::string_view method = f.substr(1);
    if (std::find(query_.methods.begin(), query_.methods.end(), method) ==
        query_.methods.end()) {
      return Verdict::kNoMatch;
    }
  }
  if (!query_.statuses.empty()) {
    const std::string_view f = fields[query_.status_field];
    if (f.empty() || f.size() > 9) return Verdict::kUnreadableStatus;
    uint32_t status = 0;
    for (char c : f) {
      if (!Digit(c)) return Verdict::kUnreadableStatus;
      status = status * 10 + static_cast<uint32_t>(c - '0');
    }
    bool in = false;
    for (const StatusRange& r : query_.statuses) {
      in = in || (status >= r.low && status <= r.high);
    }
    if (!in) return Verdict::kNoMatch;
  }
  if (query_.HasTime()) {
    int64_t t = 0;
    if (!ParseLogTime(fields[query_.time_field], fields[query_.time_field + 1],
                      &t)) {
      return Verdict::kUnreadableTime;
    }
    if ((query_.since && t < *query_.since) ||
        (query_.until && t >= *query_.until)) {
      return Verdict::kNoMatch;
    }
  }
  return Verdict::kMatch;
}

namespace {

// The query's exact values, each once, in the order given.
std::vector<std::string> DistinctValues(const Query& q) {
  std::vector<std::string> values;
  auto add = [&](const std::string& v) {
    if (std::find(values.begin(), values.end(), v) == values.end()) {
      values.push_back(v);
    }
  };
  if (!q.match_value.empty()) add(q.match_value);
  for (const std::string& v : q.more_values) add(v);
  return values;
}

}  // namespace

std::vector<std::string> QueryPredicates::RequiredLiterals(const Query& q) {
  std::vector<std::string> values = DistinctValues(q);
  if (values.size() < 2) {
    std::string one = RequiredLiteral(q);
    if (one.empty()) return {};
    return {std::move(one)};
  }
  std::vector<std::string> kept;
  for (size_t i = 0; i < values.size(); ++i) {
    bool holds_another = false;
    for (size_t j = 0; j < values.size() && !holds_another; ++j) {
      holds_another = j != i && values[i].find(values[j]) != std::string::npos;
    }
    if (!holds_another) kept.push_back(values[i]);
  }
  return kept;
}

std::string QueryPredicates::RequiredLiteral(const Query& q) {
  std::string best;
  if (std::vector<std::string> values = DistinctValues(q); values.size() == 1) {
    best = values.front();
  }
  if (q.path_prefix.size() > best.size()) best = q.path_prefix;
  if (!q.path_regex.empty()) {
    std::string r = RegexLiteral(q.path_regex);
    if (r.size() > best.size()) best = std::move(r);
  }
  return best;
}

std::string QueryPredicates::RegexLiteral(std::string_view p) {
  // Flags may turn on case folding anywhere: no literal then.
  if (p.find("(?") != std::string_view::npos) return "";
  // \Q...\E quotes what would otherwise open or close a group.
  if (p.find("\\Q") != std::string_view::npos) return "";
  std::string best, run;
  int depth = 0;
  auto end_run = [&] {
    if (run.size() > best.size()) best = run;
    run.clear();
  };
  for (size_t i = 0; i < p.size(); ++i) {
    const char c = p[i];
    if (c == '|' && depth == 0) return "";  // any branch may match
    if (depth > 0) {
      if (c == '\\') {
        ++i;
      } else if (c == '(') {
        ++depth;
      } else if (c == ')') {
        --depth;
      } else if (c == '[') {
        // A class inside a group: skip it whole (']' first is literal).
        size_t j = i + 1;
        if (j < p.size() && p[j] == '^') ++j;
        if (j < p.size() && p[j] == ']') ++j;
        while (j < p.size() && p[j] != ']') j += p[j] == '\\' ? 2 : 1;
        i = j;
      }
      continue;
    }
    if (c == '*' || c == '?' || c == '+' || c == '{') {
      // The quantifier applies to the character before it, if any in run.
      if (!run.empty()) run.pop_back();
      end_run();
      if (c == '{') {
        // A repeat {n}, {n,} or {n,m} is skipped whole; any other '{' is a
        // literal that only ended the run.
        size_t j = i + 1;
        while (j < p.size() && IsDigit(p[j])) ++j;
        if (j > i + 1 && j < p.size() && p[j] == ',') {
          ++j;
          while (j < p.size() && IsDigit(p[j])) ++j;
        }
        if (j > i + 1 && j < p.size() && p[j] == '}') i = j;
      }
      continue;
    }
    if (c == '\\' && i + 1 < p.size() && !IsAsciiAlnum(p[i + 1])) {
      run += p[++i];
      continue;
    }
    if (IsPlainRegexByte(c)) {
      run += c;
      continue;
    }
    end_run();
    if (c == '\\') {
      // \d \s \w \b \A \z and their negations stand alone; anything
      // else (\x41, \123, \Q...\E, \pL) gives up: no literal.
      ++i;
      if (i >= p.size() ||
          std::string_view("dDsSwWbBAz").find(p[i]) == std::string_view::npos) {
        return "";
      }
    } else if (c == '(') {
      ++depth;
    } else if (c == '[') {
      size_t j = i + 1;
      if (j < p.size() && p[j] == '^') ++j;
      if (j < p.size() && p[j] == ']') ++j;
      while (j < p.size() && p[j] != ']') j += p[j] == '\\' ? 2 : 1;
      i = j;
    }
  }
  end_run();
  return best;
}

}  // namespace logsweep::common
