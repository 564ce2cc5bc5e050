#include "common/scan/file_scanner.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "common/base/time_text.h"
#include "test_util.h"

namespace logsweep::common {
namespace {

using testing::Gzip;
using testing::TempDir;

std::string Line(const std::string& host, const std::string& path) {
  return host + " - - [10/Oct/2000:13:55:36 -0700] \"GET " + path +
         " HTTP/1.0\" 200 2326 \"-\" \"Mozilla/5.0 (X11; Linux)\"\n";
}

ScanOptions Options(InflateBackend backend, size_t max_line = 64 * 1024) {
  ScanOptions o;
  o.backend = backend;
  o.max_line_bytes = max_line;
  return o;
}

TEST(FileScannerTest, FindsHostsAcrossBufferBoundaries) {
  TempDir dir;
  std::string text;
  std::vector<std::string> expected;
  for (int i = 0; i < 20000; ++i) {
    bool hit = i % 97 == 0;
    std::string host = "h" + std::to_string(i);
    text += Line(host, hit ? "/robots.txt" : "/index.html");
    if (hit) expected.push_back(host);
  }
  std::sort(expected.begin(), expected.end());
  // A small line buffer (4 KiB) forces many carries of partial lines.
  FileScanner scanner(Options(InflateBackend::kZlib, 2048));
  ScanReport r =
      scanner.Scan(dir.Write("a.log.gz", Gzip(text)), LineMatcher(Query{}));
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.hosts.Sorted(), expected);
  EXPECT_EQ(r.stats.lines, 20000u);
  EXPECT_EQ(r.stats.matches, expected.size());
  EXPECT_EQ(r.stats.bytes_scanned, text.size());
}

TEST(FileScannerTest, TokenSplitAcrossMembersStillMatches) {
  TempDir dir;
  std::string text =
      Line("a", "/index.html") + Line("5.102.173.71", "/robots.txt");
  size_t cut = text.find("ts.txt");
  std::string gz = Gzip(text.substr(0, cut)) + Gzip(text.substr(cut));
  FileScanner scanner(Options(InflateBackend::kZlib));
  ScanReport r = scanner.Scan(dir.Write("m.gz", gz), LineMatcher(Query{}));
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(r.hosts.Sorted(), std::vector<std::string>{"5.102.173.71"});
}

TEST(FileScannerTest, LineLongerThanTheBufferIsDecidedExactly) {
  TempDir dir;
  std::string text =
      Line("before", "/robots.txt") + "x - - [d z] \"GET /robots.txt " +
      std::string(300000, 'A') + "\n" + Line("after", "/robots.txt");
  FileScanner scanner(Options(InflateBackend::kZlib, 64 * 1024));
  ScanReport r =
      scanner.Scan(dir.Write("long.gz", Gzip(text)), LineMatcher(Query{}));
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(r.hosts.Sorted(),
            (std::vector<std::string>{"after", "before", "x"}));
  EXPECT_EQ(r.stats.lines, 3u);
  EXPECT_EQ(r.stats.matches, 3u);
  EXPECT_EQ(r.stats.malformed, 0u);
}

TEST(FileScannerTest, LongFinalLineWithoutNewlineIsOneLine) {
  TempDir dir;
  std::string text = Line("a", "/robots.txt") + std::string(500000, 'B');
  FileScanner scanner(Options(InflateBackend::kZlib, 64 * 1024));
  ScanReport r =
      scanner.Scan(dir.Write("nonl.log", text), LineMatcher(Query{}));
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(r.stats.lines, 2u);
  EXPECT_EQ(r.stats.malformed, 0u);  // it does not hold the value
  EXPECT_EQ(r.hosts.Sorted(), std::vector<std::string>{"a"});
}

TEST(FileScannerTest, LongShortLineHoldingTheValueIsMalformed) {
  TempDir dir;
  // Four fields, the value inside the third, and 200 KiB of the fourth.
  std::string text = "a b /robots.txt " + std::string(200000, 'C') + "\n" +
                     Line("b", "/robots.txt");
  FileScanner scanner(Options(InflateBackend::kZlib, 64 * 1024));
  ScanReport r =
      scanner.Scan(dir.Write("short.log", text), LineMatcher(Query{}));
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(r.stats.lines, 2u);
  EXPECT_EQ(r.stats.malformed, 1u);
  EXPECT_EQ(r.hosts.Sorted(), std::vector<std::string>{"b"});
}

TEST(FileScannerTest, CountsEveryMatchWithItsTimeAlsoOnLongLines) {
  // With a 2 KiB line buffer, the 5 KiB lines stream through the long-line
  // path; each host's count and first/last time must be the same as for
  // the short lines.
  TempDir dir;
  std::string text;
  const std::string pad(5000, 'u');
  for (int i = 0; i < 3000; ++i) {
    const std::string host = "h" + std::to_string(i % 7);
    const std::string time =
        i % 100 == 99
            ? "[bad time] "
            : "[10/Oct/2000:13:" + std::to_string(10 + i % 40) + ":00 -0700] ";
    const std::string path = i % 3 == 0 ? "/robots.txt" : "/x";
    text += host + " - - " + time + "\"GET " + path + " HTTP/1.0\" 200 1 \"" +
            (i % 5 == 0 ? pad : "-") + "\"\n";
  }
  HostCounts want;
  uint64_t untimed = 0;
  for (int i = 0; i < 3000; i += 3) {
    std::optional<int64_t> t;
    if (i % 100 != 99) {
      t = DaysFromCivil(2000, 10, 10) * 86400 + 20 * 3600 + (10 + i % 40) * 60;
    } else {
      ++untimed;
    }
    want.AddLine("h" + std::to_string(i % 7), t);
  }
  Query q;
  q.count = true;
  FileScanner scanner(Options(InflateBackend::kZlib, 2048));
  ScanReport r =
      scanner.Scan(dir.Write("c.log.gz", Gzip(text)), LineMatcher(q));
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_TRUE(r.hosts.empty());
  EXPECT_EQ(r.counts.SortedByHost(), want.SortedByHost());
  EXPECT_EQ(r.stats.matches, 1000u);
  EXPECT_EQ(r.stats.untimed_matches, untimed);
  EXPECT_GT(untimed, 0u);
  EXPECT_EQ(r.stats.lines, 3000u);
}

TEST(FileScannerTest, ThreeMebibyteLineThatMatchesIsFound) {
  TempDir dir;
  std::string text = Line("a", "/x") + "3mib - - [d z] \"GET /robots.txt " +
                     std::string(3 << 20, 'u') + "\n" + Line("b", "/x");
  FileScanner scanner(ScanOptions{});  // the default 1 MiB buffer line
  ScanReport r =
      scanner.Scan(dir.Write("3m.log.gz", Gzip(text)), LineMatcher(Query{}));
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.hosts.Sorted(), std::vector<std::string>{"3mib"});
  EXPECT_EQ(r.stats.lines, 3u);
}

