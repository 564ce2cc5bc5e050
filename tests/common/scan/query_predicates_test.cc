#include "common/scan/query_predicates.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "common/base/host_set.h"
#include "common/base/scan_stats.h"
#include "common/base/time_text.h"
#include "common/scan/line_matcher.h"

namespace logsweep::common {
namespace {

using Kind = LineMatcher::LineKind;

// A query with no predicate but those the test sets.
Query Empty() {
  Query q;
  q.match_value.clear();
  return q;
}

std::string Line(const std::string& method, const std::string& path,
                 const std::string& status,
                 const std::string& time = "[10/Oct/2000:13:55:36 -0700]") {
  return "1.2.3.4 - - " + time + " " + method + " " + path + " HTTP/1.1\" " +
         status + " 512 \"-\" \"agent\"";
}

Kind Classify(const Query& q, const std::string& line) {
  LineMatcher matcher(q);
  std::string_view key;
  return matcher.MatchLine(line, &key);
}

TEST(LogTimeTest, HonoursTheOffset) {
  int64_t t = 0;
  ASSERT_TRUE(ParseLogTime("[10/Oct/2000:13:55:36", "-0700]", &t));
  EXPECT_EQ(FormatIsoUtc(t), "2000-10-10T20:55:36Z");
  ASSERT_TRUE(ParseLogTime("[01/Jan/2026:00:30:00", "+0545]", &t));
  EXPECT_EQ(FormatIsoUtc(t), "2025-12-31T18:45:00Z");
  ASSERT_TRUE(ParseLogTime("[29/Feb/2024:23:59:59", "+0000]", &t));
  EXPECT_EQ(FormatIsoUtc(t), "2024-02-29T23:59:59Z");
}

TEST(LogTimeTest, RefusesWhatIsNotExactlyTheForm) {
  int64_t t = 0;
  for (auto [date, zone] : std::vector<std::pair<std::string, std::string>>{
           {"[10/oct/2000:13:55:36", "-0700]"},  // month case
           {"[1/Oct/2000:13:55:36", "-0700]"},   // one-digit day
           {"[31/Feb/2026:10:00:00", "+0000]"},  // no such day
           {"[29/Feb/2100:10:00:00", "+0000]"},  // not a leap year
           {"[10/Oct/2000:24:00:00", "+0000]"},  // hour 24
           {"[10/Oct/2000:13:55:36", "+2400]"},  // zone hours
           {"[10/Oct/2000:13:55:36", "+0060]"},  // zone minutes
           {"[10/Oct/2000:13:55:36", "-0700"},   // no bracket
           {"-", "-"}}) {
    EXPECT_FALSE(ParseLogTime(date, zone, &t)) << date << " " << zone;
  }
}

TEST(TimeBoundTest, ReadsIsoDatesOffsetsAndRelativeTimes) {
  const int64_t now = 1'800'000'000;
  EXPECT_EQ(*ParseTimeBound("2026-10-01", now),
            DaysFromCivil(2026, 10, 1) * 86400);
  EXPECT_EQ(*ParseTimeBound("2026-10-01T13:55:36Z", now),
            DaysFromCivil(2026, 10, 1) * 86400 + 13 * 3600 + 55 * 60 + 36);
  EXPECT_EQ(*ParseTimeBound("2026-10-01T13:55:36+02:00", now),
            *ParseTimeBound("2026-10-01T11:55:36Z", now));
  EXPECT_EQ(*ParseTimeBound("2026-10-01T06:55-0700", now),
            *ParseTimeBound("2026-10-01T13:55Z", now));
  EXPECT_EQ(*ParseTimeBound("-7d", now), now - 7 * 86400);
  EXPECT_EQ(*ParseTimeBound("-12h", now), now - 12 * 3600);
  EXPECT_EQ(*ParseTimeBound("-2w", now), now - 14 * 86400);
  EXPECT_EQ(*ParseTimeBound("now", now), now);
  for (const char* bad :
       {"yesterday", "2026-13-01", "2026-02-30", "-7y", "2026-10-01T25:00",
        "2026-10-01Tx", "-d", "2026-10-01+2"}) {
    EXPECT_FALSE(ParseTimeBound(bad, now).ok()) << bad;
  }
}

TEST(QueryPredicatesTest, SinceIsInclusiveAndUntilExclusive) {
  int64_t t = 0;
  ASSERT_TRUE(ParseLogTime("[10/Oct/2000:13:55:36", "-0700]", &t));
  Query q = Empty();
  q.since = t;
  EXPECT_EQ(Classify(q, Line("\"GET", "/a", "200")), Kind::kMatch);
  q.since = t + 1;
  EXPECT_EQ(Classify(q, Line("\"GET", "/a", "200")), Kind::kNoMatch);
  q.since.reset();
  q.until = t;
  EXPECT_EQ(Classify(q, Line("\"GET", "/a", "200")), Kind::kNoMatch);
  q.until = t + 1;
  EXPECT_EQ(Classify(q, Line("\"GET", "/a", "200")), Kind::kMatch);
}

TEST(QueryPredicatesTest, SameInstantInAnyZoneMatchesTheSame) {
  Query q = Empty();
  q.since = *ParseTimeBound("2000-10-10T20:55:36Z", 0);
  q.until = q.since.value() + 1;
  EXPECT_EQ(
      Classify(q, Line("\"GET", "/a", "200", "[10/Oct/2000:13:55:36 -0700]")),
      Kind::kMatch);
  EXPECT_EQ(
      Classify(q, Line("\"GET", "/a", "200", "[11/Oct/2000:02:25:36 +0530]")),
      Kind::kMatch);
  EXPECT_EQ(
      Classify(q, Line("\"GET", "/a", "200", "[10/Oct/2000:20:55:36 +0000]")),
      Kind::kMatch);
  EXPECT_EQ(
      Classify(q, Line("\"GET", "/a", "200", "[10/Oct/2000:20:55:36 +0100]")),
      Kind::kNoMatch);
}

TEST(QueryPredicatesTest, StatusCodesClassesAndRanges) {
  Query q = Empty();
  q.statuses = {{404, 404}, {500, 599}};
  EXPECT_EQ(Classify(q, Line("\"GET", "/a", "404")), Kind::kMatch);
  EXPECT_EQ(Classify(q, Line("\"GET", "/a", "0404")), Kind::kMatch);
  EXPECT_EQ(Classify(q, Line("\"GET", "/a", "503")), Kind::kMatch);
  EXPECT_EQ(Classify(q, Line("\"GET", "/a", "403")), Kind::kNoMatch);
  EXPECT_EQ(Classify(q, Line("\"GET", "/a", "-")), Kind::kUnreadableStatus);
  EXPECT_EQ(Classify(q, Line("\"GET", "/a", "40x")), Kind::kUnreadableStatus);
  EXPECT_EQ(Classify(q, Line("\"GET", "/a", "1234567890")),
            Kind::kUnreadableStatus);
}

TEST(QueryPredicatesTest, MethodWithoutItsQuoteAndMissingMethods) {
  Query q = Empty();
  q.methods = {"POST"};
  EXPECT_EQ(Classify(q, Line("\"POST", "/a", "200")), Kind::kMatch);
  EXPECT_EQ(Classify(q, Line("\"GET", "/a", "200")), Kind::kNoMatch);
  EXPECT_EQ(Classify(q, Line("\"post", "/a", "200")), Kind::kNoMatch);
  // A "-" request has no method (nor path: the fields shift).
  EXPECT_EQ(Classify(q,
                     "1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] \"-\" 400 "
                     "0 \"-\" \"-\""),
            Kind::kUnreadableMethod);
  EXPECT_EQ(Classify(q, Line("POST", "/a", "200")), Kind::kUnreadableMethod);
}

TEST(QueryPredicatesTest, UnreadableOnlyAfterThePathHeld) {
  Query q = Empty();
  q.match_value = "/a";
  q.statuses = {{200, 200}};
  EXPECT_EQ(Classify(q, Line("\"GET", "/b", "-")), Kind::kNoMatch);
  EXPECT_EQ(Classify(q, Line("\"GET", "/a", "-")), Kind::kUnreadableStatus);
}

TEST(QueryPredicatesTest, QueryStringsAndEachPathPredicate) {
  const std::string with_query = Line("\"GET", "/robots.txt?x=1", "200");
  Query exact = Empty();
  exact.match_value = "/robots.txt";
  exact.more_values = {"/robots.txt"};  // overlapping values
  EXPECT_EQ(Classify(exact, with_query), Kind::kNoMatch);
  Query prefix = Empty();
  prefix.path_prefix = "/robots.txt";
  EXPECT_EQ(Classify(prefix, with_query), Kind::kMatch);
  Query anchored = Empty();
  anchored.path_regex = "^/robots\\.txt$";
  EXPECT_EQ(Classify(anchored, with_query), Kind::kNoMatch);
  Query loose = Empty();
  loose.path_regex = "^/robots\\.txt";
  EXPECT_EQ(Classify(loose, with_query), Kind::kMatch);
}

TEST(QueryPredicatesTest, RegexMatchingTheEmptyStringMatchesEveryPath) {
  Query q = Empty();
  q.path_regex = "x*";
  EXPECT_EQ(Classify(q, Line("\"GET", "/anything", "200")), Kind::kMatch);
  q.path_regex = "^$";  // a field is never empty
  EXPECT_EQ(Classify(q, Line("\"GET", "/anything", "200")), Kind::kNoMatch);
}

TEST(QueryPredicatesTest, RegexReadsBytesNotUtf8) {
  Query q = Empty();
  q.path_regex = "^/caf\\xe9$";
  EXPECT_EQ(Classify(q, Line("\"GET", "/caf\xe9", "200")), Kind::kMatch);
  q.path_regex = "^/.$";
  EXPECT_EQ(Classify(q, Line("\"GET", "/\xff", "200")), Kind::kMatch);
}

TEST(RegexLiteralTest, TakesOnlyWhatEveryMatchHolds) {
  struct Case {
    const char* pattern;
    const char* literal;
  };
  for (const Case& c : std::vector<Case>{
           {"^/admin/", "/admin/"},
           {"\\.php$", ".php"},
           {"^/robots\\.txt$", "/robots.txt"},
           {"^/(wp-login|xmlrpc)\\.php", ".php"},
           {"admin|env", ""},
           {"(?i)^/admin", ""},
           {"ab*", "a"},
           {"abc?d", "ab"},
           {"xa{2}y", "x"},
           {"a{2", "2"},
           {"[0-9]+$", ""},
           {"users/\\d+", "users/"},
           {"\\x41bc", ""},
           {"\\Q|\\E", ""},
           {"a[|]b", "a"},
       }) {
    EXPECT_EQ(QueryPredicates::RegexLiteral(c.pattern), c.literal) << c.pattern;
  }
}

TEST(ValidateQueryTest, NamesEachBadPart) {
  Query q = Empty();
  q.path_regex = "(unclosed";
  Status s = ValidateQuery(q);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("--path-regex '(unclosed'"), std::string::npos)
      << s.message();

