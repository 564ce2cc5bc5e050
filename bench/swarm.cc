// logsweep-swarm: thousands of fake workers in one process, speaking the
// real protocol to a coordinator, with a fault script; see
// docs/performance.md ("The swarm simulator") and bench/swarm/swarm.h.
#include "bench/swarm/swarm.h"

#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <exception>
#include <fstream>
#include <map>
#include <string>
#include <thread>
#include <zmq.hpp>

#include "bench/swarm/resource_limits.h"
#include "bench/swarm/swarm_recorder.h"
#include "common/base/logging.h"
#include "common/base/signals.h"

namespace {

namespace common = logsweep::common;
namespace ls = logsweep::swarm;

constexpr std::chrono::milliseconds kSampleEvery{100};

// Writes `content` to `path` through a rename, so readers never see half.
bool WriteAtomically(const std::string& path, const std::string& content) {
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp);
    out << content;
    if (!out) return false;
  }
  return std::rename(tmp.c_str(), path.c_str()) == 0;
}

int Main(int argc, char** argv) {
  CLI::App app{
      "logsweep-swarm: many fake workers in one process, speaking the real "
      "protocol to a coordinator; answers every task at once with synthetic "
      "hosts"};
  ls::SwarmConfig config;
  int heartbeat_ms = 1000;
  int answer_delay_ms = 0;
  int freeze_ms = 1000;
  int io_threads = 1;
  double duration_s = 0;
  int report_ms = 1000;
  std::string fail_code = "NOT_FOUND";
  std::string ready_file;
  std::string json_file;
  std::string log_level = "info";
  bool no_goodbye = false;
  app.add_option("--coordinator", config.endpoint,
                 "the coordinator's workers endpoint")
      ->required();
  app.add_option("--workers", config.workers,
                 "fake workers, each on its own connection")
      ->check(CLI::Range(size_t{1}, size_t{100000}))
      ->capture_default_str();
  app.add_option("--slots", config.slots, "slots each worker announces")
      ->check(CLI::Range(1, 4096))
      ->capture_default_str();
  app.add_option("--threads", config.threads,
                 "threads serving the workers (each its share)")
      ->check(CLI::Range(size_t{1}, size_t{64}))
      ->capture_default_str();
  app.add_option("--io-threads", io_threads, "libzmq I/O threads")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  app.add_option("--heartbeat-ms", heartbeat_ms,
                 "heartbeat interval of every fake worker")
      ->check(CLI::Range(50, 60000))
      ->capture_default_str();
  app.add_option("--liveness", config.liveness,
                 "coordinator silence, in heartbeats, before a worker "
                 "reconnects on a new socket (0: never)")
      ->check(CLI::Range(0, 100))
      ->capture_default_str();
  app.add_option("--answer-delay-ms", answer_delay_ms,
                 "time from a task to its answer (0: at once)")
      ->check(CLI::Range(0, 3600000))
      ->capture_default_str();
  app.add_option("--hosts-per-task", config.answer.hosts_per_task,
                 "hosts in each answer (the job driver must be told the same)")
      ->check(CLI::Range(0, 1000))
      ->capture_default_str();
  app.add_option("--host-space", config.answer.host_space,
                 "distinct hosts over all answers (the job driver must be "
                 "told the same)")
      ->check(CLI::Range(1, 1 << 24))
      ->capture_default_str();
  app.add_option("--bytes-per-task", config.answer.bytes_per_task,
                 "bytes_scanned reported per task")
      ->capture_default_str();
  app.add_option("--name-prefix", config.name_prefix,
                 "worker names are PREFIX-NNNNN (bad ones PREFIX-NNNNN-bad)")
      ->capture_default_str();
  app.add_option("--connect-rate", config.connect_rate,
                 "connections opened per second while starting")
      ->check(CLI::Range(1.0, 1e6))
      ->capture_default_str();
  app.add_option("--close", config.close_count,
                 "workers that close their connection without goodbye (and "
                 "stay gone) once --close-after-tasks tasks are answered")
      ->capture_default_str();
  bool close_block = false;
  app.add_flag("--close-block", close_block,
               "the closing workers are the first ones (that connected "
               "first: a rack gone) instead of spread over all");
  int close_linger_ms = 0;
  app.add_option("--close-linger-ms", close_linger_ms,
                 "how long what a closing worker already sent has to leave "
                 "(0: it is lost with the connection)")
      ->check(CLI::Range(0, 60000))
      ->capture_default_str();
  app.add_option("--close-after-tasks", config.close_after_tasks,
                 "answers (whole swarm) before --close strikes")
      ->capture_default_str();
  app.add_option("--freeze", config.freeze_count,
                 "workers that stop reading and sending for --freeze-ms "
                 "once --freeze-after-tasks tasks are answered (SIGSTOP)")
      ->capture_default_str();
  app.add_option("--freeze-ms", freeze_ms, "how long --freeze lasts")
      ->check(CLI::Range(1, 3600000))
      ->capture_default_str();
  app.add_option("--freeze-after-tasks", config.freeze_after_tasks,
                 "answers (whole swarm) before --freeze strikes")
      ->capture_default_str();
  app.add_option("--fail-fraction", config.fail_fraction,
                 "share of workers (bad nodes) answering every task with "
                 "--fail-code")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  app.add_option("--fail-code", fail_code,
                 "NOT_FOUND, PERMISSION_DENIED, DATA_LOSS, UNAVAILABLE, "
                 "INVALID_ARGUMENT or INTERNAL")
      ->capture_default_str();
  app.add_flag("--no-goodbye", no_goodbye,
               "on exit, close without goodbye (as if killed)");
  app.add_option("--duration", duration_s,
                 "seconds to run (0: until SIGINT or SIGTERM)")
      ->check(CLI::Range(0.0, 1e7))
      ->capture_default_str();
  app.add_option("--ready-file", ready_file,
                 "written once every worker has heard from the coordinator");
  app.add_option("--json", json_file, "write the final report here as JSON");
  app.add_option("--report-ms", report_ms,
                 "progress line on stderr every so often (0: none)")
      ->check(CLI::Range(0, 3600000))
      ->capture_default_str();
  app.add_option("--log-level", log_level,
                 "trace, debug, info, warn, error or off")
      ->capture_default_str();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  if (auto s = common::InitLogging("swarm", log_level); !s.ok()) {
    std::fprintf(stderr, "logsweep-swarm: %s\n", s.ToString().c_str());
    return 2;
  }
  const std::map<std::string, common::StatusCode> codes = {
      {"NOT_FOUND", common::StatusCode::kNotFound},
      {"PERMISSION_DENIED", common::StatusCode::kPermissionDenied},
      {"DATA_LOSS", common::StatusCode::kDataLoss},
      {"UNAVAILABLE", common::StatusCode::kUnavailable},
      {"INVALID_ARGUMENT", common::StatusCode::kInvalidArgument},
      {"INTERNAL", common::StatusCode::kInternal},
  };
  auto code = codes.find(fail_code);
  if (code == codes.end()) {
    std::fprintf(stderr, "logsweep-swarm: unknown --fail-code %s\n",
                 fail_code.c_str());
    return 2;
  }
  config.fail_code = code->second;
  config.heartbeat_interval = std::chrono::milliseconds(heartbeat_ms);
  config.answer_delay = std::chrono::milliseconds(answer_delay_ms);
  config.freeze_for = std::chrono::milliseconds(freeze_ms);
  config.goodbye_on_stop = !no_goodbye;
  config.close_linger = std::chrono::milliseconds(close_linger_ms);
  config.close_placement =
      close_block ? ls::ClosePlacement::kBlock : ls::ClosePlacement::kSpread;

  if (auto s = ls::RaiseFileLimit(ls::DescriptorsNeeded(config.workers));
      !s.ok()) {
    spdlog::error("{}", s.ToString());
    return 1;
  }
  const std::atomic<bool>& stop = common::InstallStopSignals();
  zmq::context_t context;
  if (auto s = ls::ConfigureContext(context, config.workers, io_threads);
      !s.ok()) {
    spdlog::error("{}", s.ToString());
    return 1;
  }
  auto start = ls::Clock::now();
  ls::SwarmRecorder recorder(start);
  ls::Swarm swarm(context, config);
  if (auto s = swarm.Start(); !s.ok()) {
    spdlog::error("{}", s.ToString());
    return 2;
  }
  spdlog::info("{} workers ({} slots each) connecting to {}", config.workers,
               config.slots, config.endpoint);
  auto next_line = start + std::chrono::milliseconds(report_ms);
  while (!stop.load() && !swarm.failed()) {
    std::this_thread::sleep_for(kSampleEvery);
    auto now = ls::Clock::now();
    ls::SwarmSnapshot snap = swarm.Snapshot();
    if (recorder.Sample(snap, now)) {
      spdlog::info("all {} workers registered in {:.1f} s", snap.expected_live,
                   *recorder.ready_seconds());
      if (!ready_file.empty() &&
          !WriteAtomically(
              ready_file,
              "workers=" + std::to_string(snap.expected_live) + "\n")) {
        spdlog::error("cannot write ready file {}", ready_file);
        break;
      }
    }
    if (report_ms > 0 && now >= next_line) {
      spdlog::info("{}", recorder.ProgressLine(snap, now));
      next_line = now + std::chrono::milliseconds(report_ms);
    }
    if (duration_s > 0 &&
        std::chrono::duration<double>(now - start).count() >= duration_s) {
      break;
    }
  }
  common::Status result = swarm.Stop();
  auto end = ls::Clock::now();
  ls::SwarmSnapshot snap = swarm.Snapshot();
  (void)recorder.Sample(snap, end);
  std::string summary = recorder.Summary(snap, end);
  std::fwrite(summary.data(), 1, summary.size(), stdout);
  if (!json_file.empty() &&
      !WriteAtomically(json_file, recorder.Json(config, snap, end))) {
    spdlog::error("cannot write {}", json_file);
    return 1;
  }
  if (!result.ok()) {
    spdlog::error("swarm failed: {}", result.ToString());
    return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return Main(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "logsweep-swarm: fatal: %s\n", e.what());
    return 1;
  }
}
