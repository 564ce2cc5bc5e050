// logsweep: the client CLI. `run` starts a local coordinator and workers
// (like a process pool); `submit` sends a job to a running coordinator.
// Both print the hosts on stdout, a summary and any errors on stderr.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <exception>
#include <optional>
#include <thread>
#include <zmq.hpp>

#include "client/job_client.h"
#include "client/local_cluster.h"
#include "client/path_expander.h"
#include "client/report.h"
#include "common/curve.h"

namespace {

namespace lc = logsweep::client;
namespace common = logsweep::common;
using Clock = std::chrono::steady_clock;

struct CommonFlags {
  std::vector<std::string> paths;
  std::string request_path = "/robots.txt";
  bool merge_partial = false;
  bool quiet = false;
  int connect_timeout_ms = 10000;
  // CURVE (submit and wait only; `run` talks over ipc with CURVE off).
  std::string curve_server_key;
  std::string curve_key;
  std::optional<common::CurveClientKeys> curve;
};

void AddCurveFlags(CLI::App* cmd, CommonFlags& f) {
  cmd->add_option("--curve-server-key", f.curve_server_key,
                  "turn on CurveZMQ: the coordinator's public key file "
                  "(.pub); needs --curve-key");
  cmd->add_option("--curve-key", f.curve_key,
                  "this client's key pair: NAME (reads NAME.key) or the "
                  ".key file; its .pub must be in the coordinator's "
                  "authorized-keys/clients/");
}

// Loads the keys named by the CURVE flags into `f`; false (after saying
// why) when they cannot be used.
bool LoadCurveFlags(CommonFlags& f) {
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

void AddCommonFlags(CLI::App* cmd, CommonFlags& f) {
  cmd->add_option("paths", f.paths,
                  "files, directories (searched for *.gz and *.log) or globs")
      ->required();
  cmd->add_option("--path", f.request_path,
                  "request path to look for (field 7, exact bytes)")
      ->capture_default_str();
  cmd->add_flag("--merge-partial", f.merge_partial,
                "also merge hosts found in a file before it failed");
  cmd->add_flag("-q,--quiet", f.quiet, "no progress line and no summary");
  cmd->add_option("--connect-timeout-ms", f.connect_timeout_ms,
                  "how long to wait for the coordinator to accept the job")
      ->check(CLI::Range(100, 600000))
      ->capture_default_str();
}

// Shows progress on stderr while the job runs, when stderr is a terminal.
class ProgressLine {
 public:
  ProgressLine(bool quiet, std::string endpoint)
      : enabled_(!quiet && ::isatty(STDERR_FILENO)),
        endpoint_(std::move(endpoint)),
        start_(Clock::now()) {}
  ~ProgressLine() { Clear(); }

  void Update(const common::JobProgress& p) {
    // Local workers take a moment to register; say so only if it lasts.
    if (p.workers == 0 && !warned_no_workers_ &&
        Clock::now() - start_ > std::chrono::seconds(2)) {
      Clear();
      std::fprintf(stderr,
                   "logsweep: waiting: no workers connected to the "
                   "coordinator at %s\n",
                   endpoint_.c_str());
      warned_no_workers_ = true;
    }
    if (!enabled_) return;
    double secs = std::chrono::duration<double>(Clock::now() - start_).count();
    double mbps =
        secs > 0 ? static_cast<double>(p.bytes_scanned) / 1e6 / secs : 0.0;
    std::fprintf(stderr,
                 "\r\033[K%llu/%llu files, %.0f MB/s, %llu failed, %u workers",
                 static_cast<unsigned long long>(p.done),
                 static_cast<unsigned long long>(p.total), mbps,
                 static_cast<unsigned long long>(p.failed), p.workers);
    std::fflush(stderr);
    shown_ = true;
  }

  void Clear() {
    if (shown_) std::fputs("\r\033[K", stderr);
    shown_ = false;
  }

 private:
  bool enabled_;
  std::string endpoint_;
  Clock::time_point start_;
  bool shown_ = false;
  bool warned_no_workers_ = false;
};

lc::JobClientOptions ClientOptions(const CommonFlags& flags) {
  lc::JobClientOptions options;
  options.connect_timeout = std::chrono::milliseconds(flags.connect_timeout_ms);
  options.curve = flags.curve;
  return options;
}

// Runs `call` (a JobClient::Run or Wait) with a progress line, then prints
// the hosts, the errors and the summary; returns the exit code.
template <class Call>
int AwaitAndPrint(const std::string& endpoint, const CommonFlags& flags,
                  lc::LocalCluster* cluster, Call call) {
  ProgressLine progress(flags.quiet, endpoint);
  auto start = Clock::now();
  auto result = call([&](const common::JobProgress& p) { progress.Update(p); });
  progress.Clear();
  if (!result.ok()) {
    std::fprintf(stderr, "logsweep: %s\n", result.status().ToString().c_str());
    if (cluster != nullptr && cluster->LiveWorkers() == 0) {
      std::fprintf(stderr, "logsweep: every local worker has exited\n");
    }
    return lc::kExitError;
  }
  double secs = std::chrono::duration<double>(Clock::now() - start).count();
  lc::PrintHosts(*result, stdout);
  std::fflush(stdout);
  for (const auto& line : lc::ErrorLines(*result)) {
    std::fprintf(stderr, "%s\n", line.c_str());
  }
  if (!flags.quiet) {
    std::fprintf(stderr, "%s\n", lc::SummaryLine(*result, secs).c_str());
  }
  return lc::ExitCodeFor(*result);
}

int RunJob(const std::string& endpoint, const CommonFlags& flags, bool detach,
           lc::LocalCluster* cluster) {
  common::SubmitJob job;
  job.paths = lc::ExpandPaths(flags.paths);
  job.query.match_value = flags.request_path;
  job.merge_partial = flags.merge_partial;
  if (job.paths.empty()) {
    std::fprintf(stderr, "logsweep: no files to scan\n");
    return lc::kExitUsage;
  }
  zmq::context_t context(1);
  lc::JobClient client(context, endpoint, ClientOptions(flags));
  if (detach) {
    auto id = client.Submit(job);
    if (!id.ok()) {
      std::fprintf(stderr, "logsweep: %s\n", id.status().ToString().c_str());
      return lc::kExitError;
    }
    std::printf("%s\n", id->c_str());
    return lc::kExitOk;
  }
  return AwaitAndPrint(endpoint, flags, cluster, [&](const auto& on_progress) {
    return client.Run(job, on_progress);
  });
}

int WaitJob(const std::string& endpoint, const std::string& job_id,
            const CommonFlags& flags) {
  zmq::context_t context(1);
  lc::JobClient client(context, endpoint, ClientOptions(flags));
  return AwaitAndPrint(endpoint, flags, nullptr, [&](const auto& on_progress) {
    return client.Wait(job_id, on_progress);
  });
}

int Main(int argc, char** argv) {
  CLI::App app{
      "logsweep: find the hosts that requested a path, across many "
      "(gzip) access logs, on one machine or a cluster"};
  app.require_subcommand(1);
  unsigned cores = std::max(1u, std::thread::hardware_concurrency());

  CommonFlags run_flags;
  unsigned workers = cores;
  unsigned threads = 1;
  std::string inflate;
  auto* run = app.add_subcommand(
      "run",
      "start a coordinator and worker processes here, run the job, "
      "stop them");
  AddCommonFlags(run, run_flags);
  run->add_option("--workers", workers, "worker processes (default: cores)")
      ->check(CLI::Range(1, 1024))
      ->capture_default_str();
  run->add_option("--threads", threads, "scan threads per worker")
      ->check(CLI::Range(1, 1024))
      ->capture_default_str();
  run->add_option("--inflate", inflate, "gzip backend: zlib or isal")
      ->check(CLI::IsMember({"zlib", "isal"}));

  CommonFlags submit_flags;
  std::string coordinator = "tcp://127.0.0.1:5556";
  bool detach = false;
  auto* submit =
      app.add_subcommand("submit", "send the job to a running coordinator");
  AddCommonFlags(submit, submit_flags);
  submit
      ->add_option("--coordinator", coordinator,
                   "coordinator's clients endpoint")
      ->capture_default_str();
  AddCurveFlags(submit, submit_flags);
  submit->add_flag("--detach", detach,
                   "print the job id once accepted and exit; fetch the "
                   "result later with `logsweep wait JOB_ID`");

  CommonFlags wait_flags;
  std::string job_id;
  auto* wait = app.add_subcommand(
      "wait", "attach to a job submitted earlier and print its result");
  wait->add_option("job", job_id, "job id printed by submit --detach")
      ->required();
  wait->add_option("--coordinator", coordinator,
                   "coordinator's clients endpoint")
      ->capture_default_str();
  wait->add_flag("-q,--quiet", wait_flags.quiet,
                 "no progress line and no summary");
  wait->add_option("--connect-timeout-ms", wait_flags.connect_timeout_ms,
                   "how long to wait for the coordinator to answer")
      ->check(CLI::Range(100, 600000))
      ->capture_default_str();
  AddCurveFlags(wait, wait_flags);

  std::string key_name;
  auto* keygen = app.add_subcommand(
      "keygen",
      "write a CurveZMQ key pair: NAME.key (secret, mode 0600) and NAME.pub "
      "(public), one line of Z85 each");
  keygen->add_option("name", key_name, "path of the pair without extension")
      ->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? lc::kExitOk : lc::kExitUsage;
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
  if (*submit) {
    if (!LoadCurveFlags(submit_flags)) return lc::kExitUsage;
    return RunJob(coordinator, submit_flags, detach, nullptr);
  }
  if (*wait) {
    if (!LoadCurveFlags(wait_flags)) return lc::kExitUsage;
    return WaitJob(coordinator, job_id, wait_flags);
  }

  lc::LocalCluster cluster;
  lc::LocalCluster::Options options;
  options.bin_dir = lc::SelfDirectory();
  options.workers = workers;
  options.threads_per_worker = threads;
  options.inflate = inflate;
  if (auto s = cluster.Start(options); !s.ok()) {
    std::fprintf(stderr, "logsweep: cannot start local workers: %s\n",
                 s.ToString().c_str());
    return lc::kExitError;
  }
  int code = RunJob(cluster.clients_endpoint(), run_flags, false, &cluster);
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
