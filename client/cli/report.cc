#include "client/cli/report.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <optional>
#include <unordered_map>

#include "client/cli/discovery_report.h"
#include "client/cli/json_bytes.h"
#include "common/base/time_text.h"

namespace logsweep::client {
namespace {

using nlohmann::json;

json StatsJson(const common::ScanStats& s) {
  return json{{"lines", s.lines},
              {"matches", s.matches},
              {"malformed", s.malformed},
              {"bytes_read", s.bytes_read},
              {"bytes_scanned", s.bytes_scanned},
              {"unreadable_method", s.unreadable_method},
              {"unreadable_status", s.unreadable_status},
              {"unreadable_time", s.unreadable_time},
              {"files_cached", s.files_cached},
              {"files_incremental", s.files_incremental},
              {"bytes_saved", s.bytes_saved},
              {"untimed_matches", s.untimed_matches}};
}

// How the files were answered (docs/cache.md): from the result cache,
// read from where a grown file's cached result ended, or read in full;
// and the bytes not read for each of the first two. Cancelled files were
// none of these.
struct CacheCounts {
  uint64_t cached = 0;
  uint64_t incremental = 0;
  uint64_t scanned = 0;
  uint64_t cached_bytes_saved = 0;
  uint64_t incremental_bytes_saved = 0;
};
CacheCounts CountCache(const common::JobResult& result) {
  CacheCounts c;
  for (const auto& f : result.files) {
    if (f.stats.files_cached != 0) {
      ++c.cached;
      c.cached_bytes_saved += f.stats.bytes_saved;
    } else if (f.stats.files_incremental != 0) {
      ++c.incremental;
      c.incremental_bytes_saved += f.stats.bytes_saved;
    } else if (f.status.code() != common::StatusCode::kCancelled) {
      ++c.scanned;
    }
  }
  return c;
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
  bool cancelled = false;
  for (const auto& f : result.files) {
    if (f.status.code() == common::StatusCode::kCancelled) {
      cancelled = true;
    } else if (!f.status.ok()) {
      return kExitFilesFailed;
    }
  }
  return cancelled ? kExitCancelled : kExitOk;
}

std::string HostsText(const common::JobResult& result) {
  std::string out;
  for (const std::string& host : result.hosts) {
    out += host;
    out += '\n';
  }
  return out;
}

std::vector<size_t> CountOrder(const common::JobResult& result, size_t top) {
  std::vector<size_t> order(
      std::min(result.hosts.size(), result.tallies.size()));
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  if (top == 0) return order;
  auto before = [&](size_t a, size_t b) {
    const uint64_t ca = result.tallies[a].count;
    const uint64_t cb = result.tallies[b].count;
    return ca != cb ? ca > cb : result.hosts[a] < result.hosts[b];
  };
  const size_t n = std::min(top, order.size());
  std::partial_sort(order.begin(), order.begin() + static_cast<ptrdiff_t>(n),
                    order.end(), before);
  order.resize(n);
  return order;
}

std::string CountsText(const common::JobResult& result, size_t top) {
  std::string out;
  auto time = [](const std::optional<int64_t>& t) {
    return t ? common::FormatIsoUtc(*t) : std::string("-");
  };
  for (size_t i : CountOrder(result, top)) {
    const common::HostTally& tally = result.tallies[i];
    out += result.hosts[i];
    out += '\t';
    out += std::to_string(tally.count);
    out += '\t';
    out += time(tally.first);
    out += '\t';
    out += time(tally.last);
    out += '\n';
  }
  return out;
}

std::string ResultJson(const common::JobResult& result, double wall_seconds,
                       const common::FoundFiles* found, size_t top) {
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
  size_t cancelled = 0;
  for (const auto& f : result.files) {
    if (f.status.code() == common::StatusCode::kCancelled) ++cancelled;
  }
  json doc{{"job_id", result.job_id},
           {"query", BytesJson(result.query)},
           {"hosts", std::move(hosts)},
           {"files", std::move(files)},
           {"failed_files", failed},
           {"cancelled_files", cancelled},
           {"totals", StatsJson(result.totals)},
           {"elapsed_seconds", static_cast<double>(result.elapsed_us) / 1e6},
           {"speculated", result.speculated},
           {"wall_seconds", wall_seconds}};
  const CacheCounts cache = CountCache(result);
  doc["cache"] =
      json{{"files_cached", cache.cached},
           {"files_incremental", cache.incremental},
           {"files_scanned", cache.scanned},
           {"bytes_saved", result.totals.bytes_saved},
           {"bytes_saved_cached", cache.cached_bytes_saved},
           {"bytes_saved_incremental", cache.incremental_bytes_saved}};
  if (result.counted) {
    auto time = [](const std::optional<int64_t>& t) {
      return t ? json(common::FormatIsoUtc(*t)) : json(nullptr);
    };
    json counts = json::array();
    for (size_t i : CountOrder(result, top)) {
      const common::HostTally& tally = result.tallies[i];
      counts.push_back(json{{"host", BytesJson(result.hosts[i])},
                            {"count", tally.count},
                            {"first", time(tally.first)},
                            {"last", time(tally.last)}});
    }
    doc["counts"] = std::move(counts);
  }
  if (found != nullptr) AddDiscoveryJson(*found, kJsonSkippedLimit, doc);
  return Dump(doc);
}

std::string SummaryLine(const common::JobResult& result, double seconds) {
  size_t failed = 0;
  size_t cancelled = 0;
  for (const auto& f : result.files) {
    if (f.status.code() == common::StatusCode::kCancelled) {
      ++cancelled;
    } else if (!f.status.ok()) {
      ++failed;
    }
  }
  std::string cancelled_text =
      cancelled ? ", " + std::to_string(cancelled) + " cancelled" : "";
  const auto& t = result.totals;
  char buf[512];
  std::snprintf(buf, sizeof(buf),
                "logsweep: %zu files (%zu failed%s), %" PRIu64
                " lines (%" PRIu64 " malformed), %.1f MB scanned, %" PRIu64
                " matches, %zu hosts, %.2f s",
                result.files.size(), failed, cancelled_text.c_str(), t.lines,
                t.malformed, static_cast<double>(t.bytes_scanned) / 1e6,
                t.matches, result.hosts.size(), seconds);
  std::string line = buf;
  // Named only when the query had lines it could not read.
  const std::pair<const char*, uint64_t> unreadable[] = {
      {"method", t.unreadable_method},
      {"status", t.unreadable_status},
      {"time", t.unreadable_time}};
  for (const auto& [what, n] : unreadable) {
    if (n != 0) {
      line += ", " + std::to_string(n) + " lines without a readable " + what;
    }
  }
  if (t.untimed_matches != 0) {
    // --count: these count, but their time (- in FIRST/LAST) is not known.
    line += ", " + std::to_string(t.untimed_matches) +
            " matches without a readable time";
  }
  if (t.files_cached > 0 || t.files_incremental > 0) {
    // Named only when the cache answered something: a first run reads
    // like one without a cache.
    const CacheCounts cache = CountCache(result);
    char text[256];
    if (cache.cached > 0) {
      std::snprintf(text, sizeof(text),
                    ", %" PRIu64 " files from cache (%.1f MB not read)",
                    cache.cached,
                    static_cast<double>(cache.cached_bytes_saved) / 1e6);
      line += text;
    }
    if (cache.incremental > 0) {
      std::snprintf(text, sizeof(text),
                    ", %" PRIu64
                    " grown files read from their old end (%.1f "
                    "MB not read)",
                    cache.incremental,
                    static_cast<double>(cache.incremental_bytes_saved) / 1e6);
      line += text;
    }
    std::snprintf(text, sizeof(text), ", %" PRIu64 " scanned in full",
                  cache.scanned);
    line += text;
  }
  if (result.speculated > 0) {
    // Copies of stragglers: worth knowing that a node was slow.
    line += ", " + std::to_string(result.speculated) +
            " slow files also run on a second worker";
  }
  return line;
}

std::vector<std::string> ErrorLines(const common::JobResult& result) {
  // Failures grouped by their error with the file's own path taken out,
  // in the order each first appeared.
  struct Group {
    std::string text;  // "CODE: reason" without the path
    std::vector<const common::FileReport*> files;
  };
  std::vector<Group> groups;
  std::unordered_map<std::string, size_t> index;
  for (const auto& f : result.files) {
    if (f.status.ok() || f.status.code() == common::StatusCode::kCancelled) {
      continue;
    }
    std::string text = f.status.ToString();
    if (!f.path.empty()) {
      for (size_t at = text.find(f.path); at != std::string::npos;
           at = text.find(f.path, at + 6)) {
        text.replace(at, f.path.size(), "FILE");
      }
    }
    auto [it, added] = index.emplace(text, groups.size());
    if (added) groups.push_back(Group{text, {}});
    groups[it->second].files.push_back(&f);
  }
  std::vector<std::string> lines;
  for (const Group& g : groups) {
    if (g.files.size() <= kErrorGroupMin) {
      for (const common::FileReport* f : g.files) {
        lines.push_back("logsweep: error: " + f->path + ": " +
                        f->status.ToString());
      }
      continue;
    }
    lines.push_back("logsweep: error: " + std::to_string(g.files.size()) +
                    " files: " + g.text + "; first: " + g.files.front()->path +
                    "; every file in --json");
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
  // The name column fits the longest name, so long names keep the columns
  // aligned.
  int name_width = 4;
  for (const auto& w : workers) {
    name_width = std::max(name_width, static_cast<int>(w.name.size()));
  }
  char buf[1024];
  std::snprintf(buf, sizeof(buf), "  %-*s %5s %7s %6s %9s %9s %9s %9s %9s\n",
                name_width, "NAME", "SLOTS", "RUNNING", "QUEUED", "TASKS",
                "MB/s NOW", "MB/s AVG", "UP", "SEEN");
  out += buf;
  for (const auto& w : workers) {
    const uint32_t running = std::min(w.in_flight, w.slots);
    std::snprintf(
        buf, sizeof(buf),
        "  %-*s %5u %7u %6u %9" PRIu64 " %9.1f %9.1f %9s %9s\n", name_width,
        w.name.c_str(), w.slots, running, w.in_flight - running, w.tasks_done,
        static_cast<double>(w.recent_bytes_per_second) / 1e6,
        MBps(w.bytes_scanned, w.connected_ms),
        Seconds(static_cast<double>(w.connected_ms) / 1e3).c_str(),
        (Seconds(static_cast<double>(w.last_seen_ms) / 1e3) + " ago").c_str());
    out += buf;
    if (w.quarantined) {
      out += "    quarantined (gets no tasks): " + w.quarantine_reason + "\n";
    }
  }
  return out;
}

std::string JobsTable(const std::vector<common::JobStatus>& jobs,
                      bool one_job) {
  std::string out =
      one_job ? "" : "jobs: " + std::to_string(jobs.size()) + " unfinished\n";
  if (jobs.empty()) return out;
  char buf[512];
  std::snprintf(buf, sizeof(buf), "  %-32s %-9s %15s %7s %9s %9s %9s\n", "JOB",
                "STATE", "FILES", "FAILED", "MB", "MB/s", "ELAPSED");
  out += buf;
  for (const auto& j : jobs) {
    const auto& p = j.progress;
    std::string files = std::to_string(p.done) + "/" + std::to_string(p.total);
    std::snprintf(
        buf, sizeof(buf), "  %-32s %-9s %15s %7" PRIu64 " %9.1f %9.1f %9s%s\n",
        p.job_id.c_str(), j.finished ? "finished" : "running", files.c_str(),
        p.failed, static_cast<double>(p.bytes_scanned) / 1e6,
        MBps(p.bytes_scanned, j.elapsed_ms),
        Seconds(static_cast<double>(j.elapsed_ms) / 1e3).c_str(),
        j.client_attached || j.finished ? "" : "  (no client attached)");
    out += buf;
    if (!j.query.empty()) out += "    query: " + j.query + "\n";
  }
  return out;
}

std::string StatusJson(const common::StatusReply& status, bool workers_only) {
  json workers = json::array();
  for (const auto& w : status.workers) {
    workers.push_back(
        json{{"name", w.name},
             {"slots", w.slots},
             {"in_flight", w.in_flight},
             {"running", std::min(w.in_flight, w.slots)},
             {"queued", w.in_flight - std::min(w.in_flight, w.slots)},
             {"recent_bytes_per_second", w.recent_bytes_per_second},
             {"tasks_done", w.tasks_done},
             {"bytes_scanned", w.bytes_scanned},
             {"connected_seconds", w.connected_ms / 1e3},
             {"last_seen_seconds", w.last_seen_ms / 1e3},
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
                          {"finished", j.finished},
                          {"client_attached", j.client_attached},
                          {"query", BytesJson(j.query)}});
    }
    doc["jobs"] = std::move(jobs);
  }
  return Dump(doc);
}

namespace {

// The file `path` names: itself, or where its symbolic links lead (a link
// to a file not there yet leads to that file's path).
std::string ResolveOutput(const std::string& path) {
  std::string current = path;
  for (int hops = 0; hops < 40; ++hops) {
    struct stat st;
    if (::lstat(current.c_str(), &st) != 0 || !S_ISLNK(st.st_mode)) break;
    std::string target(4096, '\0');
    ssize_t n = ::readlink(current.c_str(), target.data(), target.size());
    if (n <= 0) break;
    target.resize(static_cast<size_t>(n));
    if (target.front() != '/') {
      size_t slash = current.rfind('/');
      target =
          (slash == std::string::npos ? "" : current.substr(0, slash + 1)) +
          target;
    }
    current = target;
  }
  return current;
}

std::string DirectoryOf(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

}  // namespace

common::Status CheckOutputPath(const std::string& path) {
  if (path == "-") return common::OkStatus();
  if (path.empty()) {
    return common::InvalidArgumentError("--output needs a file name");
  }
  const std::string target = ResolveOutput(path);
  struct stat st;
  if ((!path.empty() && path.back() == '/') ||
      (::stat(target.c_str(), &st) == 0 && S_ISDIR(st.st_mode))) {
    return common::InvalidArgumentError("--output " + path +
                                        " is a directory; name a file in it");
  }
  const std::string dir = DirectoryOf(target);
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return common::NotFoundError("cannot write --output " + path + ": " + dir +
                                 " is not a directory");
  }
  // The file is replaced by a rename in its directory, which must take a
  // new file.
  if (::access(dir.c_str(), W_OK | X_OK) != 0) {
    return common::ErrnoStatus(
        errno, "cannot write --output " + path + " (directory " + dir + ")");
  }
  return common::OkStatus();
}

common::Status WriteFileAtomically(const std::string& path,
                                   const std::string& content) {
  // Through a symbolic link to its file: the link stays a link.
  const std::string target = ResolveOutput(path);
  struct stat old;
  const bool replacing = ::stat(target.c_str(), &old) == 0;
  if (replacing && S_ISDIR(old.st_mode)) {
    return common::InvalidArgumentError(path +
                                        " is a directory; name a file in it");
  }
  std::string tmp = target + ".tmp." + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return common::ErrnoStatus(errno, "cannot write " + path);
  // A file replaced keeps its mode.
  if (replacing) (void)::fchmod(fd, old.st_mode & 07777);
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
  if (::rename(tmp.c_str(), target.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    return common::ErrnoStatus(err, "cannot replace " + path);
  }
  return common::OkStatus();
}

namespace {

std::string SubmittedText(int64_t unix_ms) {
  return unix_ms > 0 ? common::FormatIsoUtc(unix_ms / 1000) : "unknown";
}

}  // namespace

std::string HistoryTable(const std::vector<common::JobSummary>& jobs) {
  std::string out = "jobs: " + std::to_string(jobs.size()) + " newest\n";
  if (jobs.empty()) return out;
  char buf[512];
  std::snprintf(buf, sizeof(buf), "  %-32s %-20s %-9s %15s %7s %9s\n", "JOB",
                "SUBMITTED", "STATE", "FILES", "FAILED", "DURATION");
  out += buf;
  for (const auto& j : jobs) {
    std::string files = j.state == "running" ? std::to_string(j.done) + "/" +
                                                   std::to_string(j.files)
                                             : std::to_string(j.files);
    std::snprintf(buf, sizeof(buf),
                  "  %-32s %-20s %-9s %15s %7" PRIu64 " %9s\n",
                  DisplayUtf8(j.job_id).c_str(),
                  SubmittedText(j.submitted_unix_ms).c_str(),
                  DisplayUtf8(j.state).c_str(), files.c_str(), j.failed,
                  Seconds(static_cast<double>(j.elapsed_ms) / 1e3).c_str());
    out += buf;
  }
  return out;
}

std::string HistoryJson(const std::vector<common::JobSummary>& jobs) {
  json list = json::array();
  for (const auto& j : jobs) {
    list.push_back(json{
        {"job_id", BytesJson(j.job_id)},
        {"submitted", j.submitted_unix_ms > 0 ? json(common::FormatIsoUtc(
                                                    j.submitted_unix_ms / 1000))
                                              : json(nullptr)},
        {"submitted_unix_ms", j.submitted_unix_ms},
        {"state", BytesJson(j.state)},
        {"files", j.files},
        {"done", j.done},
        {"failed", j.failed},
        {"elapsed_seconds", j.elapsed_ms / 1e3}});
  }
  return Dump(json{{"jobs", std::move(list)}});
}

}  // namespace logsweep::client
