#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <queue>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/base/clock.h"
#include "common/transport/messages.h"

namespace logsweep::coordinator {

using common::TimePoint;

// Registered workers: their capacity, liveness deadline, the task attempts
// each holds, and quarantine. A worker silent past its expiry is dead. A
// worker is known by its connection (peer id) and by its key: the instance
// id its hello carries (random per process), so one that reconnects on a
// new socket is recognised and keeps its tasks. Picking a worker and
// expiring silent ones cost O(log workers), not O(workers). Owned by the
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

  // What a hello changed about the tasks the worker holds.
  struct Registration {
    // Held by this worker under an earlier connection and not among the
    // tasks it now reports: lost between the two connections, never run.
    // The caller puts them back without charging an attempt.
    std::vector<common::TaskRef> undelivered;
    // Reported running but not known to be held (e.g. after a coordinator
    // restart): the worker holds them; the caller may adopt them.
    std::vector<common::TaskRef> adopted;
    // False when the worker was registered already (the same connection,
    // or the same instance on a new one).
    bool is_new = true;
  };
  // Adds a worker, or updates one already known by its peer or instance.
  // A known worker keeps every task it holds on the same connection (those
  // not in hello.running are on their way to it), and, on a new connection,
  // those it reports in hello.running.
  Registration Register(const std::string& peer,
                        const common::WorkerHello& hello, TimePoint now);

  // Any message from a peer proves it alive (and makes a late one
  // eligible for tasks again). False: unknown peer.
  bool Touch(const std::string& peer, TimePoint now);

  // Lets prefetch grow for workers whose tasks are short: a worker is kept
  // `target` of queued work ahead, i.e. prefetch = target / (its measured
  // time per task per slot), between the constructor's prefetch and
  // `max_prefetch`. Many tiny files then pipeline instead of waiting a
  // round trip each; large files keep the minimum, so no worker hoards them.
  void SetAdaptivePrefetch(uint32_t max_prefetch,
                           std::chrono::milliseconds target);

  // Workers sent nothing since `cutoff` (none yet, or only before), which
  // are then counted as sent to at `now`: those the caller sends a
  // heartbeat. O(workers).
  std::vector<std::string> TakeQuiet(TimePoint cutoff, TimePoint now);

  // Records that `peer` now runs `ref`, sent at `now`.
  void Assign(const std::string& peer, const common::TaskRef& ref,
              TimePoint now = TimePoint{});
  // Forgets `ref` on `peer` (a result or failure came back at `now`; the
  // gap since its previous answer measures its speed, when it was busy).
  // `bytes_scanned` counts towards the worker's throughput in Statuses.
  // Returns when `ref` was sent to it; nullopt when it did not hold `ref`.
  std::optional<TimePoint> Release(const std::string& peer,
                                   const common::TaskRef& ref,
                                   TimePoint now = TimePoint{},
                                   uint64_t bytes_scanned = 0);

  // A worker with a free slot (not only prefetch credit) whose key is not
  // `exclude`, quarantined ones only when all are; empty when none.
  std::string PickIdleWorker(const std::string& exclude) const;

  // Every attempt held that was sent before `cutoff`, with its worker and
  // send time. O(tasks held).
  struct Running {
    std::string peer;
    common::TaskRef ref;
    TimePoint sent;
  };
  std::vector<Running> RunningSince(TimePoint cutoff) const;

  // Whether `peer` is registered and still runs `ref`.
  bool Holds(const std::string& peer, const common::TaskRef& ref) const;

  // Attempts sent at or before `cutoff` and not answered: each is returned
  // once, with its worker's name, and stays held (the worker may still
  // answer, and keeps the slot until it does). `*next` gets the earliest
  // send time of the attempts still held and not returned (max if none):
  // nothing is overdue before that plus the timeout. O(tasks held); the
  // caller calls it only when something may be overdue.
  struct Overdue {
    std::string worker_name;
    common::TaskRef ref;
  };
  std::vector<Overdue> TakeOverdue(TimePoint cutoff, TimePoint* next);

  // The least loaded worker with a free slot whose key is not `exclude`
  // (empty: none excluded) and not in `skip`; quarantined workers only
  // when every registered worker is quarantined; never a late one (see
  // Expire). Empty string when none.
  std::string PickWorkerWithCredit(
      const std::string& exclude = std::string(),
      const std::vector<std::string>* skip = nullptr) const;

  // A file the worker read without error: it has shown its view of the
  // files works, which makes it trusted while it has no strike.
  void NoteSuccess(const std::string& peer);
  // Trusted: read a file without error and had no failure of its own
  // contradicted (see Strike) since it registered. Unknown peer: false.
  bool Trusted(const std::string& peer) const;

  // Whether a worker whose key is not in `keys` is registered (one that
  // PickWorkerWithCredit may choose, credit aside: quarantined workers
  // count only when every worker is quarantined), or with `trusted_only`
  // such a worker that is trusted. O(workers) at worst; stops at the first.
  bool HasWorkerOutside(const std::vector<std::string>& keys,
                        bool trusted_only) const;

  // An attempt a dead worker held.
  struct Lost {
    common::TaskRef ref;
    // Sent when the worker had already been silent for over two of its
    // heartbeat intervals. Its loss says nothing of the file: the worker
    // was failing before it had the task (a host stopped or overloaded).
    bool sent_while_silent = false;
  };
  struct Dead {
    std::string peer;
    std::string name;
    std::vector<Lost> in_flight;
    // Its WorkerHello.instance; empty when it sent none.
    std::string instance;
    // The silence after which it was judged dead.
    std::chrono::milliseconds expiry{0};
  };
  // Removes one worker (nullopt if unknown).
  std::optional<Dead> Remove(const std::string& peer);
  // Removes and returns every worker whose expiry has passed. A worker
  // silent for over two of its heartbeat intervals by `now` is late: it
  // keeps its tasks but gets no new one until it is heard from again
  // (Touch, Register), so tasks do not pile up on a worker about to be
  // judged dead, nor hop from one such worker to the next when many stop
  // at once.
  std::vector<Dead> Expire(TimePoint now);

