#include "common/scan/line_matcher.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace logsweep::common {
namespace {

using Kind = LineMatcher::LineKind;

struct Case {
  const char* name;
  std::string line;
  Kind kind;
  std::string key;
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

class LineMatcherCaseTest : public ::testing::TestWithParam<Case> {};

TEST_P(LineMatcherCaseTest, ClassifiesLineLikePythonSplit) {
  const Case& c = GetParam();
  LineMatcher matcher{Query{}};
  std::string_view key;
  EXPECT_EQ(matcher.MatchLine(c.line, &key), c.kind) << c.name;
  if (c.kind == Kind::kMatch) {
    EXPECT_EQ(key, c.key) << c.name;
  }
}

const char kGet[] = "1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] \"GET ";

INSTANTIATE_TEST_SUITE_P(
    Lines, LineMatcherCaseTest,
    ::testing::Values(
        Case{"plain", std::string(kGet) + "/robots.txt HTTP/1.0\" 200 1",
             Kind::kMatch, "1.2.3.4"},
        Case{"tabs", "h1\t-\t-\t[d\tz]\t\"GET\t/robots.txt\tHTTP/1.0\"",
             Kind::kMatch, "h1"},
        Case{"runs of spaces", "  h2   -  - [d    z] \"GET     /robots.txt  x",
             Kind::kMatch, "h2"},
        Case{"crlf ending", "h3 - - [d z] \"GET /robots.txt\r", Kind::kMatch,
             "h3"},
        Case{"vertical tab and form feed", "h4\v-\f- [d z] \"GET /robots.txt",
             Kind::kMatch, "h4"},
        Case{"ipv6 host", "2001:db8::1 - - [d z] \"GET /robots.txt HTTP/1.1\"",
             Kind::kMatch, "2001:db8::1"},
        Case{"non-ascii bytes", "h\xff\xfe - - [d z] \"GET /robots.txt \xc3",
             Kind::kMatch, "h\xff\xfe"},
        Case{"query string", std::string(kGet) + "/robots.txt?x=1 HTTP/1.0\"",
             Kind::kNoMatch, ""},
        Case{"backup suffix", std::string(kGet) + "/robots.txt.bak HTTP/1.0\"",
             Kind::kNoMatch, ""},
        Case{"upper case", std::string(kGet) + "/ROBOTS.TXT HTTP/1.0\"",
             Kind::kNoMatch, ""},
        Case{"trailing slash", std::string(kGet) + "/robots.txt/ HTTP/1.0\"",
             Kind::kNoMatch, ""},
        Case{"only in user agent",
             std::string(kGet) + "/ HTTP/1.0\" 200 1 \"-\" \"/robots.txt\"",
             Kind::kNoMatch, ""},
        Case{"exactly seven fields", "a b c d e f /robots.txt", Kind::kMatch,
             "a"},
        Case{"six fields", "a b c d e /robots.txt", Kind::kMalformed, ""},
        Case{"empty line", "", Kind::kMalformed, ""},
        Case{"only spaces", " \t \r", Kind::kMalformed, ""},
        Case{"carriage return alone splits", "a b c d e f\r/robots.txt",
             Kind::kMatch, "a"}),
    [](const ::testing::TestParamInfo<Case>& info) {
      std::string name = info.param.name;
      for (char& ch : name) {
        if (!isalnum(static_cast<unsigned char>(ch))) ch = '_';
      }
      return name;
    });

TEST(LineMatcherTest, CustomQueryMatchesOtherFields) {
  Query q;
  q.key_field = 2;
  q.match_field = 0;
  q.match_value = "x";
  LineMatcher matcher(q);
  std::string_view key;
  EXPECT_EQ(matcher.MatchLine("x y zed", &key), Kind::kMatch);
  EXPECT_EQ(key, "zed");
  // The key field is missing: the line is malformed, not a match.
  EXPECT_EQ(matcher.MatchLine("x y", &key), Kind::kMalformed);
}

TEST(LineMatcherTest, ValueWithWhitespaceNeverMatches) {
  Query q;
  q.match_value = "/robots.txt HTTP/1.0\"";
  LineMatcher matcher(q);
  HostSet hosts;
  ScanStats stats;
  std::string line =
      "1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] \"GET /robots.txt "
      "HTTP/1.0\" 200 2326 \"-\" \"Mozilla/5.0 (X11; Linux x86_64)\"\n";
  matcher.ScanLines(line + line, hosts, stats);
  EXPECT_EQ(stats.matches, 0u);
  EXPECT_EQ(stats.lines, 2u);
}

TEST(LineMatcherTest, ScanLinesCountsLinesMatchesAndMalformed) {
  LineMatcher matcher{Query{}};
  HostSet hosts;
  ScanStats stats;
  matcher.ScanLines(
      "a b c d e f /robots.txt\n"
      "short line\n"
      "\n"
      "b b c d e f /robots.txt\r\n"
      "a b c d e f /robots.txt\n"
      "c b c d e f /other\n"
      "too short /robots.txt\n"
      "d b c d e f /robots.txt",  // last line without a newline still counts
      hosts, stats);
  EXPECT_EQ(stats.lines, 8u);
  EXPECT_EQ(stats.matches, 4u);
  EXPECT_EQ(stats.malformed, 1u);
  EXPECT_EQ(hosts.Sorted(), (std::vector<std::string>{"a", "b", "d"}));
}

// Only lines that contain the value are split: a short line without it is
// not worth inspecting and is not counted malformed.
TEST(LineMatcherTest, MalformedCountsOnlyShortLinesHoldingTheValue) {
  LineMatcher matcher{Query{}};
  HostSet hosts;
  ScanStats stats;
  matcher.ScanLines("short line\n\x01\x02\n/robots.txt\n", hosts, stats);
  EXPECT_EQ(stats.lines, 3u);
  EXPECT_EQ(stats.malformed, 1u);
  EXPECT_EQ(stats.matches, 0u);
}

TEST(LineMatcherTest, ValueInAnotherFieldIsNotAMatch) {
  LineMatcher matcher{Query{}};
  HostSet hosts;
  ScanStats stats;
  matcher.ScanLines(
      "/robots.txt b c d e f /index.html \"http://x/robots.txt\"\n"
      "h b c d e /robots.txt /robots.txt\n"  // value in field 5 and 6
      "g b c d e f /robots.txt.bak /robots.txt\n",
      hosts, stats);
  EXPECT_EQ(stats.lines, 3u);
  EXPECT_EQ(stats.matches, 1u);
  EXPECT_EQ(hosts.Sorted(), std::vector<std::string>{"h"});
}

// An empty value is no path test at all (issue 17): every line with enough
// fields matches, and every short one is malformed.
TEST(LineMatcherTest, EmptyValueMatchesEveryLongEnoughLine) {
  Query q;
  q.match_value = "";
  LineMatcher matcher(q);
  HostSet hosts;
  ScanStats stats;
  matcher.ScanLines("short\na b c d e f g\n\n", hosts, stats);
  EXPECT_EQ(stats.lines, 3u);
  EXPECT_EQ(stats.malformed, 2u);
  EXPECT_EQ(stats.matches, 1u);
  EXPECT_EQ(hosts.Sorted(), std::vector<std::string>{"a"});
}

TEST(LineMatcherTest, ValueWithNewlineNeverOccursInALine) {
  Query q;
  q.match_value = "x\ny";
  LineMatcher matcher(q);
  HostSet hosts;
  ScanStats stats;
  matcher.ScanLines("a x\ny b\n", hosts, stats);
  EXPECT_EQ(stats.lines, 2u);
  EXPECT_EQ(stats.malformed, 0u);
  EXPECT_EQ(stats.matches, 0u);
}

// The fast paths (candidate search, then a 64-byte SIMD window) must agree
// with the plain splitter applied to every line that holds the value:
// random fields, separators and lengths around the window.
TEST(LineMatcherTest, ScanLinesAgreesWithMatchLineOnRandomLines) {
  std::mt19937 rng(12345);
  const std::vector<std::string> tokens = {"/robots.txt",
                                           "/robots.txt?x",
                                           "/robots.tx",
                                           "x/robots.txt",
                                           "-",
                                           "GET",
                                           "\"GET",
                                           "1.2.3.4",
                                           "2001:db8::ff",
                                           "h\xff",
                                           std::string(40, 'a'),
                                           std::string(70, 'b'),
                                           ""};
  const std::vector<std::string> seps = {" ",    "  ", "\t",    "\r",
                                         " \v ", "\f", "\t\t\t"};
  for (uint32_t match_field : {6u, 0u, 2u, 9u}) {
    for (uint32_t key_field : {0u, 3u, 8u}) {
      Query q;
      q.match_field = match_field;
      q.key_field = key_field;
      LineMatcher matcher(q);
      std::string text;
      for (int i = 0; i < 3000; ++i) {
        if (rng() % 5 == 0) text += seps[rng() % seps.size()];
        int fields = static_cast<int>(rng() % 11);
        for (int f = 0; f < fields; ++f) {
          if (f > 0) text += seps[rng() % seps.size()];
          text += tokens[rng() % tokens.size()];
        }
        if (rng() % 4 == 0) text += seps[rng() % seps.size()];
        text += '\n';
      }
      HostSet fast_hosts;
      ScanStats fast;
      matcher.ScanLines(text, fast_hosts, fast);
      HostSet slow_hosts;
      ScanStats slow;
      size_t start = 0;
      while (start < text.size()) {
        size_t nl = text.find('\n', start);
        std::string_view line =
            std::string_view(text).substr(start, nl - start);
        std::string_view key;
        Kind kind = line.find(q.match_value) == std::string_view::npos
                        ? Kind::kNoMatch
                        : matcher.MatchLine(line, &key);
        switch (kind) {
          case Kind::kMatch:
            ++slow.matches;
            slow_hosts.Insert(key);
            break;
          case Kind::kMalformed:
            ++slow.malformed;
            break;
          default:  // the headline query reads no status, method or time
            break;
        }
        ++slow.lines;
        start = nl + 1;
      }
      SCOPED_TRACE("match_field " + std::to_string(match_field) +
                   " key_field " + std::to_string(key_field));
      EXPECT_EQ(fast, slow);
      EXPECT_EQ(fast_hosts.Sorted(), slow_hosts.Sorted());
      EXPECT_GT(slow.matches + slow.malformed, 0u);
    }
  }
}

// ScanLines (bulk line count, candidate search) against ScanEveryLine (one
// line at a time) for several values, on random pieces of the text that
// start at a line start and end at a line end or anywhere (the end of a
// stream without a final newline), as the scanner's buffer refills do.
TEST(LineMatcherTest, ScanLinesAgreesWithScanEveryLineOnRandomPieces) {
  std::mt19937 rng(2024);
  const std::vector<std::string> tokens = {"/robots.txt",
                                           "/robots.txt\"",
                                           "x/robots.txt",
                                           "/robots.tx",
                                           "GET",
                                           "-",
                                           "ab",
                                           "a",
                                           "b",
                                           "\xff\xfe",
                                           std::string(70, 'a'),
                                           "1.2.3.4"};
  const std::vector<std::string> seps = {" ", "\t", "\r", " \v\f ", "  "};
  for (const std::string& value :
       {std::string("/robots.txt"), std::string("a"), std::string("ab"),
        std::string("-"), std::string("\xff\xfe")}) {
    for (uint32_t match_field : {6u, 1u}) {
      Query q;
      q.match_field = match_field;
      q.key_field = match_field == 6 ? 0 : 3;
      q.match_value = value;
      LineMatcher matcher(q);
      std::string text;
      std::vector<size_t> line_starts;
      for (int i = 0; i < 2000; ++i) {
        line_starts.push_back(text.size());
        int fields = static_cast<int>(rng() % 10);
        for (int f = 0; f < fields; ++f) {
          if (f > 0 || rng() % 5 == 0) text += seps[rng() % seps.size()];
          text += tokens[rng() % tokens.size()];
        }
        text += '\n';
      }
      for (int piece = 0; piece < 200; ++piece) {
        size_t begin = line_starts[rng() % line_starts.size()];
        size_t end =
            begin + rng() % std::min<size_t>(3000, text.size() - begin + 1);
        std::string_view view =
            std::string_view(text).substr(begin, end - begin);
        HostSet fast_hosts, slow_hosts;
        ScanStats fast, slow;
        matcher.ScanLines(view, fast_hosts, fast);
        matcher.ScanEveryLine(view, slow_hosts, slow);
        // And both against MatchLine on each line that holds the value.
        HostSet ref_hosts;
        ScanStats ref;
        for (size_t start = 0; start < view.size();) {
          size_t nl = view.find('\n', start);
          std::string_view line = view.substr(start, nl - start);
          std::string_view key;
          if (line.find(value) != std::string_view::npos) {
            switch (matcher.MatchLine(line, &key)) {
              case Kind::kMatch:
                ++ref.matches;
                ref_hosts.Insert(key);
                break;
              case Kind::kMalformed:
                ++ref.malformed;
                break;
              default:
                break;
            }
          }
          ++ref.lines;
          start = nl == std::string_view::npos ? view.size() : nl + 1;
        }
        SCOPED_TRACE("value '" + value + "' match_field " +
                     std::to_string(match_field) + " piece " +
                     std::to_string(begin) + ".." + std::to_string(end));
        ASSERT_EQ(fast, slow);
        ASSERT_EQ(fast, ref);
        ASSERT_EQ(fast_hosts.Sorted(), slow_hosts.Sorted());
        ASSERT_EQ(fast_hosts.Sorted(), ref_hosts.Sorted());
      }
    }
  }
}

}  // namespace
}  // namespace logsweep::common
