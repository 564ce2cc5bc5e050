#include "common/discovery/log_file_name.h"

#include <gtest/gtest.h>

#include <string>

namespace logsweep::common {
namespace {

struct NameCase {
  const char* name;
  bool is_log;
  const char* why;
};

// What Apache (Debian and RHEL), nginx, logrotate (with and without
// dateext, delaycompress, other compressors), rotatelogs, IIS and Tomcat
// write, and names that must not be taken.
constexpr NameCase kCases[] = {
    {"access.log", true, "nginx/Debian Apache current log"},
    {"error.log", true, "error logs count (docs/cli.md)"},
    {"access.log.1", true, "logrotate delaycompress: newest rotated"},
    {"access.log.2.gz", true, "logrotate compressed"},
    {"access.log-20261031", true, "logrotate dateext"},
    {"access.log-20261031.gz", true, "dateext compressed"},
    {"access.log.3-20261101.gz", true, "number and date"},
    {"ACCESS.LOG.GZ", true, "case-insensitive"},
    {"Access.Log.1.GZ", true, "mixed case"},
    {"access_log", true, "RHEL Apache"},
    {"ssl_error_log.1", true, "RHEL Apache rotated"},
    {"access_log.1730332800", true, "rotatelogs epoch suffix"},
    {"access.log.2026-10-31", true, "cronolog-style date"},
    {"access.log-2026-10-31-12", true, "dateformat with hour"},
    {"access.log.20261031_1200", true, "underscore group"},
    {"u_ex261031.log", true, "IIS"},
    {"localhost_access_log.2026-10-31.txt", true, "Tomcat"},
    {"access.log.1.bz2", true, "bzip2"},
    {"access.log.1.xz", true, "xz"},
    {"access.log.1.zst", true, "zstd"},
    {"access.log.1.lz4", true, "lz4: an unsupported-format error, not a skip"},
    {"access.log.Z", true, "compress(1)"},
    {"access.log.1.zstd", true, "zstd, long suffix"},
    {"access.log.1.bz", true, "bzip2, short suffix"},
    {"access.log.1.lzo", true, "lzop"},
    {"access.log.1.br", false, "brotli: no magic, would pass for text"},
    {"site-json.log", true, "docker json log"},
    {"a.log", true, "shortest"},
    {"README", false, "no stem"},
    {"notes.txt", false, "text file"},
    {"access.log.old", false, "not a rotation suffix"},
    {"access.log.gz.1", false, "rotation after compression"},
    {"access.log.1.tmp", false, "temporary"},
    {"access.log.swp", false, "editor swap"},
    {"changelog", false, "ends in log but not .log/_log"},
    {"catalog_2026", false, "digits after a non-log stem"},
    {"log", false, "bare word"},
    {".log", false, "stem with nothing before it"},
    {"_log", false, "stem with nothing before it"},
    {"access.log.", false, "trailing dot"},
    {"access.log-", false, "trailing dash"},
    {"access.log.zip", false, "archive, not a compression suffix"},
    {"access.log.tar.gz", false, "tarball"},
    {"x.gz", false, "compressed non-log"},
    {"access.logs", false, "plural"},
};

TEST(LogFileNameTest, TakesWhatServersAndLogrotateWriteAndNothingElse) {
  for (const NameCase& c : kCases) {
    EXPECT_EQ(IsLogFileName(c.name), c.is_log)
        << "name '" << c.name << "' (" << c.why << ")";
  }
}

}  // namespace
}  // namespace logsweep::common