  q.path_regex = std::string(kMaxRegexBytes + 1, 'a');
  s = ValidateQuery(q);
  EXPECT_NE(s.message().find("over 4096 bytes"), std::string::npos)
      << s.message();

  q.path_regex = "(a{1000}){1000}";  // small text, huge program
  s = ValidateQuery(q);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("--path-regex"), std::string::npos) << s.message();

  q = Empty();
  q.since = 10;
  q.until = 10;
  EXPECT_NE(ValidateQuery(q).message().find("is not before --until"),
            std::string::npos);

  q = Empty();
  q.methods = {"GE T"};
  EXPECT_EQ(ValidateQuery(q).code(), StatusCode::kInvalidArgument);
  q.methods = {"GET"};
  EXPECT_TRUE(ValidateQuery(q).ok());
}

TEST(GeneralScanTest, CountsUnreadableLinesByName) {
  Query q = Empty();
  q.match_value = "/a";
  q.statuses = {{200, 200}};
  q.methods = {"GET"};
  q.since = 0;
  const std::string text =
      Line("\"GET", "/a", "200") + "\n" + Line("\"GET", "/a", "-") + "\n" +
      Line("\"-\"", "/a", "200") + "\n" +
      Line("\"GET", "/a", "200", "[xx/Oct/2000:13:55:36 -0700]") + "\n" +
      Line("\"GET", "/b", "-") + "\nshort /a\nshort\n";
  LineMatcher matcher(q);
  HostSet hosts;
  ScanStats stats;
  matcher.ScanLines(text, hosts, stats);
  EXPECT_EQ(stats.lines, 7u);
  EXPECT_EQ(stats.matches, 1u);
  EXPECT_EQ(stats.unreadable_status, 1u);
  EXPECT_EQ(stats.unreadable_method, 1u);
  EXPECT_EQ(stats.unreadable_time, 1u);
  EXPECT_EQ(stats.malformed, 1u);  // the short line holding "/a"
  EXPECT_TRUE(hosts.Contains("1.2.3.4"));
}

