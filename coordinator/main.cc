// logsweep-coordinator: parse flags, bind, serve until SIGINT/SIGTERM.
#include <arpa/inet.h>
#include <net/if.h>
#include <netdb.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <exception>
#include <fstream>
#include <zmq.hpp>

#include "common/base/logging.h"
#include "common/base/signals.h"
#include "common/base/time_text.h"
#include "common/transport/curve.h"
#include "common/transport/version.h"
#include "coordinator/coordinator.h"
#include "coordinator/coordinator_server.h"
#include "coordinator/http/status_http_server.h"
#include "coordinator/status_snapshot.h"
#include "coordinator/zap_handler.h"

namespace {

namespace lc = logsweep::coordinator;

// Writes the bound endpoints atomically, for scripts and tests that bind to
// port 0 ("tcp://127.0.0.1:*") and need to know where to connect.
bool WriteReadyFile(const std::string& path, const lc::CoordinatorServer& s,
                    const std::string& http) {
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp);
    out << "workers=" << s.workers_endpoint() << "\n"
        << "clients=" << s.clients_endpoint() << "\n";
    if (!http.empty()) out << "http=" << http << "\n";
    if (!out) return false;
  }
  return std::rename(tmp.c_str(), path.c_str()) == 0;
}

// Endpoints only this host can reach; without CURVE, anything else is
// worth a warning.
bool LoopbackOnly(const std::string& endpoint) {
  for (const char* prefix : {"ipc://", "inproc://", "tcp://127.",
                             "tcp://localhost:", "tcp://[::1]:"}) {
    if (endpoint.rfind(prefix, 0) == 0) return true;
  }
  return false;
}

// A bind endpoint as libzmq takes it: it binds an IP address, `*` or an
// interface name, never a host name ("tcp://localhost:5556" fails with "No
// such device"). A host name that is not an interface is resolved here to
// its (first IPv4) address. Errors: InvalidArgument saying what to write.
logsweep::common::StatusOr<std::string> BindEndpoint(const std::string& flag,
                                                     const std::string& value) {
  if (value.rfind("tcp://", 0) != 0) return value;
  const std::string rest = value.substr(6);
  const size_t colon = rest.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return logsweep::common::InvalidArgumentError(
        flag + " " + value + ": write tcp://ADDRESS:PORT, e.g. tcp://*:5556");
  }
  const std::string host = rest.substr(0, colon);
  if (host == "*" || host.front() == '[' ||
      host.find_first_not_of("0123456789.") == std::string::npos ||
      ::if_nametoindex(host.c_str()) != 0) {
    return value;
  }
  addrinfo hints{};
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (::getaddrinfo(host.c_str(), nullptr, &hints, &found) != 0 ||
      found == nullptr) {
    return logsweep::common::InvalidArgumentError(
        flag + " " + value + ": " + host +
        " is neither an address nor an interface; bind an address "
        "(tcp://127.0.0.1:PORT) or every interface (tcp://*:PORT)");
  }
  char address[INET_ADDRSTRLEN] = {};
  ::inet_ntop(AF_INET,
              &reinterpret_cast<sockaddr_in*>(found->ai_addr)->sin_addr,
              address, sizeof(address));
  ::freeaddrinfo(found);
  return "tcp://" + std::string(address) + rest.substr(colon);
}

