#include "common/base/host_set.h"

#include <gtest/gtest.h>

namespace logsweep::common {
namespace {

TEST(HostSetTest, MergeIsUnionAndIdempotent) {
  HostSet a;
  a.Insert("x");
  a.Insert("y");
  HostSet b;
  b.Insert("y");
  b.Insert("z");
  a.Merge(b);
  a.Merge(b);
  EXPECT_EQ(a.Sorted(), (std::vector<std::string>{"x", "y", "z"}));
}

TEST(HostSetTest, SortedIsBytewiseLikeCLocaleSort) {
  HostSet s;
  for (const char* h : {"b", "B", "a", "\xc3\xa9", "10.0.0.2", "10.0.0.10"}) {
    s.Insert(h);
  }
  // LC_ALL=C sort: unsigned byte order.
  EXPECT_EQ(s.Sorted(), (std::vector<std::string>{"10.0.0.10", "10.0.0.2", "B",
                                                  "a", "b", "\xc3\xa9"}));
}

TEST(HostSetTest, KeepsBytesIncludingNul) {
  HostSet s;
  s.Insert(std::string_view("a\0b", 3));
  EXPECT_TRUE(s.Contains(std::string_view("a\0b", 3)));
  EXPECT_FALSE(s.Contains("a"));
}

}  // namespace
}  // namespace logsweep::common
