#include "coordinator/worker_registry.h"

#include <algorithm>

namespace logsweep::coordinator {

WorkerRegistry::WorkerRegistry(std::chrono::milliseconds expiry,
                               uint32_t prefetch, uint32_t liveness)
    : expiry_(expiry), prefetch_(prefetch), liveness_(liveness) {}

std::vector<common::TaskRef> WorkerRegistry::Register(
    const std::string& peer, const common::WorkerHello& hello, TimePoint now) {
  Worker& w = workers_[peer];
  std::vector<common::TaskRef> lost = std::move(w.in_flight);
  auto expiry = std::max(expiry_, hello.heartbeat_interval * liveness_);
  w = Worker{hello.name, hello.slots, expiry, now + expiry, {}};
  w.registered = now;
  return lost;
}

bool WorkerRegistry::Touch(const std::string& peer, TimePoint now) {
  auto it = workers_.find(peer);
  if (it == workers_.end()) return false;
  it->second.expires = now + it->second.expiry;
  return true;
}

void WorkerRegistry::Assign(const std::string& peer,
                            const common::TaskRef& ref) {
  auto it = workers_.find(peer);
  if (it != workers_.end()) it->second.in_flight.push_back(ref);
}

namespace {

bool SameAttempt(const common::TaskRef& a, const common::TaskRef& b) {
  return a.task_id == b.task_id && a.attempt == b.attempt &&
         a.job_id == b.job_id;
}

}  // namespace

bool WorkerRegistry::Holds(const std::string& peer,
                           const common::TaskRef& ref) const {
  auto it = workers_.find(peer);
  if (it == workers_.end()) return false;
  const auto& v = it->second.in_flight;
  return std::any_of(v.begin(), v.end(), [&](const common::TaskRef& r) {
    return SameAttempt(r, ref);
  });
}

void WorkerRegistry::SetAdaptivePrefetch(uint32_t max_prefetch,
                                         std::chrono::milliseconds target) {
  max_prefetch_ = max_prefetch;
  prefetch_target_seconds_ = std::chrono::duration<double>(target).count();
}

size_t WorkerRegistry::CreditLimit(const Worker& w) const {
  size_t prefetch = prefetch_;
  if (max_prefetch_ > prefetch_ && w.task_seconds > 0) {
    double wanted = prefetch_target_seconds_ / w.task_seconds;
    prefetch =
        static_cast<size_t>(std::clamp(wanted, static_cast<double>(prefetch_),
                                       static_cast<double>(max_prefetch_)));
  }
  return w.slots + prefetch;
}

void WorkerRegistry::Release(const std::string& peer,
                             const common::TaskRef& ref, TimePoint now,
                             uint64_t bytes_scanned) {
  auto it = workers_.find(peer);
  if (it == workers_.end()) return;
  Worker& w = it->second;
  ++w.tasks_done;
  w.bytes_scanned += bytes_scanned;
  // Only a busy worker's gaps measure its speed (an idle one waits for us).
  if (now != TimePoint{} && w.last_release != TimePoint{} &&
      w.in_flight.size() >= w.slots) {
    double gap = std::chrono::duration<double>(now - w.last_release).count();
    double per_slot = gap * w.slots;
    w.task_seconds =
        w.task_seconds == 0 ? per_slot : 0.8 * w.task_seconds + 0.2 * per_slot;
  }
  if (now != TimePoint{}) w.last_release = now;
  auto& v = w.in_flight;
  auto pos = std::find_if(v.begin(), v.end(), [&](const common::TaskRef& r) {
    return SameAttempt(r, ref);
  });
  if (pos != v.end()) v.erase(pos);
}

std::vector<common::WorkerStatus> WorkerRegistry::Statuses(
    TimePoint now) const {
  std::vector<common::WorkerStatus> out;
  out.reserve(workers_.size());
  for (const auto& [peer, w] : workers_) {
    common::WorkerStatus s;
    s.name = w.name;
    s.slots = w.slots;
    s.in_flight = static_cast<uint32_t>(w.in_flight.size());
    s.tasks_done = w.tasks_done;
    s.bytes_scanned = w.bytes_scanned;
    s.connected_ms = static_cast<uint64_t>(std::max<int64_t>(
        0, std::chrono::duration_cast<std::chrono::milliseconds>(now -
                                                                 w.registered)
               .count()));
    out.push_back(std::move(s));
  }
  return out;
}

std::string WorkerRegistry::PickWorkerWithCredit() const {
  const std::string* best = nullptr;
  double best_load = 0;
  for (const auto& [peer, w] : workers_) {
    if (w.in_flight.size() >= CreditLimit(w)) continue;
    double load = static_cast<double>(w.in_flight.size()) / w.slots;
    if (best == nullptr || load < best_load) {
      best = &peer;
      best_load = load;
    }
  }
  return best ? *best : std::string();
}

std::optional<WorkerRegistry::Dead> WorkerRegistry::Remove(
    const std::string& peer) {
  auto it = workers_.find(peer);
  if (it == workers_.end()) return std::nullopt;
  Dead dead{it->first, it->second.name, std::move(it->second.in_flight)};
  workers_.erase(it);
  return dead;
}

std::vector<WorkerRegistry::Dead> WorkerRegistry::Expire(TimePoint now) {
  std::vector<Dead> dead;
  for (auto it = workers_.begin(); it != workers_.end();) {
    if (it->second.expires <= now) {
      dead.push_back(
          Dead{it->first, it->second.name, std::move(it->second.in_flight)});
      it = workers_.erase(it);
    } else {
      ++it;
    }
  }
  return dead;
}

std::vector<std::string> WorkerRegistry::Peers() const {
  std::vector<std::string> out;
  out.reserve(workers_.size());
  for (const auto& [peer, w] : workers_) out.push_back(peer);
  return out;
}

std::string WorkerRegistry::NameOf(const std::string& peer) const {
  auto it = workers_.find(peer);
  return it == workers_.end() ? std::string("unregistered peer")
                              : it->second.name;
}

TimePoint WorkerRegistry::NextExpiry() const {
  TimePoint next = TimePoint::max();
  for (const auto& [peer, w] : workers_) next = std::min(next, w.expires);
  return next;
}

}  // namespace logsweep::coordinator