TEST(FileScannerTest, TwentyMebibyteHitAndTwentyMebibyteFieldAreExact) {
  TempDir dir;
  // A hit whose referrer is 20 MiB; a request path of 20 MiB that starts
  // with the value (no hit); a 20 MiB host that is a hit of a query on
  // field 1.
  std::string text = "hit - - [d z] \"GET /robots.txt HTTP/1.0\" 200 1 \"" +
                     std::string(20 << 20, 'r') + "\"\n" +
                     "miss - - [d z] \"GET /robots.txt" +
                     std::string(20 << 20, 'p') + " HTTP/1.0\"\n";
  FileScanner scanner(ScanOptions{});
  ScanReport r =
      scanner.Scan(dir.Write("20m.log.gz", Gzip(text)), LineMatcher(Query{}));
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.hosts.Sorted(), std::vector<std::string>{"hit"});
  EXPECT_EQ(r.stats.lines, 2u);
  EXPECT_EQ(r.stats.malformed, 0u);
}

TEST(FileScannerTest, MatchValueLongerThanTheBufferIsComparedExactly) {
  TempDir dir;
  const std::string value = "/" + std::string(100000, 'v');
  std::string text = "yes - - [d z] \"GET " + value + " HTTP/1.0\"\n" +
                     "no - - [d z] \"GET " + value + "w HTTP/1.0\"\n" +
                     "short - - [d z] \"GET " + value.substr(1) + "\n";
  FileScanner scanner(Options(InflateBackend::kZlib, 4096));
  ScanReport r = scanner.Scan(dir.Write("v.log", text),
                              LineMatcher(ExactQuery(0, 6, value)));
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.hosts.Sorted(), std::vector<std::string>{"yes"});
  EXPECT_EQ(r.stats.matches, 1u);
}

