// logsweep-micro-matcher: Google Benchmark microbenchmarks of
// common::LineMatcher over an ~8 MiB in-memory buffer of combined-format
// access-log lines generated here (IPv4, IPv6 and hostname clients, ~0.5%
// requests for /robots.txt, varied paths and user agents). Each benchmark
// reports bytes/s of text scanned:
//   ScanLines/default     the production path (one SIMD pass counting
//                         newlines and finding the value; the 64-byte
//                         window, else the splitter, on those lines only)
//   ScanLines/crlf        the same lines ending in "\r\n"
//   ScanLines/status404   a query on another field (field 8 == "404")
//   ScanLines/count       the default query with --count (HostCounts)
//   ScanLines/three_paths three --path values found in one pass
//                         (MultiSubstringFinder); ScanEveryLine/three_paths
//                         the same query splitting every line;
//                         ScanLines/three_rare_paths /robots.txt and two
//                         paths that never occur (the headline's matches)
//   MatchLine/scalar      the scalar reference, one MatchLine per line (split
//                         here with memchr; it counts every short line as
//                         malformed), so the fast path's gain is visible
//   */ipv4_hosts          both again on lines with IPv4 hosts only, where
//                         field 6 mostly lies inside the 64-byte window
// The window_share counter is the share of lines whose match field ends
// inside the first 64 bytes (only those can skip the scalar fallback).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "bench/rng.h"
#include "common/base/host_counts.h"
#include "common/base/host_set.h"
#include "common/base/query.h"
#include "common/base/scan_stats.h"
#include "common/scan/line_matcher.h"

