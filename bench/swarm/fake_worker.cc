#include "bench/swarm/fake_worker.h"

#include <algorithm>
#include <utility>
#include <variant>

#include "common/transport/codec.h"

namespace logsweep::swarm {

FakeWorker::FakeWorker(FakeWorkerConfig config)
    : config_(std::move(config)),
      backoff_(config_.heartbeat_interval * config_.liveness) {}

void FakeWorker::QueueHello() {
  common::WorkerHello hello;
  hello.name = config_.name;
  hello.slots = config_.slots;
  hello.heartbeat_interval = config_.heartbeat_interval;
  hello.instance = config_.instance;
  hello.running.reserve(held_.size());
  for (const Held& h : held_) hello.running.push_back(h.task.ref);
  outbox_.push_back(
      Outgoing{Kind::kHello,
               common::Encode(common::WorkerToCoordinator(std::move(hello))),
               {}});
}

void FakeWorker::OnConnected(TimePoint now) {
  heard_ = false;
  last_heard_ = now;
  next_heartbeat_ = now + config_.heartbeat_interval;
  QueueHello();
}

void FakeWorker::Answer(const common::TaskAssignment& task, TimePoint now) {
  // As the real worker: an answer defers the next heartbeat an interval.
  next_heartbeat_ = now + config_.heartbeat_interval;
  common::TaskOutcome outcome;
  outcome.ref = task.ref;
  Kind kind = Kind::kResult;
  if (!config_.fail_with.ok()) {
    kind = Kind::kFailed;
    outcome.status =
        common::Status(config_.fail_with.code(),
                       task.path + ": " + config_.fail_with.message() +
                           " (fake worker " + config_.name + ")");
  } else {
    std::vector<std::string> hosts = SyntheticHosts(task.path, config_.answer);
    for (const std::string& h : hosts) outcome.hosts.Insert(h);
    outcome.stats = SyntheticStats(config_.answer, hosts.size());
  }
  if (outbox_.empty() || outbox_.back().kind != kind) {
    outbox_.push_back(Outgoing{kind, {}, {}});
  }
  outbox_.back().payload += common::EncodeOutcome(outcome);
  outbox_.back().refs.push_back(task.ref);
}

FakeWorker::Event FakeWorker::OnMessage(std::string_view payload,
                                        TimePoint now) {
  auto decoded = common::DecodeCoordinatorToWorker(payload);
  if (!decoded.ok()) return Event::kMalformed;
  // Any valid message proves the coordinator alive (as for the real worker).
  last_heard_ = now;
  heard_ = true;
  backoff_ = config_.heartbeat_interval * config_.liveness;
  if (auto* batch = std::get_if<common::TaskBatch>(&*decoded)) {
    last_batch_ = batch->tasks.size();
    for (common::TaskAssignment& task : batch->tasks) {
      // A bad node fails at once, whatever the delay: a failed open is
      // quick.
      if (config_.answer_delay.count() == 0 || !config_.fail_with.ok()) {
        Answer(task, now);
      } else {
        held_.push_back(Held{now + config_.answer_delay, std::move(task)});
      }
    }
    return Event::kTask;
  }
  if (std::holds_alternative<common::Reregister>(*decoded)) {
    next_heartbeat_ = now + config_.heartbeat_interval;
    QueueHello();
    return Event::kReregister;
  }
  if (auto* refused = std::get_if<common::Refused>(&*decoded)) {
    refusal_ = refused->status.ToString();
    return Event::kRefused;
  }
  return Event::kHeartbeat;
}

bool FakeWorker::OnTick(TimePoint now) {
  while (!held_.empty() && held_.front().due <= now) {
    Answer(held_.front().task, now);
    held_.pop_front();
  }
  if (now >= next_heartbeat_) {
    outbox_.push_back(Outgoing{
        Kind::kHeartbeat,
        common::Encode(common::WorkerToCoordinator(common::Heartbeat{})),
        {}});
    next_heartbeat_ = now + config_.heartbeat_interval;
  }
  if (config_.liveness > 0 && now - last_heard_ > backoff_) {
    backoff_ = std::min(backoff_ * 2, config_.max_backoff);
    return true;
  }
  return false;
}

void FakeWorker::SayGoodbye() {
  outbox_.push_back(
      Outgoing{Kind::kGoodbye,
               common::Encode(common::WorkerToCoordinator(common::Goodbye{})),
               {}});
}

void FakeWorker::TakeOutbox(std::vector<Outgoing>& out) {
  out.clear();
  out.swap(outbox_);
}

TimePoint FakeWorker::NextDeadline() const {
  TimePoint next = next_heartbeat_;
  if (!held_.empty()) next = std::min(next, held_.front().due);
  if (config_.liveness > 0) next = std::min(next, last_heard_ + backoff_);
  return next;
}

}  // namespace logsweep::swarm
