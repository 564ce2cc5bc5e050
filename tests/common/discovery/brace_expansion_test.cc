#include "common/discovery/brace_expansion.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace logsweep::common {
namespace {

using Words = std::vector<std::string>;

struct BraceCase {
  const char* text;
  Words words;
};

// Each expectation is what bash 5 prints for `echo TEXT` (no files match),
// backslashes kept: the words are glob patterns, unescaped later.
const BraceCase kCases[] = {
    {"web{1,2}", {"web1", "web2"}},
    {"/logs/web{1,2}/access.log",
     {"/logs/web1/access.log", "/logs/web2/access.log"}},
    {"{a,{b,c}d}", {"a", "bd", "cd"}},
    {"{a,b}{1,2}", {"a1", "a2", "b1", "b2"}},
    {"x{,.1}", {"x", "x.1"}},
    {"{a}", {"{a}"}},
    {"{}", {"{}"}},
    {"{a,b", {"{a,b"}},
    {"a}b", {"a}b"}},
    {"{a{b,c}}", {"{ab}", "{ac}"}},
    {"\\{a,b\\}", {"\\{a,b\\}"}},
    {"{a\\,b,c}", {"a\\,b", "c"}},
    {"{1..3}", {"1", "2", "3"}},
    {"{3..1}", {"3", "2", "1"}},
    {"{08..10}", {"08", "09", "10"}},
    {"{1..9..4}", {"1", "5", "9"}},
    {"{-1..1}", {"-1", "0", "1"}},
    {"{a..c}", {"a", "b", "c"}},
    {"{1..a}", {"{1..a}"}},
    {"log.{1..2}.gz", {"log.1.gz", "log.2.gz"}},
    {"{*.log,*.gz}", {"*.log", "*.gz"}},
    {"plain", {"plain"}},
    {"", {""}},
};

TEST(BraceExpansionTest, ExpandsAsBashDoes) {
  for (const BraceCase& c : kCases) {
    auto words = ExpandBraces(c.text);
    ASSERT_TRUE(words.ok()) << c.text << ": " << words.status().ToString();
    EXPECT_EQ(*words, c.words) << "text '" << c.text << "'";
  }
}

TEST(BraceExpansionTest, RefusesHugeSequence) {
  auto words = ExpandBraces("x{1..100000000}");

  ASSERT_FALSE(words.ok());
  EXPECT_EQ(words.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(words.status().message().find("{1..100000000}"), std::string::npos)
      << words.status().message();
}

TEST(BraceExpansionTest, RefusesHugeProductOfLists) {
  auto words =
      ExpandBraces("{0..9}{0..9}{0..9}{0..9}{0..9}{0..9}");  // a million words

  ASSERT_FALSE(words.ok());
  EXPECT_EQ(words.status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace logsweep::common
