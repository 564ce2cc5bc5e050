#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "common/status.h"

namespace logsweep::client {

// A coordinator and N worker processes on this host, talking over ipc://
// sockets in a private temporary directory (under $TMPDIR, else /tmp): the
// one-machine mode of `logsweep run`, like a process pool. Owns the child
// processes and the directory; the destructor stops them (SIGTERM, then SIGKILL
// after a grace period) and removes it. Owned by one thread.
class LocalCluster {
 public:
  struct Options {
    std::string bin_dir;  // where logsweep-coordinator/-worker live
    unsigned workers = 1;
    unsigned threads_per_worker = 1;
    std::string inflate;  // "", "zlib" or "isal"
    std::string log_level = "warn";
  };

  LocalCluster() = default;
  ~LocalCluster();
  LocalCluster(const LocalCluster&) = delete;
  LocalCluster& operator=(const LocalCluster&) = delete;

  // Starts the coordinator, waits until it listens, then starts workers.
  // Errors: NotFound (binary missing), Unavailable (could not start, or
  // the coordinator did not come up within 10 s).
  common::Status Start(const Options& options);

  // The endpoint clients submit to.
  const std::string& clients_endpoint() const { return clients_endpoint_; }

  // Number of worker processes still running.
  size_t LiveWorkers();

  // Stops every child; idempotent.
  void Stop();

 private:
  common::StatusOr<pid_t> Spawn(const std::vector<std::string>& argv);

  std::string dir_;
  std::string clients_endpoint_;
  pid_t coordinator_ = -1;
  std::vector<pid_t> workers_;
};

// Directory holding the running executable (for finding sibling binaries).
std::string SelfDirectory();

}  // namespace logsweep::client
