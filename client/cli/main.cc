// logsweep: the client CLI. `run` starts a local coordinator and workers
// (like a process pool); `submit` sends a job to a running coordinator;
// `wait`, `status`, `workers` and `cancel` talk to a running coordinator.
// Results go to stdout (hosts, or JSON), a summary and errors to stderr.
// docs/cli.md has examples.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <exception>
#include <optional>
#include <thread>
#include <variant>
#include <zmq.hpp>

#include "client/cli/discovery_report.h"
#include "client/cli/job_client.h"
#include "client/cli/query_flags.h"
#include "client/cli/report.h"
#include "client/runner/local_cluster.h"
#include "common/base/signals.h"
#include "common/discovery/file_finder.h"
#include "common/scan/gzip_stream.h"
#include "common/transport/curve.h"
#include "common/transport/version.h"
#include "coordinator/result_cache.h"

namespace {

namespace lc = logsweep::client;
namespace common = logsweep::common;
using Clock = std::chrono::steady_clock;

// Where the coordinator is and how long to wait for it.
struct ConnectFlags {
  std::string coordinator = "tcp://127.0.0.1:5556";
  int connect_timeout_ms = 10000;
  // CURVE (submit and wait only; `run` talks over ipc with CURVE off).
  std::string curve_server_key;
  std::string curve_key;
  std::optional<common::CurveClientKeys> curve;
  // Set by SIGINT/SIGTERM once InstallStopSignals ran (run, submit, wait).
  const std::atomic<bool>* interrupted = nullptr;
};

void AddCurveFlags(CLI::App* cmd, ConnectFlags& f) {
  cmd->add_option("--curve-server-key", f.curve_server_key,
                  "turn on CurveZMQ: the coordinator's public key file "
                  "(.pub); needs --curve-key; default: "
                  "$LOGSWEEP_CURVE_SERVER_KEY");
  cmd->add_option("--curve-key", f.curve_key,
                  "this client's key pair: NAME (reads NAME.key) or the "
                  ".key file; its .pub must be in the coordinator's "
                  "authorized-keys/clients/; default: $LOGSWEEP_CURVE_KEY");
}

// The command that waits for a job again from another shell, with every
// flag it needs to reach the same coordinator: "logsweep wait --coordinator
// tcp://h:5556 [--curve-server-key K --curve-key C]" (the id goes last).
std::string WaitCommand(const ConnectFlags& f) {
  std::string command = "logsweep wait --coordinator " + f.coordinator;
  if (!f.curve_server_key.empty()) {
    command += " --curve-server-key " + f.curve_server_key;
  }
  if (!f.curve_key.empty()) command += " --curve-key " + f.curve_key;
  return command;
}

// --coordinator: an endpoint ZeroMQ can connect to, said in a way a person
// can fix (libzmq's own word for "127.0.0.1:5556" is "Invalid argument").
CLI::Validator EndpointValidator() {
  return CLI::Validator(
      [](std::string& value) -> std::string {
        const std::string example =
            value.find("://") == std::string::npos && !value.empty()
                ? "tcp://" + (value.find(':') == std::string::npos
                                  ? value + ":5556"
                                  : value)
                : "tcp://127.0.0.1:5556";
        if (value.rfind("ipc://", 0) == 0 || value.rfind("inproc://", 0) == 0) {
          return value.size() > value.find("://") + 3
                     ? ""
                     : "an ipc endpoint needs a path: ipc:///run/x.sock";
        }
        if (value.rfind("tcp://", 0) == 0) {
          const std::string rest = value.substr(6);
          const size_t colon = rest.rfind(':');
          const bool port_ok =
              colon != std::string::npos && colon > 0 &&
              colon + 1 < rest.size() &&
              rest.find_first_not_of("0123456789", colon + 1) ==
                  std::string::npos;
          if (port_ok) return "";
          return "'" + value +
                 "' has no host and port: write tcp://HOST:PORT, " +
                 "e.g. tcp://127.0.0.1:5556";
        }
        return "'" + value + "' is not an endpoint: write tcp://HOST:PORT, " +
               "e.g. " + example;
      },
      "ENDPOINT");
}

// Loads the keys named by the CURVE flags into `f`; false (after saying
// why) when they cannot be used.
bool LoadCurveFlags(ConnectFlags& f) {
  std::string warning;
  auto keys =
      common::LoadCurveClientKeys(f.curve_server_key, f.curve_key, &warning);
  if (!keys.ok()) {
    std::fprintf(stderr, "logsweep: %s\n", keys.status().ToString().c_str());
    return false;
  }
  if (!warning.empty()) {
    std::fprintf(stderr, "logsweep: warning: %s\n", warning.c_str());
  }
  f.curve = std::move(*keys);
  return true;
}

// The connection flags `cmd` (the subcommand given) was not given, from
// the environment: a shell on a cluster node sets them once and just runs
// `logsweep submit --remote logs/`. A flag always wins. (Not CLI11's
// envname: with one ConnectFlags shared by several subcommands, CLI11 2.1
// also fills the options of the subcommands not given, over the flag.)
void ConnectFlagsFromEnvironment(const CLI::App& cmd, ConnectFlags& f) {
  struct Setting {
    const char* flag;
    const char* variable;
    std::string* value;
  };
  for (const Setting& s :
       {Setting{"--coordinator", "LOGSWEEP_COORDINATOR", &f.coordinator},
        Setting{"--curve-server-key", "LOGSWEEP_CURVE_SERVER_KEY",
                &f.curve_server_key},
        Setting{"--curve-key", "LOGSWEEP_CURVE_KEY", &f.curve_key}}) {
    const char* env = std::getenv(s.variable);
    if (env != nullptr && *env != '\0' && cmd.count(s.flag) == 0) {
      *s.value = env;
    }
  }
}

// `endpoint` false: `run`, whose local coordinator listens on ipc with
// CURVE off.
void AddConnectFlags(CLI::App* cmd, ConnectFlags& f, bool endpoint = true) {
  if (endpoint) {
    cmd->add_option("--coordinator", f.coordinator,
                    "coordinator's clients endpoint, tcp://HOST:PORT; "
                    "default: $LOGSWEEP_COORDINATOR, else "
                    "tcp://127.0.0.1:5556")
        ->check(EndpointValidator());
    AddCurveFlags(cmd, f);
  }
  cmd->add_option("--connect-timeout-ms", f.connect_timeout_ms,
                  "how long to wait for the coordinator to answer")
      ->check(CLI::Range(100, 600000))
      ->capture_default_str();
}

// How a job's result is shown.
struct OutputFlags {
  bool quiet = false;
  bool json = false;
  std::string output;
  size_t top = 0;  // --top N: the N hosts with most lines (0: all, by host)
};

void AddOutputFlags(CLI::App* cmd, OutputFlags& f) {
  cmd->add_flag("-q,--quiet", f.quiet, "no progress line and no summary");
  cmd->add_flag("--json", f.json,
                "print the result as one JSON document (hosts, per-file "
                "stats and errors, totals, timings, path errors, skipped "
                "files; bytes that are not UTF-8 as {text, bytes_hex})");
  cmd->add_option("-o,--output", f.output,
                  "write the hosts (or the JSON) to FILE, atomically, "
                  "instead of stdout (- is stdout; a symbolic link is "
                  "written through; checked before the job starts)")
      ->type_name("FILE");
  cmd->add_option("--top", f.top,
                  "with --count (implied): only the N hosts with the most "
                  "matching lines, by count descending, ties by host")
      ->type_name("N")
      ->check(CLI::Validator(
          [](std::string& v) {
            // 0 (in any spelling) is the one number that is not a count of
            // hosts; what is not a number at all CLI11 refuses itself.
            return !v.empty() && v.find_first_not_of('0') == std::string::npos
                       ? std::string("N must be at least 1 (a number of hosts)")
                       : std::string();
          },
          "N"))
      ->check(CLI::Range(size_t{1}, size_t{1} << 40));
}

// What a job scans and looks for.
struct JobFlags {
  std::vector<std::string> paths;
  common::FindOptions find;
  bool list_files = false;
  lc::QueryFlags query;
  common::Query built_query;  // from `query`, by BuildJobQuery
  bool merge_partial = false;
};

void AddJobFlags(CLI::App* cmd, JobFlags& f) {
  cmd->add_option("paths", f.paths,
                  "files, directories (searched for log files: *.log, *_log "
                  "and their rotated and compressed forms) or globs (* ? [] "
                  "** {a,b}); relative paths are made absolute against the "
                  "current directory")
      ->required();
  cmd->add_option("--include", f.find.include,
                  "under a directory, also scan the files whose path "
                  "relative to it matches GLOB (repeatable)")
      ->type_name("GLOB")
      ->allow_extra_args(false);
  cmd->add_option("--exclude", f.find.exclude,
                  "under a directory, skip the files and directories that "
                  "match GLOB; wins over --include and --all-files "
                  "(repeatable)")
      ->type_name("GLOB")
      ->allow_extra_args(false);
  cmd->add_flag("--all-files", f.find.all_files,
                "under a directory, scan every regular file (hidden ones "
                "too), not only log files");
  cmd->add_flag("--list-files", f.list_files,
                "print the files that would be scanned (what was skipped, "
                "and why, on stderr) and exit without scanning");
  // The query (docs/cli.md, "The query"): every predicate given must hold.
  lc::QueryFlags& q = f.query;
  cmd->add_option("--path", q.paths,
                  "the request path (field 7) is exactly P; repeatable: any "
                  "of them (default, with no other predicate: /robots.txt)")
      ->type_name("P")
      ->allow_extra_args(false);
  cmd->add_option("--path-prefix", q.path_prefix,
                  "the request path starts with P")
      ->type_name("P");
  cmd->add_option("--path-regex", q.path_regex,
                  "the request path contains a match of the RE2 pattern RE "
                  "(bytes, case-sensitive; anchor with ^ and $)")
      ->type_name("RE");
  cmd->add_option("--status", q.statuses,
                  "the status (field 9) is CODE (404), in a class (4xx) or a "
                  "range (400-499); repeatable or comma-separated: any of")
      ->type_name("CODE")
      ->allow_extra_args(false);
  cmd->add_option("--method", q.methods,
                  "the method (field 6 without its quote) is M; repeatable "
                  "or comma-separated: any of")
      ->type_name("M")
      ->allow_extra_args(false);
  cmd->add_option("--since", q.since,
                  "the line's time is at or after T: ISO 8601 "
                  "(2026-10-01, 2026-10-01T13:55:36+02:00; UTC when no "
                  "offset) or relative (-7d, -12h, -30m)")
      ->type_name("T");
  cmd->add_option("--until", q.until,
                  "the line's time is before T (as --since)")
      ->type_name("T");
  cmd->add_option("--key", q.key,
                  "print field N of matching lines instead of the host "
                  "(field 1)")
      ->type_name("N")
      ->check(CLI::Range(1u, 1000u));
  cmd->add_option("--field", q.field,
                  "the request path is field N (default 7); the method, "
                  "time and status move with it (vhost prefixes)")
      ->type_name("N")
      ->check(CLI::Range(1u, 1000u));
  cmd->add_flag("--count", q.count,
                "per host: the number of matching lines and the first and "
                "last time among them (HOST<TAB>COUNT<TAB>FIRST<TAB>LAST, "
                "sorted by host; ISO 8601 UTC, - when no time was read)");
  cmd->add_flag("--merge-partial", f.merge_partial,
                "also merge hosts (and --count tallies) found in a file "
                "before it failed");
}

// Shows progress on stderr while the job runs, when stderr is a terminal,
// and what a person waiting should know about the connection (on a
// terminal in the same line while it lasts; else once, as a line).
class ProgressLine {
 public:
  ProgressLine(bool quiet, std::string endpoint)
      : enabled_(!quiet && ::isatty(STDERR_FILENO)),
        endpoint_(std::move(endpoint)),
        start_(Clock::now()) {}
  ~ProgressLine() { Clear(); }

