#include "common/base/host_counts.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace logsweep::common {
namespace {

std::vector<std::string> Hosts(const std::vector<HostCounts::Entry>& entries) {
  std::vector<std::string> out;
  for (const auto& e : entries) out.push_back(e.first);
  return out;
}

TEST(HostCountsTest, MergeAddsCountsAndTakesMinFirstMaxLast) {
  HostCounts a;
  a.AddLine("h", 200);
  a.AddLine("h", 100);
  HostCounts b;
  b.AddLine("h", 50);
  b.AddLine("h", 300);
  b.AddLine("h", 150);
  b.AddLine("g", 7);
  a.Merge(b);
  const HostTally* h = a.Find("h");
  ASSERT_NE(h, nullptr);
  EXPECT_EQ(h->count, 5u);
  EXPECT_EQ(h->first, 50);
  EXPECT_EQ(h->last, 300);
  ASSERT_NE(a.Find("g"), nullptr);
  EXPECT_EQ(a.Find("g")->count, 1u);
  EXPECT_EQ(a.Find("x"), nullptr);
}

TEST(HostCountsTest, LineWithoutATimeCountsButItsTimeIsNotUsed) {
  HostCounts c;
  c.AddLine("h", std::nullopt);
  EXPECT_EQ(c.Find("h")->count, 1u);
  EXPECT_FALSE(c.Find("h")->first.has_value());
  EXPECT_FALSE(c.Find("h")->last.has_value());
  c.AddLine("h", 40);
  c.AddLine("h", std::nullopt);
  EXPECT_EQ(*c.Find("h"), (HostTally{3, 40, 40}));
  // Merging a tally without times keeps the times there are.
  HostCounts d;
  d.AddLine("h", std::nullopt);
  d.Merge(c);
  EXPECT_EQ(*d.Find("h"), (HostTally{4, 40, 40}));
}

TEST(HostCountsTest, MergeIsNotIdempotent) {
  // Unlike a host set, merging the same partial twice counts it twice:
  // each file's tallies must be merged once (the tracker's job).
  HostCounts a, b;
  b.AddLine("h", 1);
  a.Merge(b);
  a.Merge(b);
  EXPECT_EQ(a.Find("h")->count, 2u);
}

TEST(HostCountsTest, SortedByHostIsBytewise) {
  HostCounts c;
  for (const char* h : {"b", "B", "a", "\xc3\xa9", "10.0.0.2", "10.0.0.10"}) {
    c.AddLine(h, std::nullopt);
  }
  EXPECT_EQ(Hosts(c.SortedByHost()),
            (std::vector<std::string>{"10.0.0.10", "10.0.0.2", "B", "a", "b",
                                      "\xc3\xa9"}));
}

TEST(HostCountsTest, TopSortsByCountDescendingThenHostAndKeepsN) {
  HostCounts c;
  const std::vector<std::pair<std::string, int>> lines = {
      {"c", 2}, {"a", 2}, {"b", 5}, {"d", 1}, {"e", 2}};
  for (const auto& [host, n] : lines) {
    for (int i = 0; i < n; ++i) c.AddLine(host, i);
  }
  EXPECT_EQ(Hosts(c.Top(3)), (std::vector<std::string>{"b", "a", "c"}));
  EXPECT_EQ(Hosts(c.Top(100)),
            (std::vector<std::string>{"b", "a", "c", "e", "d"}));
  EXPECT_TRUE(c.Top(0).empty());
}

}  // namespace
}  // namespace logsweep::common
