// logsweep-submit-many: submits one job of N generated paths
// (PREFIX0000001.log ...) to a running coordinator and exits once it is
// accepted, like `logsweep submit --detach`; prints the job id. The paths
// need not exist: bench/overhead.sh uses it to measure what a queued task
// costs the coordinator, with more tasks than argv could carry.
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <string>
#include <zmq.hpp>

#include "client/cli/job_client.h"
#include "common/transport/messages.h"

namespace {

namespace common = logsweep::common;
namespace lc = logsweep::client;

int Main(int argc, char** argv) {
  CLI::App app{"submit one job of N generated paths, detached"};
  std::string endpoint;
  uint64_t count = 1000000;
  std::string prefix = "/nonexistent/f";
  int connect_timeout_ms = 120000;
  app.add_option("--coordinator", endpoint, "coordinator's clients endpoint")
      ->required();
  app.add_option("--count", count, "number of paths (tasks)")
      ->check(CLI::Range(uint64_t{1}, uint64_t{100000000}))
      ->capture_default_str();
  app.add_option("--prefix", prefix, "path prefix; a 7-digit number follows")
      ->capture_default_str();
  app.add_option("--connect-timeout-ms", connect_timeout_ms,
                 "how long to wait for the coordinator to accept the job")
      ->check(CLI::Range(100, 600000))
      ->capture_default_str();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }

  common::SubmitJob job;
  job.paths.reserve(count);
  char number[32];
  for (uint64_t i = 1; i <= count; ++i) {
    std::snprintf(number, sizeof number, "%07llu.log",
                  static_cast<unsigned long long>(i));
    job.paths.push_back(prefix + number);
  }
  zmq::context_t context(1);
  lc::JobClientOptions options;
  options.session.connect_timeout =
      std::chrono::milliseconds(connect_timeout_ms);
  lc::JobClient client(context, endpoint, options);
  auto id = client.Submit(job);
  if (!id.ok()) {
    std::fprintf(stderr, "logsweep-submit-many: %s\n",
                 id.status().ToString().c_str());
    return 1;
  }
  std::printf("%s\n", id->c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return Main(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "logsweep-submit-many: fatal: %s\n", e.what());
    return 1;
  }
}