int Main(int argc, char** argv) {
  CLI::App app{
      "logsweep coordinator: hands file tasks to workers, merges "
      "their results, answers clients"};
  std::string workers_endpoint = "tcp://*:5555";
  std::string clients_endpoint = "tcp://*:5556";
  std::string ready_file;
  std::string state_dir;
  std::string log_level = "info";
  int parent_pid = 0;
  // Every tunable's default is the config's: one definition.
  lc::CoordinatorConfig config;
  int64_t heartbeat_ms = config.heartbeat_interval.count();
  int64_t task_timeout_ms = config.task_timeout.count();
  int64_t quarantine_ms = config.quarantine_duration.count();
  int64_t keep_finished_ms = config.finished_retention.count();
  std::string curve_secret;
  std::string authorized_keys;
  std::string http_address;
  int64_t http_publish_ms = 500;
  app.set_version_flag("--version",
                       logsweep::common::VersionText("logsweep-coordinator"));
  app.add_option("--workers-endpoint", workers_endpoint,
                 "ZeroMQ endpoint workers connect to")
      ->capture_default_str();
  app.add_option("--clients-endpoint", clients_endpoint,
                 "ZeroMQ endpoint clients connect to")
      ->capture_default_str();
  app.add_option("--state", state_dir,
                 "keep a durable journal of jobs and results in this "
                 "directory (locked: one coordinator per directory); "
                 "unfinished jobs resume after a restart");
  bool no_cache = false;
  uint64_t cache_max_bytes = lc::kDefaultCacheMaxBytes;
  app.add_flag("--no-cache", no_cache,
               "do not keep or use the result cache (DIR/cache.db with "
               "--state; docs/cache.md)");
  app.add_option("--cache-max-bytes", cache_max_bytes,
                 "largest size of the result cache; least recently used "
                 "entries go first")
      ->check(CLI::Range(uint64_t{1} << 20, uint64_t{1} << 50))
      ->capture_default_str();
  uint64_t cache_min_bytes = lc::kDefaultCacheMinBytes;
  app.add_option("--cache-min-bytes", cache_min_bytes,
                 "files smaller than this (bytes on disk) are not cached: "
                 "reading them costs less than a hit")
      ->check(CLI::Range(uint64_t{0}, uint64_t{1} << 50))
      ->capture_default_str();
  app.add_option("--ready-file", ready_file,
                 "write the bound endpoints to this file once listening");
  app.add_option("--heartbeat-ms", heartbeat_ms, "heartbeat interval")
      ->check(CLI::Range(int64_t{50}, int64_t{60000}))
      ->capture_default_str();
  app.add_option("--liveness", config.liveness,
                 "missed heartbeats before a worker is declared dead")
      ->check(CLI::Range(2, 100))
      ->capture_default_str();
  app.add_option("--max-attempts", config.max_attempts,
                 "attempts per task lost with their workers before the task "
                 "fails (attempts that never reached a worker do not count)")
      ->check(CLI::Range(1, 100))
      ->capture_default_str();
  app.add_option("--prefetch", config.prefetch,
                 "tasks queued on a worker beyond its slots")
      ->check(CLI::Range(0, 64))
      ->capture_default_str();
  app.add_option("--max-prefetch", config.max_prefetch,
                 "tasks queued on a worker whose tasks are short")
      ->check(CLI::Range(0, 256))
      ->capture_default_str();
  app.add_option("--task-timeout-ms", task_timeout_ms,
                 "hand a task to another worker when it runs longer than "
                 "this (0: never)")
      ->check(CLI::Range(int64_t{0}, int64_t{86400000}))
      ->capture_default_str();
  app.add_option("--max-jobs-per-client", config.max_jobs_per_client,
                 "unfinished jobs one client (CURVE key, else IP address) "
                 "may have; one more is rejected")
      ->check(CLI::Range(size_t{1}, size_t{100000}))
      ->capture_default_str();
  app.add_option("--quarantine-strikes", config.quarantine_strikes,
                 "files a worker failed (NOT_FOUND, PERMISSION_DENIED, I/O) "
                 "that other workers then read, before it is quarantined")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  app.add_option("--quarantine-ms", quarantine_ms,
                 "how long a quarantined worker gets no tasks")
      ->check(CLI::Range(int64_t{1000}, int64_t{86400000}))
      ->capture_default_str();
  app.add_option("--keep-finished", config.max_finished_jobs,
                 "finished jobs kept in memory for wait and status (also "
                 "without --state)")
      ->check(CLI::Range(size_t{0}, size_t{10000}))
      ->capture_default_str();
  app.add_option("--keep-finished-ms", keep_finished_ms,
                 "how long a finished job is kept in memory")
      ->check(CLI::Range(int64_t{0}, int64_t{7 * 86400000LL}))
      ->capture_default_str();
  std::string keep_jobs = "3d";
  app.add_option("--keep-jobs", keep_jobs,
                 "how long a finished job stays in the --state journal after "
                 "it finished (500ms, 90s, 30m, 12h, 3d, 2w); then it and its "
                 "task records are deleted. 0: as soon as it finished; "
                 "forever: never")
      ->capture_default_str();
  app.add_option("--http", http_address,
                 "serve a read-only status page, /api/status and Prometheus "
                 "/metrics on HOST:PORT (a bare PORT means 127.0.0.1:PORT); "
                 "off unless given, e.g. --http 127.0.0.1:9556");
  app.add_option("--http-publish-ms", http_publish_ms,
                 "how often the poll loop publishes what --http serves")
      ->check(CLI::Range(int64_t{50}, int64_t{60000}))
      ->capture_default_str();
  bool no_speculation = false;
  app.add_flag("--no-speculation", no_speculation,
               "never run a copy of a straggler on an idle worker (by "
               "default, once a job's queue is empty and 75% of its files "
               "are done, a file running over 1.5x the job's median time and "
               "at least 1 s gets a copy; the first answer wins)");
  auto* secret_flag = app.add_option(
      "--curve-secret", curve_secret,
      "turn on CurveZMQ: this coordinator's secret key file (NAME.key from "
      "`logsweep keygen NAME`); needs --authorized-keys");
  auto* keys_flag = app.add_option(
      "--authorized-keys", authorized_keys,
      "directory with workers/ and clients/, each holding the *.pub keys "
      "allowed in on that socket; needs --curve-secret");
  secret_flag->needs(keys_flag);
  keys_flag->needs(secret_flag);
  app.add_option("--parent-pid", parent_pid,
                 "exit when this process (the one that started us) exits");
  app.add_option("--log-level", log_level,
                 "trace, debug, info, warn, error or off")
      ->capture_default_str();
  std::string log_format = "text";
  app.add_option("--log-format", log_format,
                 "text, or json: one object per line (time, level, "
                 "component, pid, message, and job, task, worker when the "
                 "message names them)")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  config.speculation = !no_speculation;
  if (auto s = logsweep::common::InitLogging(
          "coordinator", log_level,
          log_format == "json" ? logsweep::common::LogFormat::kJson
                               : logsweep::common::LogFormat::kText);
      !s.ok()) {
    std::fprintf(stderr, "logsweep-coordinator: %s\n", s.ToString().c_str());
    return 2;
  }
  const std::atomic<bool>& stop = logsweep::common::InstallStopSignals();
  if (parent_pid > 0 && !logsweep::common::StopWithParent(parent_pid)) {
    return 0;  // started by `logsweep run`, which is already gone
  }

  config.heartbeat_interval = std::chrono::milliseconds(heartbeat_ms);
  config.max_prefetch = std::max(config.prefetch, config.max_prefetch);
  config.task_timeout = std::chrono::milliseconds(task_timeout_ms);
  config.quarantine_duration = std::chrono::milliseconds(quarantine_ms);
  config.finished_retention = std::chrono::milliseconds(keep_finished_ms);
  if (keep_jobs == "forever") {
    config.keep_journal_jobs = lc::CoordinatorConfig::kKeepJobsForever;
  } else {
    auto keep = logsweep::common::ParseDuration(keep_jobs);
    if (!keep.ok()) {
      std::fprintf(stderr, "logsweep-coordinator: --keep-jobs: %s\n",
                   keep.status().message().c_str());
      return 2;
    }
    config.keep_journal_jobs = *keep;
  }

  std::unique_ptr<lc::JobJournal> journal;
  if (!state_dir.empty()) {
    auto opened = lc::JobJournal::Open(state_dir);
    if (!opened.ok()) {
      spdlog::error("cannot open state: {}", opened.status().ToString());
      return 1;
    }
    journal = std::move(*opened);
  }
  // The result cache lives beside the journal, in a file of its own; no
  // --state, no cache (nothing would outlive the process).
  std::unique_ptr<lc::ResultCache> cache;
  if (!state_dir.empty() && !no_cache) {
    cache =
        lc::ResultCache::OpenOrWarn(state_dir + "/cache.db", cache_max_bytes);
  }
  zmq::context_t context(1);
  lc::Coordinator coordinator(config, journal.get());
  coordinator.UseCache(cache.get(), cache_min_bytes);
  if (auto s = coordinator.Restore(std::chrono::steady_clock::now()); !s.ok()) {
    spdlog::error("cannot resume jobs from {}: {}", state_dir, s.ToString());
    return 1;
  }
  lc::CoordinatorServer server(context, coordinator);
  if (!curve_secret.empty()) {
    std::string warning;
    auto keys = logsweep::common::LoadCurveKeyPair(curve_secret, &warning);
    if (!keys.ok()) {
      spdlog::error("{}", keys.status().ToString());
      return 1;
    }
    if (!warning.empty()) spdlog::warn("{}", warning);
    auto zap = lc::ZapHandler::Load(authorized_keys);
    if (!zap.ok()) {
      spdlog::error("{}", zap.status().ToString());
      return 1;
    }
    spdlog::info(
        "CURVE on: public key {}; {} worker and {} client keys authorised",
        logsweep::common::CurveKeyToZ85(keys->public_key),
        zap->worker_key_count(), zap->client_key_count());
    if (auto s = server.EnableCurve(std::move(*keys), std::move(*zap));
        !s.ok()) {
      spdlog::error("cannot enable CURVE: {}", s.ToString());
      return 1;
    }
  } else if (!LoopbackOnly(workers_endpoint) ||
             !LoopbackOnly(clients_endpoint)) {
    spdlog::warn(
        "CURVE off: anyone who can reach the endpoints can submit jobs or "
        "act as a worker (see docs/security.md)");
  }
  auto workers_bind = BindEndpoint("--workers-endpoint", workers_endpoint);
  auto clients_bind = BindEndpoint("--clients-endpoint", clients_endpoint);
  for (const auto* bind : {&workers_bind, &clients_bind}) {
    if (!bind->ok()) {
      spdlog::error("cannot listen: {}", bind->status().ToString());
      return 2;
    }
  }
  // (Two ephemeral ports, tcp://HOST:*, are two endpoints.)
  if (*workers_bind == *clients_bind && workers_bind->back() != '*') {
    spdlog::error(
        "cannot listen: --workers-endpoint and --clients-endpoint are both "
        "{}; workers and clients need an endpoint each (by default "
        "tcp://*:5555 "
        "and tcp://*:5556)",
        *workers_bind);
    return 2;
  }
  workers_endpoint = *workers_bind;
  clients_endpoint = *clients_bind;
  if (auto s = server.Bind(workers_endpoint, clients_endpoint); !s.ok()) {
    spdlog::error("cannot listen: {}", s.ToString());
    return 1;
  }
  spdlog::info("listening: workers on {}, clients on {}",
               server.workers_endpoint(), server.clients_endpoint());
  // The HTTP thread reads only snapshots the poll loop publishes on `board`.
  lc::StatusBoard board;
  std::unique_ptr<lc::http::StatusHttpServer> http;
  if (!http_address.empty()) {
    auto started = lc::http::StatusHttpServer::Start(http_address, board);
    if (!started.ok()) {
      spdlog::error("{}", started.status().ToString());
      return 1;
    }
    http = std::move(*started);
    coordinator.PublishStatusTo(&board,
                                std::chrono::milliseconds(http_publish_ms));
    spdlog::info("status page on http://{}/ (metrics on /metrics)",
                 http->address());
    if (!http->loopback()) {
      spdlog::warn(
          "--http {} is reachable from other hosts: plain HTTP without "
          "authentication; it is read-only and shows job ids shortened",
          http->address());
    }
  }
  if (!ready_file.empty() &&
      !WriteReadyFile(ready_file, server, http ? http->address() : "")) {
    spdlog::error("cannot write ready file {}", ready_file);
    return 1;
  }
  if (auto s = server.Run(stop, logsweep::common::StopSignalFd()); !s.ok()) {
    spdlog::error("stopped: {}", s.ToString());
    return 1;
  }
  coordinator.PublishStatusTo(nullptr, std::chrono::milliseconds(0));
  http.reset();
  if (journal == nullptr && coordinator.job_count() > 0) {
    spdlog::warn(
        "shutting down with {} unfinished jobs, which are lost: without "
        "--state nothing survives a restart",
        coordinator.job_count());
  } else {
    spdlog::info("shutting down");
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return Main(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "logsweep-coordinator: fatal: %s\n", e.what());
    return 1;
  }
}
