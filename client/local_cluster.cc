#include "client/local_cluster.h"

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <thread>

extern char** environ;

namespace logsweep::client {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// Reaps `pid` if it has exited. A pid already reaped counts as exited.
bool Exited(pid_t pid) {
  int status = 0;
  pid_t r = ::waitpid(pid, &status, WNOHANG);
  return r == pid || (r < 0 && errno == ECHILD);
}

}  // namespace

std::string SelfDirectory() {
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string(".") : self.parent_path().string();
}

LocalCluster::~LocalCluster() { Stop(); }

common::StatusOr<pid_t> LocalCluster::Spawn(
    const std::vector<std::string>& argv) {
  if (::access(argv[0].c_str(), X_OK) != 0) {
    return common::NotFoundError(argv[0] + " not found or not executable");
  }
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  int err = ::posix_spawn(&pid, argv[0].c_str(), nullptr, nullptr, args.data(),
                          environ);
  if (err != 0) return common::ErrnoStatus(err, "spawn " + argv[0]);
  return pid;
}

common::Status LocalCluster::Start(const Options& options) {
  const char* tmpdir = std::getenv("TMPDIR");
  std::string tmpl =
      std::string(tmpdir && *tmpdir ? tmpdir : "/tmp") + "/logsweep-run-XXXXXX";
  if (::mkdtemp(tmpl.data()) == nullptr) {
    return common::ErrnoStatus(errno, "mkdtemp " + tmpl);
  }
  dir_ = tmpl;
  const std::string ready = dir_ + "/ready";
  const std::string workers_endpoint = "ipc://" + dir_ + "/w";
  clients_endpoint_ = "ipc://" + dir_ + "/c";
  // Children exit when this process does, even if it is killed.
  const std::string parent = std::to_string(::getpid());
  auto coordinator =
      Spawn({options.bin_dir + "/logsweep-coordinator", "--workers-endpoint",
             workers_endpoint, "--clients-endpoint", clients_endpoint_,
             "--ready-file", ready, "--log-level", options.log_level,
             "--parent-pid", parent});
  if (!coordinator.ok()) return coordinator.status();
  coordinator_ = *coordinator;

  for (unsigned i = 0; i < options.workers; ++i) {
    std::vector<std::string> argv = {options.bin_dir + "/logsweep-worker",
                                     "--coordinator",
                                     workers_endpoint,
                                     "--threads",
                                     std::to_string(options.threads_per_worker),
                                     "--name",
                                     "local-" + std::to_string(i),
                                     "--log-level",
                                     options.log_level,
                                     "--parent-pid",
                                     parent};
    if (!options.inflate.empty()) {
      argv.push_back("--inflate");
      argv.push_back(options.inflate);
    }
    auto worker = Spawn(argv);
    if (!worker.ok()) return worker.status();
    workers_.push_back(*worker);
  }

  // The endpoints are known, so workers start while the coordinator does
  // (they connect as soon as it binds); only then wait for it to listen.
  auto deadline = Clock::now() + std::chrono::seconds(10);
  while (!std::filesystem::exists(ready)) {
    if (Exited(coordinator_)) {
      coordinator_ = -1;
      return common::UnavailableError("logsweep-coordinator exited at start");
    }
    if (Clock::now() > deadline) {
      return common::UnavailableError(
          "logsweep-coordinator did not start listening within 10 s");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return common::OkStatus();
}

size_t LocalCluster::LiveWorkers() {
  size_t live = 0;
  for (pid_t& pid : workers_) {
    if (pid > 0 && Exited(pid)) pid = -1;
    if (pid > 0) ++live;
  }
  return live;
}

void LocalCluster::Stop() {
  std::vector<pid_t> children = workers_;
  if (coordinator_ > 0) children.push_back(coordinator_);
  for (pid_t pid : children) {
    if (pid > 0) ::kill(pid, SIGTERM);
  }
  auto deadline = Clock::now() + std::chrono::seconds(5);
  for (pid_t pid : children) {
    if (pid <= 0) continue;
    while (!Exited(pid)) {
      if (Clock::now() > deadline) {
        ::kill(pid, SIGKILL);
        ::waitpid(pid, nullptr, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
  workers_.clear();
  coordinator_ = -1;
  if (!dir_.empty()) {
    std::error_code ec;
    fs::remove_all(dir_, ec);
    dir_.clear();
  }
}

}  // namespace logsweep::client