TEST(GeneralScanTest, EveryLineAndLiteralPathsAgree) {
  // A query with a literal (the prefix) and the same without one (a
  // pattern): the search for the literal must not change any count.
  std::string text;
  for (int i = 0; i < 500; ++i) {
    text +=
        Line(i % 3 ? "\"GET" : "\"POST",
             i % 7 ? "/x/" + std::to_string(i) : "/admin/" + std::to_string(i),
             i % 5 ? "200" : "-") +
        "\n";
  }
  Query with_literal = Empty();
  with_literal.path_prefix = "/admin/";
  with_literal.statuses = {{200, 299}};
  Query without = Empty();
  without.path_regex = "^(/admin/)";
  without.statuses = {{200, 299}};
  ASSERT_EQ(LineMatcher(without).literal(), "");
  ScanStats a, b;
  HostSet ha, hb;
  LineMatcher(with_literal).ScanLines(text, ha, a);
  LineMatcher(without).ScanLines(text, hb, b);
  EXPECT_EQ(a.matches, b.matches);
  EXPECT_EQ(a.unreadable_status, b.unreadable_status);
  EXPECT_EQ(a.lines, b.lines);
  EXPECT_GT(a.matches, 0u);
  EXPECT_GT(a.unreadable_status, 0u);
}