TEST(FileScannerTest, MatchingLineWithKeyOverTheLimitIsResourceExhausted) {
  TempDir dir;
  std::string text = Line("first", "/robots.txt") +
                     Line(std::string(10000, 'k'), "/robots.txt") +
                     Line("after", "/robots.txt");
  FileScanner scanner(Options(InflateBackend::kZlib, 4096));
  ScanReport r = scanner.Scan(dir.Write("key.log", text), LineMatcher(Query{}));
  EXPECT_EQ(r.status.code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(r.status.message(),
            "line 2 matches but its key field is longer than 4096 bytes, the "
            "most logsweep keeps");
  EXPECT_EQ(r.hosts.Sorted(), std::vector<std::string>{"first"});
}

TEST(FileScannerTest, LongKeyOnALineThatDoesNotMatchCostsNothing) {
  TempDir dir;
  std::string text = Line(std::string(10000, 'k'), "/index.html") +
                     Line("after", "/robots.txt");
  FileScanner scanner(Options(InflateBackend::kZlib, 4096));
  ScanReport r = scanner.Scan(dir.Write("key.log", text), LineMatcher(Query{}));
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.hosts.Sorted(), std::vector<std::string>{"after"});
}

TEST(FileScannerTest, ArchiveInsideACompressedFileIsUnsupportedNotText) {
  TempDir dir;
  std::string tar(1024, '\0');
  tar.replace(0, 10, "access.log");
  tar.replace(257, 6, std::string("ustar\0", 6));
  tar += Line("h", "/robots.txt");
  FileScanner scanner(Options(InflateBackend::kZlib));
  ScanReport r =
      scanner.Scan(dir.Write("logs.tar.gz", Gzip(tar)), LineMatcher(Query{}));
  EXPECT_EQ(r.status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status.message(), "unsupported format: tar inside gzip");
  EXPECT_TRUE(r.hosts.empty());
  r = scanner.Scan(
      dir.Write("twice.log.zst", testing::Zstd(Gzip(Line("h", "/robots.txt")))),
      LineMatcher(Query{}));
  EXPECT_EQ(r.status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status.message(), "unsupported format: gzip inside zstd");
}

TEST(FileScannerTest, TruncatedFileKeepsPartialHostsAndStats) {
  TempDir dir;
  std::string text;
  for (int i = 0; i < 50000; ++i) {
    text += Line("h" + std::to_string(i), "/robots.txt");
  }
  std::string gz = Gzip(text);
  FileScanner scanner(Options(InflateBackend::kZlib));
  ScanReport r = scanner.Scan(dir.Write("cut.gz", gz.substr(0, gz.size() / 2)),
                              LineMatcher(Query{}));
  EXPECT_EQ(r.status.code(), StatusCode::kDataLoss);
  EXPECT_GT(r.stats.lines, 1000u);
  EXPECT_EQ(r.hosts.size(), r.stats.matches);
}

TEST(FileScannerTest, BackendsGiveIdenticalReports) {
  if (!IsalAvailable()) GTEST_SKIP() << "built without ISA-L";
  TempDir dir;
  std::string text;
  for (int i = 0; i < 30000; ++i) {
    text += Line("10.1." + std::to_string(i % 300) + ".9",
                 i % 13 == 0 ? "/robots.txt" : "/x");
  }
  std::string path = dir.Write("same.gz", Gzip(text) + Gzip(text));
  FileScanner zlib_scanner(Options(InflateBackend::kZlib, 4096));
  FileScanner isal_scanner(Options(InflateBackend::kIsal, 4096));
  ScanReport a = zlib_scanner.Scan(path, LineMatcher(Query{}));
  ScanReport b = isal_scanner.Scan(path, LineMatcher(Query{}));
  ASSERT_TRUE(a.status.ok());
  ASSERT_TRUE(b.status.ok());
  EXPECT_EQ(a.hosts.Sorted(), b.hosts.Sorted());
  EXPECT_EQ(a.stats, b.stats);
}

// Text from memory in reads of random sizes, so lines and the match value
// are cut at every kind of place by the scanner's buffer refills.
class RandomReadStream : public ByteStream {
 public:
  RandomReadStream(std::string text, uint32_t seed)
      : text_(std::move(text)), rng_(seed) {}
  StatusOr<size_t> Read(char* out, size_t capacity) override {
    size_t n = std::min({capacity, text_.size() - pos_,
                         size_t{1} + rng_() % (rng_() % 2 ? 64 : 5000)});
    std::memcpy(out, text_.data() + pos_, n);
    pos_ += n;
    return n;
  }
  uint64_t bytes_read() const override { return pos_; }

