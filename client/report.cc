#include "client/report.h"

#include <cinttypes>

namespace logsweep::client {

int ExitCodeFor(const common::JobResult& result) {
  for (const auto& f : result.files) {
    if (!f.status.ok()) return kExitFilesFailed;
  }
  return kExitOk;
}

void PrintHosts(const common::JobResult& result, std::FILE* out) {
  for (const std::string& host : result.hosts) {
    std::fwrite(host.data(), 1, host.size(), out);
    std::fputc('\n', out);
  }
}

std::string SummaryLine(const common::JobResult& result, double seconds) {
  size_t failed = 0;
  for (const auto& f : result.files) failed += f.status.ok() ? 0 : 1;
  const auto& t = result.totals;
  char buf[512];
  std::snprintf(buf, sizeof(buf),
                "logsweep: %zu files (%zu failed), %" PRIu64 " lines (%" PRIu64
                " malformed), %.1f MB scanned, %" PRIu64
                " matches, %zu hosts, %.2f s",
                result.files.size(), failed, t.lines, t.malformed,
                static_cast<double>(t.bytes_scanned) / 1e6, t.matches,
                result.hosts.size(), seconds);
  return buf;
}

std::vector<std::string> ErrorLines(const common::JobResult& result) {
  std::vector<std::string> lines;
  for (const auto& f : result.files) {
    if (f.status.ok()) continue;
    lines.push_back("logsweep: error: " + f.path + ": " + f.status.ToString());
  }
  return lines;
}

}  // namespace logsweep::client