  void Update(const common::JobProgress& p) {
    // Local workers take a moment to register, and workers re-register
    // after a coordinator restart: say so only if none is there for 2 s.
    if (p.workers > 0) {
      no_workers_since_.reset();
    } else if (!no_workers_since_) {
      no_workers_since_ = Clock::now();
    } else if (!warned_no_workers_ &&
               Clock::now() - *no_workers_since_ > std::chrono::seconds(2)) {
      Clear();
      std::fprintf(stderr,
                   "logsweep: waiting: no workers connected to the "
                   "coordinator at %s\n",
                   endpoint_.c_str());
      warned_no_workers_ = true;
    }
    if (!enabled_) return;
    double secs = std::chrono::duration<double>(Clock::now() - start_).count();
    Show(lc::ProgressText(p, secs));
  }

  void Notice(const lc::ConnectionNotice& n) {
    using Kind = lc::ConnectionNotice::Kind;
    if (n.kind == Kind::kUnreachable) {
      if (enabled_) {
        Show("logsweep: " + n.text);
      } else if (!told_unreachable_) {
        std::fprintf(stderr, "logsweep: %s\n", n.text.c_str());
      }
      told_unreachable_ = true;
      return;
    }
    if (n.kind == Kind::kBack && !told_unreachable_) return;
    told_unreachable_ = false;
    Clear();
    std::fprintf(stderr, "logsweep: %s\n", n.text.c_str());
  }

