#include "worker/worker_session.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <variant>

#include "common/transport/codec.h"

namespace logsweep::worker {
namespace {

// Outcomes are sent together up to this size; a larger one goes alone.
constexpr size_t kOutcomeBatchBytes = 1 << 20;

bool SameAttempt(const common::TaskRef& a, const common::TaskRef& b) {
  return a.task_id == b.task_id && a.attempt == b.attempt &&
         a.job_id == b.job_id;
}

}  // namespace

WorkerSession::WorkerSession(WorkerSessionConfig config, TimePoint now)
    : config_(std::move(config)),
      last_heard_(now),
      next_heartbeat_(now + config_.heartbeat_interval),
      backoff_(BaseBackoff()) {}

void WorkerSession::Send(const common::WorkerToCoordinator& msg) {
  actions_.send.push_back(common::Encode(msg));
}

void WorkerSession::OnConnected(TimePoint now) {
  // A new connection gets the full silence allowance before the next one.
  last_heard_ = now;
  next_heartbeat_ = now + config_.heartbeat_interval;
  SendHello(now);
}

void WorkerSession::SendHello(TimePoint now) {
  hello_sent_ = true;
  last_hello_ = now;
  next_heartbeat_ = now + config_.heartbeat_interval;
  Send(common::WorkerHello{config_.name, config_.slots,
                           config_.heartbeat_interval, running_,
                           config_.instance});
}

void WorkerSession::OnCoordinatorMessage(std::string_view payload,
                                         TimePoint now) {
  auto decoded = common::DecodeCoordinatorToWorker(payload);
  if (!decoded.ok()) {
    uint64_t suppressed = 0;
    if (log_limiter_.Allow(decoded.status().ToString(), now, &suppressed)) {
      spdlog::warn("dropped a message from the coordinator: {}{}",
                   decoded.status().ToString(),
                   common::SuppressedNote(suppressed));
    }
    return;
  }
  if (auto* refused = std::get_if<common::Refused>(&*decoded)) {
    // Not proof of a working coordinator: only a served worker is alive to
    // it. Said loudly, since nothing will work until someone acts.
    refused_ = refused->status;
    uint64_t suppressed = 0;
    if (log_limiter_.Allow("refused " + refused->status.ToString(), now,
                           &suppressed)) {
      spdlog::error("the coordinator refuses this worker: {}{}",
                    refused->status.ToString(),
                    common::SuppressedNote(suppressed));
    }
    return;
  }
  // Any message from it proves it alive and resets the backoff.
  last_heard_ = now;
  backoff_ = BaseBackoff();
  refused_ = common::OkStatus();
  if (auto* batch = std::get_if<common::TaskBatch>(&*decoded)) {
    for (common::TaskAssignment& task : batch->tasks) {
      running_.push_back(task.ref);
      actions_.scan.push_back(std::move(task));
    }
  } else if (std::holds_alternative<common::Reregister>(*decoded)) {
    // Several may be queued (one per message it did not know us by): one
    // hello per heartbeat interval answers them all.
    if (!hello_sent_ || now - last_hello_ >= config_.heartbeat_interval) {
      spdlog::info("coordinator asked us to register again");
      SendHello(now);
    }
  }
}

void WorkerSession::OnResult(const common::TaskRef& ref, std::string payload,
                             TimePoint now) {
  // It goes out with the next TakeActions, and proves us alive as well as
  // a heartbeat would: none is due until an interval after it.
  next_heartbeat_ = now + config_.heartbeat_interval;
  auto it = std::find_if(
      running_.begin(), running_.end(),
      [&](const common::TaskRef& r) { return SameAttempt(r, ref); });
  if (it != running_.end()) running_.erase(it);
  if (!outcomes_.empty() &&
      outcomes_.size() + payload.size() > kOutcomeBatchBytes) {
    FlushOutcomes();
  }
  if (outcomes_.empty()) {
    outcomes_ = std::move(payload);
  } else {
    outcomes_ += payload;
  }
}

void WorkerSession::FlushOutcomes() {
  if (outcomes_.empty()) return;
  actions_.send.push_back(std::move(outcomes_));
  outcomes_.clear();
}

void WorkerSession::OnTick(TimePoint now) {
  if (now >= next_heartbeat_) {
    Send(common::Heartbeat{});
    next_heartbeat_ = now + config_.heartbeat_interval;
  }
  if (now - last_heard_ > backoff_) {
    spdlog::warn(
        "no word from the coordinator for {} ms; reconnecting (next try in "
        "{} ms if it stays silent){}",
        std::chrono::duration_cast<std::chrono::milliseconds>(now - last_heard_)
            .count(),
        std::min(backoff_ * 2, config_.max_backoff).count(),
        config_.silence_hint);
    backoff_ = std::min(backoff_ * 2, config_.max_backoff);
    actions_.reconnect = true;
    // The loop reconnects and calls OnConnected, which says hello.
  }
}

void WorkerSession::OnStop() { Send(common::Goodbye{}); }

TimePoint WorkerSession::NextDeadline() const {
  return std::min(next_heartbeat_,
                  last_heard_ + backoff_ + std::chrono::milliseconds(1));
}

WorkerSession::Actions WorkerSession::TakeActions() {
  FlushOutcomes();
  Actions out = std::move(actions_);
  actions_ = Actions{};
  return out;
}

}  // namespace logsweep::worker
