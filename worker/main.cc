// logsweep-worker: parse flags, connect to the coordinator, scan until
// SIGINT/SIGTERM.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>

#include "common/base/logging.h"
#include "worker/worker.h"
#include "worker/worker_flags.h"

namespace {

namespace lw = logsweep::worker;

int Main(int argc, char** argv) {
  CLI::App app{"logsweep worker: scans the files a coordinator hands it"};
  lw::WorkerFlags flags;
  lw::AddWorkerFlags(app, flags);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  if (auto s = logsweep::common::InitLogging(
          "worker", flags.log_level,
          flags.log_format == "json" ? logsweep::common::LogFormat::kJson
                                     : logsweep::common::LogFormat::kText);
      !s.ok()) {
    std::fprintf(stderr, "logsweep-worker: %s\n", s.ToString().c_str());
    return 2;
  }
  if (auto s = lw::FinishWorkerFlags(flags); !s.ok()) {
    std::fprintf(stderr, "logsweep-worker: %s\n", s.ToString().c_str());
    return 2;
  }
  return lw::ServeWorker(flags.config, flags.parent_pid);
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
