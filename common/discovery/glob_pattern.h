#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/base/status.h"

namespace logsweep::common {

// Glob syntax shared by path arguments and --include/--exclude: in one path
// component, '*' matches any run of characters, '?' one character,
// "[abc]", "[a-z]" and "[!abc]" one of (or none of) a set, and a
// backslash makes the next character literal (fnmatch(3) rules). A
// component that is exactly "**" matches any number of components, none
// included. Case-sensitive, bytewise.

// Whether `text` has an unescaped '*', '?' or '['.
bool HasWildcards(std::string_view text);

// `text` without its backslash escapes ("a\*b" gives "a*b").
std::string Unescape(std::string_view text);

// Whether `name` (one component, no '/') matches `pattern` (one component).
// `wildcard_matches_leading_dot` false gives the shell's rule: a leading
// '.' must be matched by a literal '.' in the pattern.
bool MatchComponent(const std::string& pattern, const std::string& name,
                    bool wildcard_matches_leading_dot);

// An --include or --exclude pattern, matched against a path relative to
// the directory being searched ("web1/access.log"), the way .gitignore
// and ripgrep's -g match:
// - without a '/' (a trailing one aside) it matches the last component at
//   any depth: "*.txt", "error*";
// - with one it matches the whole relative path from the directory given
//   (a leading '/' is dropped): "web1/*.log", "archive/**", "**/old/*";
// - a trailing '/' makes it match directories only: "cache/".
// Wildcards match a leading '.' too (".cache", ".*.swp"). Value type;
// thread-safe once built.
class GlobPattern {
 public:
  // Errors: InvalidArgument for an empty pattern or one that is only "/".
  static StatusOr<GlobPattern> Parse(std::string_view text);

  // `relative` uses '/' between components, with no leading or trailing
  // '/'; `is_directory` says what it names.
  bool Matches(std::string_view relative, bool is_directory) const;

  const std::string& text() const { return text_; }

 private:
  GlobPattern() = default;

  std::string text_;
  std::vector<std::string> components_;
  bool anchored_ = false;
  bool directory_only_ = false;
};

// `path` split at '/', empty components dropped.
std::vector<std::string> SplitPath(std::string_view path);

}  // namespace logsweep::common
