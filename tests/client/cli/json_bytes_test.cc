#include "client/cli/json_bytes.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

namespace logsweep::client {
namespace {

struct Utf8Case {
  std::string bytes;
  bool valid;
  const char* what;
};

const Utf8Case kCases[] = {
    {"", true, "empty"},
    {"66.249.66.1", true, "ASCII"},
    {std::string("a\0b", 3), true, "NUL is U+0000"},
    {"caf\xc3\xa9", true, "2-byte"},
    {"\xe2\x82\xac", true, "3-byte"},
    {"\xf0\x9f\x98\x80", true, "4-byte"},
    {"\xf4\x8f\xbf\xbf", true, "U+10FFFF"},
    {"\xed\x9f\xbf", true, "U+D7FF, below the surrogates"},
    {"\xff", false, "never in UTF-8"},
    {"caf\xe9", false, "Latin-1"},
    {"\xc0\xaf", false, "overlong '/'"},
    {"\xe0\x80\xaf", false, "overlong 3-byte"},
    {"\xf0\x80\x80\xaf", false, "overlong 4-byte"},
    {"\xed\xa0\x80", false, "surrogate U+D800"},
    {"\xf4\x90\x80\x80", false, "above U+10FFFF"},
    {"\xc3", false, "truncated 2-byte"},
    {"\xe2\x82", false, "truncated 3-byte"},
    {"\x80", false, "lone continuation"},
};

TEST(JsonBytesTest, ValidatesUtf8StrictlyPerRfc3629) {
  for (const Utf8Case& c : kCases) {
    EXPECT_EQ(IsValidUtf8(c.bytes), c.valid) << c.what;
  }
}

TEST(JsonBytesTest, DisplayReplacesEachBadByteWithReplacementCharacter) {
  EXPECT_EQ(DisplayUtf8("a\xff\xfe"
                        "b\xc3\xa9"),
            "a\xef\xbf\xbd\xef\xbf\xbd"
            "b\xc3\xa9");
}

TEST(JsonBytesTest, KeepsValidUtf8AsPlainString) {
  EXPECT_EQ(BytesJson("caf\xc3\xa9"), nlohmann::json("caf\xc3\xa9"));
}

TEST(JsonBytesTest, GivesDistinctValuesForBytesThatDisplayAlike) {
  nlohmann::json a = BytesJson("h\xfe");
  nlohmann::json b = BytesJson("h\xff");
  nlohmann::json text = BytesJson("h\xef\xbf\xbd");  // a real U+FFFD

  EXPECT_NE(a, b);
  EXPECT_NE(a, text);
  EXPECT_EQ(a["text"], "h\xef\xbf\xbd");
  EXPECT_EQ(a["bytes_hex"], "68fe");
  EXPECT_EQ(b["bytes_hex"], "68ff");
  // And the document they go into is valid JSON that parses back.
  EXPECT_EQ(nlohmann::json::parse(nlohmann::json::array({a, b}).dump()),
            nlohmann::json::array({a, b}));
}

}  // namespace
}  // namespace logsweep::client