TEST(RequiredLiteralsTest, SeveralValuesLessEachThatHoldsAnother) {
  Query q = Empty();
  q.match_value = "/a/b";
  q.more_values = {"/c", "/a", "/a/b", "/xx/c"};
  EXPECT_EQ(QueryPredicates::RequiredLiterals(q),
            (std::vector<std::string>{"/c", "/a"}));
  EXPECT_EQ(QueryPredicates::RequiredLiteral(q), "");
  // The same value twice is one value: the headline literal.
  q.more_values = {"/a/b"};
  EXPECT_EQ(QueryPredicates::RequiredLiteral(q), "/a/b");
  EXPECT_EQ(QueryPredicates::RequiredLiterals(q),
            (std::vector<std::string>{"/a/b"}));
}

// Scans `text` with the query and checks hosts, matches, lines and
// malformed lines against a reference that splits every line here.
void ExpectSeveralPathsExact(const std::vector<std::string>& paths,
                             const std::string& text) {
  Query q = Empty();
  q.match_value = paths.front();
  q.more_values.assign(paths.begin() + 1, paths.end());
  ScanStats got;
  HostSet hosts;
  LineMatcher(q).ScanLines(text, hosts, got);
  uint64_t lines = 0, matches = 0, malformed = 0;
  std::vector<std::string> want;
  size_t at = 0;
  while (at < text.size()) {
    size_t nl = text.find('\n', at);
    if (nl == std::string::npos) nl = text.size();
    const std::string line = text.substr(at, nl - at);
    at = nl + 1;
    ++lines;
    std::vector<std::string> fields;
    for (size_t i = 0; i < line.size();) {
      while (i < line.size() && line[i] == ' ') ++i;
      size_t j = i;
      while (j < line.size() && line[j] != ' ') ++j;
      if (j > i) fields.push_back(line.substr(i, j - i));
      i = j;
    }
    bool holds = false;
    for (const std::string& p : paths) {
      holds = holds || line.find(p) != std::string::npos;
    }
    if (fields.size() < 7) {
      malformed += holds ? 1 : 0;
    } else if (std::find(paths.begin(), paths.end(), fields[6]) !=
               paths.end()) {
      ++matches;
      want.push_back(fields[0]);
    }
  }
  std::sort(want.begin(), want.end());
  want.erase(std::unique(want.begin(), want.end()), want.end());
  const std::string which = ::testing::PrintToString(paths);
  EXPECT_EQ(hosts.Sorted(), want) << which;
  EXPECT_EQ(got.matches, matches) << which;
  EXPECT_EQ(got.lines, lines) << which;
  EXPECT_EQ(got.malformed, malformed) << which;
}

