#include "client/runner/local_cluster.h"

#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <future>

#include "common/base/logging.h"
#include "common/scan/gzip_stream.h"
#include "coordinator/coordinator.h"
#include "coordinator/coordinator_server.h"
#include "coordinator/result_cache.h"
#include "worker/worker.h"

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

// Threads of this process, from /proc; 1 if it cannot be read (then the
// check below cannot help, and fork goes ahead).
size_t ThreadCount() {
  std::error_code ec;
  size_t n = 0;
  for (fs::directory_iterator it("/proc/self/task", ec), end; !ec && it != end;
       it.increment(ec)) {
    ++n;
  }
  return ec || n == 0 ? 1 : n;
}

// Whether this process is down to one thread, waiting up to 100 ms: a
// thread just joined leaves /proc/self/task a moment after pthread_join
// returns (a second LocalCluster right after the first one's Stop).
bool SingleThreaded(size_t* threads) {
  for (int i = 0; i < 100; ++i) {
    *threads = ThreadCount();
    if (*threads == 1) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return false;
}

// A Unix stream socket bound to `path` and listening, for the workers'
// endpoint: made before the workers are forked, so their first connect
// waits in its backlog until the coordinator accepts, instead of failing
// and retrying 10 ms later.
common::StatusOr<int> ListenUnix(const std::string& path) {
  sockaddr_un addr{};
  if (path.size() >= sizeof(addr.sun_path)) {
    return common::InvalidArgumentError("socket path too long: " + path);
  }
  addr.sun_family = AF_UNIX;
  path.copy(addr.sun_path, path.size());
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return common::ErrnoStatus(errno, "socket for " + path);
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0 ||
      ::listen(fd, SOMAXCONN) != 0) {
    int err = errno;
    ::close(fd);
    return common::ErrnoStatus(err, "listen on " + path);
  }
  return fd;
}

// The coordinator thread: serves on the two endpoints until `stop`,
// reporting the outcome of binding through `bound` first. Its Coordinator
// and server live and die on this thread, as their contracts ask. Nothing
// escapes it: an exception from libzmq (or bad_alloc) becomes the bind
// result, or an error logged after it.
void ServeCoordinator(zmq::context_t& context, std::string workers_endpoint,
                      int workers_fd, std::string clients_endpoint,
                      std::string cache_path, uint64_t cache_max_bytes,
                      uint64_t cache_min_bytes, const std::atomic<bool>& stop,
                      int wake_fd, std::promise<common::Status> bound) {
  bool reported = false;
  try {
    // Opened here: the cache belongs to the coordinator's thread. One that
    // cannot be opened costs the job nothing but its hits.
    std::unique_ptr<coordinator::ResultCache> cache;
    if (!cache_path.empty()) {
      cache = coordinator::ResultCache::OpenOrWarn(cache_path, cache_max_bytes);
    }
    coordinator::Coordinator coordinator(coordinator::CoordinatorConfig{},
                                         nullptr);
    coordinator.UseCache(cache.get(), cache_min_bytes);
    coordinator::CoordinatorServer server(context, coordinator);
    common::Status s =
        server.Bind(workers_endpoint, clients_endpoint, workers_fd);
    bound.set_value(s);
    reported = true;
    if (!s.ok()) return;
    if (common::Status r = server.Run(stop, wake_fd); !r.ok()) {
      spdlog::error("local coordinator stopped: {}", r.ToString());
    }
  } catch (const std::exception& e) {
    common::Status failed =
        common::InternalError(std::string("local coordinator: ") + e.what());
    if (reported) {
      spdlog::error("{}", failed.ToString());
    } else {
      bound.set_value(failed);
    }
  }
}

// Longest path of a unix socket, terminator included.
constexpr size_t kMaxSocketPath = sizeof(sockaddr_un::sun_path);

// What `ps` shows as a forked worker's command line (its arguments are
// the parent's, `logsweep run ...`): `title`, written over the argument
// area, which starts at argv[0] (glibc's program_invocation_name) and is
// as long as /proc/self/cmdline.
void SetProcessTitle(const char* title) {
  std::FILE* f = std::fopen("/proc/self/cmdline", "rb");
  if (f == nullptr) return;
  size_t length = 0;
  char buf[4096];
  for (size_t n; (n = std::fread(buf, 1, sizeof(buf), f)) > 0;) length += n;
  std::fclose(f);
  char* area = program_invocation_name;
  if (area == nullptr || length < 2) return;
  std::memset(area, 0, length);
  std::strncpy(area, title, length - 1);
}

}  // namespace

LocalCluster::~LocalCluster() { Stop(); }

common::StatusOr<pid_t> LocalCluster::ForkWorker(
    const worker::WorkerConfig& config, int close_in_child) {
  // Start has checked that this process runs one thread, and makes none
  // before its forks.
  std::fflush(nullptr);  // or the child would write the buffered bytes again
  const pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) return common::ErrnoStatus(errno, "fork a worker");
  if (pid > 0) return pid;
  // The child serves as a worker and exits. noexcept: should anything still
  // throw, it terminates here rather than unwind into the caller's stack.
  [&]() noexcept {
    ::prctl(PR_SET_NAME, "logsweep-worker");
    SetProcessTitle("logsweep-worker");
    ::close(close_in_child);
    int code = 1;
    try {
      code = worker::ServeWorker(config, parent);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "logsweep: worker %s: fatal: %s\n",
                   config.name.c_str(), e.what());
    }
    // _exit, not exit: the static destructors and atexit handlers are the
    // parent's, and running them (every library's teardown) took 7 ms here.
    try {
      spdlog::shutdown();
    } catch (const std::exception&) {
      // Nothing left to flush to.
    }
    std::fflush(nullptr);
    ::_exit(code);
  }();
  std::abort();  // unreachable: the lambda ends in _exit
}

