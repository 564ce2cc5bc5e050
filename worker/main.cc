// logsweep-worker: parse flags, connect to the coordinator, scan until
// SIGINT/SIGTERM.
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <exception>
#include <thread>
#include <zmq.hpp>

#include "common/curve.h"
#include "common/logging.h"
#include "worker/worker.h"

namespace {

namespace lw = logsweep::worker;

std::string DefaultName() {
  char host[256] = "unknown";
  ::gethostname(host, sizeof(host) - 1);
  return std::string(host) + ":" + std::to_string(::getpid());
}

int Main(int argc, char** argv) {
  CLI::App app{"logsweep worker: scans the files a coordinator hands it"};
  lw::WorkerConfig config;
  config.coordinator_endpoint = "tcp://127.0.0.1:5555";
  config.name = DefaultName();
  config.threads = std::max(1u, std::thread::hardware_concurrency());
  std::string log_level = "info";
  int parent_pid = 0;
  std::string inflate;
  int heartbeat_ms = 1000;
  std::string curve_server_key;
  std::string curve_key;
  app.add_option("--coordinator", config.coordinator_endpoint,
                 "coordinator's workers endpoint")
      ->capture_default_str();
  app.add_option("--threads", config.threads, "scan threads (default: cores)")
      ->check(CLI::Range(1, 4096))
      ->capture_default_str();
  app.add_option("--name", config.name, "name shown in logs and status")
      ->capture_default_str();
  app.add_option("--heartbeat-ms", heartbeat_ms, "heartbeat interval")
      ->check(CLI::Range(50, 60000))
      ->capture_default_str();
  app.add_option("--liveness", config.liveness,
                 "missed heartbeats before reconnecting")
      ->check(CLI::Range(2, 100))
      ->capture_default_str();
  app.add_option("--data-root", config.data_root,
                 "read only files under this directory; a task for a path "
                 "outside it is refused. Clients send absolute paths "
                 "(logsweep and the library make relative ones absolute "
                 "against their own working directory)")
      ->capture_default_str();
  app.add_option("--inflate", inflate, "gzip backend: zlib or isal")
      ->check(CLI::IsMember({"zlib", "isal"}));
  app.add_option("--curve-server-key", curve_server_key,
                 "turn on CurveZMQ: the coordinator's public key file "
                 "(.pub); needs --curve-key");
  app.add_option("--curve-key", curve_key,
                 "this worker's key pair: NAME (reads NAME.key) or the .key "
                 "file; its .pub must be in the coordinator's "
                 "authorized-keys/workers/");
  app.add_option("--parent-pid", parent_pid,
                 "exit when this process (the one that started us) exits");
  app.add_option("--log-level", log_level,
                 "trace, debug, info, warn, error or off")
      ->capture_default_str();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  if (auto s = logsweep::common::InitLogging("worker", log_level); !s.ok()) {
    std::fprintf(stderr, "logsweep-worker: %s\n", s.ToString().c_str());
    return 2;
  }
  if (inflate == "isal" && !logsweep::common::IsalAvailable()) {
    std::fprintf(stderr, "logsweep-worker: built without ISA-L\n");
    return 2;
  }
  if (!inflate.empty()) {
    config.scan.backend = inflate == "isal"
                              ? logsweep::common::InflateBackend::kIsal
                              : logsweep::common::InflateBackend::kZlib;
  }
  config.heartbeat_interval = std::chrono::milliseconds(heartbeat_ms);
  std::string warning;
  auto curve = logsweep::common::LoadCurveClientKeys(curve_server_key,
                                                     curve_key, &warning);
  if (!curve.ok()) {
    spdlog::error("{}", curve.status().ToString());
    return 2;
  }
  if (!warning.empty()) spdlog::warn("{}", warning);
  config.curve = std::move(*curve);
  return lw::ServeWorker(config, parent_pid);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return Main(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "logsweep-worker: fatal: %s\n", e.what());
    return 1;
  }
}