TEST(GeneralScanTest, SeveralPathsFindEveryLineHoldingAnyOfThem) {
  // Values, near misses (a query string, a longer name, a prefix), values
  // in another field (the referrer), and short lines with and without a
  // value: every count must equal a reference that splits every line.
  const std::vector<std::string> asked = {
      "/wp-login.php", "/xmlrpc.php", "/.env", "/.env.bak", "/a",
      "/a/b",          "/.en",        "/x",    "/"};
  std::string text;
  for (int i = 0; i < 3000; ++i) {
    const std::string path = i % 11 == 0   ? "/xmlrpc.php?x=1"
                             : i % 13 == 0 ? "/.envx"
                                           : asked[(i * 7) % asked.size()];
    const std::string host = "10.0." + std::to_string(i % 200) + ".1";
    if (i % 17 == 0) {
      text += host + " - " + path + "\n";  // too few fields
    } else if (i % 19 == 0) {
      text += host + " - - [t] \"GET /other HTTP/1.1\" 200 5 \"" + path +
              "\" \"agent\"\n";
    } else {
      text += host + " - - [t] \"GET " + path + " HTTP/1.1\" 200 5\n";
    }
  }
  text.pop_back();  // a last line without its newline
  ExpectSeveralPathsExact({"/wp-login.php", "/xmlrpc.php", "/.env"}, text);
  // Overlapping values: the same one twice, one a prefix of another.
  ExpectSeveralPathsExact({"/.env", "/.env", "/xmlrpc.php"}, text);
  ExpectSeveralPathsExact({"/.env.bak", "/.env", "/a/b", "/a"}, text);
  // One byte, and more values than are searched in one pass (9 > 8).
  ExpectSeveralPathsExact({"/", "/x"}, text);
  ExpectSeveralPathsExact(asked, text);  // all hold "/": one literal
  ExpectSeveralPathsExact({"/wp-login.php", "/xmlrpc.php", "/.env", "/a", "/q1",
                           "/q2", "/q3", "/q4", "/q5"},
                          text);
}

// Lines of host `host` asking for `path` at `time` (a log's time fields).
std::string TimedLine(const std::string& host, const std::string& path,
                      const std::string& time) {
  return host + " - - " + time + " \"GET " + path + " HTTP/1.1\" 200 5\n";
}

TEST(CountScanTest, TalliesEachMatchWithFirstAndLastTimeInAnyZone) {
  // Host a: three matches, 13:55:36 -0700 (20:55:36Z) the latest, 22:00
  // +0200 (20:00Z) the earliest; host b: one match whose time cannot be
  // read (it counts, untimed) and one at 20:30Z; host c: only untimed.
  // Non-matching lines between them, so both the candidate search and
  // (when most lines are candidates) the every-line scan are used.
  const std::string text =
      TimedLine("a", "/x", "[10/Oct/2000:13:55:36 -0700]") +
      TimedLine("a", "/other", "[10/Oct/2000:23:59:59 +0000]") +
      TimedLine("b", "/y", "[10/Oct/2000:20:30:00 -0000]") +
      TimedLine("a", "/x", "[10/Oct/2000:22:00:00 +0200]") +
      TimedLine("b", "/x", "[10/Foo/2000:20:30:00 -0000]") +
      TimedLine("c", "/y", "- -") +
      TimedLine("a", "/y", "[10/Oct/2000:20:10:00 +0000]") + "short /x\n";
  Query q = Empty();
  q.match_value = "/x";
  q.more_values = {"/y"};
  q.count = true;
  for (int copies : {1, 200}) {
    std::string many;
    for (int i = 0; i < copies; ++i) many += text;
    HostCounts counts;
    ScanStats stats;
    LineMatcher(q).ScanLines(many, counts, stats);
    const uint64_t n = static_cast<uint64_t>(copies);
    const int64_t day = DaysFromCivil(2000, 10, 10) * 86400;
    ASSERT_EQ(counts.size(), 3u) << copies;
    EXPECT_EQ(*counts.Find("a"), (HostTally{3 * n, day + 20 * 3600,
                                            day + 20 * 3600 + 55 * 60 + 36}))
        << copies;
    EXPECT_EQ(*counts.Find("b"), (HostTally{2 * n, day + 20 * 3600 + 30 * 60,
                                            day + 20 * 3600 + 30 * 60}))
        << copies;
    EXPECT_EQ(*counts.Find("c"), (HostTally{n, std::nullopt, std::nullopt}))
        << copies;
    EXPECT_EQ(stats.matches, 6 * n) << copies;
    EXPECT_EQ(stats.untimed_matches, 2 * n) << copies;
    EXPECT_EQ(stats.unreadable_time, 0u) << copies;
    EXPECT_EQ(stats.malformed, n) << copies;
    EXPECT_EQ(stats.lines, 8 * n) << copies;
  }
}

