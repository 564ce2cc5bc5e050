#include "coordinator/worker_registry.h"

#include <algorithm>

namespace logsweep::coordinator {
namespace {

bool SameAttempt(const common::TaskRef& a, const common::TaskRef& b) {
  return a.task_id == b.task_id && a.attempt == b.attempt &&
         a.job_id == b.job_id;
}

const common::TaskRef& RefOf(const common::TaskRef& ref) { return ref; }
template <class Held>
const common::TaskRef& RefOf(const Held& held) {
  return held.ref;
}

template <class Item>
bool Contains(const std::vector<Item>& items, const common::TaskRef& ref) {
  return std::any_of(items.begin(), items.end(), [&](const Item& item) {
    return SameAttempt(RefOf(item), ref);
  });
}

}  // namespace

WorkerRegistry::WorkerRegistry(std::chrono::milliseconds expiry,
                               uint32_t prefetch, uint32_t liveness)
    : expiry_(expiry),
      prefetch_(prefetch),
      liveness_(std::max<uint32_t>(1, liveness)) {}  // a divisor in Erase

void WorkerRegistry::Unready(const std::string& peer, const Worker& w) {
  ReadyKey key{w.in_flight.size(), w.slots, w.seq, &peer};
  (w.quarantined ? ready_quarantined_ : ready_).erase(key);
}

void WorkerRegistry::Ready(const std::string& peer, const Worker& w) {
  if (w.late || w.in_flight.size() >= CreditLimit(w)) return;
  ReadyKey key{w.in_flight.size(), w.slots, w.seq, &peer};
  (w.quarantined ? ready_quarantined_ : ready_).insert(key);
}

WorkerRegistry::Registration WorkerRegistry::Register(
    const std::string& peer, const common::WorkerHello& hello, TimePoint now) {
  Registration out;
  const std::string key = hello.instance.empty() ? peer : hello.instance;
  std::optional<Worker> previous;
  std::vector<Held> held;
  bool same_connection = false;
  if (auto it = workers_.find(peer); it != workers_.end()) {
    // The same connection: whatever it holds and does not report is on its
    // way to it (sent after it wrote the hello), so it keeps everything.
    same_connection = true;
    previous = Extract(it);
    held = std::move(previous->in_flight);
  } else if (auto k = peer_by_key_.find(key); k != peer_by_key_.end()) {
    // The same worker on a new connection: what it does not report was
    // sent to the old one and never reached it.
    previous = Extract(workers_.find(k->second));
    for (Held& h : previous->in_flight) {
      if (Contains(hello.running, h.ref)) {
        held.push_back(std::move(h));
      } else {
        out.undelivered.push_back(std::move(h.ref));
      }
    }
  }
  out.is_new = !previous.has_value();
  for (const common::TaskRef& ref : hello.running) {
    if (!Contains(held, ref)) {
      held.push_back(Held{ref, now});
      out.adopted.push_back(ref);
    }
  }

  auto [slot, inserted] = workers_.try_emplace(peer);
  (void)inserted;
  // The ready set points at the map's own copy of the peer id.
  const std::string& stored_peer = slot->first;
  Worker& w = slot->second;
  if (previous) {
    // Throughput, counters and any quarantine outlive a reconnect.
    w = std::move(*previous);
  } else {
    w.registered = now;
  }
  w.key = key;
  w.name = hello.name;
  w.slots = hello.slots;
  w.expiry = std::max(expiry_, hello.heartbeat_interval * liveness_);
  w.expires = now + w.expiry;
  w.late = false;
  w.in_flight = std::move(held);
  w.seq = next_seq_++;
  if (w.quarantined) ++quarantined_count_;
  peer_by_key_[key] = peer;
  // A worker from another connection brings that peer's entry: stale.
  if (!same_connection) w.next_check = TimePoint{};
  CheckBy(stored_peer, w, LateAt(w));
  Ready(stored_peer, w);
  return out;
}

bool WorkerRegistry::Touch(const std::string& peer, TimePoint now) {
  auto it = workers_.find(peer);
  if (it == workers_.end()) return false;
  Worker& w = it->second;
  w.expires = now + w.expiry;
  if (w.late) {
    w.late = false;
    Ready(it->first, w);
  }
  // Usually its entry is due earlier already, and Expire finds the later
  // time when it comes due.
  CheckBy(it->first, w, LateAt(w));
  return true;
}

void WorkerRegistry::CheckBy(const std::string& peer, Worker& w, TimePoint at) {
  if (w.next_check != TimePoint{} && w.next_check <= at) return;
  w.next_check = at;
  deadlines_.push(Deadline{at, peer, true});
}

std::vector<std::string> WorkerRegistry::TakeQuiet(TimePoint cutoff,
                                                   TimePoint now) {
  std::vector<std::string> out;
  for (auto& [peer, w] : workers_) {
    if (w.last_sent > cutoff) continue;
    w.last_sent = now;
    out.push_back(peer);
  }
  return out;
}

void WorkerRegistry::Assign(const std::string& peer, const common::TaskRef& ref,
                            TimePoint now) {
  auto it = workers_.find(peer);
  if (it == workers_.end()) return;
  it->second.last_sent = std::max(it->second.last_sent, now);
  Unready(it->first, it->second);
  it->second.in_flight.push_back(Held{ref, now});
  Ready(it->first, it->second);
}

std::vector<WorkerRegistry::Overdue> WorkerRegistry::TakeOverdue(
    TimePoint cutoff, TimePoint* next) {
  std::vector<Overdue> out;
  *next = TimePoint::max();
  for (auto& [peer, w] : workers_) {
    for (Held& h : w.in_flight) {
      if (h.overdue) continue;
      if (h.sent <= cutoff) {
        h.overdue = true;
        out.push_back(Overdue{w.name, h.ref});
      } else {
        *next = std::min(*next, h.sent);
      }
    }
  }
  return out;
}

bool WorkerRegistry::Holds(const std::string& peer,
                           const common::TaskRef& ref) const {
  auto it = workers_.find(peer);
  return it != workers_.end() && Contains(it->second.in_flight, ref);
}

void WorkerRegistry::SetAdaptivePrefetch(uint32_t max_prefetch,
                                         std::chrono::milliseconds target) {
  max_prefetch_ = max_prefetch;
  prefetch_target_seconds_ = std::chrono::duration<double>(target).count();
}

void WorkerRegistry::SetQuarantine(uint32_t strikes,
                                   std::chrono::milliseconds duration) {
  strikes_to_quarantine_ = std::max<uint32_t>(1, strikes);
  quarantine_duration_ = duration;
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

std::optional<TimePoint> WorkerRegistry::Release(const std::string& peer,
                                                 const common::TaskRef& ref,
                                                 TimePoint now,
                                                 uint64_t bytes_scanned) {
  auto it = workers_.find(peer);
  if (it == workers_.end()) return std::nullopt;
  Worker& w = it->second;
  Unready(it->first, w);
  ++w.tasks_done;
  w.bytes_scanned += bytes_scanned;
  if (now != TimePoint{}) {
    if (w.window_start == TimePoint{}) w.window_start = w.registered;
    const auto age = now - w.window_start;
    if (age >= 2 * kRateWindow) {
      w.previous_window_bytes = 0;
      w.window_bytes = 0;
      w.window_start = now;
    } else if (age >= kRateWindow) {
      w.previous_window_bytes = w.window_bytes;
      w.window_bytes = 0;
      w.window_start += kRateWindow;
    }
    w.window_bytes += bytes_scanned;
  }
  // Only a busy worker's gaps measure its speed (an idle one waits for us).
  if (now != TimePoint{} && w.last_release != TimePoint{} &&
      w.in_flight.size() >= w.slots) {
    double gap = std::chrono::duration<double>(now - w.last_release).count();
    // Answers that arrive together (one batch) have no gap between them:
    // count them as very fast rather than as not measured (0).
    double per_slot = std::max(gap * w.slots, 1e-7);
    w.task_seconds =
        w.task_seconds == 0 ? per_slot : 0.8 * w.task_seconds + 0.2 * per_slot;
  }
  if (now != TimePoint{}) w.last_release = now;
  auto& v = w.in_flight;
  auto pos = std::find_if(v.begin(), v.end(), [&](const Held& h) {
    return SameAttempt(h.ref, ref);
  });
  std::optional<TimePoint> sent;
  if (pos != v.end()) {
    sent = pos->sent;
    v.erase(pos);
  }
  Ready(it->first, w);
  return sent;
}

std::string WorkerRegistry::PickIdleWorker(const std::string& exclude) const {
  const bool all_quarantined =
      !workers_.empty() && quarantined_count_ == workers_.size();
  const std::set<ReadyKey>& set = all_quarantined ? ready_quarantined_ : ready_;
  // Least loaded first: once one is busy, all later ones are too.
  for (const ReadyKey& key : set) {
    if (key.in_flight >= key.slots) break;
    if (workers_.at(*key.peer).key != exclude) return *key.peer;
  }
  return std::string();
}

std::vector<WorkerRegistry::Running> WorkerRegistry::RunningSince(
    TimePoint cutoff) const {
  std::vector<Running> out;
  for (const auto& [peer, w] : workers_) {
    for (const Held& h : w.in_flight) {
      if (h.sent < cutoff) out.push_back(Running{peer, h.ref, h.sent});
    }
  }
  return out;
}

std::string WorkerRegistry::PickWorkerWithCredit(
    const std::string& exclude, const std::vector<std::string>* skip) const {
  // Quarantined workers only when no other is registered at all, so that a
  // cluster of one bad node fails its files with their errors, not hangs.
  const bool all_quarantined =
      !workers_.empty() && quarantined_count_ == workers_.size();
  const std::set<ReadyKey>& set = all_quarantined ? ready_quarantined_ : ready_;
  for (const ReadyKey& key : set) {
    const std::string& peer = *key.peer;
    if (skip != nullptr &&
        std::find(skip->begin(), skip->end(), peer) != skip->end()) {
      continue;
    }
    if (!exclude.empty() && workers_.at(peer).key == exclude) continue;
    return peer;
  }
  return std::string();
}

void WorkerRegistry::NoteSuccess(const std::string& peer) {
  auto it = workers_.find(peer);
  if (it != workers_.end()) ++it->second.successes;
}

bool WorkerRegistry::Trusted(const std::string& peer) const {
  auto it = workers_.find(peer);
  return it != workers_.end() && it->second.successes > 0 &&
         it->second.strikes == 0 && !it->second.quarantined;
}

bool WorkerRegistry::HasWorkerOutside(const std::vector<std::string>& keys,
                                      bool trusted_only) const {
  const bool all_quarantined =
      !workers_.empty() && quarantined_count_ == workers_.size();
  for (const auto& [peer, w] : workers_) {
    if (std::find(keys.begin(), keys.end(), w.key) != keys.end()) continue;
    if (trusted_only) {
      if (w.successes > 0 && w.strikes == 0 && !w.quarantined) return true;
    } else if (all_quarantined || !w.quarantined) {
      return true;
    }
  }
  return false;
}

WorkerRegistry::Worker WorkerRegistry::Extract(
    std::unordered_map<std::string, Worker>::iterator it) {
  Unready(it->first, it->second);
  if (it->second.quarantined) --quarantined_count_;
  auto k = peer_by_key_.find(it->second.key);
  if (k != peer_by_key_.end() && k->second == it->first) peer_by_key_.erase(k);
  Worker w = std::move(it->second);
  workers_.erase(it);
  return w;
}

WorkerRegistry::Dead WorkerRegistry::Erase(
    std::unordered_map<std::string, Worker>::iterator it) {
  std::string peer = it->first;
  Worker w = Extract(it);
  const TimePoint last_heard = w.expires - w.expiry;
  const auto silent_for = LateAfter(w);
  std::vector<Lost> lost;
  lost.reserve(w.in_flight.size());
  for (Held& h : w.in_flight) {
    lost.push_back(Lost{std::move(h.ref), h.sent - last_heard > silent_for});
  }
  std::string instance = w.key == peer ? std::string() : std::move(w.key);
  return Dead{std::move(peer), std::move(w.name), std::move(lost),
              std::move(instance), w.expiry};
}

std::optional<WorkerRegistry::Dead> WorkerRegistry::Remove(
    const std::string& peer) {
  auto it = workers_.find(peer);
  if (it == workers_.end()) return std::nullopt;
  return Erase(it);
}

std::vector<WorkerRegistry::Dead> WorkerRegistry::Expire(TimePoint now) {
  std::vector<Dead> dead;
  while (!deadlines_.empty() && deadlines_.top().at <= now) {
    Deadline d = deadlines_.top();
    deadlines_.pop();
    auto it = workers_.find(d.peer);
    if (it == workers_.end()) continue;  // removed since
    if (!d.liveness) continue;           // a quarantine's end: see Lift...
    Worker& w = it->second;
    if (d.at != w.next_check) continue;  // superseded by an earlier entry
    if (w.expires <= now) {
      dead.push_back(Erase(it));
      continue;
    }
    // Alive: its next entry at its lateness or expiry (both after `now`;
    // they move later each time it is heard from).
    const TimePoint late_at = LateAt(w);
    if (!w.late && late_at <= now) {
      Unready(it->first, w);
      w.late = true;
    }
    w.next_check = w.late ? w.expires : late_at;
    deadlines_.push(Deadline{w.next_check, d.peer, true});
  }
  return dead;
}

bool WorkerRegistry::Strike(const std::string& key, const std::string& reason,
                            TimePoint now) {
  auto k = peer_by_key_.find(key);
  if (k == peer_by_key_.end()) return false;
  auto it = workers_.find(k->second);
  if (it == workers_.end()) return false;
  Worker& w = it->second;
  if (w.quarantined) return false;
  if (++w.strikes < strikes_to_quarantine_) return false;
  Unready(it->first, w);
  w.quarantined = true;
  ++quarantined_count_;
  w.quarantined_until = now + quarantine_duration_;
  w.quarantine_reason = reason;
  deadlines_.push(Deadline{w.quarantined_until, it->first, false});
  Ready(it->first, w);
  return true;
}

std::vector<std::string> WorkerRegistry::LiftQuarantines(TimePoint now) {
  std::vector<std::string> lifted;
  if (quarantined_count_ == 0) return lifted;
  for (auto& [peer, w] : workers_) {
    if (!w.quarantined || w.quarantined_until > now) continue;
    Unready(peer, w);
    w.quarantined = false;
    --quarantined_count_;
    w.strikes = 0;
    w.quarantine_reason.clear();
    Ready(peer, w);
    lifted.push_back(w.name);
  }
  return lifted;
}

uint64_t WorkerRegistry::RecentRate(const Worker& w, TimePoint now) {
  // Bytes over the last one to two windows (less just after registering).
  const TimePoint start =
      w.window_start == TimePoint{} ? w.registered : w.window_start;
  if (now <= start || now - start >= 2 * kRateWindow) return 0;
  uint64_t bytes = w.window_bytes;
  auto span = now - start;
  if (now - start >= kRateWindow) {
    // The current window is over: it is the previous one now.
  } else if (start - kRateWindow >= w.registered) {
    bytes += w.previous_window_bytes;
    span += kRateWindow;
  }
  const double seconds = std::chrono::duration<double>(span).count();
  return seconds < 0.001 ? 0 : static_cast<uint64_t>(bytes / seconds);
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
    s.recent_bytes_per_second = RecentRate(w, now);
    s.connected_ms = static_cast<uint64_t>(std::max<int64_t>(
        0, std::chrono::duration_cast<std::chrono::milliseconds>(now -
                                                                 w.registered)
               .count()));
    s.quarantined = w.quarantined;
    s.quarantine_reason = w.quarantine_reason;
    // Every message sets `expires` to its arrival plus the expiry.
    s.last_seen_ms = static_cast<uint64_t>(std::max<int64_t>(
        0, std::chrono::duration_cast<std::chrono::milliseconds>(
               now - (w.expires - w.expiry))
               .count()));
    out.push_back(std::move(s));
  }
  std::sort(out.begin(), out.end(),
            [](const common::WorkerStatus& a, const common::WorkerStatus& b) {
              return a.name < b.name;
            });
  return out;
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

std::string WorkerRegistry::KeyOf(const std::string& peer) const {
  auto it = workers_.find(peer);
  return it == workers_.end() ? std::string() : it->second.key;
}

TimePoint WorkerRegistry::NextExpiry() const {
  return deadlines_.empty() ? TimePoint::max() : deadlines_.top().at;
}

}  // namespace logsweep::coordinator