 private:
  std::string text_;
  std::mt19937 rng_;
  size_t pos_ = 0;
};

// The scanner's fast path (whole buffers: bulk line count, candidate
// search) against the plain per-line path over the whole text at once.
TEST(FileScannerTest, AgreesWithPerLineScanAcrossRandomBufferBoundaries) {
  std::mt19937 rng(99);
  const std::vector<std::string> paths = {"/robots.txt", "/robots.txt?",
                                          "/index.html", "/robots.tx"};
  for (int round = 0; round < 20; ++round) {
    std::string text;
    for (int i = 0; i < 400; ++i) {
      switch (rng() % 8) {
        case 6:  // far longer than the 4 KiB line limit below
          text += "h" + std::to_string(rng() % 50) + " - - [d] \"GET " +
                  paths[rng() % paths.size()] + " " +
                  std::string(4000 + rng() % 30000, 'L') + "\n";
          break;
        case 7:  // a long field where the value may be, or a long host
          if (rng() % 2) {
            text += "h" + std::to_string(rng() % 50) + " - - [d] \"GET " +
                    paths[rng() % paths.size()] +
                    std::string(rng() % 9000, 'x') + " z\n";
          } else {
            text += std::string(3000 + rng() % 1090, 'H') + " - - [d] \"GET " +
                    paths[rng() % paths.size()] + " z\n";
          }
          break;
        case 0:
          text += "h" + std::to_string(rng() % 50) + " /robots.txt short\n";
          break;
        case 1:  // long, up to 3/4 of the line limit below
          text += "h" + std::to_string(rng() % 50) + " - - [d] \"GET " +
                  paths[rng() % paths.size()] + " " +
                  std::string(rng() % 3000, 'u') + "\n";
          break;
        default:
          text += Line("h" + std::to_string(rng() % 50),
                       paths[rng() % paths.size()]);
      }
    }
    if (round % 2) text += Line("last", "/robots.txt").substr(0, 60);
    LineMatcher matcher{Query{}};
    HostSet want_hosts;
    ScanStats want;
    matcher.ScanEveryLine(text, want_hosts, want);
    FileScanner scanner(Options(InflateBackend::kZlib, 4096));
    RandomReadStream stream(text, static_cast<uint32_t>(round));
    ScanReport r = scanner.ScanStream(stream, matcher);
    ASSERT_TRUE(r.status.ok()) << r.status.ToString();
    SCOPED_TRACE("round " + std::to_string(round));
    EXPECT_EQ(r.stats.lines, want.lines);
    EXPECT_EQ(r.stats.matches, want.matches);
    EXPECT_EQ(r.stats.malformed, want.malformed);
    EXPECT_EQ(r.stats.bytes_scanned, text.size());
    EXPECT_EQ(r.hosts.Sorted(), want_hosts.Sorted());
    EXPECT_GT(want.malformed, 0u);
  }
}

TEST(FileScannerTest, MatchOffOnlyCountsLines) {
  TempDir dir;
  ScanOptions o = Options(InflateBackend::kZlib);
  o.match = false;
  FileScanner scanner(o);
  ScanReport r =
      scanner.Scan(dir.Write("a.log", Line("a", "/robots.txt") + "tail"),
                   LineMatcher(Query{}));
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(r.stats.lines, 2u);
  EXPECT_TRUE(r.hosts.empty());
}

TEST(FileScannerTest, ScannerIsReusableAfterAFailure) {
  TempDir dir;
  FileScanner scanner(Options(InflateBackend::kZlib));
  ScanReport bad = scanner.Scan(dir.Write("bad.gz", "not gzip at all"),
                                LineMatcher(Query{}));
  EXPECT_EQ(bad.status.code(), StatusCode::kDataLoss);
  ScanReport good =
      scanner.Scan(dir.Write("good.gz", Gzip(Line("ok", "/robots.txt"))),
                   LineMatcher(Query{}));
  ASSERT_TRUE(good.status.ok());
  EXPECT_EQ(good.hosts.Sorted(), std::vector<std::string>{"ok"});
}

}  // namespace
}  // namespace logsweep::common
