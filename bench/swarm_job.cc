// logsweep-swarm-job: submits one job of synthetic paths (/swarm/00000001
// ...) to a coordinator served by logsweep-swarm, waits for its JobResult
// through the normal client protocol (client::JobClient), and checks it
// (bench/swarm/job_check.h): every path reported once, in order; no file
// FAILED beyond --expect-failed; hosts equal to the union the fake workers
// answered. Exit status: 0 checked and exact, 1 the check failed (each
// problem printed with its counts), 2 usage, 3 the job did not complete.
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <exception>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <zmq.hpp>

#include "bench/swarm/job_check.h"
#include "client/cli/job_client.h"
#include "common/base/signals.h"
#include "common/transport/messages.h"

namespace {

namespace common = logsweep::common;
namespace lc = logsweep::client;
namespace ls = logsweep::swarm;

std::string JsonReport(const ls::JobCheck& check, const std::string& job_id,
                       double wall_s, uint64_t elapsed_us) {
  nlohmann::json attempts = nlohmann::json::object();
  for (const auto& [k, n] : check.attempts) attempts[std::to_string(k)] = n;
  nlohmann::json doc{
      {"ok", check.ok},
      {"job_id", job_id},
      {"files", check.files},
      {"failed", check.failed},
      {"hosts", check.hosts},
      {"expected_hosts", check.expected_hosts},
      {"attempts", attempts},
      {"failure_reasons", check.failure_reasons},
      {"problems", check.problems},
      {"wall_s", wall_s},
      {"coordinator_elapsed_s", static_cast<double>(elapsed_us) / 1e6},
      {"files_per_s",
       wall_s > 0 ? static_cast<double>(check.files) / wall_s : 0.0},
  };
  return doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) +
         "\n";
}

int Main(int argc, char** argv) {
  CLI::App app{
      "submit one job of synthetic paths to a coordinator served by "
      "logsweep-swarm, wait for the result and check it"};
  std::string endpoint;
  ls::JobExpectation expect;
  expect.paths = 10000;
  int connect_timeout_s = 120;
  int silence_timeout_s = 60;
  int deadline_s = 0;
  bool progress = false;
  std::string json_file;
  app.add_option("--coordinator", endpoint,
                 "the coordinator's clients endpoint")
      ->required();
  app.add_option("--paths", expect.paths, "files (tasks) in the job")
      ->check(CLI::Range(uint64_t{1}, uint64_t{99999999}))
      ->capture_default_str();
  app.add_option("--prefix", expect.prefix,
                 "path prefix; 8 digits follow (1-based)")
      ->capture_default_str();
  app.add_option("--hosts-per-task", expect.answer.hosts_per_task,
                 "as given to logsweep-swarm")
      ->check(CLI::Range(0, 1000))
      ->capture_default_str();
  app.add_option("--host-space", expect.answer.host_space,
                 "as given to logsweep-swarm")
      ->check(CLI::Range(1, 1 << 24))
      ->capture_default_str();
  app.add_option("--expect-failed", expect.failed,
                 "files expected to fail (the check wants exactly this many)")
      ->capture_default_str();
  app.add_option("--connect-timeout-s", connect_timeout_s,
                 "how long the coordinator may take to accept the job")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  app.add_option("--silence-timeout-s", silence_timeout_s,
                 "silence from the coordinator after which the job is lost")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  app.add_option("--deadline-s", deadline_s,
                 "give up on the job after this long, reporting how far it "
                 "got (0: wait as long as the coordinator answers)")
      ->check(CLI::Range(0, 86400))
      ->capture_default_str();
  app.add_flag("--progress", progress, "print progress reports on stderr");
  app.add_option("--json", json_file, "write the check's report here as JSON");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  const std::atomic<bool>& stop = common::InstallStopSignals();

  common::SubmitJob job = ls::MakeSwarmJob(expect);
  zmq::context_t context(1);
  lc::JobClientOptions options;
  options.session.connect_timeout = std::chrono::seconds(connect_timeout_s);
  options.session.silence_timeout = std::chrono::seconds(silence_timeout_s);
  // The wait ends on a stop signal, or once past the deadline.
  std::atomic<bool> give_up{false};
  options.interrupted = &give_up;
  lc::JobClient client(context, endpoint, options);
  auto start = std::chrono::steady_clock::now();
  auto last_line = start;
  common::JobProgress last;
  auto result = client.Run(job, [&](const common::JobProgress& p) {
    last = p;
    auto now = std::chrono::steady_clock::now();
    if (stop.load() ||
        (deadline_s > 0 && now - start > std::chrono::seconds(deadline_s))) {
      give_up.store(true);
    }
    if (!progress || now - last_line < std::chrono::seconds(1)) return;
    last_line = now;
    std::fprintf(stderr,
                 "logsweep-swarm-job: %.1f s: %llu/%llu done, %llu failed, "
                 "%u workers\n",
                 std::chrono::duration<double>(now - start).count(),
                 static_cast<unsigned long long>(p.done),
                 static_cast<unsigned long long>(p.total),
                 static_cast<unsigned long long>(p.failed), p.workers);
  });
  double wall_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  if (!result.ok()) {
    std::fprintf(stderr, "logsweep-swarm-job: %s\n",
                 result.status().ToString().c_str());
    std::printf(
        "PROBLEM: no result after %.1f s: %llu of %llu files done, %llu "
        "failed, %u workers (%s)\n",
        wall_s, static_cast<unsigned long long>(last.done),
        static_cast<unsigned long long>(last.total),
        static_cast<unsigned long long>(last.failed), last.workers,
        result.status().ToString().c_str());
    return 3;
  }
  job = common::SubmitJob();  // free the paths before the check's sets
  ls::JobCheck check = ls::CheckJobResult(*result, expect);
  std::printf("job %s: %llu files, %llu failed, %llu hosts (expected %llu)\n",
              result->job_id.c_str(),
              static_cast<unsigned long long>(check.files),
              static_cast<unsigned long long>(check.failed),
              static_cast<unsigned long long>(check.hosts),
              static_cast<unsigned long long>(check.expected_hosts));
  std::printf("attempts:");
  for (const auto& [k, n] : check.attempts) {
    std::printf(" %u x %llu", k, static_cast<unsigned long long>(n));
  }
  std::printf("\nwall %.2f s (%.0f files/s); coordinator's elapsed %.2f s\n",
              wall_s,
              wall_s > 0 ? static_cast<double>(check.files) / wall_s : 0,
              static_cast<double>(result->elapsed_us) / 1e6);
  for (const auto& [reason, n] : check.failure_reasons) {
    std::printf("failed: %llu x %s\n", static_cast<unsigned long long>(n),
                reason.c_str());
  }
  for (const std::string& p : check.problems)
    std::printf("PROBLEM: %s\n", p.c_str());
  std::printf("check: %s\n", check.ok ? "OK" : "FAILED");
  if (!json_file.empty()) {
    std::ofstream out(json_file);
    out << JsonReport(check, result->job_id, wall_s, result->elapsed_us);
    if (!out) {
      std::fprintf(stderr, "logsweep-swarm-job: cannot write %s\n",
                   json_file.c_str());
      return 3;
    }
  }
  return check.ok ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return Main(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "logsweep-swarm-job: fatal: %s\n", e.what());
    return 3;
  }
}