common::Status LocalCluster::Start(const Options& options) {
  if (started_) return common::InternalError("local cluster started twice");
  started_ = true;
  // A child forked beside other threads inherits their locks (malloc's,
  // libzmq's) in whatever state they were, held by threads it does not have.
  if (size_t threads = 0; !SingleThreaded(&threads)) {
    return common::InternalError(
        "cannot start local workers: " + std::to_string(threads) +
        " threads running, fork needs one");
  }
  // The workers' socket path must fit a sockaddr_un (108 bytes): a TMPDIR
  // too long for it is passed over for /tmp.
  const char* tmpdir = std::getenv("TMPDIR");
  std::string base = tmpdir && *tmpdir ? tmpdir : "/tmp";
  if (base.size() + sizeof("/logsweep-run-XXXXXX/w") > kMaxSocketPath) {
    base = "/tmp";
  }
  std::string tmpl = base + "/logsweep-run-XXXXXX";
  if (::mkdtemp(tmpl.data()) == nullptr) {
    return common::ErrnoStatus(errno, "mkdtemp " + tmpl);
  }
  dir_ = tmpl;
  const std::string workers_endpoint = "ipc://" + dir_ + "/w";
  clients_endpoint_ = "inproc://logsweep-run-clients";
  auto listen_fd = ListenUnix(dir_ + "/w");
  if (!listen_fd.ok()) return listen_fd.status();

  // Workers first: they are the slower to come up. Each exits with this
  // process, even if it is killed. They inherit the "worker" logger (set up
  // once here rather than in each child, where it took 3 ms of copy-on-write
  // faults); this process then switches to the "coordinator" one.
  if (common::Status s =
          common::InitLogging("worker", options.log_level, options.log_format);
      !s.ok()) {
    ::close(*listen_fd);
    return s;
  }
  for (unsigned i = 0; i < options.workers; ++i) {
    worker::WorkerConfig config;
    config.coordinator_endpoint = workers_endpoint;
    config.name = "local-" + std::to_string(i);
    config.threads = options.threads_per_worker;
    config.scan.backend = options.backend;
    auto worker = ForkWorker(config, *listen_fd);
    if (!worker.ok()) {
      ::close(*listen_fd);
      return worker.status();
    }
    workers_.push_back(*worker);
  }

  common::Status s =
      common::InitLogging("coordinator", options.log_level, options.log_format);
  wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (s.ok() && wake_fd_ < 0) s = common::ErrnoStatus(errno, "eventfd");
  if (!s.ok()) {
    ::close(*listen_fd);
    return s;
  }
  std::promise<common::Status> bound;
  std::future<common::Status> bound_result = bound.get_future();
  try {
    context_.emplace(1);
    // The coordinator's workers socket owns listen_fd from here on.
    coordinator_ = std::thread(
        ServeCoordinator, std::ref(*context_), workers_endpoint, *listen_fd,
        clients_endpoint_, options.cache_path, options.cache_max_bytes,
        options.cache_min_bytes, std::cref(stop_), wake_fd_, std::move(bound));
  } catch (const std::exception& e) {
    ::close(*listen_fd);
    return common::InternalError(std::string("local coordinator: ") + e.what());
  }
  if (bound_result.wait_for(std::chrono::seconds(10)) !=
      std::future_status::ready) {
    return common::UnavailableError(
        "local coordinator did not start listening within 10 s");
  }
  return bound_result.get();
}

size_t LocalCluster::LiveWorkers() {
  size_t live = 0;
  for (pid_t& pid : workers_) {
    if (pid > 0 && Exited(pid)) pid = -1;
    if (pid > 0) ++live;
  }
  return live;
}

void LocalCluster::SignalWorkersToStop() {
  for (pid_t pid : workers_) {
    if (pid > 0) ::kill(pid, SIGTERM);
  }
}

void LocalCluster::Stop() {
  // Workers first: each says goodbye to the coordinator as it stops, and a
  // goodbye that found the coordinator gone would hold the worker in its
  // linger (up to 1 s) for nothing.
  SignalWorkersToStop();
  auto deadline = Clock::now() + std::chrono::seconds(5);
  for (pid_t pid : workers_) {
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
  if (coordinator_.joinable()) {
    stop_.store(true);
    const uint64_t one = 1;
    [[maybe_unused]] ssize_t n = ::write(wake_fd_, &one, sizeof(one));
    coordinator_.join();
  }
  context_.reset();
  if (wake_fd_ >= 0) {
    ::close(wake_fd_);
    wake_fd_ = -1;
  }
  if (!dir_.empty()) {
    std::error_code ec;
    fs::remove_all(dir_, ec);
    dir_.clear();
  }
}

}  // namespace logsweep::client
