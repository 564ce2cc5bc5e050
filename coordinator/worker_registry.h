#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/messages.h"
#include "coordinator/task_tracker.h"

namespace logsweep::coordinator {

// Registered workers: their capacity, liveness deadline and the task
// attempts each holds. A worker silent past its expiry is dead. Owned by the
// coordinator's I/O thread.
class WorkerRegistry {
 public:
  // `expiry`: silence after which a worker is dead (interval * liveness);
  // a worker whose own heartbeat interval is slower gets
  // liveness * its interval instead.
  // `prefetch`: tasks sent beyond a worker's slots so it never idles
  // between a result and the next task (0..slots).
  WorkerRegistry(std::chrono::milliseconds expiry, uint32_t prefetch,
                 uint32_t liveness = 3);
  WorkerRegistry(const WorkerRegistry&) = delete;
  WorkerRegistry& operator=(const WorkerRegistry&) = delete;

  // Adds (or re-adds, dropping what it held) a worker.
  // Returns the attempts the peer held before, which are now lost.
  std::vector<common::TaskRef> Register(const std::string& peer,
                                        const common::WorkerHello& hello,
                                        TimePoint now);

  // Any message from a peer proves it alive. False: unknown peer.
  bool Touch(const std::string& peer, TimePoint now);

  // Lets prefetch grow for workers whose tasks are short: a worker is kept
  // `target` of queued work ahead, i.e. prefetch = target / (its measured
  // time per task per slot), between the constructor's prefetch and
  // `max_prefetch`. Many tiny files then pipeline instead of waiting a
  // round trip each; large files keep the minimum, so no worker hoards them.
  void SetAdaptivePrefetch(uint32_t max_prefetch,
                           std::chrono::milliseconds target);

  // Records that `peer` now runs `ref`.
  void Assign(const std::string& peer, const common::TaskRef& ref);
  // Forgets `ref` on `peer` (a result or failure came back at `now`; the
  // gap since its previous answer measures its speed, when it was busy).
  // `bytes_scanned` counts towards the worker's throughput in Statuses.
  void Release(const std::string& peer, const common::TaskRef& ref,
               TimePoint now = TimePoint{}, uint64_t bytes_scanned = 0);

  // Whether `peer` is registered and still runs `ref`.
  bool Holds(const std::string& peer, const common::TaskRef& ref) const;

  // A registered worker with a free slot, preferring the least loaded;
  // empty string when none.
  std::string PickWorkerWithCredit() const;

  struct Dead {
    std::string peer;
    std::string name;
    std::vector<common::TaskRef> in_flight;
  };
  // Removes one worker (nullopt if unknown).
  std::optional<Dead> Remove(const std::string& peer);
  // Removes and returns every worker whose expiry has passed.
  std::vector<Dead> Expire(TimePoint now);

  // Every worker, for `logsweep status` and `logsweep workers`.
  std::vector<common::WorkerStatus> Statuses(TimePoint now) const;

  std::vector<std::string> Peers() const;
  std::string NameOf(const std::string& peer) const;
  size_t size() const { return workers_.size(); }
  // Earliest expiry of any worker (time_point::max() when none).
  TimePoint NextExpiry() const;

 private:
  struct Worker {
    std::string name;
    uint32_t slots = 1;
    std::chrono::milliseconds expiry{0};
    TimePoint expires;
    std::vector<common::TaskRef> in_flight;
    // Seconds per task per slot (moving average); 0 until measured.
    double task_seconds = 0;
    TimePoint last_release{};
    TimePoint registered{};
    uint64_t tasks_done = 0;
    uint64_t bytes_scanned = 0;
  };
  size_t CreditLimit(const Worker& w) const;

  std::chrono::milliseconds expiry_;
  uint32_t max_prefetch_ = 0;  // 0: fixed prefetch
  double prefetch_target_seconds_ = 0;
  uint32_t prefetch_;
  uint32_t liveness_;
  std::map<std::string, Worker> workers_;
};

}  // namespace logsweep::coordinator