  // One more file this worker failed (NOT_FOUND, PERMISSION_DENIED, I/O)
  // that another worker then read. At `strikes_to_quarantine` such files
  // the worker is quarantined until `now + duration`: it gets no tasks
  // (while any other worker is registered). Returns true when this strike
  // quarantined it. Unknown key: false.
  bool Strike(const std::string& key, const std::string& reason, TimePoint now);
  void SetQuarantine(uint32_t strikes, std::chrono::milliseconds duration);
  // Ends quarantines whose time is up; returns the names of the workers
  // released.
  std::vector<std::string> LiftQuarantines(TimePoint now);

  // Every worker, for `logsweep status` and `logsweep workers`.
  std::vector<common::WorkerStatus> Statuses(TimePoint now) const;

  std::vector<std::string> Peers() const;
  std::string NameOf(const std::string& peer) const;
  // The worker's key (instance id, else peer id); empty if unknown.
  std::string KeyOf(const std::string& peer) const;
  size_t size() const { return workers_.size(); }
  // Earliest time at which Expire or LiftQuarantines may act
  // (time_point::max() when never). It may be early, never late.
  TimePoint NextExpiry() const;

 private:
  // An attempt a worker holds, and when it was sent.
  struct Held {
    common::TaskRef ref;
    TimePoint sent;
    bool overdue = false;  // returned by TakeOverdue
  };
  struct Worker {
    std::string key;
    std::string name;
    uint32_t slots = 1;
    std::chrono::milliseconds expiry{0};
    TimePoint expires;
    bool late = false;  // see Expire
    // When its liveness entry in deadlines_ is due: entries at other times
    // are stale.
    TimePoint next_check{};
    std::vector<Held> in_flight;
    // Seconds per task per slot (moving average); 0 until measured.
    double task_seconds = 0;
    TimePoint last_release{};
    TimePoint last_sent{};  // a task (Assign) or a heartbeat (TakeQuiet)
    TimePoint registered{};
    uint64_t tasks_done = 0;
    uint64_t bytes_scanned = 0;
    // Bytes scanned in the current and the previous kRateWindow, for the
    // recent rate `status` shows beside the lifetime average.
    TimePoint window_start{};
    uint64_t window_bytes = 0;
    uint64_t previous_window_bytes = 0;
    uint64_t seq = 0;  // registration order: ties in load go to the oldest
    uint64_t successes = 0;
    uint32_t strikes = 0;
    bool quarantined = false;
    TimePoint quarantined_until{};
    std::string quarantine_reason;
  };
  // The window of the recent rate (WorkerStatus::recent_bytes_per_second).
  static constexpr std::chrono::seconds kRateWindow{10};
  static uint64_t RecentRate(const Worker& w, TimePoint now);

  // A worker with credit, ordered by load (in_flight / slots) then age.
  struct ReadyKey {
    uint64_t in_flight;
    uint32_t slots;
    uint64_t seq;
    const std::string* peer;
    bool operator<(const ReadyKey& o) const {
      uint64_t a = in_flight * o.slots, b = o.in_flight * slots;
      return a != b ? a < b : seq < o.seq;
    }
  };
  struct Deadline {
    TimePoint at;
    std::string peer;
    bool liveness;  // lateness or expiry; else the end of a quarantine
    bool operator>(const Deadline& o) const { return at > o.at; }
  };

  size_t CreditLimit(const Worker& w) const;
  // The silence after which `w` is late: two of its heartbeat intervals.
  std::chrono::milliseconds LateAfter(const Worker& w) const {
    return 2 * w.expiry / liveness_;
  }
  // The first instant at which `w`'s silence is over LateAfter.
  TimePoint LateAt(const Worker& w) const {
    return w.expires - w.expiry + LateAfter(w) + TimePoint::duration(1);
  }
  // Takes the worker out of the ready set, and puts it back if it has
  // credit and is not late: call around every change to either or to its
  // quarantine.
  void Unready(const std::string& peer, const Worker& w);
  void Ready(const std::string& peer, const Worker& w);
  // Makes sure Expire looks at the worker by `at`.
  void CheckBy(const std::string& peer, Worker& w, TimePoint at);
  // Removes a worker with all its bookkeeping.
  Worker Extract(std::unordered_map<std::string, Worker>::iterator it);
  Dead Erase(std::unordered_map<std::string, Worker>::iterator it);

  std::chrono::milliseconds expiry_;
  uint32_t max_prefetch_ = 0;  // 0: fixed prefetch
  double prefetch_target_seconds_ = 0;
  uint32_t prefetch_;
  uint32_t liveness_;
  uint32_t strikes_to_quarantine_ = 3;
  std::chrono::milliseconds quarantine_duration_{std::chrono::minutes(10)};
  uint64_t next_seq_ = 0;
  size_t quarantined_count_ = 0;
  std::unordered_map<std::string, Worker> workers_;  // by peer
  std::unordered_map<std::string, std::string> peer_by_key_;
  std::set<ReadyKey> ready_;              // unquarantined, with credit
  std::set<ReadyKey> ready_quarantined_;  // quarantined, with credit
  // Lazy: a liveness entry counts only at its worker's next_check.
  std::priority_queue<Deadline, std::vector<Deadline>, std::greater<>>
      deadlines_;
};

}  // namespace logsweep::coordinator
