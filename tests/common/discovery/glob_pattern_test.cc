#include "common/discovery/glob_pattern.h"

#include <gtest/gtest.h>

#include <string>

namespace logsweep::common {
namespace {

struct MatchCase {
  const char* pattern;
  const char* path;
  bool directory;
  bool matches;
};

const MatchCase kCases[] = {
    // No '/': the last component, at any depth.
    {"*.txt", "notes.txt", false, true},
    {"*.txt", "web1/notes.txt", false, true},
    {"*.txt", "a/b/c/notes.txt", false, true},
    {"*.txt", "notes.txt.gz", false, false},
    {"error*", "web1/error.log.1", false, true},
    {"error*", "error", true, true},
    {"web1", "web1", true, true},
    {"web1", "x/web1", true, true},
    {"web1", "web1/access.log", false, false},
    // Wildcards match a leading dot.
    {"*.swp", ".access.log.swp", false, true},
    {".*", ".hidden.log", false, true},
    // With '/': the whole path from the directory given.
    {"web1/*.log", "web1/access.log", false, true},
    {"web1/*.log", "x/web1/access.log", false, false},
    {"web1/*.log", "web1/sub/access.log", false, false},
    {"/web1/*.log", "web1/access.log", false, true},
    {"*/access.log", "web2/access.log", false, true},
    {"*/access.log", "access.log", false, false},
    // "**": any number of components, none included.
    {"**/access.log", "access.log", false, true},
    {"**/access.log", "a/b/access.log", false, true},
    {"web1/**", "web1/a/b.log", false, true},
    {"web1/**", "web1", true, true},
    {"web1/**", "web2/a.log", false, false},
    {"a/**/z.log", "a/z.log", false, true},
    {"a/**/z.log", "a/b/c/z.log", false, true},
    {"a/**/z.log", "a/b/c/y.log", false, false},
    {"**/old/**", "x/old/y/z.log", false, true},
    {"**", "anything/at/all", false, true},
    // Trailing '/': directories only.
    {"cache/", "cache", true, true},
    {"cache/", "cache", false, false},
    {"cache/", "x/cache", true, true},
    // Sets, '?', escapes; case-sensitive.
    {"web[12]", "web2", true, true},
    {"web[!12]", "web2", true, false},
    {"access.log.?", "access.log.7", false, true},
    {"access.log.?", "access.log.17", false, false},
    {"a\\*b", "a*b", false, true},
    {"a\\*b", "axb", false, false},
    {"*.LOG", "access.log", false, false},
};

TEST(GlobPatternTest, MatchesRelativePathsLikeGitignore) {
  for (const MatchCase& c : kCases) {
    auto g = GlobPattern::Parse(c.pattern);
    ASSERT_TRUE(g.ok()) << c.pattern;
    EXPECT_EQ(g->Matches(c.path, c.directory), c.matches)
        << "pattern '" << c.pattern << "' path '" << c.path << "'"
        << (c.directory ? " (directory)" : "");
  }
}

TEST(GlobPatternTest, RefusesEmptyPattern) {
  for (const char* text : {"", "/", "//"}) {
    auto g = GlobPattern::Parse(text);
    ASSERT_FALSE(g.ok()) << "'" << text << "'";
    EXPECT_EQ(g.status().code(), StatusCode::kInvalidArgument) << text;
  }
}

TEST(GlobPatternTest, ShellRuleKeepsLeadingDotLiteral) {
  EXPECT_FALSE(MatchComponent("*.log", ".hidden.log", false));
  EXPECT_TRUE(MatchComponent(".*.log", ".hidden.log", false));
  EXPECT_TRUE(MatchComponent("*.log", ".hidden.log", true));
}

TEST(GlobPatternTest, FindsUnescapedWildcardsOnly) {
  EXPECT_TRUE(HasWildcards("a*"));
  EXPECT_TRUE(HasWildcards("a?"));
  EXPECT_TRUE(HasWildcards("a[1]"));
  EXPECT_FALSE(HasWildcards("a\\*"));
  EXPECT_FALSE(HasWildcards("web{1,2}"));
  EXPECT_EQ(Unescape("a\\*b\\\\c"), "a*b\\c");
}

}  // namespace
}  // namespace logsweep::common