  void Clear() {
    if (shown_) std::fputs("\r\033[K", stderr);
    std::fflush(stderr);
    shown_ = false;
  }

 private:
  void Show(const std::string& text) {
    std::fprintf(stderr, "\r\033[K%s", text.c_str());
    std::fflush(stderr);
    shown_ = true;
  }

  bool enabled_;
  std::string endpoint_;
  Clock::time_point start_;
  bool shown_ = false;
  std::optional<Clock::time_point> no_workers_since_;
  bool warned_no_workers_ = false;
  bool told_unreachable_ = false;
};

// For commands without a progress line: each notice as a line on stderr.
void PrintNotice(const lc::ConnectionNotice& n) {
  std::fprintf(stderr, "logsweep: %s\n", n.text.c_str());
}

lc::JobClientOptions ClientOptions(const ConnectFlags& flags) {
  lc::JobClientOptions options;
  options.session.connect_timeout =
      std::chrono::milliseconds(flags.connect_timeout_ms);
  options.session.no_answer_hint =
      flags.curve ? " With CURVE on, a refused handshake also looks like "
                    "this: check that --curve-server-key is the "
                    "coordinator's public key and that this client's .pub "
                    "is in its authorized-keys/clients/ (the coordinator "
                    "logs each refusal)."
                  : " If it runs with CURVE, pass --curve-server-key and "
                    "--curve-key.";
  options.curve = flags.curve;
  options.interrupted = flags.interrupted;
  options.wait_command = WaitCommand(flags);
  return options;
}

int PrintError(const common::Status& status) {
  std::fprintf(stderr, "logsweep: %s\n", status.ToString().c_str());
  return lc::kExitError;
}

// Writes `text` to stdout, or atomically to --output.
int Emit(const OutputFlags& flags, const std::string& text) {
  if (flags.output.empty() || flags.output == "-") {
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fflush(stdout);
    return lc::kExitOk;
  }
  if (auto s = lc::WriteFileAtomically(flags.output, text); !s.ok()) {
    return PrintError(s);
  }
  return lc::kExitOk;
}

// Runs `call` (a JobClient::Run or Wait) with a progress line, then prints
// the hosts, the errors and the summary; returns the exit code.
// `found`: what the job's paths expanded to (null for `wait`).
template <class Call>
int AwaitAndPrint(lc::JobClient& client, const std::string& endpoint,
                  const OutputFlags& flags, const common::FoundFiles* found,
                  lc::LocalCluster* cluster, const std::string& wait_command,
                  Call call) {
  ProgressLine progress(flags.quiet, endpoint);
  client.set_notice_callback(
      [&](const lc::ConnectionNotice& n) { progress.Notice(n); });
  auto start = Clock::now();
  auto result = call([&](const common::JobProgress& p) { progress.Update(p); });
  progress.Clear();
  // The local workers are done with this job: let them wind down while the
  // result is printed.
  if (cluster != nullptr && result.ok()) cluster->SignalWorkersToStop();
  if (!result.ok() &&
      result.status().code() == common::StatusCode::kCancelled) {
    // Interrupted: a local job dies with its cluster; a remote one runs on.
    if (cluster != nullptr) {
      std::fprintf(stderr, "logsweep: interrupted\n");
    } else {
      PrintError(result.status());
    }
    return lc::kExitInterrupted;
  }
  if (!result.ok()) {
    PrintError(result.status());
    if (cluster != nullptr && cluster->LiveWorkers() == 0) {
      std::fprintf(stderr, "logsweep: every local worker has exited\n");
    }
    return lc::kExitError;
  }
  double secs = std::chrono::duration<double>(Clock::now() - start).count();
  if (flags.top != 0 && !result->counted) {
    std::fprintf(stderr,
                 "logsweep: --top: job %s did not count (its query: %s); "
                 "submit it with --count\n",
                 result->job_id.c_str(), result->query.c_str());
    return lc::kExitUsage;
  }
  int emitted =
      Emit(flags, flags.json ? lc::ResultJson(*result, secs, found, flags.top)
                  : result->counted ? lc::CountsText(*result, flags.top)
                                    : lc::HostsText(*result));
  if (emitted != lc::kExitOk) {
    if (cluster == nullptr) {
      std::fprintf(stderr,
                   "logsweep: job %s finished; the coordinator keeps its "
                   "result for a while: %s %s\n",
                   result->job_id.c_str(), wait_command.c_str(),
                   result->job_id.c_str());
    }
    return emitted;
  }
  for (const auto& line : lc::WarningLines(*result)) {
    std::fprintf(stderr, "%s\n", line.c_str());
  }
  for (const auto& line : lc::ErrorLines(*result)) {
    std::fprintf(stderr, "%s\n", line.c_str());
  }
  std::string discovery = found ? lc::DiscoverySummarySuffix(*found) : "";
  if (!flags.quiet) {
    // The job's own duration: a `wait` that attached late did not see it
    // all.
    std::fprintf(
        stderr, "%s%s\n",
        lc::SummaryLine(*result, static_cast<double>(result->elapsed_us) / 1e6)
            .c_str(),
        discovery.c_str());
  }
  bool path_errors = found != nullptr && !found->errors.empty();
  int code = lc::ExitCodeFor(*result);
  return path_errors && code != lc::kExitFilesFailed ? lc::kExitFilesFailed
                                                     : code;
}

// Names on stderr each path of `found` that gave nothing, before any work
// is sent. With --list-files, prints the files and returns the exit code;
// also returns one when nothing is left to scan; nullopt to go on with the
// job. `remote`: the files were found by a worker (--remote) and cannot be
// read here, so --list-files shows no format ("-") and no verdict.
std::optional<int> ReportFoundFiles(const JobFlags& flags,
                                    const OutputFlags& output,
                                    const common::FoundFiles& found,
                                    bool remote) {
  for (const auto& line : lc::PathErrorLines(found)) {
    std::fprintf(stderr, "%s\n", line.c_str());
  }
  int code = found.files.empty()    ? lc::kExitUsage
             : found.errors.empty() ? lc::kExitOk
                                    : lc::kExitFilesFailed;
  if (flags.list_files) {
    std::vector<lc::ListedFile> listed;
    if (remote) {
      for (const std::string& path : found.files) {
        listed.push_back({path, "-", common::OkStatus()});
      }
    } else {
      listed = lc::ListFiles(found);
    }
    int emitted = Emit(output, output.json ? lc::FileListJson(found, listed)
                                           : lc::FileListText(listed));
    if (emitted != lc::kExitOk) return emitted;
    for (const auto& line : lc::VerdictLines(listed)) {
      std::fprintf(stderr, "%s\n", line.c_str());
      // The scan would fail this file.
      if (code == lc::kExitOk) code = lc::kExitFilesFailed;
    }
    if (!output.quiet && !output.json) {
      for (const auto& line : lc::SkippedLines(found)) {
        std::fprintf(stderr, "%s\n", line.c_str());
      }
    }
    if (!output.quiet) {
      std::fprintf(stderr, "%s\n", lc::FileListSummary(found, listed).c_str());
    }
    return code;
  }
  if (found.files.empty()) {
    std::fprintf(stderr, "logsweep: no files to scan\n");
    return code;
  }
  return std::nullopt;
}

// Builds the job's query from its flags into flags.built_query; a bad one
// is named (exit 2) before any path is looked at or anything sent.
std::optional<int> BuildJobQuery(JobFlags& flags) {
  auto query = lc::BuildQuery(flags.query, std::time(nullptr));
  if (!query.ok()) {
    std::fprintf(stderr, "logsweep: %s\n", query.status().message().c_str());
    return lc::kExitUsage;
  }
  flags.built_query = std::move(*query);
  return std::nullopt;
}

// Expands the job's paths here (common/discovery/file_finder.h) into
// `found`, then as ReportFoundFiles.
std::optional<int> FindJobFiles(const JobFlags& flags,
                                const OutputFlags& output,
                                common::FoundFiles& found) {
  auto expanded = common::FindFiles(flags.paths, flags.find);
  if (!expanded.ok()) {
    std::fprintf(stderr, "logsweep: %s\n",
                 expanded.status().ToString().c_str());
    return lc::kExitUsage;
  }
  found = std::move(*expanded);
  return ReportFoundFiles(flags, output, found, /*remote=*/false);
}

// `submit --remote`: the paths are expanded by a worker, under its
// --data-root, not here (docs/protocol.md, "Remote expansion"): a listing
// job of one task per path, whose result holds the files found in place
// of hosts and one report per path. Its failed paths become `found`'s
// errors; its files (sorted, each once) the job's. Then as
// ReportFoundFiles.
std::optional<int> FindRemoteJobFiles(zmq::context_t& context,
                                      const JobFlags& flags,
                                      const ConnectFlags& connect,
                                      const OutputFlags& output,
                                      common::FoundFiles& found) {
  if (auto s = common::FindOptionsValid(flags.find); !s.ok()) {
    std::fprintf(stderr, "logsweep: %s\n", s.ToString().c_str());
    return lc::kExitUsage;
  }
  common::SubmitJob listing;
  for (const std::string& path : flags.paths) {
    if (path.empty()) {
      std::fprintf(stderr, "logsweep: an empty path names no file\n");
      return lc::kExitUsage;
    }
    listing.paths.push_back(path);
  }
  listing.query.list_files = true;
  listing.query.include = flags.find.include;
  listing.query.exclude = flags.find.exclude;
  listing.query.all_files = flags.find.all_files;
  // A path that failed still gives the files found before the failure (a
  // directory with an unreadable subdirectory), as a local search does.
  listing.merge_partial = true;
  lc::JobClient client(context, connect.coordinator, ClientOptions(connect));
  auto result = client.Run(listing, [](const common::JobProgress&) {});
  if (!result.ok()) {
    PrintError(result.status());
    return result.status().code() == common::StatusCode::kCancelled
               ? lc::kExitInterrupted
               : lc::kExitError;
  }
  found = common::FoundFiles{};
  found.files = std::move(result->hosts);
  for (const common::FileReport& report : result->files) {
    for (const std::string& warning : report.warnings) {
      std::fprintf(stderr, "logsweep: warning: %s: %s\n", report.path.c_str(),
                   warning.c_str());
    }
    if (!report.status.ok()) {
      found.errors.push_back({report.path, report.status, 0});
    }
  }
  return ReportFoundFiles(flags, output, found, /*remote=*/true);
}

// Submits the files `found` and waits for the result (or, `detach`, only
// for the job id).
int RunJob(zmq::context_t& context, const std::string& endpoint,
           const JobFlags& job_flags, const common::FoundFiles& found,
           const ConnectFlags& connect, const OutputFlags& output, bool detach,
           lc::LocalCluster* cluster) {
  common::SubmitJob job;
  job.paths = found.files;
  job.query = job_flags.built_query;
  job.merge_partial = job_flags.merge_partial;
  lc::JobClient client(context, endpoint, ClientOptions(connect));
  if (detach) {
    ProgressLine progress(output.quiet, endpoint);
    client.set_notice_callback(
        [&](const lc::ConnectionNotice& n) { progress.Notice(n); });
    auto id = client.Submit(job);
    if (!id.ok()) return PrintError(id.status());
    int emitted = Emit(output, *id + "\n");
    if (emitted != lc::kExitOk) return emitted;
    return found.errors.empty() ? lc::kExitOk : lc::kExitFilesFailed;
  }
  return AwaitAndPrint(
      client, endpoint, output, &found, cluster, WaitCommand(connect),
      [&](const auto& on_progress) { return client.Run(job, on_progress); });
}

int WaitJob(const std::string& job_id, const ConnectFlags& connect,
            const OutputFlags& output) {
  zmq::context_t context(1);
  lc::JobClient client(context, connect.coordinator, ClientOptions(connect));
  return AwaitAndPrint(client, connect.coordinator, output, nullptr, nullptr,
                       WaitCommand(connect), [&](const auto& on_progress) {
                         return client.Wait(job_id, on_progress);
                       });
}

// `status [JOB]` and `workers`: one GetStatus, printed.
int ShowStatus(const std::string& job_id, const ConnectFlags& connect,
               bool json, bool workers_only) {
  zmq::context_t context(1);
  lc::JobClient client(context, connect.coordinator, ClientOptions(connect));
  client.set_notice_callback(PrintNotice);
  auto answer = client.Request(common::GetStatus{job_id, 0});
  if (!answer.ok()) return PrintError(answer.status());
  auto* status = std::get_if<common::StatusReply>(&*answer);
  if (status == nullptr) {
    return PrintError(common::InternalError("unexpected answer to status"));
  }
  std::string text;
  if (json) {
    text = lc::StatusJson(*status, workers_only);
  } else if (workers_only) {
    text = lc::WorkersTable(status->workers);
  } else if (!job_id.empty()) {
    text = lc::JobsTable(status->jobs, /*one_job=*/true);
  } else {
    text = lc::WorkersTable(status->workers) + lc::JobsTable(status->jobs);
  }
  std::fwrite(text.data(), 1, text.size(), stdout);
  return lc::kExitOk;
}

// `jobs`: the journal's newest jobs, through the coordinator.
int ListJobs(uint32_t limit, const ConnectFlags& connect, bool json) {
  zmq::context_t context(1);
  lc::JobClient client(context, connect.coordinator, ClientOptions(connect));
  client.set_notice_callback(PrintNotice);
  common::GetStatus request;
  request.history = true;
  request.history_limit = limit;
  auto answer = client.Request(request);
  if (!answer.ok()) return PrintError(answer.status());
  auto* status = std::get_if<common::StatusReply>(&*answer);
  if (status == nullptr) {
    return PrintError(common::InternalError("unexpected answer to jobs"));
  }
  if (!status->has_history) {
    return PrintError(common::InvalidArgumentError(
        "the coordinator at " + connect.coordinator +
        " does not know `jobs` (it is older than this client): upgrade it"));
  }
  const std::string text = json ? lc::HistoryJson(status->history)
                                : lc::HistoryTable(status->history);
  std::fwrite(text.data(), 1, text.size(), stdout);
  return lc::kExitOk;
}

int CancelJob(const std::string& job_id, const ConnectFlags& connect) {
  zmq::context_t context(1);
  lc::JobClient client(context, connect.coordinator, ClientOptions(connect));
  client.set_notice_callback(PrintNotice);
  auto answer = client.Request(common::CancelJob{job_id, {}, 0});
  if (!answer.ok()) return PrintError(answer.status());
  auto* reply = std::get_if<common::CancelReply>(&*answer);
  if (reply == nullptr) {
    return PrintError(common::InternalError("unexpected answer to cancel"));
  }
  std::printf("cancelled %llu unfinished files of job %s\n",
              static_cast<unsigned long long>(reply->cancelled),
              reply->job_id.c_str());
  return lc::kExitOk;
}

// Edits between two words (Levenshtein), for "did you mean".
size_t EditDistance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1,
                         diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// A first argument that is no subcommand: named, with the closest one.
// CLI11 would only say that a subcommand is required.
std::optional<int> CheckSubcommand(const CLI::App& app, int argc, char** argv) {
  if (argc < 2 || argv[1][0] == '-' || argv[1][0] == '\0') return std::nullopt;
  const std::string given = argv[1];
  std::string closest;
  size_t best = SIZE_MAX;
  std::string all;
  for (const CLI::App* sub : app.get_subcommands({})) {
    const std::string& name = sub->get_name();
    if (name == given) return std::nullopt;
    all += (all.empty() ? "" : ", ") + name;
    size_t d = EditDistance(given, name);
    if (d < best) {
      best = d;
      closest = name;
    }
  }
  std::string hint = best <= std::max<size_t>(2, given.size() / 3)
                         ? "; did you mean '" + closest + "'?"
                         : "";
  std::fprintf(stderr,
               "logsweep: unknown command '%s'%s\nThe commands are %s; "
               "logsweep --help says more.\n",
               given.c_str(), hint.c_str(), all.c_str());
  return lc::kExitUsage;
}

// Warns about a --path that can match no line of an access log.
void CheckRequestPath(const std::string& path) {
  if (path.empty()) return;  // refused with the query's other errors
  if (path.find_first_of(" \t\r\n\v\f") != std::string::npos) {
    std::fprintf(stderr,
                 "logsweep: warning: --path '%s' contains whitespace, which "
                 "separates fields: it can match no line\n",
                 path.c_str());
  } else if (path.front() != '/') {
    std::fprintf(stderr,
                 "logsweep: warning: --path '%s' does not begin with '/', as "
                 "request paths in access logs do (did you mean '/%s'?)\n",
                 path.c_str(), path.c_str());
  }
}

// Where `logsweep run` keeps its result cache: $XDG_CACHE_HOME/logsweep
// (an absolute one; the XDG spec says to ignore a relative one), else
// ~/.cache/logsweep. Empty when neither is known: no cache.
std::string DefaultCachePath() {
  const char* xdg = std::getenv("XDG_CACHE_HOME");
  if (xdg != nullptr && xdg[0] == '/') {
    return std::string(xdg) + "/logsweep/cache.db";
  }
  const char* home = std::getenv("HOME");
  if (home != nullptr && home[0] == '/') {
    return std::string(home) + "/.cache/logsweep/cache.db";
  }
  return {};
}

// `logsweep cache stats|clear`.
int CacheCommand(const std::string& action, const std::string& path) {
  if (path.empty()) {
    std::fprintf(stderr,
                 "logsweep: cache: neither XDG_CACHE_HOME nor HOME is set\n");
    return lc::kExitUsage;
  }
  std::string warning;
  auto cache = logsweep::coordinator::ResultCache::Open(
      path, logsweep::coordinator::kDefaultCacheMaxBytes, &warning);
  if (!warning.empty()) {
    std::fprintf(stderr, "logsweep: warning: %s\n", warning.c_str());
  }
  if (!cache.ok()) {
    std::fprintf(stderr, "logsweep: cache: %s\n",
                 cache.status().ToString().c_str());
    return lc::kExitError;
  }
  if (action == "clear") {
    if (auto s = (*cache)->Clear(); !s.ok()) {
      std::fprintf(stderr, "logsweep: cache: %s\n", s.ToString().c_str());
      return lc::kExitError;
    }
    std::printf("cleared %s\n", path.c_str());
    return lc::kExitOk;
  }
  auto stats = (*cache)->GetStats();
  if (!stats.ok()) {
    std::fprintf(stderr, "logsweep: cache: %s\n",
                 stats.status().ToString().c_str());
    return lc::kExitError;
  }
  std::printf("%s: %llu entries, %llu bytes\n", path.c_str(),
              static_cast<unsigned long long>(stats->entries),
              static_cast<unsigned long long>(stats->bytes));
  return lc::kExitOk;
}

int Main(int argc, char** argv) {
  CLI::App app{
      "logsweep: find the hosts that requested a path, across many "
      "access logs (gzip, zstd, xz, bzip2 or plain), on one machine or a "
      "cluster"};
  app.require_subcommand(1);
  app.set_version_flag("--version", common::VersionText("logsweep"));
  unsigned cores = std::max(1u, std::thread::hardware_concurrency());

  JobFlags run_job;
  ConnectFlags run_connect;
  OutputFlags run_output;
  unsigned workers = cores;
  unsigned threads = 1;
  std::string inflate;
  auto* run = app.add_subcommand(
      "run",
      "fork worker processes here with a coordinator inside this one, run "
      "the job, stop them");
  AddJobFlags(run, run_job);
  AddOutputFlags(run, run_output);
  AddConnectFlags(run, run_connect, /*endpoint=*/false);
  run->add_option("--workers", workers, "worker processes (default: cores)")
      ->check(CLI::Range(1, 1024))
      ->capture_default_str();
  run->add_option("--threads", threads, "scan threads per worker")
      ->check(CLI::Range(1, 1024))
      ->capture_default_str();
  run->add_option("--inflate", inflate, "gzip backend: zlib or isal")
      ->check(CLI::IsMember({"zlib", "isal"}));
  bool no_cache = false;
  uint64_t cache_max_bytes = logsweep::coordinator::kDefaultCacheMaxBytes;
  run->add_flag("--no-cache", no_cache,
                "neither use nor fill the result cache "
                "($XDG_CACHE_HOME/logsweep/cache.db; docs/cache.md)");
  run->add_option("--cache-max-bytes", cache_max_bytes,
                  "largest size of the result cache; least recently used "
                  "entries go first")
      ->check(CLI::Range(uint64_t{1} << 20, uint64_t{1} << 50))
      ->capture_default_str();
  uint64_t cache_min_bytes = logsweep::coordinator::kDefaultCacheMinBytes;
  run->add_option("--cache-min-bytes", cache_min_bytes,
                  "files smaller than this (bytes on disk) are not cached: "
                  "reading them costs less than a hit")
      ->check(CLI::Range(uint64_t{0}, uint64_t{1} << 50))
      ->capture_default_str();
  std::string log_format = "text";
  run->add_option("--log-format", log_format,
                  "how the local coordinator and workers log (warnings and "
                  "errors): text, or json, one object per line")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();

  JobFlags submit_job;
  ConnectFlags connect;
  OutputFlags output;
  bool detach = false;
  auto* submit =
      app.add_subcommand("submit", "send the job to a running coordinator");
  AddJobFlags(submit, submit_job);
  AddOutputFlags(submit, output);
  AddConnectFlags(submit, connect);
  bool remote = false;
  submit->add_flag("--remote", remote,
                   "do not look at the paths here: a worker expands them "
                   "(directories, globs) under its --data-root, relative "
                   "paths relative to it, with the same rules; for clients "
                   "that do not mount the logs");
  submit->add_flag("--detach", detach,
                   "print the job id once accepted and exit; fetch the "
                   "result later with `logsweep wait JOB_ID`");

  std::string job_id;
  auto* wait = app.add_subcommand(
      "wait", "attach to a job submitted earlier and print its result");
  wait->add_option("job", job_id,
                   "job id printed by submit --detach (of your own jobs, "
                   "any unique prefix)")
      ->required();
  AddOutputFlags(wait, output);
  AddConnectFlags(wait, connect);

  bool json = false;
  auto* status = app.add_subcommand(
      "status",
      "show the coordinator's workers (slots, throughput) and unfinished "
      "jobs (progress, failures), or one job, running or finished");
  status->add_option("job", job_id,
                     "only this job, running or finished (finished ones are "
                     "kept a while, or for good with --state); of your own "
                     "jobs, any unique prefix");
  status->add_flag("--json", json, "print one JSON document");
  AddConnectFlags(status, connect);

  auto* workers_cmd =
      app.add_subcommand("workers", "list the connected workers");
  workers_cmd->add_flag("--json", json, "print one JSON document");
  AddConnectFlags(workers_cmd, connect);

  uint32_t jobs_limit = 20;
  auto* jobs_cmd = app.add_subcommand(
      "jobs",
      "list the newest jobs in the coordinator's --state journal, newest "
      "first: id (in full for your own), submitted, state, files, "
      "failures, duration");
  jobs_cmd->add_option("--limit", jobs_limit, "how many jobs (1..1000)")
      ->check(CLI::Range(1u, 1000u))
      ->capture_default_str();
  jobs_cmd->add_flag("--json", json, "print one JSON document");
  AddConnectFlags(jobs_cmd, connect);

  auto* cancel = app.add_subcommand(
      "cancel",
      "withdraw a job's unfinished files: pending ones never run, running "
      "ones are abandoned; the job then finishes with them as CANCELLED");
  cancel
      ->add_option("job", job_id,
                   "job id (of your own jobs, any unique prefix)")
      ->required();
  AddConnectFlags(cancel, connect);

  std::string cache_action;
  std::string cache_state;
  auto* cache_cmd = app.add_subcommand(
      "cache",
      "show (stats) or empty (clear) the result cache of `logsweep run`, "
      "or with --state DIR a coordinator's");
  cache_cmd->add_option("action", cache_action, "stats or clear")
      ->required()
      ->check(CLI::IsMember({"stats", "clear"}));
  cache_cmd->add_option("--state", cache_state,
                        "the coordinator's --state directory (its "
                        "cache.db) instead of this user's cache");

  std::string key_name;
  auto* keygen = app.add_subcommand(
      "keygen",
      "write a CurveZMQ key pair: NAME.key (secret, mode 0600) and NAME.pub "
      "(public), one line of Z85 each");
  keygen->add_option("name", key_name, "path of the pair without extension")
      ->required();

  if (auto code = CheckSubcommand(app, argc, argv)) return *code;
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? lc::kExitOk : lc::kExitUsage;
  }