namespace {

namespace common = logsweep::common;

constexpr size_t kBufferBytes = 8u << 20;
constexpr size_t kHostPool = 4096;
constexpr uint32_t kRobotsPerMillion = 5000;  // 0.5% of lines

using logsweep::bench::Rng;

const char* const kPaths[] = {
    "/",
    "/index.html",
    "/favicon.ico",
    "/images/logo%u.png",
    "/images/photo-%u.jpg",
    "/css/site.css?v=%u",
    "/js/app.min.js?v=%u",
    "/api/v1/items?id=%u",
    "/api/v1/users/%u/orders?page=2&sort=desc",
    "/blog/2023/07/hello-world-%u",
    "/search?q=log+analysis&page=%u",
    "/wp-login.php",
    "/xmlrpc.php",
    "/.env",
    "/sitemap.xml",
    "/robots.txt.bak",  // near misses: must not match
    "/robots.txt?x=%u",
    "/static/fonts/roboto-%u.woff2",
    "/downloads/release-notes-v%u.pdf",
    "/a/very/long/path/segment/that/keeps/going/on/and/on/item-%u.html",
};
const char* const kAgents[] = {
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, "
    "like Gecko) Chrome/120.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.1 Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) "
    "AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    "curl/8.4.0",
    "python-requests/2.31.0",
    "Wget/1.21.4",
    "-",
};
const char* const kReferrers[] = {
    "-",
    "-",
    "-",
    "https://www.google.com/",
    "http://www.example.com/start",
    "https://news.ycombinator.com/item?id=38000000",
};
const char* const kStatuses[] = {"200", "200", "200", "200", "200",
                                 "200", "200", "304", "304", "404",
                                 "301", "302", "403", "500"};
const char* const kMethods[] = {"GET", "GET", "GET", "GET", "POST", "HEAD"};
const char* const kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                               "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

template <class T, size_t N>
const T& Pick(Rng& rng, const T (&items)[N]) {
  return items[rng.Below(N)];
}

// A client host: 60% IPv4, 20% IPv6, 20% names; IPv4 only when `ipv4`.
std::string MakeHost(Rng& rng, bool ipv4) {
  char buf[96];
  uint32_t kind = ipv4 ? 0 : rng.Below(10);
  if (kind < 6) {  // IPv4
    std::snprintf(buf, sizeof buf, "%u.%u.%u.%u", 1 + rng.Below(223),
                  rng.Below(256), rng.Below(256), 1 + rng.Below(254));
  } else if (kind < 7) {  // IPv6, compressed
    std::snprintf(buf, sizeof buf, "2001:db8:%x:%x::%x", rng.Below(65536),
                  rng.Below(65536), 1 + rng.Below(65535));
  } else if (kind < 8) {  // IPv6, full
    std::snprintf(buf, sizeof buf, "2a02:%04x:%04x:%04x:%04x:%04x:%04x:%04x",
                  rng.Below(65536), rng.Below(65536), rng.Below(65536),
                  rng.Below(65536), rng.Below(65536), rng.Below(65536),
                  rng.Below(65536));
  } else if (kind < 9) {
    std::snprintf(buf, sizeof buf, "crawl-66-249-%u-%u.googlebot.com",
                  rng.Below(256), rng.Below(256));
  } else {
    std::snprintf(buf, sizeof buf, "host%u.dsl.example-isp.net",
                  rng.Below(100000));
  }
  return buf;
}

// About kBufferBytes of combined-format lines, each ending in `eol`.
std::string MakeBuffer(const char* eol, bool ipv4 = false) {
  Rng rng(42);
  std::vector<std::string> hosts;
  hosts.reserve(kHostPool);
  for (size_t i = 0; i < kHostPool; ++i) hosts.push_back(MakeHost(rng, ipv4));
  std::string out;
  out.reserve(kBufferBytes + 1024);
  char path[160];
  char line[1024];
  while (out.size() < kBufferBytes) {
    if (rng.Below(1000000) < kRobotsPerMillion) {
      std::snprintf(path, sizeof path, "/robots.txt");
    } else {
      std::snprintf(path, sizeof path, Pick(rng, kPaths), rng.Below(10000));
    }
    int n = std::snprintf(
        line, sizeof line,
        "%s - %s [%02u/%s/2023:%02u:%02u:%02u +0000] \"%s %s HTTP/1.1\" %s %u "
        "\"%s\" \"%s\"%s",
        hosts[rng.Below(kHostPool)].c_str(), rng.Below(20) == 0 ? "frank" : "-",
        1 + rng.Below(28), Pick(rng, kMonths), rng.Below(24), rng.Below(60),
        rng.Below(60), Pick(rng, kMethods), path, Pick(rng, kStatuses),
        rng.Below(200000), Pick(rng, kReferrers), Pick(rng, kAgents), eol);
    out.append(line, static_cast<size_t>(n));
  }
  return out;
}

const std::string& LfBuffer() {
  static const std::string buffer = MakeBuffer("\n");
  return buffer;
}
const std::string& CrlfBuffer() {
  static const std::string buffer = MakeBuffer("\r\n");
  return buffer;
}
// Short (IPv4) hosts only: most lines fit the SIMD window.
const std::string& Ipv4Buffer() {
  static const std::string buffer = MakeBuffer("\n", true);
  return buffer;
}

bool IsSeparator(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

// Share of lines whose match field ends (value length assumed) inside the
// first 64 bytes: only those can be decided by the 64-byte SIMD window;
// the rest fall back to the scalar MatchLine.
double WindowShare(const std::string& text, const common::Query& query) {
  size_t lines = 0;
  size_t inside = 0;
  const char* p = text.data();
  const char* const end = p + text.size();
  while (p < end) {
    const void* nl = std::memchr(p, '\n', static_cast<size_t>(end - p));
    const char* line_end = nl ? static_cast<const char*>(nl) : end;
    const char* q = p;
    for (uint32_t field = 0; q < line_end; ++field) {
      while (q < line_end && IsSeparator(*q)) ++q;
      if (q == line_end) break;
      if (field == query.match_field) {
        if (static_cast<size_t>(q - p) + query.match_value.size() < 64) {
          ++inside;
        }
        break;
      }
      while (q < line_end && !IsSeparator(*q)) ++q;
    }
    ++lines;
    p = nl ? line_end + 1 : end;
  }
  return lines == 0 ? 0.0 : static_cast<double>(inside) / lines;
}

void RunScanLines(benchmark::State& state, const std::string& text,
                  const common::Query& query) {
  const common::LineMatcher matcher(query);
  common::ScanStats stats;
  size_t hosts = 0;
  for (auto _ : state) {
    common::HostSet set;  // one per scan, as FileScanner makes per file
    stats = common::ScanStats{};
    matcher.ScanLines(text, set, stats);
    hosts = set.size();
    benchmark::DoNotOptimize(hosts);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(text.size()));
  state.counters["lines"] = static_cast<double>(stats.lines);
  state.counters["matches"] = static_cast<double>(stats.matches);
  state.counters["hosts"] = static_cast<double>(hosts);
  state.counters["window_share"] = WindowShare(text, query);
}

void BM_ScanLinesDefault(benchmark::State& state) {
  RunScanLines(state, LfBuffer(), common::Query{});
}

void BM_ScanLinesCrlf(benchmark::State& state) {
  RunScanLines(state, CrlfBuffer(), common::Query{});
}

void BM_ScanLinesStatus404(benchmark::State& state) {
  common::Query query;
  query.match_field = 8;
  query.match_value = "404";
  RunScanLines(state, LfBuffer(), query);
}

// The headline query with --count (issue 17): per host the matching lines
// and first/last time, through the general path (the time fields of each
// matching line are read), into common::HostCounts.
void BM_ScanLinesCount(benchmark::State& state) {
  common::Query query;
  query.count = true;
  const common::LineMatcher matcher(query);
  const std::string& text = LfBuffer();
  common::ScanStats stats;
  size_t hosts = 0;
  for (auto _ : state) {
    common::HostCounts counts;  // one per scan, as a HostSet per file
    stats = common::ScanStats{};
    matcher.ScanLines(text, counts, stats);
    hosts = counts.size();
    benchmark::DoNotOptimize(hosts);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(text.size()));
  state.counters["matches"] = static_cast<double>(stats.matches);
  state.counters["hosts"] = static_cast<double>(hosts);
  state.counters["untimed"] = static_cast<double>(stats.untimed_matches);
}

// Several --path values (issue 17): one pass of MultiSubstringFinder, and
// the same query splitting every line (what it cost before that).
common::Query ThreePaths() {
  common::Query query;
  query.match_value = "/wp-login.php";
  query.more_values = {"/xmlrpc.php", "/.env"};
  return query;
}

void BM_ScanLinesThreePaths(benchmark::State& state) {
  RunScanLines(state, LfBuffer(), ThreePaths());
}

// Three paths of which only /robots.txt occurs: the same matches as the
// headline query, so the difference is the search for three literals.
void BM_ScanLinesThreeRarePaths(benchmark::State& state) {
  common::Query query;
  query.more_values = {"/.git/config", "/phpmyadmin/"};
  RunScanLines(state, LfBuffer(), query);
}

void BM_ScanEveryLineThreePaths(benchmark::State& state) {
  const common::LineMatcher matcher(ThreePaths());
  const std::string& text = LfBuffer();
  common::ScanStats stats;
  for (auto _ : state) {
    common::HostSet set;
    stats = common::ScanStats{};
    matcher.ScanEveryLine(text, set, stats);
    benchmark::DoNotOptimize(set.size());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(text.size()));
  state.counters["matches"] = static_cast<double>(stats.matches);
}

void BM_ScanLinesIpv4(benchmark::State& state) {
  RunScanLines(state, Ipv4Buffer(), common::Query{});
}

// The scalar reference: the same work as ScanLines (split lines, classify,
// insert keys) but every line goes through MatchLine.
void RunMatchLineScalar(benchmark::State& state, const std::string& text) {
  const common::LineMatcher matcher(common::Query{});
  common::ScanStats stats;
  size_t hosts = 0;
  for (auto _ : state) {
    common::HostSet set;
    stats = common::ScanStats{};
    const char* p = text.data();
    const char* const end = p + text.size();
    while (p < end) {
      const void* nl = std::memchr(p, '\n', static_cast<size_t>(end - p));
      const char* line_end = nl ? static_cast<const char*>(nl) : end;
      std::string_view key;
      switch (matcher.MatchLine(
          std::string_view(p, static_cast<size_t>(line_end - p)), &key)) {
        case common::LineMatcher::LineKind::kMatch:
          ++stats.matches;
          set.Insert(key);
          break;
        case common::LineMatcher::LineKind::kMalformed:
          ++stats.malformed;
          break;
        default:  // the headline query reads no status, method or time
          break;
      }
      ++stats.lines;
      p = nl ? line_end + 1 : end;
    }
    hosts = set.size();
    benchmark::DoNotOptimize(hosts);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(text.size()));
  state.counters["lines"] = static_cast<double>(stats.lines);
  state.counters["matches"] = static_cast<double>(stats.matches);
  state.counters["hosts"] = static_cast<double>(hosts);
}

void BM_MatchLineScalar(benchmark::State& state) {
  RunMatchLineScalar(state, LfBuffer());
}
void BM_MatchLineScalarIpv4(benchmark::State& state) {
  RunMatchLineScalar(state, Ipv4Buffer());
}

BENCHMARK(BM_ScanLinesDefault)->Name("ScanLines/default")->MinTime(0.5);
BENCHMARK(BM_ScanLinesCrlf)->Name("ScanLines/crlf")->MinTime(0.5);
BENCHMARK(BM_ScanLinesStatus404)->Name("ScanLines/status404")->MinTime(0.5);
BENCHMARK(BM_ScanLinesCount)->Name("ScanLines/count")->MinTime(0.5);
BENCHMARK(BM_ScanLinesThreePaths)->Name("ScanLines/three_paths")->MinTime(0.5);
BENCHMARK(BM_ScanLinesThreeRarePaths)
    ->Name("ScanLines/three_rare_paths")
    ->MinTime(0.5);
BENCHMARK(BM_ScanEveryLineThreePaths)
    ->Name("ScanEveryLine/three_paths")
    ->MinTime(0.5);
BENCHMARK(BM_MatchLineScalar)->Name("MatchLine/scalar")->MinTime(0.5);
BENCHMARK(BM_ScanLinesIpv4)->Name("ScanLines/ipv4_hosts")->MinTime(0.5);
BENCHMARK(BM_MatchLineScalarIpv4)
    ->Name("MatchLine/scalar_ipv4_hosts")
    ->MinTime(0.5);

}  // namespace
