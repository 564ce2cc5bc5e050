#include "common/discovery/brace_expansion.h"

#include <algorithm>
#include <cstdlib>
#include <optional>

namespace logsweep::common {
namespace {

// The index of the '}' closing the '{' at `open`, skipping nested pairs
// and escaped characters; npos when unmatched.
size_t MatchingBrace(std::string_view s, size_t open) {
  int depth = 0;
  for (size_t i = open; i < s.size(); ++i) {
    if (s[i] == '\\') {
      ++i;
    } else if (s[i] == '{') {
      ++depth;
    } else if (s[i] == '}' && --depth == 0) {
      return i;
    }
  }
  return std::string_view::npos;
}

// The comma-separated parts of a brace body at depth 0; one part if it has
// no such comma.
std::vector<std::string_view> SplitTopLevel(std::string_view body) {
  std::vector<std::string_view> parts;
  int depth = 0;
  size_t start = 0;
  for (size_t i = 0; i < body.size(); ++i) {
    if (body[i] == '\\') {
      ++i;
    } else if (body[i] == '{') {
      ++depth;
    } else if (body[i] == '}') {
      --depth;
    } else if (body[i] == ',' && depth == 0) {
      parts.push_back(body.substr(start, i - start));
      start = i + 1;
    }
  }
  parts.push_back(body.substr(start));
  return parts;
}

std::optional<long long> ParseInt(std::string_view s) {
  if (s.empty() || s.size() > 18) return std::nullopt;
  size_t i = s[0] == '-' || s[0] == '+' ? 1 : 0;
  if (i == s.size()) return std::nullopt;
  for (size_t j = i; j < s.size(); ++j) {
    if (s[j] < '0' || s[j] > '9') return std::nullopt;
  }
  return std::strtoll(std::string(s).c_str(), nullptr, 10);
}

bool IsLetter(std::string_view s) {
  return s.size() == 1 &&
         ((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z'));
}

// Width of a zero-padded bound ("01", "-01"), else 0.
size_t PaddedWidth(std::string_view s) {
  size_t digits = s[0] == '-' || s[0] == '+' ? 1 : 0;
  return s.size() > digits + 1 && s[digits] == '0' ? s.size() : 0;
}

// The words of a sequence body "X..Y" or "X..Y..STEP", or nullopt when
// the body is not one. Errors when it is too long.
StatusOr<std::optional<std::vector<std::string>>> Sequence(
    std::string_view body) {
  std::optional<std::vector<std::string>> none;
  size_t dots = body.find("..");
  if (dots == std::string_view::npos) return none;
  std::string_view from = body.substr(0, dots);
  std::string_view rest = body.substr(dots + 2);
  std::string_view to = rest;
  long long step = 1;
  if (size_t more = rest.find(".."); more != std::string_view::npos) {
    to = rest.substr(0, more);
    auto s = ParseInt(rest.substr(more + 2));
    if (!s) return none;
    step = std::llabs(*s);
    if (step == 0) step = 1;
  }
  bool letters = IsLetter(from) && IsLetter(to);
  auto a = letters ? std::optional<long long>(from[0]) : ParseInt(from);
  auto b = letters ? std::optional<long long>(to[0]) : ParseInt(to);
  if (!a || !b) return none;
  if (static_cast<unsigned long long>(std::llabs(*b - *a)) / step >=
      kMaxBraceWords) {
    return InvalidArgumentError("brace sequence {" + std::string(body) +
                                "} gives more than " +
                                std::to_string(kMaxBraceWords) + " words");
  }
  size_t width = letters ? 0 : std::max(PaddedWidth(from), PaddedWidth(to));
  std::vector<std::string> words;
  long long dir = *b >= *a ? step : -step;
  for (long long v = *a; dir > 0 ? v <= *b : v >= *b; v += dir) {
    std::string word;
    if (letters) {
      word = std::string(1, static_cast<char>(v));
    } else {
      word = std::to_string(v < 0 ? -v : v);
      size_t digits = width > 0 && v < 0 ? width - 1 : width;
      if (word.size() < digits) word.insert(0, digits - word.size(), '0');
      if (v < 0) word.insert(0, 1, '-');
    }
    words.push_back(std::move(word));
  }
  return std::optional<std::vector<std::string>>(std::move(words));
}

Status Expand(const std::string& text, std::vector<std::string>& out) {
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\') {
      ++i;
      continue;
    }
    if (text[i] != '{') continue;
    size_t close = MatchingBrace(text, i);
    if (close == std::string::npos) continue;
    std::string_view body = std::string_view(text).substr(i + 1, close - i - 1);
    std::vector<std::string> words;
    auto parts = SplitTopLevel(body);
    if (parts.size() > 1) {
      words.assign(parts.begin(), parts.end());
    } else {
      auto seq = Sequence(body);
      if (!seq.ok()) return seq.status();
      if (!seq->has_value()) continue;  // "{a}": literal; look inside it
      words = std::move(**seq);
    }
    std::string prefix = text.substr(0, i);
    std::string suffix = text.substr(close + 1);
    for (const std::string& word : words) {
      if (auto s = Expand(prefix + word + suffix, out); !s.ok()) return s;
    }
    return OkStatus();
  }
  if (out.size() >= kMaxBraceWords) {
    return InvalidArgumentError("brace expansion gives more than " +
                                std::to_string(kMaxBraceWords) + " words");
  }
  out.push_back(text);
  return OkStatus();
}

}  // namespace

StatusOr<std::vector<std::string>> ExpandBraces(std::string_view text) {
  std::vector<std::string> out;
  if (auto s = Expand(std::string(text), out); !s.ok()) return s;
  return out;
}

}  // namespace logsweep::common
