// logsweep-scanbench: the ceiling the system is measured against. Scans
// files with logsweep's own reader and matcher on N threads in one process,
// with no coordinator and no messaging; `--no-match` inflates only.
// Prints one line: files, uncompressed bytes, seconds, MB/s, hosts.
// The query is the headline one unless the query flags (a subset of
// `logsweep run`'s, issue 17) ask another: bench/run.sh's query rows.
#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <thread>
#include <vector>

#include "common/scan/file_scanner.h"
#include "common/scan/gzip_stream.h"
#include "common/scan/line_matcher.h"

namespace {

namespace common = logsweep::common;

int Main(int argc, char** argv) {
  CLI::App app{"inflate+scan ceiling: logsweep's reader without the system"};
  std::vector<std::string> files;
  unsigned threads = 1;
  bool no_match = false;
  std::string inflate =
      common::InflateBackendName(common::DefaultInflateBackend());
  app.add_option("files", files, "log files")->required();
  app.add_option("--threads", threads, "scan threads")->capture_default_str();
  app.add_flag("--no-match", no_match, "inflate only, no line matching");
  app.add_option("--inflate", inflate, "zlib or isa-l")
      ->check(CLI::IsMember({"zlib", "isa-l"}))
      ->capture_default_str();
  common::Query query;
  std::vector<std::string> paths;
  std::vector<unsigned> statuses;
  app.add_option("--path", paths, "exact path (repeatable: any of)")
      ->allow_extra_args(false);
  app.add_option("--path-prefix", query.path_prefix, "path prefix");
  app.add_option("--path-regex", query.path_regex, "RE2 pattern on the path");
  app.add_option("--status", statuses, "status code (repeatable: any of)")
      ->allow_extra_args(false);
  app.add_flag("--count", query.count,
               "per host: matching lines, first and last time (issue 17)");
  CLI11_PARSE(app, argc, argv);
  if (!paths.empty() || !query.path_prefix.empty() ||
      !query.path_regex.empty() || !statuses.empty()) {
    query.match_value = paths.empty() ? "" : paths.front();
    if (!paths.empty())
      query.more_values.assign(paths.begin() + 1, paths.end());
    for (unsigned s : statuses) query.statuses.push_back({s, s});
    if (auto s = common::ValidateQuery(query); !s.ok()) {
      std::fprintf(stderr, "%s\n", s.ToString().c_str());
      return 2;
    }
  }
  if (inflate == "isa-l" && !common::IsalAvailable()) {
    std::fprintf(stderr, "built without ISA-L\n");
    return 2;
  }

  common::ScanOptions options;
  options.backend = inflate == "isa-l" ? common::InflateBackend::kIsal
                                       : common::InflateBackend::kZlib;
  options.match = !no_match;
  common::LineMatcher matcher{query};
  std::atomic<size_t> next{0};
  std::mutex mu;
  common::HostSet hosts;      // guarded by mu
  common::HostCounts counts;  // guarded by mu; --count
  common::ScanStats totals;   // guarded by mu
  int failures = 0;           // guarded by mu

  auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      common::FileScanner scanner(options);
      for (size_t i = next++; i < files.size(); i = next++) {
        common::ScanReport r = scanner.Scan(files[i], matcher);
        std::lock_guard<std::mutex> lock(mu);
        if (!r.status.ok()) {
          std::fprintf(stderr, "%s: %s\n", files[i].c_str(),
                       r.status.ToString().c_str());
          ++failures;
        }
        hosts.Merge(r.hosts);
        counts.Merge(r.counts);
        totals.Add(r.stats);
      }
    });
  }
  for (auto& t : pool) t.join();
  double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  std::printf(
      "files=%zu bytes=%llu seconds=%.3f mbps=%.1f hosts=%zu "
      "lines=%llu matches=%llu\n",
      files.size(), static_cast<unsigned long long>(totals.bytes_scanned), secs,
      static_cast<double>(totals.bytes_scanned) / 1e6 / secs,
      query.count ? counts.size() : hosts.size(),
      static_cast<unsigned long long>(totals.lines),
      static_cast<unsigned long long>(totals.matches));
  return failures == 0 ? 0 : 3;
}

}  // namespace

int main(int argc, char** argv) { return Main(argc, argv); }
