#include "client/cli/query_flags.h"

#include <gtest/gtest.h>

#include "common/base/time_text.h"

namespace logsweep::client {
namespace {

TEST(QueryFlagsTest, NoPredicateIsTheHeadlineQuery) {
  auto q = BuildQuery(QueryFlags{}, 0);
  ASSERT_TRUE(q.ok());
  EXPECT_TRUE(q->IsHeadline());
  EXPECT_EQ(q->match_value, "/robots.txt");
  EXPECT_EQ(common::QueryText(*q), "--path /robots.txt");
}

TEST(QueryFlagsTest, AnyPredicateDropsTheDefaultPath) {
  QueryFlags f;
  f.statuses = {"4xx"};
  auto q = BuildQuery(f, 0);
  ASSERT_TRUE(q.ok());
  EXPECT_TRUE(q->match_value.empty());
  EXPECT_FALSE(q->IsHeadline());
  EXPECT_EQ(common::QueryText(*q), "--status 4xx");
}

TEST(QueryFlagsTest, TextFormIsTheFlagsThatAskIt) {
  QueryFlags f;
  f.paths = {"/wp-login.php", "/xmlrpc.php", "/wp-login.php"};
  f.statuses = {"404,500-599"};
  f.methods = {"GET,POST"};
  f.path_regex = "\\.php$";
  f.since = "2026-10-01T02:00:00+02:00";
  f.until = "-1d";
  f.key = 7;
  auto q = BuildQuery(f, 1'800'000'000);
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  EXPECT_EQ(q->more_values.size(), 1u);  // the repeated path once
  EXPECT_EQ(common::QueryText(*q),
            "--path /wp-login.php --path /xmlrpc.php --path-regex '\\.php$' "
            "--status 404 --status 5xx --method GET --method POST "
            "--since 2026-10-01T00:00:00Z --until " +
                common::FormatIsoUtc(1'800'000'000 - 86400) + " --key 7");
}

TEST(QueryFlagsTest, FieldMovesMethodTimeAndStatusWithThePath) {
  QueryFlags f;
  f.field = 8;
  f.statuses = {"200"};
  auto q = BuildQuery(f, 0);
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->match_field, 7u);
  EXPECT_EQ(q->method_field, 6u);
  EXPECT_EQ(q->time_field, 4u);
  EXPECT_EQ(q->status_field, 9u);
}

TEST(QueryFlagsTest, NamesTheBadFlag) {
  struct Case {
    QueryFlags flags;
    const char* says;
  };
  QueryFlags regex, since, status, range, field;
  regex.path_regex = "a(";
  since.since = "last tuesday";
  status.statuses = {"4x"};
  range.statuses = {"500-400"};
  field.field = 2;
  field.methods = {"GET"};
  for (const Case& c :
       {Case{regex, "--path-regex 'a('"},
        Case{since, "--since: time 'last tuesday'"},
        Case{status, "--status '4x'"}, Case{range, "--status '500-400'"},
        Case{field, "--field 2"}}) {
    auto q = BuildQuery(c.flags, 0);
    ASSERT_FALSE(q.ok()) << c.says;
    EXPECT_EQ(q.status().code(), common::StatusCode::kInvalidArgument);
    EXPECT_NE(q.status().message().find(c.says), std::string::npos)
        << q.status().message();
  }
}

TEST(QueryFlagsTest, CountCollectsTalliesOfTheSameQuestion) {
  QueryFlags flags;
  flags.count = true;
  auto q = BuildQuery(flags, 0);
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  EXPECT_TRUE(q->count);
  EXPECT_EQ(q->match_value, "/robots.txt");
  EXPECT_FALSE(q->IsHeadline());
  EXPECT_EQ(common::QueryText(*q), "--path /robots.txt --count");
}

}  // namespace
}  // namespace logsweep::client
