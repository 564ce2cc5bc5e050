#include "common/scan/byte_search.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace logsweep::common {
namespace {

TEST(ByteSearchTest, CountNewlinesAgreesWithStdCountAtEveryOffsetAndLength) {
  std::mt19937 rng(7);
  std::string text(700, 'x');
  for (char& c : text) c = "ab\n \r"[rng() % 5];
  for (size_t from = 0; from < 70; ++from) {
    for (size_t len = 0; from + len <= text.size(); len += 1 + len / 8) {
      ASSERT_EQ(CountNewlines(text.data() + from, len),
                static_cast<uint64_t>(std::count(
                    text.begin() + from, text.begin() + from + len, '\n')))
          << "from " << from << " len " << len;
    }
  }
}

TEST(ByteSearchTest, CountNewlinesCountsPast255PerLane) {
  // More newlines than a byte lane can hold between two flushes.
  std::string text(64 * 1000 + 5, '\n');
  EXPECT_EQ(CountNewlines(text.data(), text.size()), text.size());
}

TEST(ByteSearchTest, FindAgreesWithStringViewFindOnRandomText) {
  std::mt19937 rng(11);
  // A small alphabet, so partial matches (first, second and last byte
  // right, a middle byte wrong) are common.
  const std::string alphabet = "/rt.x\n ";
  for (size_t n : {1u, 2u, 3u, 4u, 11u, 40u}) {
    for (int round = 0; round < 200; ++round) {
      std::string needle;
      for (size_t i = 0; i < n; ++i) needle += alphabet[rng() % 3 + (i % 2)];
      std::string hay(rng() % 300, ' ');
      for (char& c : hay) c = alphabet[rng() % alphabet.size()];
      // Plant the needle now and then, also at the very end.
      if (rng() % 2 && hay.size() >= n) {
        size_t at =
            rng() % 3 == 0 ? hay.size() - n : rng() % (hay.size() - n + 1);
        hay.replace(at, n, needle);
      }
      SubstringFinder finder(needle);
      std::string_view view(hay);
      for (size_t from = 0; from <= hay.size(); from += 1 + rng() % 7) {
        const char* got =
            finder.Find(hay.data() + from, hay.data() + hay.size());
        size_t want = view.find(needle, from);
        ASSERT_EQ(got == nullptr ? std::string_view::npos
                                 : static_cast<size_t>(got - hay.data()),
                  want)
            << "needle '" << needle << "' from " << from << " in '" << hay
            << "'";
      }
    }
  }
}

TEST(ByteSearchTest, FindCountingNewlinesCountsUpToTheOccurrence) {
  std::mt19937 rng(13);
  const std::string alphabet = "/rt.\n\n ";
  for (const std::string& needle :
       {std::string("/r.t"), std::string("/rt"), std::string("/"),
        std::string("/robots.txt")}) {
    SubstringFinder finder(needle);
    for (int round = 0; round < 300; ++round) {
      std::string hay(rng() % 400, ' ');
      for (char& c : hay) c = alphabet[rng() % alphabet.size()];
      if (rng() % 2 && hay.size() >= needle.size()) {
        hay.replace(rng() % (hay.size() - needle.size() + 1), needle.size(),
                    needle);
      }
      size_t from = hay.empty() ? 0 : rng() % (hay.size() + 1);
      const char* begin = hay.data() + from;
      const char* end = hay.data() + hay.size();
      uint64_t newlines = 5;  // added to, not overwritten
      const char* got = finder.FindCountingNewlines(begin, end, &newlines);
      const char* want = finder.Find(begin, end);
      ASSERT_EQ(got, want) << "'" << hay << "' from " << from;
      ASSERT_EQ(newlines, 5 + static_cast<uint64_t>(
                                  std::count(begin, want ? want : end, '\n')))
          << "'" << hay << "' from " << from;
    }
  }
}

TEST(ByteSearchTest, FindNeverReadsPastTheEnd) {
  // The needle straddles the end of the range: it must not be found.
  std::string text = std::string(200, 'a') + "/robots.txt";
  SubstringFinder finder("/robots.txt");
  const char* begin = text.data();
  EXPECT_EQ(finder.Find(begin, begin + text.size() - 1), nullptr);
  EXPECT_EQ(finder.Find(begin, begin + text.size()), begin + 200);
}

TEST(ByteSearchTest, EmptyNeedleIsFoundAtTheStart) {
  std::string text = "abc";
  SubstringFinder finder("");
  EXPECT_EQ(finder.Find(text.data() + 1, text.data() + 3), text.data() + 1);
}

// The earliest start at or after `from` of a needle lying wholly in `hay`.
size_t EarliestOf(std::string_view hay, const std::vector<std::string>& needles,
                  size_t from) {
  size_t best = std::string_view::npos;
  for (const std::string& n : needles) best = std::min(best, hay.find(n, from));
  return best;
}

TEST(ByteSearchTest, MultiFindAgreesWithTheEarliestStringViewFind) {
  std::mt19937 rng(17);
  const std::string alphabet = "/wx.pe\n ";
  for (int round = 0; round < 400; ++round) {
    // 1 to 8 needles of 1 to 13 bytes from a small alphabet (shared first
    // bytes, near misses), some a prefix of another.
    std::vector<std::string> needles(1 + rng() % 8);
    for (std::string& n : needles) {
      n = "/";
      for (size_t i = rng() % 13; i > 0; --i) n += alphabet[rng() % 6];
    }
    if (needles.size() > 1 && rng() % 3 == 0) {
      needles[1] = needles[0].substr(0, 1 + rng() % needles[0].size());
    }
    // Mostly short texts (the scalar tail), some long ones (the vector
    // loop, more than one 4 KiB window).
    std::string hay(rng() % 4 == 0 ? rng() % 9000 : rng() % 300, ' ');
    for (char& c : hay) c = alphabet[rng() % alphabet.size()];
    for (int plant = rng() % 3; plant > 0 && !hay.empty(); --plant) {
      const std::string& n = needles[rng() % needles.size()];
      if (hay.size() < n.size()) break;
      const size_t at = rng() % 3 == 0 ? hay.size() - n.size()
                                       : rng() % (hay.size() - n.size() + 1);
      hay.replace(at, n.size(), n);
    }
    MultiSubstringFinder finder(needles);
    std::string_view view(hay);
    for (size_t from = 0; from <= hay.size(); from += 1 + rng() % 97) {
      const char* begin = hay.data() + from;
      const char* end = hay.data() + hay.size();
      uint64_t newlines = 3;  // added to, not overwritten
      const char* got = finder.FindCountingNewlines(begin, end, &newlines);
      const size_t want = EarliestOf(view, needles, from);
      ASSERT_EQ(got == nullptr ? std::string_view::npos
                               : static_cast<size_t>(got - hay.data()),
                want)
          << "round " << round << " from " << from << " in '" << hay << "'";
      ASSERT_EQ(finder.Find(begin, end), got) << "round " << round;
      const char* stop = got != nullptr ? got : end;
      ASSERT_EQ(newlines,
                3 + static_cast<uint64_t>(std::count(begin, stop, '\n')))
          << "round " << round << " from " << from;
    }
  }
}

TEST(ByteSearchTest, MultiFindNeverReadsPastTheEnd) {
  // The longer needle straddles the end of the range; the shorter lies in
  // it later than where the longer one starts.
  std::string text = std::string(300, 'a') + "/wp-login.php" + "/.env";
  MultiSubstringFinder finder({"/wp-login.php", "/.en"});
  const char* begin = text.data();
  EXPECT_EQ(finder.Find(begin, begin + 312), nullptr);
  EXPECT_EQ(finder.Find(begin + 301, begin + 316), nullptr);
  EXPECT_EQ(finder.Find(begin + 301, begin + 317), begin + 313);
  EXPECT_EQ(finder.Find(begin, begin + text.size()), begin + 300);
}

}  // namespace
}  // namespace logsweep::common
