#include "common/base/time_text.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

namespace logsweep::common {
namespace {

using std::chrono::milliseconds;

TEST(ParseDurationTest, ReadsANumberAndOneUnit) {
  const struct {
    const char* text;
    int64_t ms;
  } cases[] = {{"0", 0},
               {"500ms", 500},
               {"90s", 90'000},
               {"30m", 1'800'000},
               {"12h", 43'200'000},
               {"3d", 259'200'000},
               {"2w", 1'209'600'000},
               {"0s", 0}};
  for (const auto& c : cases) {
    auto parsed = ParseDuration(c.text);
    ASSERT_TRUE(parsed.ok()) << c.text << ": " << parsed.status().ToString();
    EXPECT_EQ(*parsed, milliseconds(c.ms)) << c.text;
  }
}

TEST(ParseDurationTest, RefusesWhatIsNotOneNumberAndOneUnitNamingIt) {
  for (const char* text : {"", "5", "1000", "d", "-3d", "3 d", "3days", "1.5h",
                           "3dx", "3y", "99999999999999999999d", "40000w"}) {
    auto parsed = ParseDuration(text);
    ASSERT_FALSE(parsed.ok()) << "'" << text << "' was accepted";
    EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument) << text;
    EXPECT_NE(parsed.status().message().find("'" + std::string(text) + "'"),
              std::string::npos)
        << parsed.status().message();
  }
}

}  // namespace
}  // namespace logsweep::common
