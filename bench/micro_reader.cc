// logsweep-micro-reader: Google Benchmark microbenchmarks of
// common::FileScanner over gzip files written once to a private temporary
// directory (removed at exit):
//   Large/<backend>_<match|nomatch>  one ~64 MiB (uncompressed) file of
//       combined-format lines, gzip level 6; zlib and ISA-L inflate, with
//       and without line matching (nomatch = the inflate ceiling)
//   Small/<backend>  1000 files of ~20 KiB of text each (gzip level 6), to
//       show the per-file cost (open, gzip header, buffers, HostSet)
// Rates are bytes of uncompressed text per second; Small also reports
// files/s and the time per file.
#include <benchmark/benchmark.h>
#include <libdeflate.h>
#include <stdlib.h>
#include <zlib.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

#include "bench/rng.h"
#include "common/base/query.h"
#include "common/scan/file_scanner.h"
#include "common/scan/gzip_stream.h"
#include "common/scan/line_matcher.h"

namespace {

namespace common = logsweep::common;
namespace fs = std::filesystem;

constexpr size_t kLargeBytes = 64u << 20;
constexpr size_t kSmallFiles = 1000;
constexpr size_t kSmallBytes = 20u << 10;
constexpr int kGzipLevel = 6;

using logsweep::bench::Rng;

const char* const kPaths[] = {
    "/",
    "/index.html",
    "/favicon.ico",
    "/images/logo%u.png",
    "/css/site.css?v=%u",
    "/api/v1/items?id=%u",
    "/api/v1/users/%u/orders?page=2&sort=desc",
    "/blog/2023/07/hello-world-%u",
    "/search?q=log+analysis&page=%u",
    "/wp-login.php",
    "/sitemap.xml",
    "/robots.txt?x=%u",
};
const char* const kAgents[] = {
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, "
    "like Gecko) Chrome/120.0.0.0 Safari/537.36",
    "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "curl/8.4.0",
    "python-requests/2.31.0",
};
const char* const kStatuses[] = {"200", "200", "200", "200", "200",
                                 "304", "404", "301", "500"};

// Appends combined-format lines to `out` until it holds `bytes` or more.
void AppendLines(Rng& rng, size_t bytes, std::string& out) {
  char host[64];
  char path[128];
  char line[768];
  while (out.size() < bytes) {
    uint32_t kind = rng.Below(10);
    if (kind < 6) {
      std::snprintf(host, sizeof host, "%u.%u.%u.%u", 1 + rng.Below(223),
                    rng.Below(256), rng.Below(256), 1 + rng.Below(254));
    } else if (kind < 8) {
      std::snprintf(host, sizeof host, "2001:db8:%x:%x::%x", rng.Below(65536),
                    rng.Below(65536), 1 + rng.Below(65535));
    } else {
      std::snprintf(host, sizeof host, "host%u.dsl.example-isp.net",
                    rng.Below(100000));
    }
    if (rng.Below(200) == 0) {  // 0.5%
      std::snprintf(path, sizeof path, "/robots.txt");
    } else {
      std::snprintf(path, sizeof path, kPaths[rng.Below(std::size(kPaths))],
                    rng.Below(10000));
    }
    int n = std::snprintf(
        line, sizeof line,
        "%s - - [%02u/Jul/2023:%02u:%02u:%02u +0000] \"GET %s HTTP/1.1\" %s "
        "%u \"-\" \"%s\"\n",
        host, 1 + rng.Below(28), rng.Below(24), rng.Below(60), rng.Below(60),
        path, kStatuses[rng.Below(std::size(kStatuses))], rng.Below(200000),
        kAgents[rng.Below(std::size(kAgents))]);
    out.append(line, static_cast<size_t>(n));
  }
}

// Writes `text` as one gzip member. Aborts on failure: a benchmark with
// no input has nothing to measure.
void WriteGzip(const fs::path& path, const std::string& text) {
  z_stream z{};
  if (deflateInit2(&z, kGzipLevel, Z_DEFLATED, 15 + 16, 8,
                   Z_DEFAULT_STRATEGY) != Z_OK) {
    std::fprintf(stderr, "deflateInit2 failed\n");
    std::abort();
  }
  std::vector<unsigned char> out(deflateBound(&z, text.size()));
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  z.avail_in = static_cast<uInt>(text.size());
  z.next_out = out.data();
  z.avail_out = static_cast<uInt>(out.size());
  if (deflate(&z, Z_FINISH) != Z_STREAM_END) {
    std::fprintf(stderr, "deflate failed\n");
    std::abort();
  }
  out.resize(z.total_out);
  deflateEnd(&z);
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr || std::fwrite(out.data(), 1, out.size(), f) != out.size() ||
      std::fclose(f) != 0) {
    std::fprintf(stderr, "cannot write %s\n", path.c_str());
    std::abort();
  }
}

