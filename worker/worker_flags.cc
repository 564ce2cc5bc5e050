#include "worker/worker_flags.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <thread>

#include "common/scan/gzip_stream.h"
#include "common/transport/curve.h"
#include "common/transport/version.h"

namespace logsweep::worker {
namespace {

std::string DefaultName() {
  char host[256] = "unknown";
  ::gethostname(host, sizeof(host) - 1);
  return std::string(host) + ":" + std::to_string(::getpid());
}

}  // namespace

void AddWorkerFlags(CLI::App& app, WorkerFlags& flags) {
  WorkerConfig& config = flags.config;
  config.coordinator_endpoint = "tcp://127.0.0.1:5555";
  config.name = DefaultName();
  config.threads = std::max(1u, std::thread::hardware_concurrency());
  flags.heartbeat_ms = config.heartbeat_interval.count();
  app.set_version_flag("--version", common::VersionText("logsweep-worker"));
  app.add_option("--coordinator", config.coordinator_endpoint,
                 "coordinator's workers endpoint")
      ->capture_default_str();
  app.add_option("--threads", config.threads, "scan threads (default: cores)")
      ->check(CLI::Range(1, 4096))
      ->capture_default_str();
  app.add_option("--name", config.name, "name shown in logs and status")
      ->capture_default_str();
  app.add_option("--heartbeat-ms", flags.heartbeat_ms, "heartbeat interval")
      ->check(CLI::Range(int64_t{50}, int64_t{60000}))
      ->capture_default_str();
  app.add_option("--liveness", config.liveness,
                 "missed heartbeats before reconnecting")
      ->check(CLI::Range(2, 100))
      ->capture_default_str();
  app.add_option("--data-root", config.data_root,
                 "read only files under this directory: a task path must "
                 "resolve (symlinks followed) inside it, else the file "
                 "fails with PERMISSION_DENIED. Task paths are absolute: "
                 "clients make relative ones absolute against their own "
                 "working directory")
      ->capture_default_str();
  app.add_option("--inflate", flags.inflate, "gzip backend: zlib or isal")
      ->check(CLI::IsMember({"zlib", "isal"}));
  app.add_option("--curve-server-key", flags.curve_server_key,
                 "turn on CurveZMQ: the coordinator's public key file "
                 "(.pub); needs --curve-key");
  app.add_option("--curve-key", flags.curve_key,
                 "this worker's key pair: NAME (reads NAME.key) or the .key "
                 "file; its .pub must be in the coordinator's "
                 "authorized-keys/workers/");
  app.add_option("--parent-pid", flags.parent_pid,
                 "exit when this process (the one that started us) exits");
  app.add_option("--log-level", flags.log_level,
                 "trace, debug, info, warn, error or off")
      ->capture_default_str();
  app.add_option("--log-format", flags.log_format,
                 "text, or json: one object per line (time, level, "
                 "component, pid, message, and job, task, worker when the "
                 "message names them)")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
}

common::Status FinishWorkerFlags(WorkerFlags& flags) {
  WorkerConfig& config = flags.config;
  auto backend = common::ParseInflateBackend(flags.inflate);
  if (!backend.ok()) return backend.status();
  config.scan.backend = *backend;
  config.heartbeat_interval = std::chrono::milliseconds(flags.heartbeat_ms);
  std::string warning;
  auto curve = common::LoadCurveClientKeys(flags.curve_server_key,
                                           flags.curve_key, &warning);
  if (!curve.ok()) return curve.status();
  if (!warning.empty()) spdlog::warn("{}", warning);
  config.curve = std::move(*curve);
  return common::OkStatus();
}

}  // namespace logsweep::worker