  // For the docs check (tests/integration/docs_test.sh): the command
  // line parsed, nothing run.
  if (const char* check = std::getenv("LOGSWEEP_PARSE_ONLY");
      check != nullptr && *check != '\0') {
    return lc::kExitOk;
  }
  if (*keygen) {
    auto pair = common::GenerateCurveKeyPair();
    common::Status s =
        pair.ok() ? common::WriteCurveKeyPair(key_name, *pair) : pair.status();
    if (!s.ok()) {
      std::fprintf(stderr, "logsweep: keygen: %s\n", s.ToString().c_str());
      return lc::kExitError;
    }
    std::printf("%s.key %s.pub %s\n", key_name.c_str(), key_name.c_str(),
                common::CurveKeyToZ85(pair->public_key).c_str());
    return lc::kExitOk;
  }
  if (*cache_cmd) {
    return CacheCommand(cache_action, cache_state.empty()
                                          ? DefaultCachePath()
                                          : cache_state + "/cache.db");
  }
  // Usage errors and warnings before anything starts.
  for (JobFlags* job : {&run_job, &submit_job}) {
    if (!*(job == &run_job ? run : submit)) continue;
    for (const std::string& path : job->query.paths) CheckRequestPath(path);
    const OutputFlags& out = job == &run_job ? run_output : output;
    if (out.top != 0) job->query.count = true;  // --top implies --count
    if (job->query.count && job->list_files) {
      std::fprintf(stderr,
                   "logsweep: --count and --top count matching lines; "
                   "--list-files reads none\n");
      return lc::kExitUsage;
    }
  }
  for (const OutputFlags* o : {&run_output, &output}) {
    if (o->output.empty()) continue;
    if (auto s = lc::CheckOutputPath(o->output); !s.ok()) {
      std::fprintf(stderr, "logsweep: %s\n", s.ToString().c_str());
      return lc::kExitUsage;
    }
  }
  if (*submit || *wait || *status || *workers_cmd || *jobs_cmd || *cancel) {
    for (const CLI::App* cmd :
         {submit, wait, status, workers_cmd, jobs_cmd, cancel}) {
      if (*cmd) ConnectFlagsFromEnvironment(*cmd, connect);
    }
    // $LOGSWEEP_COORDINATOR is held to what --coordinator is.
    std::string endpoint = connect.coordinator;
    if (std::string why = EndpointValidator()(endpoint); !why.empty()) {
      std::fprintf(stderr, "logsweep: --coordinator: %s\n", why.c_str());
      return lc::kExitUsage;
    }
    if (!LoadCurveFlags(connect)) return lc::kExitUsage;
  }
  if (*submit || *wait) {
    // A wait ends on Ctrl-C with the job id to wait for it later.
    connect.interrupted = &common::InstallStopSignals();
  }
  if (*submit) {
    if (auto code = BuildJobQuery(submit_job)) return *code;
    common::FoundFiles found;
    zmq::context_t context(1);
    if (remote) {
      if (auto code =
              FindRemoteJobFiles(context, submit_job, connect, output, found)) {
        return *code;
      }
    } else if (auto code = FindJobFiles(submit_job, output, found)) {
      return *code;
    }
    return RunJob(context, connect.coordinator, submit_job, found, connect,
                  output, detach, nullptr);
  }
  if (*wait) return WaitJob(job_id, connect, output);
  if (*status) return ShowStatus(job_id, connect, json, false);
  if (*workers_cmd) return ShowStatus("", connect, json, true);
  if (*jobs_cmd) return ListJobs(jobs_limit, connect, json);
  if (*cancel) return CancelJob(job_id, connect);

