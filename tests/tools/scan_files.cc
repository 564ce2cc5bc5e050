// logsweep-scanfiles: scans each file with common::FileScanner and prints
// one line per file, for tests that compare logsweep's reading of a file
// with an independent reference (tests/integration/formats_differential.py):
//   PATH \t CODE \t lines \t matches \t malformed \t bytes_scanned \t
//   HOSTS (sorted, each in hex, comma-separated) \t WARNINGS (joined by
//   " | ") \t MESSAGE \t unreadable_method \t unreadable_status \t
//   unreadable_time
// The query is --key-field/--match-field/--value, or, when any of the
// `logsweep run` query flags is given, what those flags ask
// (client/cli/query_flags.h), for tests/integration/query_differential.py.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <string>
#include <vector>

#include "client/cli/query_flags.h"
#include "common/base/query.h"
#include "common/scan/file_scanner.h"
#include "common/scan/gzip_stream.h"
#include "common/scan/line_matcher.h"

namespace {

namespace common = logsweep::common;

std::string Hex(const std::string& bytes) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

int Main(int argc, char** argv) {
  CLI::App app{"scan files with logsweep's reader; one line per file"};
  std::vector<std::string> files;
  size_t max_line_bytes = common::ScanOptions{}.max_line_bytes;
  std::string inflate = "zlib";
  common::Query query;
  app.add_option("files", files, "files to scan")->required();
  app.add_option("--max-line-bytes", max_line_bytes, "ScanOptions")
      ->capture_default_str();
  app.add_option("--inflate", inflate, "zlib or isa-l")
      ->check(CLI::IsMember({"zlib", "isa-l"}))
      ->capture_default_str();
  app.add_option("--key-field", query.key_field)->capture_default_str();
  app.add_option("--match-field", query.match_field)->capture_default_str();
  app.add_option("--value", query.match_value)->capture_default_str();
  logsweep::client::QueryFlags flags;
  app.add_option("--path", flags.paths)->allow_extra_args(false);
  app.add_option("--path-prefix", flags.path_prefix);
  app.add_option("--path-regex", flags.path_regex);
  app.add_option("--status", flags.statuses)->allow_extra_args(false);
  app.add_option("--method", flags.methods)->allow_extra_args(false);
  app.add_option("--since", flags.since);
  app.add_option("--until", flags.until);
  app.add_option("--key", flags.key);
  app.add_option("--field", flags.field);
  app.add_flag("--count", flags.count);
  CLI11_PARSE(app, argc, argv);
  if (!flags.paths.empty() || !flags.path_prefix.empty() ||
      !flags.path_regex.empty() || !flags.statuses.empty() ||
      !flags.methods.empty() || !flags.since.empty() || !flags.until.empty() ||
      flags.key != 0 || flags.field != 0 || flags.count) {
    auto built = logsweep::client::BuildQuery(flags, 0);
    if (!built.ok()) {
      std::fprintf(stderr, "%s\n", built.status().message().c_str());
      return 2;
    }
    query = *built;
  }
  if (inflate == "isa-l" && !common::IsalAvailable()) {
    std::fprintf(stderr, "built without ISA-L\n");
    return 2;
  }
  common::ScanOptions options;
  options.backend = inflate == "isa-l" ? common::InflateBackend::kIsal
                                       : common::InflateBackend::kZlib;
  options.max_line_bytes = max_line_bytes;
  common::FileScanner scanner(options);
  const common::LineMatcher matcher(query);
  for (const std::string& path : files) {
    common::ScanReport r = scanner.Scan(path, matcher);
    std::string hosts;
    for (const std::string& host : r.hosts.Sorted()) {
      if (!hosts.empty()) hosts += ',';
      hosts += Hex(host);
    }
    // --count: the hosts are the tallies' (HEX:COUNT:FIRST:LAST, Unix
    // seconds or - for none), in the hosts column's order.
    std::string tallies;
    for (const auto& [host, tally] : r.counts.SortedByHost()) {
      if (!hosts.empty()) hosts += ',';
      hosts += Hex(host);
      if (!tallies.empty()) tallies += ',';
      tallies += Hex(host) + ":" + std::to_string(tally.count) + ":" +
                 (tally.first ? std::to_string(*tally.first) : "-") + ":" +
                 (tally.last ? std::to_string(*tally.last) : "-");
    }
    std::string warnings;
    for (const std::string& w : r.warnings) {
      if (!warnings.empty()) warnings += " | ";
      warnings += w;
    }
    std::printf(
        "%s\t%s\t%llu\t%llu\t%llu\t%llu\t%s\t%s\t%s\t%llu\t%llu\t%llu\t%llu\t"
        "%s\n",
        path.c_str(), common::StatusCodeName(r.status.code()),
        static_cast<unsigned long long>(r.stats.lines),
        static_cast<unsigned long long>(r.stats.matches),
        static_cast<unsigned long long>(r.stats.malformed),
        static_cast<unsigned long long>(r.stats.bytes_scanned), hosts.c_str(),
        warnings.c_str(), r.status.message().c_str(),
        static_cast<unsigned long long>(r.stats.unreadable_method),
        static_cast<unsigned long long>(r.stats.unreadable_status),
        static_cast<unsigned long long>(r.stats.unreadable_time),
        static_cast<unsigned long long>(r.stats.untimed_matches),
        tallies.c_str());
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return Main(argc, argv); }
