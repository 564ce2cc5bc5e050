#include "common/scan/long_line_matcher.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace logsweep::common {
namespace {

using Kind = LineMatcher::LineKind;

// Feeds `line` in pieces cut at random places.
LongLineMatcher::Verdict FeedInPieces(LongLineMatcher& m,
                                      const std::string& line,
                                      std::mt19937& rng) {
  m.Reset();
  size_t pos = 0;
  while (pos < line.size()) {
    size_t n = std::min<size_t>(line.size() - pos, 1 + rng() % 9);
    m.Feed(line.data() + pos, n);
    pos += n;
  }
  return m.Finish();
}

TEST(LongLineMatcherTest, AgreesWithMatchLineOnLinesCutAnywhere) {
  std::mt19937 rng(5);
  const std::vector<Query> queries = {Query{}, ExactQuery(3, 1, "ab"),
                                      ExactQuery(2, 2, "x"),
                                      ExactQuery(0, 6, "/a b")};
  const char alphabet[] = {'a', 'b', ' ', '\t', '\r', '/', 'x', '\v'};
  for (const Query& q : queries) {
    LineMatcher reference(q);
    LongLineMatcher m(q, 1 << 20);
    for (int i = 0; i < 5000; ++i) {
      std::string line;
      size_t len = rng() % 40;
      for (size_t k = 0; k < len; ++k) line += alphabet[rng() % 8];
      if (rng() % 3 == 0) {
        line.insert(rng() % (line.size() + 1), " " + q.match_value + " ");
      }
      std::string_view want_key;
      Kind want = reference.MatchLine(line, &want_key);
      LongLineMatcher::Verdict got = FeedInPieces(m, line, rng);
      ASSERT_EQ(got.kind, want) << "[" << line << "] value " << q.match_value;
      if (want == Kind::kMalformed) {  // where holds_value decides
        EXPECT_EQ(got.holds_value,
                  line.find(q.match_value) != std::string::npos)
            << "[" << line << "] value " << q.match_value;
      }
      if (want == Kind::kMatch) {
        EXPECT_EQ(got.key, want_key) << "[" << line << "]";
        EXPECT_FALSE(got.key_too_long);
      }
    }
  }
}

TEST(LongLineMatcherTest, KeyLongerThanTheLimitIsFlaggedOnAMatch) {
  const Query query;
  LongLineMatcher m(query, 8);
  const std::string line = "0123456789abc - - [d z] \"GET /robots.txt x";
  m.Feed(line.data(), line.size());
  LongLineMatcher::Verdict v = m.Finish();
  EXPECT_EQ(v.kind, Kind::kMatch);
  EXPECT_TRUE(v.key_too_long);
}

TEST(LongLineMatcherTest, KeyOfExactlyTheLimitIsKept) {
  const Query query;
  LongLineMatcher m(query, 8);
  const std::string line = "01234567 - - [d z] \"GET /robots.txt x";
  m.Feed(line.data(), 3);
  m.Feed(line.data() + 3, line.size() - 3);
  LongLineMatcher::Verdict v = m.Finish();
  EXPECT_EQ(v.kind, Kind::kMatch);
  EXPECT_FALSE(v.key_too_long);
  EXPECT_EQ(v.key, "01234567");
}

TEST(LongLineMatcherTest, MatchFieldLongerThanTheValueDoesNotMatch) {
  const Query query;
  LongLineMatcher m(query, 1 << 20);
  const std::string head = "h - - [d z] \"GET /robots.txt";
  m.Feed(head.data(), head.size());
  const std::string more(1 << 16, 'x');
  m.Feed(more.data(), more.size());
  EXPECT_EQ(m.Finish().kind, Kind::kNoMatch);
}

}  // namespace
}  // namespace logsweep::common