  // run: find the files before any worker is forked.
  if (auto code = BuildJobQuery(run_job)) return *code;
  common::FoundFiles found;
  if (auto code = FindJobFiles(run_job, run_output, found)) return *code;
  lc::LocalCluster cluster;
  lc::LocalCluster::Options options;
  options.workers = workers;
  options.threads_per_worker = threads;
  auto backend = common::ParseInflateBackend(inflate);
  if (!backend.ok()) {
    std::fprintf(stderr, "logsweep: %s\n", backend.status().message().c_str());
    return lc::kExitUsage;
  }
  options.backend = *backend;
  if (!no_cache) {
    options.cache_path = DefaultCachePath();
    options.cache_max_bytes = cache_max_bytes;
    options.cache_min_bytes = cache_min_bytes;
  }
  options.log_format = log_format == "json" ? common::LogFormat::kJson
                                            : common::LogFormat::kText;
  if (auto s = cluster.Start(options); !s.ok()) {
    std::fprintf(stderr, "logsweep: cannot start local workers: %s\n",
                 s.ToString().c_str());
    return lc::kExitError;
  }
  // Only now (the workers are forked): on SIGINT/SIGTERM the job is
  // abandoned and the cluster stopped cleanly, its directory removed.
  run_connect.interrupted = &common::InstallStopSignals();
  int code = RunJob(cluster.context(), cluster.clients_endpoint(), run_job,
                    found, run_connect, run_output, false, &cluster);
  cluster.Stop();
  return code;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return Main(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "logsweep: fatal: %s\n", e.what());
    return lc::kExitError;
  }
}
