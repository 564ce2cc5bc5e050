#include "common/base/status.h"

#include <gtest/gtest.h>

#include <cerrno>

namespace logsweep::common {
namespace {

TEST(StatusTest, WithContextPrefixesMessageAndKeepsCode) {
  Status s = DataLossError("crc").WithContext("file x");
  EXPECT_EQ(s.code(), StatusCode::kDataLoss);
  EXPECT_EQ(s.ToString(), "DATA_LOSS: file x: crc");
  EXPECT_TRUE(OkStatus().WithContext("ignored").ok());
}

TEST(StatusTest, ErrnoMapsToWhatTheCallerShouldDo) {
  EXPECT_EQ(ErrnoStatus(ENOENT, "open").code(), StatusCode::kNotFound);
  EXPECT_EQ(ErrnoStatus(EACCES, "open").code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(ErrnoStatus(EISDIR, "read").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ErrnoStatus(EIO, "read").code(), StatusCode::kDataLoss);
  EXPECT_EQ(ErrnoStatus(ESTALE, "read").code(), StatusCode::kUnavailable);
  EXPECT_NE(ErrnoStatus(ENOENT, "open").message().find("open"),
            std::string::npos);
}

TEST(StatusOrTest, HoldsValueOrError) {
  StatusOr<int> v = 7;
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(*v, 7);
  StatusOr<int> e = NotFoundError("gone");
  EXPECT_FALSE(e.ok());
  EXPECT_EQ(e.status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace logsweep::common
