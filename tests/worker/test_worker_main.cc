// logsweep-test-worker: logsweep-worker with faults for the integration
// tests, injected through ScanHook (never through production code paths):
//   --stall SUBSTR    a scan of a path holding SUBSTR hangs until the
//                     worker stops (a stalled filesystem), heartbeats go on
//   --slow-ms N       every scan first sleeps N ms (a slow node)
// Every logsweep-worker flag works as there.
#include <CLI/CLI.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <exception>
#include <mutex>
#include <thread>

#include "common/base/logging.h"
#include "worker/scan_hook.h"
#include "worker/worker.h"
#include "worker/worker_flags.h"

namespace {

namespace lw = logsweep::worker;

class FaultHook : public lw::ScanHook {
 public:
  FaultHook(std::string stall, int slow_ms)
      : stall_(std::move(stall)), slow_(slow_ms) {}

  bool BeforeScan(const logsweep::common::TaskAssignment& task) override {
    std::unique_lock<std::mutex> lock(mu_);
    if (!stall_.empty() && task.path.find(stall_) != std::string::npos) {
      std::fprintf(stderr, "test worker: stalling on %s\n", task.path.c_str());
      cv_.wait(lock, [this] { return released_; });
      return false;
    }
    if (slow_.count() > 0)
      cv_.wait_for(lock, slow_, [this] { return released_; });
    return !released_;
  }

  void Unblock() override {
    std::lock_guard<std::mutex> lock(mu_);
    released_ = true;
    cv_.notify_all();
  }

 private:
  const std::string stall_;
  const std::chrono::milliseconds slow_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool released_ = false;
};

int Main(int argc, char** argv) {
  CLI::App app{"logsweep test worker: logsweep-worker with injected faults"};
  lw::WorkerFlags flags;
  lw::AddWorkerFlags(app, flags);
  std::string stall;
  int slow_ms = 0;
  app.add_option("--stall", stall,
                 "hang every scan of a path holding this string");
  app.add_option("--slow-ms", slow_ms, "sleep this long before every scan")
      ->check(CLI::Range(0, 3600000));
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
    std::fprintf(stderr, "logsweep-test-worker: %s\n", s.ToString().c_str());
    return 2;
  }
  if (auto s = lw::FinishWorkerFlags(flags); !s.ok()) {
    std::fprintf(stderr, "logsweep-test-worker: %s\n", s.ToString().c_str());
    return 2;
  }
  FaultHook hook(stall, slow_ms);
  flags.config.hook = &hook;
  return lw::ServeWorker(flags.config, flags.parent_pid);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return Main(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "logsweep-test-worker: fatal: %s\n", e.what());
    return 1;
  }
}
