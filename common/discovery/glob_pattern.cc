#include "common/discovery/glob_pattern.h"

#include <fnmatch.h>

namespace logsweep::common {
namespace {

// Whether components [p..) of `pattern` match components [n..) of `names`;
// "**" matches any number of names.
bool MatchFrom(const std::vector<std::string>& pattern, size_t p,
               const std::vector<std::string>& names, size_t n) {
  while (p < pattern.size()) {
    if (pattern[p] == "**") {
      // Collapse runs of "**"; then try every split point.
      while (p + 1 < pattern.size() && pattern[p + 1] == "**") ++p;
      for (size_t k = n; k <= names.size(); ++k) {
        if (MatchFrom(pattern, p + 1, names, k)) return true;
      }
      return false;
    }
    if (n == names.size() || !MatchComponent(pattern[p], names[n], true)) {
      return false;
    }
    ++p;
    ++n;
  }
  return n == names.size();
}

}  // namespace

bool HasWildcards(std::string_view text) {
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\') {
      ++i;
    } else if (text[i] == '*' || text[i] == '?' || text[i] == '[') {
      return true;
    }
  }
  return false;
}

std::string Unescape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 1 < text.size()) ++i;
    out += text[i];
  }
  return out;
}

bool MatchComponent(const std::string& pattern, const std::string& name,
                    bool wildcard_matches_leading_dot) {
  return ::fnmatch(pattern.c_str(), name.c_str(),
                   wildcard_matches_leading_dot ? 0 : FNM_PERIOD) == 0;
}

std::vector<std::string> SplitPath(std::string_view path) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    if (end > start) parts.emplace_back(path.substr(start, end - start));
    start = end + 1;
  }
  return parts;
}

StatusOr<GlobPattern> GlobPattern::Parse(std::string_view text) {
  GlobPattern g;
  g.text_ = std::string(text);
  std::string_view body = text;
  if (!body.empty() && body.back() == '/') {
    g.directory_only_ = true;
    while (!body.empty() && body.back() == '/') body.remove_suffix(1);
  }
  g.anchored_ = body.find('/') != std::string_view::npos;
  g.components_ = SplitPath(body);
  if (g.components_.empty()) {
    return InvalidArgumentError("empty glob pattern '" + g.text_ + "'");
  }
  return g;
}

bool GlobPattern::Matches(std::string_view relative, bool is_directory) const {
  if (directory_only_ && !is_directory) return false;
  std::vector<std::string> names = SplitPath(relative);
  if (names.empty()) return false;
  if (!anchored_) {
    // "**" alone, or a name pattern: the last component.
    if (components_.size() == 1 && components_[0] == "**") return true;
    return MatchComponent(components_[0], names.back(), true);
  }
  return MatchFrom(components_, 0, names, 0);
}

}  // namespace logsweep::common
