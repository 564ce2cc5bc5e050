#include "common/base/time_text.h"

#include <cstdio>

namespace logsweep::common {
namespace {

// Reads exactly `n` digits at `*p`.
bool Digits(std::string_view s, size_t* p, size_t n, int64_t* out) {
  if (*p + n > s.size()) return false;
  int64_t v = 0;
  for (size_t i = 0; i < n; ++i) {
    char c = s[*p + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *p += n;
  *out = v;
  return true;
}

bool DaysInMonthOk(int64_t y, int64_t m, int64_t d) {
  static constexpr int kDays[] = {31, 29, 31, 30, 31, 30,
                                  31, 31, 30, 31, 30, 31};
  if (m < 1 || m > 12 || d < 1 || d > kDays[m - 1]) return false;
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return !(m == 2 && d == 29 && !leap);
}

StatusOr<int64_t> Invalid(std::string_view text, const char* why) {
  return InvalidArgumentError("time '" + std::string(text) + "': " + why +
                              " (want ISO 8601 like 2026-10-01 or "
                              "2026-10-01T13:55:36+02:00, or -7d, -12h, "
                              "-30m, -90s, -2w, now)");
}

}  // namespace

int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

std::string FormatIsoUtc(int64_t t) {
  int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
  int64_t secs = t - days * 86400;
  // civil_from_days (H. Hinnant).
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(days - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  const int64_t y = static_cast<int64_t>(yoe) + era * 400 + (m <= 2);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02d:%02d:%02dZ",
                static_cast<long long>(y), m, d, static_cast<int>(secs / 3600),
                static_cast<int>(secs / 60 % 60), static_cast<int>(secs % 60));
  return buf;
}

StatusOr<int64_t> ParseTimeBound(std::string_view text, int64_t now) {
  if (text == "now") return now;
  if (!text.empty() && text[0] == '-' && text.size() >= 3) {
    int64_t n = 0;
    size_t i = 1;
    for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
      if (n > 1000000000) return Invalid(text, "too far back");
      n = n * 10 + (text[i] - '0');
    }
    if (i == 1 || i + 1 != text.size()) {
      return Invalid(text, "not a number followed by one unit");
    }
    int64_t unit = 0;
    switch (text[i]) {
      case 's':
        unit = 1;
        break;
      case 'm':
        unit = 60;
        break;
      case 'h':
        unit = 3600;
        break;
      case 'd':
        unit = 86400;
        break;
      case 'w':
        unit = 7 * 86400;
        break;
      default:
        return Invalid(text, "unknown unit");
    }
    return now - n * unit;
  }
  size_t p = 0;
  int64_t y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  if (!Digits(text, &p, 4, &y) || p >= text.size() || text[p++] != '-' ||
      !Digits(text, &p, 2, &mo) || p >= text.size() || text[p++] != '-' ||
      !Digits(text, &p, 2, &d)) {
    return Invalid(text, "not a date YYYY-MM-DD");
  }
  if (!DaysInMonthOk(y, mo, d)) return Invalid(text, "no such date");
  if (p < text.size() && (text[p] == 'T' || text[p] == ' ')) {
    ++p;
    if (!Digits(text, &p, 2, &h) || p >= text.size() || text[p++] != ':' ||
        !Digits(text, &p, 2, &mi)) {
      return Invalid(text, "not a time HH:MM[:SS]");
    }
    if (p < text.size() && text[p] == ':') {
      ++p;
      if (!Digits(text, &p, 2, &s)) return Invalid(text, "bad seconds");
    }
    if (h > 23 || mi > 59 || s > 59) return Invalid(text, "no such time");
  }
  int64_t offset = 0;
  if (p < text.size()) {
    if (text[p] == 'Z' && p + 1 == text.size()) {
      ++p;
    } else if (text[p] == '+' || text[p] == '-') {
      const int64_t sign = text[p] == '-' ? -1 : 1;
      ++p;
      int64_t oh = 0, om = 0;
      if (!Digits(text, &p, 2, &oh)) return Invalid(text, "bad offset");
      if (p < text.size() && text[p] == ':') ++p;
      if (!Digits(text, &p, 2, &om)) return Invalid(text, "bad offset");
      if (oh > 23 || om > 59) return Invalid(text, "bad offset");
      offset = sign * (oh * 3600 + om * 60);
    }
    if (p != text.size()) return Invalid(text, "unexpected text at the end");
  }
  return DaysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) *
             86400 +
         h * 3600 + mi * 60 + s - offset;
}

StatusOr<std::chrono::milliseconds> ParseDuration(std::string_view text) {
  auto invalid = [&](const char* why) -> StatusOr<std::chrono::milliseconds> {
    return InvalidArgumentError("duration '" + std::string(text) + "': " + why +
                                " (want a number and a unit: 500ms, 90s, "
                                "30m, 12h, 3d, 2w; or 0)");
  };
  if (text == "0") return std::chrono::milliseconds(0);
  size_t i = 0;
  int64_t n = 0;
  for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
    if (n > 1'000'000'000'000) return invalid("too long");
    n = n * 10 + (text[i] - '0');
  }
  if (i == 0) return invalid("not a number");
  const std::string_view unit = text.substr(i);
  int64_t unit_ms = 0;
  if (unit == "ms") {
    unit_ms = 1;
  } else if (unit == "s") {
    unit_ms = 1000;
  } else if (unit == "m") {
    unit_ms = 60'000;
  } else if (unit == "h") {
    unit_ms = 3'600'000;
  } else if (unit == "d") {
    unit_ms = 86'400'000;
  } else if (unit == "w") {
    unit_ms = 7 * 86'400'000LL;
  } else {
    return invalid(unit.empty() ? "no unit" : "unknown unit");
  }
  constexpr int64_t kMaxMs = 100LL * 366 * 86'400'000;
  if (n > kMaxMs / unit_ms) return invalid("too long");
  return std::chrono::milliseconds(n * unit_ms);
}

}  // namespace logsweep::common
