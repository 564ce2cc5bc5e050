#include "client/cli/report.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "client/cli/discovery_report.h"
#include "client/cli/json_bytes.h"

namespace logsweep::client {
namespace {

using nlohmann::json;

json StatsJson(const common::ScanStats& s) {
  return json{{"lines", s.lines},
              {"matches", s.matches},
              {"malformed", s.malformed},
              {"bytes_read", s.bytes_read},
              {"bytes_scanned", s.bytes_scanned}};
}

std::string Dump(const json& doc) {
  return doc.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

std::string Seconds(double s) {
  char buf[32];
  if (s < 60) {
    std::snprintf(buf, sizeof(buf), "%.1f s", s);
  } else if (s < 3600) {
    std::snprintf(buf, sizeof(buf), "%dm%02ds", static_cast<int>(s) / 60,
                  static_cast<int>(s) % 60);
  } else {
    std::snprintf(buf, sizeof(buf), "%dh%02dm", static_cast<int>(s) / 3600,
                  static_cast<int>(s) % 3600 / 60);
  }
  return buf;
}

double MBps(uint64_t bytes, uint64_t ms) {
  return ms == 0 ? 0.0 : static_cast<double>(bytes) / 1e3 / ms;
}

}  // namespace

int ExitCodeFor(const common::JobResult& result) {
  for (const auto& f : result.files) {
    if (!f.status.ok()) return kExitFilesFailed;
  }
  return kExitOk;
}

std::string HostsText(const common::JobResult& result) {
  std::string out;
  for (const std::string& host : result.hosts) {
    out += host;
    out += '\n';
  }
  return out;
}

std::string ResultJson(const common::JobResult& result, double wall_seconds,
                       const common::FoundFiles* found) {
  json files = json::array();
  size_t failed = 0;
  for (const auto& f : result.files) {
    json file{{"path", BytesJson(f.path)},
              {"ok", f.status.ok()},
              {"attempts", f.attempts},
              {"stats", StatsJson(f.stats)},
              {"warnings", f.warnings}};
    if (!f.status.ok()) {
      ++failed;
      file["code"] = common::StatusCodeName(f.status.code());
      file["error"] = f.status.message();
    }
    files.push_back(std::move(file));
  }
  json hosts = json::array();
  for (const std::string& host : result.hosts) hosts.push_back(BytesJson(host));
  json doc{{"job_id", result.job_id},
           {"hosts", std::move(hosts)},
           {"files", std::move(files)},
           {"failed_files", failed},
           {"totals", StatsJson(result.totals)},
           {"elapsed_seconds", static_cast<double>(result.elapsed_us) / 1e6},
           {"speculated", result.speculated},
           {"wall_seconds", wall_seconds}};
  if (found != nullptr) AddDiscoveryJson(*found, kJsonSkippedLimit, doc);
  return Dump(doc);
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
  std::string line = buf;
  if (result.speculated > 0) {
    // Copies of stragglers: worth knowing that a node was slow.
    line += ", " + std::to_string(result.speculated) +
            " slow files also run on a second worker";
  }
  return line;
}

std::vector<std::string> ErrorLines(const common::JobResult& result) {
  std::vector<std::string> lines;
  for (const auto& f : result.files) {
    if (f.status.ok()) continue;
    lines.push_back("logsweep: error: " + f.path + ": " + f.status.ToString());
  }
  return lines;
}

std::vector<std::string> WarningLines(const common::JobResult& result) {
  std::vector<std::string> lines;
  for (const auto& f : result.files) {
    for (const std::string& warning : f.warnings) {
      lines.push_back("logsweep: warning: " + f.path + ": " + warning);
    }
  }
  return lines;
}

std::string ProgressText(const common::JobProgress& p, double elapsed) {
  double mbps =
      elapsed > 0 ? static_cast<double>(p.bytes_scanned) / 1e6 / elapsed : 0.0;
  std::string eta;
  if (p.done > 0 && p.done < p.total) {
    double left = elapsed / static_cast<double>(p.done) *
                  static_cast<double>(p.total - p.done);
    eta = ", ETA " + Seconds(left);
  }
  char buf[256];
  std::snprintf(buf, sizeof(buf),
                "%" PRIu64 "/%" PRIu64 " files, %.0f MB/s%s, %" PRIu64
                " failed, %u workers",
                p.done, p.total, mbps, eta.c_str(), p.failed, p.workers);
  return buf;
}

std::string WorkersTable(const std::vector<common::WorkerStatus>& workers) {
  std::string out =
      "workers: " + std::to_string(workers.size()) + " connected\n";
  if (workers.empty()) return out;
  char buf[512];
  std::snprintf(buf, sizeof(buf), "  %-28s %5s %5s %9s %9s %9s\n", "NAME",
                "SLOTS", "BUSY", "TASKS", "MB/s", "UP");
  out += buf;
  for (const auto& w : workers) {
    std::snprintf(buf, sizeof(buf), "  %-28s %5u %5u %9" PRIu64 " %9.1f %9s\n",
                  w.name.c_str(), w.slots, w.in_flight, w.tasks_done,
                  MBps(w.bytes_scanned, w.connected_ms),
                  Seconds(static_cast<double>(w.connected_ms) / 1e3).c_str());
    out += buf;
    if (w.quarantined) {
      out += "    quarantined (gets no tasks): " + w.quarantine_reason + "\n";
    }
  }
  return out;
}

std::string JobsTable(const std::vector<common::JobStatus>& jobs) {
  std::string out = "jobs: " + std::to_string(jobs.size()) + " unfinished\n";
  if (jobs.empty()) return out;
  char buf[512];
  std::snprintf(buf, sizeof(buf), "  %-32s %15s %7s %9s %9s %9s\n", "JOB",
                "FILES", "FAILED", "MB", "MB/s", "ELAPSED");
  out += buf;
  for (const auto& j : jobs) {
    const auto& p = j.progress;
    std::string files = std::to_string(p.done) + "/" + std::to_string(p.total);
    std::snprintf(buf, sizeof(buf),
                  "  %-32s %15s %7" PRIu64 " %9.1f %9.1f %9s%s\n",
                  p.job_id.c_str(), files.c_str(), p.failed,
                  static_cast<double>(p.bytes_scanned) / 1e6,
                  MBps(p.bytes_scanned, j.elapsed_ms),
                  Seconds(static_cast<double>(j.elapsed_ms) / 1e3).c_str(),
                  j.client_attached ? "" : "  (no client attached)");
    out += buf;
  }
  return out;
}

std::string StatusJson(const common::StatusReply& status, bool workers_only) {
  json workers = json::array();
  for (const auto& w : status.workers) {
    workers.push_back(json{{"name", w.name},
                           {"slots", w.slots},
                           {"in_flight", w.in_flight},
                           {"tasks_done", w.tasks_done},
                           {"bytes_scanned", w.bytes_scanned},
                           {"connected_seconds", w.connected_ms / 1e3},
                           {"quarantined", w.quarantined},
                           {"quarantine_reason", w.quarantine_reason}});
  }
  json doc{{"workers", std::move(workers)}};
  if (!workers_only) {
    json jobs = json::array();
    for (const auto& j : status.jobs) {
      const auto& p = j.progress;
      jobs.push_back(json{{"job_id", p.job_id},
                          {"total", p.total},
                          {"done", p.done},
                          {"failed", p.failed},
                          {"bytes_scanned", p.bytes_scanned},
                          {"elapsed_seconds", j.elapsed_ms / 1e3},
                          {"client_attached", j.client_attached}});
    }
    doc["jobs"] = std::move(jobs);
  }
  return Dump(doc);
}

common::Status WriteFileAtomically(const std::string& path,
                                   const std::string& content) {
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return common::ErrnoStatus(errno, "cannot write " + path);
  size_t written = 0;
  while (written < content.size()) {
    ssize_t n = ::write(fd, content.data() + written, content.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      return common::ErrnoStatus(err, "cannot write " + path);
    }
    written += static_cast<size_t>(n);
  }
  int synced = ::fsync(fd);
  int err = errno;
  if (::close(fd) != 0 && synced == 0) {
    synced = -1;
    err = errno;
  }
  if (synced != 0) {
    ::unlink(tmp.c_str());
    return common::ErrnoStatus(err, "cannot write " + path);
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    return common::ErrnoStatus(err, "cannot replace " + path);
  }
  return common::OkStatus();
}

}  // namespace logsweep::client