// The input files, written on first use and removed at exit.
class Corpus {
 public:
  Corpus() {
    std::string tmpl =
        (fs::temp_directory_path() / "logsweep-micro-reader-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) {
      std::perror("mkdtemp");
      std::abort();
    }
    dir_ = tmpl;
    Rng rng(7);
    std::string text;
    text.reserve(kLargeBytes + 1024);
    AppendLines(rng, kLargeBytes, text);
    large_bytes_ = text.size();
    large_ = (dir_ / "large.log.gz").string();
    WriteGzip(large_, text);
    for (size_t i = 0; i < kSmallFiles; ++i) {
      text.clear();
      AppendLines(rng, kSmallBytes, text);
      small_bytes_ += text.size();
      char name[32];
      std::snprintf(name, sizeof name, "small-%04zu.log.gz", i);
      small_.push_back((dir_ / name).string());
      WriteGzip(small_.back(), text);
    }
  }
  ~Corpus() {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  Corpus(const Corpus&) = delete;
  Corpus& operator=(const Corpus&) = delete;

  const std::string& large() const { return large_; }
  size_t large_bytes() const { return large_bytes_; }
  const std::vector<std::string>& small() const { return small_; }
  size_t small_bytes() const { return small_bytes_; }

 private:
  fs::path dir_;
  std::string large_;
  size_t large_bytes_ = 0;
  std::vector<std::string> small_;
  size_t small_bytes_ = 0;
};

const Corpus& TheCorpus() {
  static const Corpus corpus;
  return corpus;
}

// False (and the benchmark skipped) when `backend` is not built in.
bool Usable(benchmark::State& state, common::InflateBackend backend) {
  if (backend == common::InflateBackend::kIsal && !common::IsalAvailable()) {
    state.SkipWithError("built without ISA-L");
    return false;
  }
  return true;
}

void BM_Large(benchmark::State& state, common::InflateBackend backend,
              bool match) {
  if (!Usable(state, backend)) return;
  const Corpus& corpus = TheCorpus();
  common::ScanOptions options;
  options.backend = backend;
  options.match = match;
  common::FileScanner scanner(options);  // one per scan thread, reused
  const common::LineMatcher matcher(common::Query{});
  for (auto _ : state) {
    common::ScanReport report = scanner.Scan(corpus.large(), matcher);
    if (!report.status.ok()) {
      state.SkipWithError(report.status.ToString().c_str());
      break;
    }
    benchmark::DoNotOptimize(report.hosts.size());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(corpus.large_bytes()));
}

void BM_Small(benchmark::State& state, common::InflateBackend backend) {
  if (!Usable(state, backend)) return;
  const Corpus& corpus = TheCorpus();
  common::ScanOptions options;
  options.backend = backend;
  common::FileScanner scanner(options);
  const common::LineMatcher matcher(common::Query{});
  for (auto _ : state) {
    for (const std::string& path : corpus.small()) {
      common::ScanReport report = scanner.Scan(path, matcher);
      if (!report.status.ok()) {
        state.SkipWithError(report.status.ToString().c_str());
        return;
      }
      benchmark::DoNotOptimize(report.hosts.size());
    }
  }
  const auto files = static_cast<int64_t>(corpus.small().size());
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(corpus.small_bytes()));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * files);
  // Seconds per file (shown in us/ms by the console reporter).
  state.counters["per_file"] =
      benchmark::Counter(static_cast<double>(files),
                         benchmark::Counter::kIsIterationInvariantRate |
                             benchmark::Counter::kInvert);
}

// libdeflate has no streaming API: it inflates a whole member from memory
// into a buffer big enough for all of it, so it could not keep a worker's
// memory bounded for a multi-GiB file. Measured here (file read into memory
// first, outside the timing) to see what its speed would buy.
void BM_LibdeflateWholeFile(benchmark::State& state) {
  const Corpus& corpus = TheCorpus();
  std::ifstream in(corpus.large(), std::ios::binary);
  std::string gz((std::istreambuf_iterator<char>(in)),
                 std::istreambuf_iterator<char>());
  std::string out(corpus.large_bytes(), '\0');
  libdeflate_decompressor* d = libdeflate_alloc_decompressor();
  for (auto _ : state) {
    size_t got = 0;
    if (libdeflate_gzip_decompress(d, gz.data(), gz.size(), out.data(),
                                   out.size(), &got) != LIBDEFLATE_SUCCESS ||
        got != corpus.large_bytes()) {
      state.SkipWithError("libdeflate failed");
      break;
    }
    benchmark::DoNotOptimize(out.data());
  }
  libdeflate_free_decompressor(d);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(corpus.large_bytes()));
}
BENCHMARK(BM_LibdeflateWholeFile)
    ->Name("Large/libdeflate_inflate_only_in_memory")
    ->MinTime(0.5)
    ->Unit(benchmark::kMillisecond);

constexpr auto kZlib = common::InflateBackend::kZlib;
constexpr auto kIsal = common::InflateBackend::kIsal;

BENCHMARK_CAPTURE(BM_Large, zlib_match, kZlib, true)
    ->Name("Large/zlib_match")
    ->MinTime(0.5)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Large, zlib_nomatch, kZlib, false)
    ->Name("Large/zlib_nomatch")
    ->MinTime(0.5)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Large, isal_match, kIsal, true)
    ->Name("Large/isal_match")
    ->MinTime(0.5)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Large, isal_nomatch, kIsal, false)
    ->Name("Large/isal_nomatch")
    ->MinTime(0.5)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Small, zlib, kZlib)
    ->Name("Small/zlib")
    ->MinTime(0.5)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Small, isal, kIsal)
    ->Name("Small/isal")
    ->MinTime(0.5)
    ->Unit(benchmark::kMillisecond);

}  // namespace