TEST(CountScanTest, CountsAgreeWithTheHostSetOfTheSameQuery) {
  std::string text;
  for (int i = 0; i < 2000; ++i) {
    text += TimedLine(
        "10.0.0." + std::to_string(i % 37),
        i % 9 == 0 ? "/robots.txt" : "/index.html",
        "[10/Oct/2000:13:55:" + std::to_string(10 + i % 50) + " -0700]");
  }
  Query hosts_query;  // the headline query
  Query count_query;
  count_query.count = true;
  HostSet hosts;
  ScanStats host_stats, count_stats;
  LineMatcher(hosts_query).ScanLines(text, hosts, host_stats);
  HostCounts counts;
  LineMatcher(count_query).ScanLines(text, counts, count_stats);
  std::vector<std::string> counted;
  uint64_t total = 0;
  for (const auto& [host, tally] : counts.SortedByHost()) {
    counted.push_back(host);
    total += tally.count;
  }
  EXPECT_EQ(counted, hosts.Sorted());
  EXPECT_EQ(total, host_stats.matches);
  EXPECT_EQ(count_stats.matches, host_stats.matches);
  EXPECT_EQ(count_stats.lines, host_stats.lines);
  EXPECT_EQ(count_stats.untimed_matches, 0u);
}

TEST(CountScanTest, HeadlineFastPathCountsAsTheGeneralPathDoes) {
  // The headline question with --count takes the headline's fast path and
  // splits only a match for its time; the same question asked as a
  // general query (the value given twice) splits every candidate. Times in
  // several zones, unreadable ones, long hosts (the 128-byte window) and
  // short lines: the tallies and counts must be the same.
  std::string text;
  for (int i = 0; i < 3000; ++i) {
    const std::string host = i % 11 == 0
                                 ? std::string(90, 'h') + std::to_string(i % 5)
                                 : "10.1." + std::to_string(i % 13) + ".9";
    const std::string time =
        i % 17 == 0 ? "[10/Oct/2000:25:00:00 +0000]"
                    : "[" + std::to_string(10 + i % 19) + "/Oct/2000:0" +
                          std::to_string(i % 10) + ":00:00 " +
                          (i % 2 ? "+0530]" : "-0800]");
    const std::string path = i % 4 == 0   ? "/robots.txt"
                             : i % 4 == 1 ? "/robots.txt?x"
                                          : "/a";
    if (i % 29 == 0) {
      text += host + " /robots.txt\n";
    } else {
      text += TimedLine(host, path, time);
    }
  }
  Query fast;
  fast.count = true;
  Query general = fast;
  general.more_values = {"/robots.txt"};
  ASSERT_EQ(LineMatcher(fast).predicates(), nullptr);
  ASSERT_NE(LineMatcher(general).predicates(), nullptr);
  HostCounts a, b;
  ScanStats sa, sb;
  LineMatcher(fast).ScanLines(text, a, sa);
  LineMatcher(general).ScanLines(text, b, sb);
  EXPECT_EQ(a.SortedByHost(), b.SortedByHost());
  EXPECT_EQ(sa, sb);
  EXPECT_GT(sa.untimed_matches, 0u);
  EXPECT_GT(sa.malformed, 0u);
}

}  // namespace
}  // namespace logsweep::common
