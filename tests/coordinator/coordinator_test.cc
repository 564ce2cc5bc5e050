#include "coordinator/coordinator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "common/base/host_set.h"
#include "common/base/status.h"
#include "common/transport/codec.h"
#include "common/transport/messages.h"
#include "test_util.h"

namespace logsweep::coordinator {
namespace {

using common::StatusCode;
using common::TaskAssignment;
using common::TaskRef;
using std::chrono::milliseconds;
using std::chrono::seconds;

TimePoint At(milliseconds t) { return TimePoint{} + t; }
TimePoint At(int s) { return TimePoint{} + seconds(s); }

// Expiry is 3 s; every worker gets exactly its slots (no prefetch).
CoordinatorConfig TestConfig() {
  CoordinatorConfig config;
  config.heartbeat_interval = milliseconds(1000);
  config.liveness = 3;
  config.max_attempts = 3;
  config.prefetch = 0;
  config.progress_interval = milliseconds(500);
  config.max_paths_per_job = 100;
  return config;
}

std::string HelloBytes(const std::string& name, uint32_t slots) {
  return common::Encode(common::WorkerToCoordinator(
      common::WorkerHello{name, slots, {}, {}, {}}));
}

std::string HelloBytes(const std::string& name, uint32_t slots,
                       const std::string& instance,
                       std::vector<TaskRef> running = {}) {
  return common::Encode(common::WorkerToCoordinator(
      common::WorkerHello{name, slots, {}, std::move(running), instance}));
}

std::string GoodbyeBytes() {
  return common::Encode(common::WorkerToCoordinator(common::Goodbye{}));
}

std::string HeartbeatBytes() {
  return common::Encode(common::WorkerToCoordinator(common::Heartbeat{}));
}

std::string ResultBytes(const TaskRef& ref,
                        const std::vector<std::string>& hosts) {
  common::TaskOutcome outcome;
  outcome.ref = ref;
  for (const std::string& h : hosts) outcome.hosts.Insert(h);
  outcome.stats.lines = 10;
  outcome.stats.matches = hosts.size();
  return common::EncodeOutcome(outcome);
}

std::string FailedBytes(const TaskRef& ref, common::Status status) {
  common::TaskOutcome outcome;
  outcome.ref = ref;
  outcome.status = std::move(status);
  return common::EncodeOutcome(outcome);
}

std::string ClientBytes(common::ClientToCoordinator request) {
  return common::Encode(request);
}

std::string SubmitBytes(const std::vector<std::string>& paths) {
  common::SubmitJob submit;
  submit.paths = paths;
  return common::Encode(common::ClientToCoordinator(submit));
}

// The messages of type T sent to `peer` on the workers socket.
template <class T>
std::vector<T> ToWorker(const std::vector<Outgoing>& outbox,
                        const std::string& peer) {
  std::vector<T> found;
  for (const Outgoing& out : outbox) {
    if (out.socket != Outgoing::Socket::kWorkers || out.peer != peer) continue;
    auto decoded = common::DecodeCoordinatorToWorker(out.payload);
    if (!decoded.ok()) {
      ADD_FAILURE() << "undecodable message to worker: "
                    << decoded.status().ToString();
      continue;
    }
    if (auto* msg = std::get_if<T>(&*decoded)) found.push_back(*msg);
  }
  return found;
}

// The tasks sent to `peer`, in order, over all its batches.
std::vector<TaskAssignment> TasksTo(const std::vector<Outgoing>& outbox,
                                    const std::string& peer) {
  std::vector<TaskAssignment> tasks;
  for (common::TaskBatch& batch : ToWorker<common::TaskBatch>(outbox, peer)) {
    for (TaskAssignment& t : batch.tasks) tasks.push_back(std::move(t));
  }
  return tasks;
}

// The messages of type T sent to `peer` on the clients socket.
template <class T>
std::vector<T> ToClient(const std::vector<Outgoing>& outbox,
                        const std::string& peer) {
  std::vector<T> found;
  for (const Outgoing& out : outbox) {
    if (out.socket != Outgoing::Socket::kClients || out.peer != peer) continue;
    auto decoded = common::DecodeCoordinatorToClient(out.payload);
    if (!decoded.ok()) {
      ADD_FAILURE() << "undecodable message to client: "
                    << decoded.status().ToString();
      continue;
    }
    if (auto* msg = std::get_if<T>(&*decoded)) found.push_back(*msg);
  }
  return found;
}

// Registers `peer` with `slots` and returns the tasks it was sent at once.
std::vector<TaskAssignment> AddWorker(Coordinator& coordinator,
                                      const std::string& peer, uint32_t slots,
                                      TimePoint now) {
  coordinator.OnWorkerMessage(peer, HelloBytes("name-" + peer, slots), now);
  return TasksTo(coordinator.TakeOutbox(), peer);
}

TEST(CoordinatorTest, SendsTaskToRegisteredWorkerWhenJobIsSubmitted) {
  Coordinator coordinator(TestConfig());
  AddWorker(coordinator, "w1", 1, At(0));

  coordinator.OnClientMessage("c1", SubmitBytes({"/logs/a.gz"}), At(0));

  std::vector<Outgoing> outbox = coordinator.TakeOutbox();
  std::vector<TaskAssignment> tasks = TasksTo(outbox, "w1");
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_EQ(tasks[0].path, "/logs/a.gz");
  EXPECT_EQ(tasks[0].ref.task_id, 0u);
  EXPECT_EQ(tasks[0].ref.attempt, 1u);
  std::vector<common::JobAccepted> accepted =
      ToClient<common::JobAccepted>(outbox, "c1");
  ASSERT_EQ(accepted.size(), 1u);
  EXPECT_EQ(tasks[0].ref.job_id, accepted[0].job_id);
}

TEST(CoordinatorTest, AcceptsJobWithItsFileCount) {
  Coordinator coordinator(TestConfig());

  coordinator.OnClientMessage("c1", SubmitBytes({"/a", "/b", "/c"}), At(0));

  std::vector<common::JobAccepted> accepted =
      ToClient<common::JobAccepted>(coordinator.TakeOutbox(), "c1");
  ASSERT_EQ(accepted.size(), 1u);
  EXPECT_EQ(accepted[0].total_tasks, 3u);
  EXPECT_EQ(accepted[0].job_id.size(), 32u);
  EXPECT_EQ(coordinator.job_count(), 1u);
}

TEST(CoordinatorTest, SendsWaitingTaskWhenAWorkerRegisters) {
  Coordinator coordinator(TestConfig());
  coordinator.OnClientMessage("c1", SubmitBytes({"/a"}), At(0));
  coordinator.TakeOutbox();

  std::vector<TaskAssignment> tasks = AddWorker(coordinator, "w1", 1, At(1));

  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_EQ(tasks[0].path, "/a");
}

TEST(CoordinatorTest, SendsNoMoreTasksThanWorkerCredit) {
  CoordinatorConfig config = TestConfig();
  config.prefetch = 1;
  Coordinator coordinator(config);
  AddWorker(coordinator, "w1", 2, At(0));

  coordinator.OnClientMessage(
      "c1", SubmitBytes({"/a", "/b", "/c", "/d", "/e", "/f"}), At(0));
  std::vector<Outgoing> outbox = coordinator.TakeOutbox();
  coordinator.OnTick(At(0));
  std::vector<Outgoing> after_tick = coordinator.TakeOutbox();

  // 2 slots + 1 prefetch.
  EXPECT_EQ(TasksTo(outbox, "w1").size(), 3u);
  EXPECT_TRUE(TasksTo(after_tick, "w1").empty());
}

TEST(CoordinatorTest, SendsNextTaskWhenAResultFreesCredit) {
  Coordinator coordinator(TestConfig());
  AddWorker(coordinator, "w1", 1, At(0));
  coordinator.OnClientMessage("c1", SubmitBytes({"/a", "/b"}), At(0));
  std::vector<TaskAssignment> first = TasksTo(coordinator.TakeOutbox(), "w1");
  ASSERT_EQ(first.size(), 1u);

  coordinator.OnWorkerMessage("w1", ResultBytes(first[0].ref, {"h"}), At(1));

  std::vector<TaskAssignment> next = TasksTo(coordinator.TakeOutbox(), "w1");
  ASSERT_EQ(next.size(), 1u);
  EXPECT_EQ(next[0].path, "/b");
}

TEST(CoordinatorTest, SendsJobResultWithMergedHostsToSubmittingClient) {
  Coordinator coordinator(TestConfig());
  AddWorker(coordinator, "w1", 2, At(0));
  coordinator.OnClientMessage("c1", SubmitBytes({"/a", "/b"}), At(0));
  std::vector<TaskAssignment> tasks = TasksTo(coordinator.TakeOutbox(), "w1");
  ASSERT_EQ(tasks.size(), 2u);

  coordinator.OnWorkerMessage(
      "w1", ResultBytes(tasks[0].ref, {"10.0.0.2", "crawler.example"}), At(1));
  coordinator.OnWorkerMessage(
      "w1", ResultBytes(tasks[1].ref, {"10.0.0.10", "10.0.0.2"}), At(2));

  std::vector<common::JobResult> results =
      ToClient<common::JobResult>(coordinator.TakeOutbox(), "c1");
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].job_id, tasks[0].ref.job_id);
  EXPECT_EQ(results[0].hosts, (std::vector<std::string>{"10.0.0.10", "10.0.0.2",
                                                        "crawler.example"}));
  ASSERT_EQ(results[0].files.size(), 2u);
  EXPECT_EQ(results[0].files[0].path, "/a");
  EXPECT_EQ(results[0].files[1].path, "/b");
  EXPECT_EQ(coordinator.job_count(), 0u);
}

TEST(CoordinatorTest, SendsEachJobResultToItsOwnClient) {
  Coordinator coordinator(TestConfig());
  AddWorker(coordinator, "w1", 2, At(0));
  coordinator.OnClientMessage("c1", SubmitBytes({"/one"}), At(0));
  coordinator.OnClientMessage("c2", SubmitBytes({"/two"}), At(0));
  std::vector<TaskAssignment> tasks = TasksTo(coordinator.TakeOutbox(), "w1");
  ASSERT_EQ(tasks.size(), 2u);

  for (const TaskAssignment& task : tasks) {
    std::string host = task.path == "/one" ? "host-of-one" : "host-of-two";
    coordinator.OnWorkerMessage("w1", ResultBytes(task.ref, {host}), At(1));
  }

  std::vector<Outgoing> outbox = coordinator.TakeOutbox();
  std::vector<common::JobResult> to_c1 =
      ToClient<common::JobResult>(outbox, "c1");
  std::vector<common::JobResult> to_c2 =
      ToClient<common::JobResult>(outbox, "c2");
  ASSERT_EQ(to_c1.size(), 1u);
  ASSERT_EQ(to_c2.size(), 1u);
  EXPECT_EQ(to_c1[0].hosts, (std::vector<std::string>{"host-of-one"}));
  EXPECT_EQ(to_c2[0].hosts, (std::vector<std::string>{"host-of-two"}));
  EXPECT_NE(to_c1[0].job_id, to_c2[0].job_id);
}

TEST(CoordinatorTest, ResendsTaskOfExpiredWorkerToAnotherWithNextAttempt) {
  Coordinator coordinator(TestConfig());
  AddWorker(coordinator, "w1", 1, At(0));
  coordinator.OnClientMessage("c1", SubmitBytes({"/a"}), At(0));
  std::vector<TaskAssignment> first = TasksTo(coordinator.TakeOutbox(), "w1");
  ASSERT_EQ(first.size(), 1u);
  AddWorker(coordinator, "w2", 1, At(2));

  // w1 has been silent for 4 s, past its 3 s expiry; w2 for 2 s.
  coordinator.OnTick(At(4));

  std::vector<Outgoing> outbox = coordinator.TakeOutbox();
  std::vector<TaskAssignment> resent = TasksTo(outbox, "w2");
  ASSERT_EQ(resent.size(), 1u);
  EXPECT_EQ(resent[0].ref.job_id, first[0].ref.job_id);
  EXPECT_EQ(resent[0].ref.task_id, first[0].ref.task_id);
  EXPECT_EQ(resent[0].ref.attempt, 2u);
  EXPECT_EQ(resent[0].path, "/a");
  EXPECT_TRUE(TasksTo(outbox, "w1").empty());
  EXPECT_EQ(coordinator.worker_count(), 1u);
}

TEST(CoordinatorTest, KeepsWorkerThatSendsHeartbeats) {
  Coordinator coordinator(TestConfig());
  AddWorker(coordinator, "w1", 1, At(0));
  coordinator.OnClientMessage("c1", SubmitBytes({"/a"}), At(0));
  coordinator.TakeOutbox();

  coordinator.OnWorkerMessage("w1", HeartbeatBytes(), At(2));
  coordinator.OnTick(At(4));

  EXPECT_EQ(coordinator.worker_count(), 1u);
  EXPECT_TRUE(TasksTo(coordinator.TakeOutbox(), "w1").empty());
}

TEST(CoordinatorTest, FailsFileWhenItsWorkersAreLostMaxAttemptsTimes) {
  CoordinatorConfig config = TestConfig();
  config.max_attempts = 1;
  Coordinator coordinator(config);
  AddWorker(coordinator, "w1", 1, At(0));
  coordinator.OnClientMessage("c1", SubmitBytes({"/a"}), At(0));
  coordinator.TakeOutbox();

  coordinator.OnTick(At(4));

  std::vector<common::JobResult> results =
      ToClient<common::JobResult>(coordinator.TakeOutbox(), "c1");
  ASSERT_EQ(results.size(), 1u);
  ASSERT_EQ(results[0].files.size(), 1u);
  EXPECT_EQ(results[0].files[0].status.code(), StatusCode::kUnavailable);
  EXPECT_NE(results[0].files[0].status.message().find("name-w1"),
            std::string::npos)
      << results[0].files[0].status.message();
}

// A worker judged dead that comes back as the same process (its instance)
// was late or cut off, not killed by its file: the attempts it lost are
// not held against the file. Under load at scale the same worker can be
// expired again and again; without the refund a file would fail "after
// max_attempts attempts lost with their workers" for the cluster's churn.
TEST(CoordinatorTest, WithdrawsChargesWhenTheSameWorkerProcessComesBack) {
  CoordinatorConfig config = TestConfig();
  config.max_attempts = 2;
  Coordinator coordinator(config);
  coordinator.OnWorkerMessage("p1", HelloBytes("w", 1, "instance-A"), At(0));
  coordinator.OnClientMessage("c1", SubmitBytes({"/a"}), At(0));
  ASSERT_EQ(TasksTo(coordinator.TakeOutbox(), "p1").size(), 1u);

  coordinator.OnTick(At(4));  // p1 silent past its expiry: charged once
  coordinator.OnWorkerMessage("p2", HelloBytes("w", 1, "instance-A"), At(5));
  ASSERT_EQ(TasksTo(coordinator.TakeOutbox(), "p2").size(), 1u);
  coordinator.OnTick(At(9));  // and again: a second charge would fail it
  coordinator.OnWorkerMessage("p3", HelloBytes("w", 1, "instance-A"), At(10));

  std::vector<Outgoing> outbox = coordinator.TakeOutbox();
  EXPECT_TRUE(ToClient<common::JobResult>(outbox, "c1").empty());
  std::vector<TaskAssignment> third = TasksTo(outbox, "p3");
  ASSERT_EQ(third.size(), 1u);
  coordinator.OnWorkerMessage("p3", ResultBytes(third[0].ref, {"a"}), At(11));
  auto results = ToClient<common::JobResult>(coordinator.TakeOutbox(), "c1");
  ASSERT_EQ(results.size(), 1u);
  EXPECT_TRUE(results[0].files[0].status.ok())
      << results[0].files[0].status.ToString();
  EXPECT_EQ(results[0].hosts, (std::vector<std::string>{"a"}));
}

// Another process (a restarted worker has a new instance) is no proof:
// the charges stand, and the file fails after max_attempts losses.
TEST(CoordinatorTest, KeepsChargesWhenAnotherWorkerProcessRegisters) {
  CoordinatorConfig config = TestConfig();
  config.max_attempts = 2;
  Coordinator coordinator(config);
  coordinator.OnWorkerMessage("p1", HelloBytes("w", 1, "instance-A"), At(0));
  coordinator.OnClientMessage("c1", SubmitBytes({"/a"}), At(0));
  coordinator.TakeOutbox();

  coordinator.OnTick(At(4));
  coordinator.OnWorkerMessage("p2", HelloBytes("w", 1, "instance-B"), At(5));
  ASSERT_EQ(TasksTo(coordinator.TakeOutbox(), "p2").size(), 1u);
  coordinator.OnTick(At(9));  // its last attempt: B may still come back
  ASSERT_TRUE(
      ToClient<common::JobResult>(coordinator.TakeOutbox(), "c1").empty());
  coordinator.OnTick(At(15));  // two expiry periods later, it has not

  auto results = ToClient<common::JobResult>(coordinator.TakeOutbox(), "c1");
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].files[0].status.code(), StatusCode::kUnavailable);
  EXPECT_NE(results[0].files[0].status.message().find("gave up after 2"),
            std::string::npos)
      << results[0].files[0].status.message();
}

// A task whose last attempt was lost with a worker process that may come
// back (a whole cluster stopped or overloaded) waits for it two expiry
// periods, sent nowhere else meanwhile (a file that kills workers takes
// no more of them). Back, the process goes on with what it still holds;
// what it does not hold is requeued free.
TEST(CoordinatorTest, HoldsALastAttemptForTheSameProcessToComeBack) {
  CoordinatorConfig config = TestConfig();
  config.max_attempts = 1;
  Coordinator coordinator(config);
  coordinator.OnWorkerMessage("a1", HelloBytes("a", 2, "instance-A"), At(0));
  coordinator.OnClientMessage("c1", SubmitBytes({"/a", "/b"}), At(0));
  std::vector<TaskAssignment> first = TasksTo(coordinator.TakeOutbox(), "a1");
  ASSERT_EQ(first.size(), 2u);

  coordinator.OnTick(At(4));  // a is judged dead with both: held until 10
  coordinator.OnWorkerMessage("b1", HelloBytes("b", 2, "instance-B"), At(5));
  std::vector<Outgoing> outbox = coordinator.TakeOutbox();
  EXPECT_TRUE(TasksTo(outbox, "b1").empty()) << "sent on during the wait";
  EXPECT_TRUE(ToClient<common::JobResult>(outbox, "c1").empty());

  // a is back holding the first; the second went astray.
  coordinator.OnWorkerMessage("b1", HeartbeatBytes(), At(9));
  coordinator.OnWorkerMessage(
      "a2", HelloBytes("a", 2, "instance-A", {first[0].ref}), At(9));
  outbox = coordinator.TakeOutbox();
  std::vector<TaskAssignment> requeued = TasksTo(outbox, "b1");
  ASSERT_EQ(requeued.size(), 1u);
  EXPECT_EQ(requeued[0].path, first[1].path);
  EXPECT_TRUE(TasksTo(outbox, "a2").empty());
  // Past the wait, with a alive: nothing fails, nothing is sent again.
  coordinator.OnTick(At(11));
  outbox = coordinator.TakeOutbox();
  EXPECT_TRUE(ToClient<common::JobResult>(outbox, "c1").empty());
  EXPECT_TRUE(TasksTo(outbox, "a2").empty());
  EXPECT_TRUE(TasksTo(outbox, "b1").empty());

  coordinator.OnWorkerMessage("b1", ResultBytes(requeued[0].ref, {"b"}),
                              At(11));
  coordinator.OnWorkerMessage("a2", ResultBytes(first[0].ref, {"a"}), At(11));
  auto results = ToClient<common::JobResult>(coordinator.TakeOutbox(), "c1");
  ASSERT_EQ(results.size(), 1u);
  for (const auto& file : results[0].files) {
    EXPECT_TRUE(file.status.ok())
        << file.path << ": " << file.status.ToString();
  }
  EXPECT_EQ(results[0].hosts, (std::vector<std::string>{"a", "b"}));
}

// The hello a held verdict waits for may be among the messages not read
// yet (the coordinator behind its workers): the wait counts, as silence
// does, only up to the last time every waiting message was read.
TEST(CoordinatorTest, AHeldVerdictWaitsForMessagesStillQueued) {
  CoordinatorConfig config = TestConfig();
  config.max_attempts = 1;
  Coordinator coordinator(config);
  coordinator.OnWorkerMessage("a1", HelloBytes("a", 1, "instance-A"), At(0));
  coordinator.OnClientMessage("c1", SubmitBytes({"/a"}), At(0));
  std::vector<TaskAssignment> first = TasksTo(coordinator.TakeOutbox(), "a1");
  ASSERT_EQ(first.size(), 1u);
  coordinator.OnWorkersDrained(At(4));
  coordinator.OnTick(At(4));  // held until 10

  coordinator.OnTick(At(12));  // but every message was read only up to 4
  EXPECT_TRUE(
      ToClient<common::JobResult>(coordinator.TakeOutbox(), "c1").empty());
  coordinator.OnWorkerMessage(
      "a2", HelloBytes("a", 1, "instance-A", {first[0].ref}), At(12));
  coordinator.OnWorkerMessage("a2", ResultBytes(first[0].ref, {"a"}), At(12));
  auto results = ToClient<common::JobResult>(coordinator.TakeOutbox(), "c1");
  ASSERT_EQ(results.size(), 1u);
  EXPECT_TRUE(results[0].files[0].status.ok())
      << results[0].files[0].status.ToString();
}

// A task sent to a worker already silent for over two heartbeats (every
// worker stopped at once: each requeued task would otherwise pass through
// workers about to be judged dead, a charge each) loses nothing when that
// worker is judged dead; one sent to a worker on time is charged.
TEST(CoordinatorTest, ChargesNoLossOfATaskSentToAnAlreadySilentWorker) {
  CoordinatorConfig config = TestConfig();
  config.max_attempts = 1;
  Coordinator coordinator(config);
  coordinator.OnWorkerMessage("silent", HelloBytes("silent", 1), At(0));
  coordinator.OnWorkerMessage("ontime", HelloBytes("ontime", 1), At(0));
  coordinator.OnWorkerMessage("ontime", HeartbeatBytes(), At(2));
  coordinator.OnClientMessage("c1", SubmitBytes({"/a", "/b"}),
                              At(milliseconds(2500)));
  std::vector<Outgoing> sent = coordinator.TakeOutbox();
  ASSERT_EQ(TasksTo(sent, "silent").size(), 1u);  // silent for 2.5 s
  ASSERT_EQ(TasksTo(sent, "ontime").size(), 1u);  // heard 0.5 s before

  coordinator.OnTick(At(milliseconds(3100)));  // "silent" expires
  coordinator.OnTick(At(milliseconds(5100)));  // "ontime" too

  auto results = ToClient<common::JobResult>(coordinator.TakeOutbox(), "c1");
  ASSERT_EQ(results.size(), 0u);  // "/a" waits for a worker, uncharged
  coordinator.OnWorkerMessage("p3", HelloBytes("w3", 1), At(6));
  std::vector<TaskAssignment> retry = TasksTo(coordinator.TakeOutbox(), "p3");
  ASSERT_EQ(retry.size(), 1u);
  coordinator.OnWorkerMessage("p3", ResultBytes(retry[0].ref, {"a"}), At(6));
  results = ToClient<common::JobResult>(coordinator.TakeOutbox(), "c1");
  ASSERT_EQ(results.size(), 1u);
  ASSERT_EQ(results[0].files.size(), 2u);
  for (const auto& file : results[0].files) {
    if (file.path == retry[0].path) {
      EXPECT_TRUE(file.status.ok()) << file.status.ToString();
    } else {
      EXPECT_NE(file.status.message().find("gave up after 1"),
                std::string::npos)
          << file.path << ": " << file.status.ToString();
    }
  }
}

// A worker back after its task was sent again (and lost again) reports
// the older attempt it still holds. Adopting that stale attempt made the
// task "running" under a newer attempt nobody held: when the worker was
// lost once more, the loss did not match, and the job never finished.
TEST(CoordinatorTest, AWorkerBackWithAStaleAttemptNeverStrandsTheTask) {
  CoordinatorConfig config = TestConfig();
  config.max_attempts = 100;
  Coordinator coordinator(config);
  coordinator.OnWorkerMessage("a1", HelloBytes("a", 1, "instance-A"), At(0));
  coordinator.OnClientMessage("c1", SubmitBytes({"/a"}), At(0));
  std::vector<TaskAssignment> first = TasksTo(coordinator.TakeOutbox(), "a1");
  ASSERT_EQ(first.size(), 1u);
  coordinator.OnTick(At(4));  // a is silent: the task is pending again
  coordinator.OnWorkerMessage("b1", HelloBytes("b", 1, "instance-B"), At(4));
  ASSERT_EQ(TasksTo(coordinator.TakeOutbox(), "b1").size(), 1u);  // attempt 2
  coordinator.OnTick(At(8));  // b is lost too
  // a comes back holding attempt 1, then is lost again before answering.
  coordinator.OnWorkerMessage(
      "a2", HelloBytes("a", 1, "instance-A", {first[0].ref}), At(8));
  coordinator.TakeOutbox();
  coordinator.OnTick(At(12));

  coordinator.OnWorkerMessage("c2", HelloBytes("c", 1, "instance-C"), At(12));
  std::vector<TaskAssignment> again = TasksTo(coordinator.TakeOutbox(), "c2");
  ASSERT_EQ(again.size(), 1u) << "the task is stranded: no worker gets it";
  coordinator.OnWorkerMessage("c2", ResultBytes(again[0].ref, {"a"}), At(12));
  auto results = ToClient<common::JobResult>(coordinator.TakeOutbox(), "c1");
  ASSERT_EQ(results.size(), 1u);
  EXPECT_TRUE(results[0].files[0].status.ok())
      << results[0].files[0].status.ToString();
}

TEST(CoordinatorTest, RefusesUndecodableWorkerMessageOncePerInterval) {
  Coordinator coordinator(TestConfig());
  AddWorker(coordinator, "w1", 1, At(0));

  coordinator.OnWorkerMessage("w1", std::string("\xff\x00garbage", 9), At(1));
  coordinator.OnWorkerMessage("w1", std::string("\xff\x00garbage", 9),
                              At(milliseconds(1500)));
  coordinator.OnWorkerMessage("stranger", "", At(1));

  std::vector<Outgoing> outbox = coordinator.TakeOutbox();
  std::vector<common::Refused> to_w1 = ToWorker<common::Refused>(outbox, "w1");
  ASSERT_EQ(to_w1.size(), 1u);
  EXPECT_EQ(to_w1[0].status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ToWorker<common::Refused>(outbox, "stranger").size(), 1u);
  EXPECT_EQ(coordinator.worker_count(), 1u);
  coordinator.OnWorkerMessage("w1", std::string("\xff\x00garbage", 9), At(3));
  EXPECT_EQ(ToWorker<common::Refused>(coordinator.TakeOutbox(), "w1").size(),
            1u);
}

TEST(CoordinatorTest, RefusesWorkerResultWithBadFieldsAndKeepsTheJob) {
  Coordinator coordinator(TestConfig());
  AddWorker(coordinator, "w1", 1, At(0));
  coordinator.OnClientMessage("c1", SubmitBytes({"/a"}), At(0));
  coordinator.TakeOutbox();

  // An empty job id fails validation in the codec.
  coordinator.OnWorkerMessage("w1", ResultBytes(TaskRef{"", 0, 1}, {"h"}),
                              At(1));

  std::vector<Outgoing> outbox = coordinator.TakeOutbox();
  EXPECT_EQ(ToWorker<common::Refused>(outbox, "w1").size(), 1u);
  EXPECT_TRUE(ToClient<common::JobResult>(outbox, "c1").empty());
  EXPECT_EQ(coordinator.job_count(), 1u);
}

TEST(CoordinatorTest, RefusesMalformedClientMessage) {
  Coordinator coordinator(TestConfig());
  AddWorker(coordinator, "w1", 1, At(0));

  coordinator.OnClientMessage("c1", "not a protobuf \xff\xff", At(1));

  std::vector<Outgoing> outbox = coordinator.TakeOutbox();
  ASSERT_EQ(outbox.size(), 1u);
  std::vector<common::Refused> refused =
      ToClient<common::Refused>(outbox, "c1");
  ASSERT_EQ(refused.size(), 1u);
  EXPECT_EQ(refused[0].status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(coordinator.job_count(), 0u);
}

TEST(CoordinatorTest, WorkerOnTheClientsEndpointIsToldSo) {
  Coordinator coordinator(TestConfig());

  coordinator.OnClientMessage("w", HelloBytes("misplaced", 1), At(0));

  std::vector<Outgoing> outbox = coordinator.TakeOutbox();
  ASSERT_EQ(outbox.size(), 1u);
  // The worker decodes what the clients socket sends it.
  auto decoded = common::DecodeCoordinatorToWorker(outbox[0].payload);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  auto* refused = std::get_if<common::Refused>(&*decoded);
  ASSERT_NE(refused, nullptr);
  EXPECT_NE(refused->status.message().find("workers endpoint"),
            std::string::npos)
      << refused->status.ToString();
}

TEST(CoordinatorTest, AsksUnregisteredPeerToReregisterOnHeartbeat) {
  Coordinator coordinator(TestConfig());

  coordinator.OnWorkerMessage("ghost", HeartbeatBytes(), At(0));

  std::vector<Outgoing> outbox = coordinator.TakeOutbox();
  EXPECT_EQ(ToWorker<common::Reregister>(outbox, "ghost").size(), 1u);
  EXPECT_EQ(coordinator.worker_count(), 0u);
}

TEST(CoordinatorTest, AsksUnregisteredPeerToReregisterOnResult) {
  Coordinator coordinator(TestConfig());

  coordinator.OnWorkerMessage(
      "ghost",
      ResultBytes(TaskRef{"0123456789abcdef0123456789abcdef", 0, 1}, {}),
      At(0));

  std::vector<Outgoing> outbox = coordinator.TakeOutbox();
  EXPECT_EQ(ToWorker<common::Reregister>(outbox, "ghost").size(), 1u);
  EXPECT_TRUE(TasksTo(outbox, "ghost").empty());
}

TEST(CoordinatorTest, GivesNoTaskToExpiredWorkerUntilItRegistersAgain) {
  Coordinator coordinator(TestConfig());
  AddWorker(coordinator, "w1", 1, At(0));
  coordinator.OnTick(At(4));  // w1 expires
  coordinator.OnClientMessage("c1", SubmitBytes({"/a"}), At(4));
  coordinator.TakeOutbox();

  coordinator.OnWorkerMessage("w1", HeartbeatBytes(), At(5));
  std::vector<Outgoing> outbox = coordinator.TakeOutbox();
  EXPECT_TRUE(TasksTo(outbox, "w1").empty());
  EXPECT_EQ(ToWorker<common::Reregister>(outbox, "w1").size(), 1u);

  EXPECT_EQ(AddWorker(coordinator, "w1", 1, At(5)).size(), 1u);
}

TEST(CoordinatorTest, RequeuesTasksOfWorkerWhoseSendFailed) {
  Coordinator coordinator(TestConfig());
  AddWorker(coordinator, "w1", 1, At(0));
  coordinator.OnClientMessage("c1", SubmitBytes({"/a"}), At(0));
  std::vector<Outgoing> outbox = coordinator.TakeOutbox();
  std::vector<TaskAssignment> first = TasksTo(outbox, "w1");
  ASSERT_EQ(first.size(), 1u);
  AddWorker(coordinator, "w2", 1, At(0));

  const Outgoing* to_w1 = nullptr;
  for (const Outgoing& out : outbox) {
    if (out.socket == Outgoing::Socket::kWorkers && out.peer == "w1") {
      to_w1 = &out;
    }
  }
  ASSERT_NE(to_w1, nullptr);
  coordinator.OnSendsFailed(
      {SendFailure{*to_w1, common::UnavailableError("peer gone")}}, At(0));

  std::vector<TaskAssignment> resent = TasksTo(coordinator.TakeOutbox(), "w2");
  ASSERT_EQ(resent.size(), 1u);
  EXPECT_EQ(resent[0].ref.task_id, first[0].ref.task_id);
  EXPECT_EQ(resent[0].ref.attempt, 2u);
  EXPECT_EQ(coordinator.worker_count(), 1u);
}

TEST(CoordinatorTest, ReassignsTaskThatOutlivesTaskTimeout) {
  CoordinatorConfig config = TestConfig();
  config.task_timeout = seconds(10);
  Coordinator coordinator(config);
  AddWorker(coordinator, "w1", 1, At(0));
  coordinator.OnClientMessage("c1", SubmitBytes({"/slow"}), At(0));
  std::vector<TaskAssignment> first = TasksTo(coordinator.TakeOutbox(), "w1");
  ASSERT_EQ(first.size(), 1u);
  AddWorker(coordinator, "w2", 1, At(0));
  coordinator.TakeOutbox();

  // w1 keeps heartbeating but never answers: liveness alone never fires.
  for (int t = 1; t <= 9; ++t) {
    coordinator.OnWorkerMessage("w1", HeartbeatBytes(), At(t));
    coordinator.OnWorkerMessage("w2", HeartbeatBytes(), At(t));
    coordinator.OnTick(At(t));
  }
  EXPECT_TRUE(TasksTo(coordinator.TakeOutbox(), "w2").empty());
  coordinator.OnWorkerMessage("w1", HeartbeatBytes(), At(10));
  coordinator.OnWorkerMessage("w2", HeartbeatBytes(), At(10));
  coordinator.OnTick(At(10));
  std::vector<TaskAssignment> retry = TasksTo(coordinator.TakeOutbox(), "w2");
  ASSERT_EQ(retry.size(), 1u);
  EXPECT_EQ(retry[0].ref.task_id, first[0].ref.task_id);
  EXPECT_EQ(retry[0].ref.attempt, 2u);
  // The stuck worker still holds its slot: it gets nothing new.
  EXPECT_EQ(coordinator.worker_count(), 2u);
}

// A task a worker reports holding after a coordinator restart (adopted)
// times out like one this coordinator sent.
TEST(CoordinatorTest, AdoptedTaskTimesOutLikeOneSentHere) {
  CoordinatorConfig config = TestConfig();
  config.task_timeout = seconds(10);
  Coordinator coordinator(config);
  coordinator.OnClientMessage("c1", SubmitBytes({"/a"}), At(0));
  std::string id =
      ToClient<common::JobAccepted>(coordinator.TakeOutbox(), "c1")[0].job_id;
  coordinator.OnWorkerMessage(
      "w1", HelloBytes("w1", 1, "i1", {TaskRef{id, 0, 1}}), At(1));
  AddWorker(coordinator, "w2", 1, At(1));
  EXPECT_TRUE(TasksTo(coordinator.TakeOutbox(), "w2").empty());
  for (int t = 2; t <= 11; ++t) {
    coordinator.OnWorkerMessage("w1", HeartbeatBytes(), At(t));
    coordinator.OnWorkerMessage("w2", HeartbeatBytes(), At(t));
    coordinator.OnTick(At(t));
  }
  std::vector<TaskAssignment> retry = TasksTo(coordinator.TakeOutbox(), "w2");
  ASSERT_EQ(retry.size(), 1u);
  EXPECT_EQ(retry[0].ref.attempt, 2u);
}

TEST(CoordinatorTest, TaskAnsweredInTimeIsNotReassigned) {
  CoordinatorConfig config = TestConfig();
  config.task_timeout = seconds(10);
  Coordinator coordinator(config);
  AddWorker(coordinator, "w1", 1, At(0));
  coordinator.OnClientMessage("c1", SubmitBytes({"/a", "/b"}), At(0));
  std::vector<TaskAssignment> first = TasksTo(coordinator.TakeOutbox(), "w1");
  ASSERT_EQ(first.size(), 1u);
  coordinator.OnWorkerMessage("w1", ResultBytes(first[0].ref, {"h"}), At(9));
  std::vector<TaskAssignment> second = TasksTo(coordinator.TakeOutbox(), "w1");
  ASSERT_EQ(second.size(), 1u);
  AddWorker(coordinator, "w2", 1, At(10));
  coordinator.OnWorkerMessage("w1", HeartbeatBytes(), At(10));
  coordinator.OnTick(At(10));
  EXPECT_TRUE(TasksTo(coordinator.TakeOutbox(), "w2").empty());
}

TEST(CoordinatorTest, KeepsWorkersAndJobsWhenASendToAClientFails) {
  Coordinator coordinator(TestConfig());
  AddWorker(coordinator, "w1", 1, At(0));
  coordinator.OnClientMessage("c1", SubmitBytes({"/a"}), At(0));
  coordinator.TakeOutbox();

  coordinator.OnSendsFailed(
      {SendFailure{Outgoing{Outgoing::Socket::kClients, "c1", "x", {}},
                   common::UnavailableError("peer gone")}},
      At(0));

  EXPECT_EQ(coordinator.worker_count(), 1u);
  EXPECT_EQ(coordinator.job_count(), 1u);
  EXPECT_TRUE(coordinator.TakeOutbox().empty());
  // Status now says nobody is attached; progress goes to no one.
  coordinator.OnClientMessage("c2", ClientBytes(common::GetStatus{"", 0}),
                              At(1));
  auto status = ToClient<common::StatusReply>(coordinator.TakeOutbox(), "c2");
  ASSERT_EQ(status.size(), 1u);
  ASSERT_EQ(status[0].jobs.size(), 1u);
  EXPECT_FALSE(status[0].jobs[0].client_attached);
  coordinator.OnTick(At(2));
  for (const Outgoing& out : coordinator.TakeOutbox()) {
    EXPECT_NE(out.socket, Outgoing::Socket::kClients);
  }
}

TEST(CoordinatorTest, WorkerRegisteringAgainOnItsConnectionKeepsItsTasks) {
  CoordinatorConfig config = TestConfig();
  config.max_attempts = 1;
  Coordinator coordinator(config);
  AddWorker(coordinator, "w1", 1, At(0));
  coordinator.OnClientMessage("c1", SubmitBytes({"/a"}), At(0));
  std::vector<TaskAssignment> first = TasksTo(coordinator.TakeOutbox(), "w1");
  ASSERT_EQ(first.size(), 1u);

  // Several hellos (answers to queued Reregisters), before it got the task.
  EXPECT_TRUE(AddWorker(coordinator, "w1", 1, At(1)).empty());
  EXPECT_TRUE(AddWorker(coordinator, "w1", 1, At(1)).empty());
  coordinator.OnWorkerMessage("w1", ResultBytes(first[0].ref, {"h"}), At(2));

  auto results = ToClient<common::JobResult>(coordinator.TakeOutbox(), "c1");
  ASSERT_EQ(results.size(), 1u);
  EXPECT_TRUE(results[0].files[0].status.ok());
  EXPECT_EQ(results[0].files[0].attempts, 1u);
}

TEST(CoordinatorTest, SendsProgressToClientOnTick) {
  Coordinator coordinator(TestConfig());
  AddWorker(coordinator, "w1", 1, At(0));
  coordinator.OnClientMessage("c1", SubmitBytes({"/a", "/b"}), At(0));
  std::vector<TaskAssignment> tasks = TasksTo(coordinator.TakeOutbox(), "w1");
  ASSERT_EQ(tasks.size(), 1u);
  coordinator.OnWorkerMessage("w1", ResultBytes(tasks[0].ref, {"h"}), At(0));
  coordinator.TakeOutbox();

  coordinator.OnTick(At(1));

  std::vector<common::JobProgress> progress =
      ToClient<common::JobProgress>(coordinator.TakeOutbox(), "c1");
  ASSERT_EQ(progress.size(), 1u);
  EXPECT_EQ(progress[0].job_id, tasks[0].ref.job_id);
  EXPECT_EQ(progress[0].total, 2u);
  EXPECT_EQ(progress[0].done, 1u);
  EXPECT_EQ(progress[0].failed, 0u);
  EXPECT_EQ(progress[0].workers, 1u);
}

TEST(CoordinatorTest, SendsProgressAtMostOncePerInterval) {
  Coordinator coordinator(TestConfig());
  coordinator.OnClientMessage("c1", SubmitBytes({"/a"}), At(0));
  coordinator.TakeOutbox();

  coordinator.OnTick(At(milliseconds(1000)));
  size_t first =
      ToClient<common::JobProgress>(coordinator.TakeOutbox(), "c1").size();
  coordinator.OnTick(At(milliseconds(1200)));
  size_t too_soon =
      ToClient<common::JobProgress>(coordinator.TakeOutbox(), "c1").size();
  coordinator.OnTick(At(milliseconds(1500)));
  size_t next =
      ToClient<common::JobProgress>(coordinator.TakeOutbox(), "c1").size();

  EXPECT_EQ(first, 1u);
  EXPECT_EQ(too_soon, 0u);
  EXPECT_EQ(next, 1u);
}

TEST(CoordinatorTest, SendsHeartbeatToEveryWorkerOnTick) {
  Coordinator coordinator(TestConfig());
  AddWorker(coordinator, "w1", 1, At(0));
  AddWorker(coordinator, "w2", 1, At(0));

  coordinator.OnTick(At(1));

  std::vector<Outgoing> outbox = coordinator.TakeOutbox();
  EXPECT_EQ(ToWorker<common::Heartbeat>(outbox, "w1").size(), 1u);
  EXPECT_EQ(ToWorker<common::Heartbeat>(outbox, "w2").size(), 1u);
}

// Any message proves the coordinator alive: a worker just sent tasks gets
// no heartbeat; none goes an interval without word from it.
TEST(CoordinatorTest, SendsNoHeartbeatToAWorkerJustSentTasks) {
  Coordinator coordinator(TestConfig());  // heartbeat interval 1 s
  AddWorker(coordinator, "w1", 1, At(0));
  AddWorker(coordinator, "w2", 1, At(0));
  coordinator.OnTick(At(0));
  coordinator.TakeOutbox();
  coordinator.OnClientMessage("c1", SubmitBytes({"/a"}), At(milliseconds(500)));
  std::vector<Outgoing> sent = coordinator.TakeOutbox();
  const std::string busy = TasksTo(sent, "w1").empty() ? "w2" : "w1";
  const std::string idle = busy == "w1" ? "w2" : "w1";

  coordinator.OnTick(At(milliseconds(1000)));
  std::vector<Outgoing> outbox = coordinator.TakeOutbox();
  EXPECT_EQ(ToWorker<common::Heartbeat>(outbox, idle).size(), 1u);
  EXPECT_TRUE(ToWorker<common::Heartbeat>(outbox, busy).empty());

  coordinator.OnTick(At(milliseconds(1250)));  // 0.75 s after its task
  outbox = coordinator.TakeOutbox();
  EXPECT_EQ(ToWorker<common::Heartbeat>(outbox, busy).size(), 1u);
  EXPECT_TRUE(ToWorker<common::Heartbeat>(outbox, idle).empty());
}

TEST(CoordinatorTest, RejectsJobOverMaxPathsAsResourceExhausted) {
  CoordinatorConfig config = TestConfig();
  config.max_paths_per_job = 2;
  Coordinator coordinator(config);
  AddWorker(coordinator, "w1", 4, At(0));

  coordinator.OnClientMessage("c1", SubmitBytes({"/a", "/b", "/c"}), At(0));

  std::vector<Outgoing> outbox = coordinator.TakeOutbox();
  std::vector<common::JobRejected> rejected =
      ToClient<common::JobRejected>(outbox, "c1");
  ASSERT_EQ(rejected.size(), 1u);
  EXPECT_EQ(rejected[0].status.code(), StatusCode::kResourceExhausted);
  EXPECT_NE(rejected[0].status.message().find("3 files; the limit is 2"),
            std::string::npos)
      << rejected[0].status.message();
  EXPECT_TRUE(ToClient<common::JobAccepted>(outbox, "c1").empty());
  EXPECT_TRUE(TasksTo(outbox, "w1").empty());
  EXPECT_EQ(coordinator.job_count(), 0u);
}

// Two unfinished jobs allowed per client identity.
CoordinatorConfig TwoJobsPerClient() {
  CoordinatorConfig config = TestConfig();
  config.max_jobs_per_client = 2;
  return config;
}

TEST(CoordinatorTest, RejectsJobBeyondMaxJobsPerClientAsResourceExhausted) {
  Coordinator coordinator(TwoJobsPerClient());
  coordinator.OnClientMessage("c1", SubmitBytes({"/a"}), At(0), "alice");
  coordinator.OnClientMessage("c1", SubmitBytes({"/b"}), At(0), "alice");
  coordinator.TakeOutbox();

  coordinator.OnClientMessage("c1", SubmitBytes({"/c"}), At(0), "alice");

  std::vector<Outgoing> outbox = coordinator.TakeOutbox();
  std::vector<common::JobRejected> rejected =
      ToClient<common::JobRejected>(outbox, "c1");
  ASSERT_EQ(rejected.size(), 1u);
  EXPECT_EQ(rejected[0].status.code(), StatusCode::kResourceExhausted);
  EXPECT_NE(rejected[0].status.message().find("the limit is 2 per client"),
            std::string::npos)
      << rejected[0].status.message();
  EXPECT_NE(rejected[0].status.message().find("--max-jobs-per-client"),
            std::string::npos);
  EXPECT_TRUE(ToClient<common::JobAccepted>(outbox, "c1").empty());
  EXPECT_EQ(coordinator.job_count(), 2u);
}

TEST(CoordinatorTest, CountsJobLimitPerClientIdentityNotPerConnection) {
  Coordinator coordinator(TwoJobsPerClient());
  // Each `logsweep submit` is a new connection (peer) of the same client.
  coordinator.OnClientMessage("c1", SubmitBytes({"/a"}), At(0), "alice");
  coordinator.OnClientMessage("c2", SubmitBytes({"/b"}), At(0), "alice");
  coordinator.OnClientMessage("c3", SubmitBytes({"/c"}), At(0), "alice");
  coordinator.OnClientMessage("c4", SubmitBytes({"/d"}), At(0), "bob");

  std::vector<Outgoing> outbox = coordinator.TakeOutbox();
  EXPECT_EQ(ToClient<common::JobRejected>(outbox, "c3").size(), 1u);
  EXPECT_EQ(ToClient<common::JobAccepted>(outbox, "c4").size(), 1u);
  EXPECT_EQ(coordinator.job_count(), 3u);
}

TEST(CoordinatorTest, AcceptsJobsAgainOnceAClientsJobFinishes) {
  Coordinator coordinator(TwoJobsPerClient());
  std::vector<TaskAssignment> tasks = AddWorker(coordinator, "w1", 1, At(0));
  coordinator.OnClientMessage("c1", SubmitBytes({"/a"}), At(0), "alice");
  coordinator.OnClientMessage("c1", SubmitBytes({"/b"}), At(0), "alice");
  tasks = TasksTo(coordinator.TakeOutbox(), "w1");
  ASSERT_EQ(tasks.size(), 1u);
  coordinator.OnWorkerMessage("w1", ResultBytes(tasks[0].ref, {"h"}), At(1));
  coordinator.TakeOutbox();

  coordinator.OnClientMessage("c1", SubmitBytes({"/c"}), At(1), "alice");

  std::vector<Outgoing> outbox = coordinator.TakeOutbox();
  EXPECT_EQ(ToClient<common::JobAccepted>(outbox, "c1").size(), 1u);
  EXPECT_TRUE(ToClient<common::JobRejected>(outbox, "c1").empty());
}

TEST(CoordinatorTest, AcceptsJobOfExactlyMaxPaths) {
  CoordinatorConfig config = TestConfig();
  config.max_paths_per_job = 2;
  Coordinator coordinator(config);

  coordinator.OnClientMessage("c1", SubmitBytes({"/a", "/b"}), At(0));

  std::vector<Outgoing> outbox = coordinator.TakeOutbox();
  EXPECT_EQ(ToClient<common::JobAccepted>(outbox, "c1").size(), 1u);
  EXPECT_TRUE(ToClient<common::JobRejected>(outbox, "c1").empty());
}

TEST(CoordinatorTest, SendsResultOfEmptyJobAtOnce) {
  Coordinator coordinator(TestConfig());

  coordinator.OnClientMessage("c1", SubmitBytes({}), At(0));

  std::vector<Outgoing> outbox = coordinator.TakeOutbox();
  ASSERT_EQ(ToClient<common::JobAccepted>(outbox, "c1").size(), 1u);
  std::vector<common::JobResult> results =
      ToClient<common::JobResult>(outbox, "c1");
  ASSERT_EQ(results.size(), 1u);
  EXPECT_TRUE(results[0].files.empty());
  EXPECT_TRUE(results[0].hosts.empty());
  EXPECT_EQ(coordinator.job_count(), 0u);
}

TEST(CoordinatorTest, ReportsFileErrorWithItsReasonInJobResult) {
  Coordinator coordinator(TestConfig());
  AddWorker(coordinator, "w1", 2, At(0));
  coordinator.OnClientMessage("c1", SubmitBytes({"/good", "/bad"}), At(0));
  std::vector<TaskAssignment> tasks = TasksTo(coordinator.TakeOutbox(), "w1");
  ASSERT_EQ(tasks.size(), 2u);

  coordinator.OnWorkerMessage("w1", ResultBytes(tasks[0].ref, {"h"}), At(1));
  coordinator.OnWorkerMessage(
      "w1",
      FailedBytes(tasks[1].ref, common::DataLossError("CRC mismatch at 812")),
      At(1));

  std::vector<Outgoing> outbox = coordinator.TakeOutbox();
  std::vector<common::JobResult> results =
      ToClient<common::JobResult>(outbox, "c1");
  ASSERT_EQ(results.size(), 1u);
  ASSERT_EQ(results[0].files.size(), 2u);
  EXPECT_TRUE(results[0].files[0].status.ok());
  EXPECT_EQ(results[0].files[1].path, "/bad");
  EXPECT_EQ(results[0].files[1].status.code(), StatusCode::kDataLoss);
  EXPECT_EQ(results[0].files[1].status.message(), "CRC mismatch at 812");
  EXPECT_EQ(results[0].hosts, (std::vector<std::string>{"h"}));
  // A file error is not retried.
  EXPECT_TRUE(TasksTo(outbox, "w1").empty());
}

TEST(CoordinatorTest, SendsOneJobResultWhenAResultArrivesTwice) {
  Coordinator coordinator(TestConfig());
  AddWorker(coordinator, "w1", 2, At(0));
  coordinator.OnClientMessage("c1", SubmitBytes({"/a", "/b"}), At(0));
  std::vector<TaskAssignment> tasks = TasksTo(coordinator.TakeOutbox(), "w1");
  ASSERT_EQ(tasks.size(), 2u);

  coordinator.OnWorkerMessage("w1", ResultBytes(tasks[0].ref, {"h1"}), At(1));
  coordinator.OnWorkerMessage("w1", ResultBytes(tasks[0].ref, {"dup"}), At(1));
  std::vector<Outgoing> before = coordinator.TakeOutbox();
  coordinator.OnWorkerMessage("w1", ResultBytes(tasks[1].ref, {"h2"}), At(2));
  std::vector<Outgoing> after = coordinator.TakeOutbox();

  EXPECT_TRUE(ToClient<common::JobResult>(before, "c1").empty());
  std::vector<common::JobResult> results =
      ToClient<common::JobResult>(after, "c1");
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].hosts, (std::vector<std::string>{"h1", "h2"}));
}

std::string StreamingSubmitBytes(const std::vector<std::string>& paths,
                                 uint64_t request_id) {
  common::SubmitJob submit;
  submit.paths = paths;
  submit.request_id = request_id;
  submit.stream_files = true;
  return ClientBytes(submit);
}

TEST(CoordinatorTest, EchoesTheRequestIdOfASubmit) {
  Coordinator coordinator(TestConfig());
  coordinator.OnClientMessage("c1", StreamingSubmitBytes({"/a"}, 42), At(0));
  auto accepted = ToClient<common::JobAccepted>(coordinator.TakeOutbox(), "c1");
  ASSERT_EQ(accepted.size(), 1u);
  EXPECT_EQ(accepted[0].request_id, 42u);
}

TEST(CoordinatorTest, StreamsEachFileWithItsHostsBeforeTheJobResult) {
  Coordinator coordinator(TestConfig());
  AddWorker(coordinator, "w1", 2, At(0));
  coordinator.OnClientMessage("c1", StreamingSubmitBytes({"/a", "/b"}, 1),
                              At(0));
  auto tasks = TasksTo(coordinator.TakeOutbox(), "w1");
  ASSERT_EQ(tasks.size(), 2u);

  coordinator.OnWorkerMessage("w1", ResultBytes(tasks[1].ref, {"h2", "h1"}),
                              At(1));
  auto first = ToClient<common::FilesDone>(coordinator.TakeOutbox(), "c1");
  ASSERT_EQ(first.size(), 1u);
  ASSERT_EQ(first[0].files.size(), 1u);
  EXPECT_EQ(first[0].files[0].task_id, 1u);
  EXPECT_EQ(first[0].files[0].report.path, "/b");
  EXPECT_EQ(first[0].files[0].hosts, (std::vector<std::string>{"h1", "h2"}));

  coordinator.OnWorkerMessage(
      "w1", FailedBytes(tasks[0].ref, common::DataLossError("bad")), At(1));
  std::vector<Outgoing> outbox = coordinator.TakeOutbox();
  // The last file arrives before, not after, the result.
  int files_at = -1, result_at = -1;
  for (size_t i = 0; i < outbox.size(); ++i) {
    auto decoded = common::DecodeCoordinatorToClient(outbox[i].payload);
    if (!decoded.ok() || outbox[i].socket != Outgoing::Socket::kClients)
      continue;
    if (std::holds_alternative<common::FilesDone>(*decoded)) files_at = i;
    if (std::holds_alternative<common::JobResult>(*decoded)) result_at = i;
  }
  ASSERT_GE(files_at, 0);
  ASSERT_GE(result_at, 0);
  EXPECT_LT(files_at, result_at);
  auto last = ToClient<common::FilesDone>(outbox, "c1");
  ASSERT_EQ(last[0].files.size(), 1u);
  EXPECT_EQ(last[0].files[0].report.status.code(), StatusCode::kDataLoss);
}

TEST(CoordinatorTest, DoesNotStreamFilesUnlessAsked) {
  Coordinator coordinator(TestConfig());
  AddWorker(coordinator, "w1", 1, At(0));
  coordinator.OnClientMessage("c1", SubmitBytes({"/a"}), At(0));
  auto tasks = TasksTo(coordinator.TakeOutbox(), "w1");
  coordinator.OnWorkerMessage("w1", ResultBytes(tasks[0].ref, {"h"}), At(1));
  std::vector<Outgoing> outbox = coordinator.TakeOutbox();
  EXPECT_TRUE(ToClient<common::FilesDone>(outbox, "c1").empty());
  EXPECT_EQ(ToClient<common::JobResult>(outbox, "c1").size(), 1u);
}

TEST(CoordinatorTest, ReattachingStreamingClientGetsEveryFinishedFileAgain) {
  Coordinator coordinator(TestConfig());
  AddWorker(coordinator, "w1", 1, At(0));
  coordinator.OnClientMessage("c1", StreamingSubmitBytes({"/a", "/b"}, 1),
                              At(0));
  std::vector<Outgoing> outbox = coordinator.TakeOutbox();
  std::string job_id = ToClient<common::JobAccepted>(outbox, "c1")[0].job_id;
  auto tasks = TasksTo(outbox, "w1");
  coordinator.OnWorkerMessage("w1", ResultBytes(tasks[0].ref, {"h"}), At(1));
  coordinator.TakeOutbox();

  coordinator.OnClientMessage(
      "c2", ClientBytes(common::WaitJob{job_id, 7, /*stream_files=*/true}),
      At(2));
  outbox = coordinator.TakeOutbox();
  auto accepted = ToClient<common::JobAccepted>(outbox, "c2");
  ASSERT_EQ(accepted.size(), 1u);
  EXPECT_EQ(accepted[0].request_id, 7u);
  auto files = ToClient<common::FilesDone>(outbox, "c2");
  ASSERT_EQ(files.size(), 1u);
  ASSERT_EQ(files[0].files.size(), 1u);
  EXPECT_EQ(files[0].files[0].task_id, 0u);
  EXPECT_EQ(files[0].files[0].hosts, (std::vector<std::string>{"h"}));
}

TEST(CoordinatorTest, CancelledPendingTaskIsNeverDispatched) {
  Coordinator coordinator(TestConfig());
  coordinator.OnClientMessage("c1", SubmitBytes({"/a", "/b"}), At(0));
  std::string job_id =
      ToClient<common::JobAccepted>(coordinator.TakeOutbox(), "c1")[0].job_id;

  coordinator.OnClientMessage(
      "c1", ClientBytes(common::CancelJob{job_id, {0}, 9}), At(1));
  auto replies = ToClient<common::CancelReply>(coordinator.TakeOutbox(), "c1");
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(replies[0].cancelled, 1u);
  EXPECT_EQ(replies[0].request_id, 9u);

  auto tasks = AddWorker(coordinator, "w1", 2, At(1));
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_EQ(tasks[0].path, "/b");
  coordinator.OnWorkerMessage("w1", ResultBytes(tasks[0].ref, {"h"}), At(2));
  auto results = ToClient<common::JobResult>(coordinator.TakeOutbox(), "c1");
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].files[0].status.code(), StatusCode::kCancelled);
  EXPECT_TRUE(results[0].files[1].status.ok());
  EXPECT_EQ(results[0].hosts, (std::vector<std::string>{"h"}));
}

TEST(CoordinatorTest, CancelledRunningTaskFinishesTheJobAndItsAnswerIsDropped) {
  Coordinator coordinator(TestConfig());
  AddWorker(coordinator, "w1", 1, At(0));
  coordinator.OnClientMessage("c1", SubmitBytes({"/a"}), At(0));
  std::vector<Outgoing> outbox = coordinator.TakeOutbox();
  std::string job_id = ToClient<common::JobAccepted>(outbox, "c1")[0].job_id;
  auto tasks = TasksTo(outbox, "w1");
  ASSERT_EQ(tasks.size(), 1u);

  coordinator.OnClientMessage(
      "c1", ClientBytes(common::CancelJob{job_id, {}, 0}), At(1));
  outbox = coordinator.TakeOutbox();
  EXPECT_EQ(ToClient<common::CancelReply>(outbox, "c1")[0].cancelled, 1u);
  auto results = ToClient<common::JobResult>(outbox, "c1");
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].files[0].status.code(), StatusCode::kCancelled);
  EXPECT_TRUE(results[0].hosts.empty());

  // The abandoned scan's answer frees the worker's slot and nothing else.
  coordinator.OnClientMessage("c1", SubmitBytes({"/b"}), At(2));
  EXPECT_TRUE(TasksTo(coordinator.TakeOutbox(), "w1").empty());
  coordinator.OnWorkerMessage("w1", ResultBytes(tasks[0].ref, {"h"}), At(3));
  outbox = coordinator.TakeOutbox();
  EXPECT_TRUE(ToClient<common::JobResult>(outbox, "c1").empty());
  auto next = TasksTo(outbox, "w1");
  ASSERT_EQ(next.size(), 1u);
  EXPECT_EQ(next[0].path, "/b");
}

TEST(CoordinatorTest, CancelOfUnknownJobIsRejectedAsNotFound) {
  Coordinator coordinator(TestConfig());
  coordinator.OnClientMessage(
      "c1", ClientBytes(common::CancelJob{"nosuchjob", {}, 3}), At(0));
  auto rejected = ToClient<common::JobRejected>(coordinator.TakeOutbox(), "c1");
  ASSERT_EQ(rejected.size(), 1u);
  EXPECT_EQ(rejected[0].status.code(), StatusCode::kNotFound);
  EXPECT_EQ(rejected[0].request_id, 3u);
}

TEST(CoordinatorTest, StatusListsWorkersWithThroughputAndJobsWithProgress) {
  Coordinator coordinator(TestConfig());
  auto none = AddWorker(coordinator, "w1", 2, At(0));
  EXPECT_TRUE(none.empty());
  coordinator.OnClientMessage("c1", SubmitBytes({"/a", "/b", "/c"}), At(0));
  std::vector<Outgoing> outbox = coordinator.TakeOutbox();
  std::string job_id = ToClient<common::JobAccepted>(outbox, "c1")[0].job_id;
  auto tasks = TasksTo(outbox, "w1");
  ASSERT_EQ(tasks.size(), 2u);
  common::TaskOutcome outcome;
  outcome.ref = tasks[0].ref;
  outcome.stats.bytes_scanned = 5000;
  coordinator.OnWorkerMessage("w1", common::EncodeOutcome(outcome), At(2));
  coordinator.TakeOutbox();

  coordinator.OnClientMessage("c2", ClientBytes(common::GetStatus{"", 5}),
                              At(4));
  auto replies = ToClient<common::StatusReply>(coordinator.TakeOutbox(), "c2");
  ASSERT_EQ(replies.size(), 1u);
  const auto& reply = replies[0];
  EXPECT_EQ(reply.request_id, 5u);
  ASSERT_EQ(reply.workers.size(), 1u);
  EXPECT_EQ(reply.workers[0].name, "name-w1");
  EXPECT_EQ(reply.workers[0].slots, 2u);
  EXPECT_EQ(reply.workers[0].in_flight, 2u);  // task 1 and task 2
  EXPECT_EQ(reply.workers[0].tasks_done, 1u);
  EXPECT_EQ(reply.workers[0].bytes_scanned, 5000u);
  EXPECT_EQ(reply.workers[0].connected_ms, 4000u);
  ASSERT_EQ(reply.jobs.size(), 1u);
  EXPECT_EQ(reply.jobs[0].progress.job_id, job_id);
  EXPECT_EQ(reply.jobs[0].progress.total, 3u);
  EXPECT_EQ(reply.jobs[0].progress.done, 1u);
  EXPECT_EQ(reply.jobs[0].elapsed_ms, 4000u);
  EXPECT_TRUE(reply.jobs[0].client_attached);

  coordinator.OnClientMessage("c2", ClientBytes(common::GetStatus{"other", 6}),
                              At(4));
  auto rejected = ToClient<common::JobRejected>(coordinator.TakeOutbox(), "c2");
  ASSERT_EQ(rejected.size(), 1u);
  EXPECT_EQ(rejected[0].status.code(), StatusCode::kNotFound);
}

TEST(CoordinatorTest, StatusListShowsOnlyTheAskingClientsJobIdsInFull) {
  Coordinator coordinator(TestConfig());
  coordinator.OnClientMessage("c1", SubmitBytes({"/a"}), At(0), "keyA");
  std::string job_id =
      ToClient<common::JobAccepted>(coordinator.TakeOutbox(), "c1")[0].job_id;
  auto listed_id = [&](const std::string& client, const std::string& asked) {
    coordinator.OnClientMessage("c2", ClientBytes(common::GetStatus{asked, 0}),
                                At(1), client);
    auto replies =
        ToClient<common::StatusReply>(coordinator.TakeOutbox(), "c2");
    return replies.size() == 1 && replies[0].jobs.size() == 1
               ? replies[0].jobs[0].progress.job_id
               : std::string("(no job)");
  };

  EXPECT_EQ(listed_id("keyA", ""), job_id);
  EXPECT_EQ(listed_id("keyB", ""), job_id.substr(0, 8) + "...");
  // Whoever already holds the id may ask about it.
  EXPECT_EQ(listed_id("keyB", job_id), job_id);
}

TEST(CoordinatorTest, WorkerThatSaysGoodbyeHasItsTasksRequeuedAtOnce) {
  Coordinator coordinator(TestConfig());
  AddWorker(coordinator, "w1", 1, At(0));
  coordinator.OnClientMessage("c1", SubmitBytes({"/a"}), At(0));
  ASSERT_EQ(TasksTo(coordinator.TakeOutbox(), "w1").size(), 1u);
  AddWorker(coordinator, "w2", 1, At(0));

  // Long before expiry (3 s).
  coordinator.OnWorkerMessage(
      "w1", common::Encode(common::WorkerToCoordinator(common::Goodbye{})),
      At(milliseconds(100)));

  auto moved = TasksTo(coordinator.TakeOutbox(), "w2");
  ASSERT_EQ(moved.size(), 1u);
  EXPECT_EQ(moved[0].path, "/a");
  EXPECT_EQ(moved[0].ref.attempt, 2u);
  EXPECT_EQ(coordinator.worker_count(), 1u);
}

// ---- issue 13: attempts are charged only to workers that failed ----

TEST(CoordinatorTest, TasksThatWereNeverSentCostNoAttempt) {
  CoordinatorConfig config = TestConfig();
  config.max_attempts = 1;
  Coordinator coordinator(config);
  AddWorker(coordinator, "gone", 2, At(0));
  coordinator.OnClientMessage("c1", SubmitBytes({"/a", "/b"}), At(0));
  std::vector<Outgoing> outbox = coordinator.TakeOutbox();
  std::vector<SendFailure> failures;
  for (const Outgoing& out : outbox) {
    if (out.peer == "gone" && !out.tasks.empty()) {
      failures.push_back(
          SendFailure{out, common::UnavailableError("host unreachable")});
    }
  }
  // Both tasks went in one message: one failed send.
  ASSERT_EQ(failures.size(), 1u);
  ASSERT_EQ(failures[0].message.tasks.size(), 2u);
  AddWorker(coordinator, "w2", 2, At(0));

  coordinator.OnSendsFailed(failures, At(0));

  // With one attempt allowed, a charge would have failed both files.
  std::vector<TaskAssignment> resent = TasksTo(coordinator.TakeOutbox(), "w2");
  ASSERT_EQ(resent.size(), 2u);
  for (const TaskAssignment& t : resent) {
    coordinator.OnWorkerMessage("w2", ResultBytes(t.ref, {"h"}), At(1));
  }
  auto results = ToClient<common::JobResult>(coordinator.TakeOutbox(), "c1");
  ASSERT_EQ(results.size(), 1u);
  for (const auto& f : results[0].files) EXPECT_TRUE(f.status.ok()) << f.path;
  EXPECT_EQ(coordinator.worker_count(), 1u);
}

TEST(CoordinatorTest, TasksDeliveredToAWorkerThatIsGoneAreCharged) {
  CoordinatorConfig config = TestConfig();
  config.max_attempts = 1;
  Coordinator coordinator(config);
  AddWorker(coordinator, "w1", 1, At(0));
  coordinator.OnClientMessage("c1", SubmitBytes({"/a"}), At(0));
  coordinator.TakeOutbox();  // the task went out

  // A later heartbeat finds the connection gone.
  coordinator.OnSendsFailed(
      {SendFailure{Outgoing{Outgoing::Socket::kWorkers, "w1", "hb", {}},
                   common::UnavailableError("host unreachable")}},
      At(1));

  auto results = ToClient<common::JobResult>(coordinator.TakeOutbox(), "c1");
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].files[0].status.code(), StatusCode::kUnavailable);
}

TEST(CoordinatorTest, WorkerThatSaysGoodbyeCostsItsTasksNoAttempt) {
  CoordinatorConfig config = TestConfig();
  config.max_attempts = 1;
  Coordinator coordinator(config);
  AddWorker(coordinator, "w1", 1, At(0));
  coordinator.OnClientMessage("c1", SubmitBytes({"/a"}), At(0));
  coordinator.TakeOutbox();
  AddWorker(coordinator, "w2", 1, At(0));

  coordinator.OnWorkerMessage("w1", GoodbyeBytes(), At(1));

  std::vector<TaskAssignment> resent = TasksTo(coordinator.TakeOutbox(), "w2");
  ASSERT_EQ(resent.size(), 1u);
  EXPECT_EQ(resent[0].ref.attempt, 2u);
}

TEST(CoordinatorTest, WorkerOnANewConnectionKeepsTheTasksItReports) {
  CoordinatorConfig config = TestConfig();
  config.max_attempts = 1;
  Coordinator coordinator(config);
  coordinator.OnWorkerMessage("old", HelloBytes("w", 2, "instance-1"), At(0));
  coordinator.OnClientMessage("c1", SubmitBytes({"/a", "/b"}), At(0));
  std::vector<TaskAssignment> sent = TasksTo(coordinator.TakeOutbox(), "old");
  ASSERT_EQ(sent.size(), 2u);

  // It reconnected: it holds the first task; the second never reached it.
  coordinator.OnWorkerMessage(
      "new", HelloBytes("w", 2, "instance-1", {sent[0].ref}), At(1));

  std::vector<TaskAssignment> again = TasksTo(coordinator.TakeOutbox(), "new");
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].ref.task_id, sent[1].ref.task_id);
  EXPECT_EQ(coordinator.worker_count(), 1u);
  coordinator.OnWorkerMessage("new", ResultBytes(sent[0].ref, {"a"}), At(2));
  coordinator.OnWorkerMessage("new", ResultBytes(again[0].ref, {"b"}), At(2));
  auto results = ToClient<common::JobResult>(coordinator.TakeOutbox(), "c1");
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].hosts, (std::vector<std::string>{"a", "b"}));
}

TEST(CoordinatorTest, QueuedHeartbeatsOfAnUnknownPeerAskForOneHello) {
  Coordinator coordinator(TestConfig());

  for (int i = 0; i < 5; ++i) {
    coordinator.OnWorkerMessage("ghost", HeartbeatBytes(),
                                At(milliseconds(10 * i)));
  }
  EXPECT_EQ(
      ToWorker<common::Reregister>(coordinator.TakeOutbox(), "ghost").size(),
      1u);
  coordinator.OnWorkerMessage("ghost", HeartbeatBytes(), At(2));
  EXPECT_EQ(
      ToWorker<common::Reregister>(coordinator.TakeOutbox(), "ghost").size(),
      1u);
}

TEST(CoordinatorTest, SilenceIsNotJudgedWhileMessagesWaitUnread) {
  Coordinator coordinator(TestConfig());  // expiry 3 s
  AddWorker(coordinator, "w1", 1, At(0));
  coordinator.OnWorkersDrained(At(0));

  // The loop stalled for 10 s; the worker's heartbeats wait unread.
  coordinator.OnTick(At(10));
  EXPECT_EQ(coordinator.worker_count(), 1u);
  coordinator.OnWorkerMessage("w1", HeartbeatBytes(), At(10));
  coordinator.OnWorkersDrained(At(10));
  coordinator.OnTick(At(10));
  EXPECT_EQ(coordinator.worker_count(), 1u);

  // Once read up to date, real silence still counts.
  coordinator.OnWorkersDrained(At(14));
  coordinator.OnTick(At(14));
  EXPECT_EQ(coordinator.worker_count(), 0u);
}

TEST(CoordinatorTest, NoWorkerIsJudgedForAnExpiryAfterTheLoopStalled) {
  Coordinator coordinator(TestConfig());  // expiry 3 s
  AddWorker(coordinator, "w1", 1, At(0));
  coordinator.OnWorkersDrained(At(0));

  // Stopped 4 s; right after, the socket looks empty although the worker's
  // heartbeats have not reached it yet.
  coordinator.OnStall(milliseconds(4000), At(4));
  coordinator.OnWorkersDrained(At(4));
  coordinator.OnTick(At(4));
  EXPECT_EQ(coordinator.worker_count(), 1u);
  coordinator.OnTick(At(milliseconds(6900)));
  EXPECT_EQ(coordinator.worker_count(), 1u);

  // A whole expiry after the stall, a worker still silent is dead.
  coordinator.OnWorkersDrained(At(7));
  coordinator.OnTick(At(7));
  EXPECT_EQ(coordinator.worker_count(), 0u);
}

// ---- issue 13: a bad node does not fail files ----

TEST(CoordinatorTest, FileOneWorkerCannotReadIsReadByAnother) {
  Coordinator coordinator(TestConfig());
  coordinator.OnWorkerMessage("bad", HelloBytes("bad", 1, "i-bad"), At(0));
  coordinator.OnClientMessage("c1", SubmitBytes({"/a"}), At(0));
  std::vector<TaskAssignment> first = TasksTo(coordinator.TakeOutbox(), "bad");
  ASSERT_EQ(first.size(), 1u);
  coordinator.OnWorkerMessage("good", HelloBytes("good", 1, "i-good"), At(0));
  coordinator.TakeOutbox();

  coordinator.OnWorkerMessage(
      "bad", FailedBytes(first[0].ref, common::NotFoundError("open: gone")),
      At(1));

  std::vector<Outgoing> outbox = coordinator.TakeOutbox();
  EXPECT_TRUE(TasksTo(outbox, "bad").empty());
  std::vector<TaskAssignment> second = TasksTo(outbox, "good");
  ASSERT_EQ(second.size(), 1u);
  coordinator.OnWorkerMessage("good", ResultBytes(second[0].ref, {"h"}), At(2));
  auto results = ToClient<common::JobResult>(coordinator.TakeOutbox(), "c1");
  ASSERT_EQ(results.size(), 1u);
  EXPECT_TRUE(results[0].files[0].status.ok());
  EXPECT_EQ(results[0].hosts, (std::vector<std::string>{"h"}));
}

TEST(CoordinatorTest, ASecondBadNodeCannotConfirmAFailureWhileAGoodOneCan) {
  Coordinator coordinator(TestConfig());
  coordinator.OnWorkerMessage("good", HelloBytes("good", 1, "i-good"), At(0));
  coordinator.OnClientMessage("c1", SubmitBytes({"/warmup", "/a"}), At(0));
  std::vector<TaskAssignment> warmup =
      TasksTo(coordinator.TakeOutbox(), "good");
  ASSERT_EQ(warmup.size(), 1u);
  coordinator.OnWorkerMessage("bad1", HelloBytes("bad1", 1, "i-bad1"), At(0));
  std::vector<TaskAssignment> to_bad1 =
      TasksTo(coordinator.TakeOutbox(), "bad1");
  ASSERT_EQ(to_bad1.size(), 1u);
  coordinator.OnWorkerMessage("bad2", HelloBytes("bad2", 1, "i-bad2"), At(0));
  coordinator.TakeOutbox();

  // bad1 cannot read its file; bad2 is idle, but has read nothing yet.
  coordinator.OnWorkerMessage(
      "bad1", FailedBytes(to_bad1[0].ref, common::NotFoundError("no mount")),
      At(1));
  EXPECT_TRUE(TasksTo(coordinator.TakeOutbox(), "bad2").empty());
  // The good worker, which has read a file, gets it once free.
  coordinator.OnWorkerMessage("good", ResultBytes(warmup[0].ref, {"w"}), At(2));
  std::vector<TaskAssignment> confirm =
      TasksTo(coordinator.TakeOutbox(), "good");
  ASSERT_EQ(confirm.size(), 1u);
  EXPECT_EQ(confirm[0].ref.task_id, to_bad1[0].ref.task_id);
  coordinator.OnWorkerMessage("good", ResultBytes(confirm[0].ref, {"h"}),
                              At(3));
  auto results = ToClient<common::JobResult>(coordinator.TakeOutbox(), "c1");
  ASSERT_EQ(results.size(), 1u);
  for (const auto& f : results[0].files) EXPECT_TRUE(f.status.ok()) << f.path;
}

TEST(CoordinatorTest, FileTwoWorkersCannotFindFailsAsNotFound) {
  Coordinator coordinator(TestConfig());
  coordinator.OnWorkerMessage("w1", HelloBytes("w1", 1, "i1"), At(0));
  coordinator.OnClientMessage("c1", SubmitBytes({"/missing"}), At(0));
  std::vector<TaskAssignment> first = TasksTo(coordinator.TakeOutbox(), "w1");
  ASSERT_EQ(first.size(), 1u);
  coordinator.OnWorkerMessage("w2", HelloBytes("w2", 1, "i2"), At(0));
  coordinator.OnWorkerMessage(
      "w1", FailedBytes(first[0].ref, common::NotFoundError("open: gone")),
      At(1));
  std::vector<TaskAssignment> second = TasksTo(coordinator.TakeOutbox(), "w2");
  ASSERT_EQ(second.size(), 1u);

  coordinator.OnWorkerMessage(
      "w2", FailedBytes(second[0].ref, common::NotFoundError("open: gone")),
      At(2));

  auto results = ToClient<common::JobResult>(coordinator.TakeOutbox(), "c1");
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].files[0].status.code(), StatusCode::kNotFound);
}

TEST(CoordinatorTest, LoneWorkerNotFoundFailsTheFileNotConfirmed) {
  Coordinator coordinator(TestConfig());
  coordinator.OnWorkerMessage("w1", HelloBytes("w1", 1, "i1"), At(0));
  coordinator.OnClientMessage("c1", SubmitBytes({"/missing"}), At(0));
  std::vector<TaskAssignment> first = TasksTo(coordinator.TakeOutbox(), "w1");
  ASSERT_EQ(first.size(), 1u);

  coordinator.OnWorkerMessage(
      "w1", FailedBytes(first[0].ref, common::NotFoundError("open: gone")),
      At(1));

  auto results = ToClient<common::JobResult>(coordinator.TakeOutbox(), "c1");
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].files[0].status.code(), StatusCode::kNotFound);
  EXPECT_NE(results[0].files[0].status.message().find("not confirmed"),
            std::string::npos);
}

TEST(CoordinatorTest, ContentErrorIsNotTriedOnAnotherWorker) {
  Coordinator coordinator(TestConfig());
  AddWorker(coordinator, "w1", 1, At(0));
  coordinator.OnClientMessage("c1", SubmitBytes({"/bad.gz"}), At(0));
  std::vector<TaskAssignment> first = TasksTo(coordinator.TakeOutbox(), "w1");
  ASSERT_EQ(first.size(), 1u);
  AddWorker(coordinator, "w2", 1, At(0));

  coordinator.OnWorkerMessage(
      "w1", FailedBytes(first[0].ref, common::DataLossError("crc mismatch")),
      At(1));

  std::vector<Outgoing> outbox = coordinator.TakeOutbox();
  EXPECT_TRUE(TasksTo(outbox, "w2").empty());
  auto results = ToClient<common::JobResult>(outbox, "c1");
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].files[0].status.code(), StatusCode::kDataLoss);
}

TEST(CoordinatorTest, WorkerWhoseFailuresOthersContradictIsQuarantined) {
  CoordinatorConfig config = TestConfig();
  config.quarantine_strikes = 3;
  Coordinator coordinator(config);
  coordinator.OnWorkerMessage("bad", HelloBytes("bad", 1, "i-bad"), At(0));
  coordinator.OnWorkerMessage("good", HelloBytes("good", 1, "i-good"), At(0));
  coordinator.OnClientMessage(
      "c1", SubmitBytes({"/0", "/1", "/2", "/3", "/4", "/5"}), At(0));
  std::vector<Outgoing> outbox = coordinator.TakeOutbox();
  TimePoint t = At(1);
  // Answer until the job ends: the bad worker fails everything it gets.
  for (int round = 0; round < 20; ++round) {
    std::vector<TaskAssignment> to_bad = TasksTo(outbox, "bad");
    std::vector<TaskAssignment> to_good = TasksTo(outbox, "good");
    if (to_bad.empty() && to_good.empty()) break;
    for (const auto& task : to_bad) {
      coordinator.OnWorkerMessage(
          "bad", FailedBytes(task.ref, common::NotFoundError("no mount")), t);
    }
    for (const auto& task : to_good) {
      coordinator.OnWorkerMessage("good", ResultBytes(task.ref, {task.path}),
                                  t);
    }
    t += milliseconds(10);
    outbox = coordinator.TakeOutbox();
    if (!ToClient<common::JobResult>(outbox, "c1").empty()) break;
  }
  auto results = ToClient<common::JobResult>(outbox, "c1");
  ASSERT_EQ(results.size(), 1u);
  for (const auto& f : results[0].files) EXPECT_TRUE(f.status.ok()) << f.path;
  EXPECT_EQ(results[0].hosts.size(), 6u);

  coordinator.OnClientMessage("c2", ClientBytes(common::GetStatus{"", 0}), t);
  auto status = ToClient<common::StatusReply>(coordinator.TakeOutbox(), "c2");
  ASSERT_EQ(status.size(), 1u);
  ASSERT_EQ(status[0].workers.size(), 2u);
  EXPECT_EQ(status[0].workers[0].name, "bad");
  EXPECT_TRUE(status[0].workers[0].quarantined);
  EXPECT_NE(status[0].workers[0].quarantine_reason.find("NOT_FOUND"),
            std::string::npos);
  EXPECT_FALSE(status[0].workers[1].quarantined);
  // A new job's tasks go to the good worker only.
  coordinator.OnClientMessage("c1", SubmitBytes({"/6", "/7"}), t);
  outbox = coordinator.TakeOutbox();
  EXPECT_TRUE(TasksTo(outbox, "bad").empty());
  EXPECT_FALSE(TasksTo(outbox, "good").empty());
}

// ---- issue 13: results of any size, kept for a later wait ----

TEST(CoordinatorTest, LargeResultGoesOutInPiecesNoneOverTheLimit) {
  CoordinatorConfig config = TestConfig();
  config.result_part_bytes = 4096;
  config.max_paths_per_job = 10000;
  Coordinator coordinator(config);
  AddWorker(coordinator, "w1", 64, At(0));
  std::vector<std::string> paths;
  for (int i = 0; i < 400; ++i) paths.push_back("/logs/" + std::to_string(i));
  coordinator.OnClientMessage("c1", SubmitBytes(paths), At(0));
  std::vector<Outgoing> outbox = coordinator.TakeOutbox();
  std::vector<Outgoing> to_client;
  for (int round = 0; round < 100; ++round) {
    std::vector<TaskAssignment> tasks = TasksTo(outbox, "w1");
    for (const Outgoing& o : outbox) {
      if (o.socket == Outgoing::Socket::kClients) to_client.push_back(o);
    }
    if (tasks.empty()) break;
    for (const auto& task : tasks) {
      coordinator.OnWorkerMessage(
          "w1", ResultBytes(task.ref, {"host-of-" + task.path}), At(1));
    }
    outbox = coordinator.TakeOutbox();
  }
  for (int i = 0; i < 100; ++i) {
    coordinator.OnTick(At(1));
    for (const Outgoing& o : coordinator.TakeOutbox()) {
      if (o.socket == Outgoing::Socket::kClients) to_client.push_back(o);
    }
  }
  std::vector<common::JobResultPart> parts;
  std::vector<common::JobResult> results;
  for (const Outgoing& o : to_client) {
    EXPECT_LE(o.payload.size(), 3 * config.result_part_bytes);
    auto msg = common::DecodeCoordinatorToClient(o.payload);
    ASSERT_TRUE(msg.ok());
    if (auto* p = std::get_if<common::JobResultPart>(&*msg))
      parts.push_back(*p);
    if (auto* r = std::get_if<common::JobResult>(&*msg)) results.push_back(*r);
  }
  ASSERT_EQ(results.size(), 1u);
  EXPECT_GT(parts.size(), 2u);
  EXPECT_EQ(results[0].parts, parts.size());
  EXPECT_EQ(results[0].file_count, 400u);
  EXPECT_EQ(results[0].host_count, 400u);
  std::vector<std::string> hosts;
  size_t files = 0;
  for (const auto& p : parts) {
    hosts.insert(hosts.end(), p.hosts.begin(), p.hosts.end());
    files += p.files.size();
  }
  hosts.insert(hosts.end(), results[0].hosts.begin(), results[0].hosts.end());
  files += results[0].files.size();
  EXPECT_EQ(hosts.size(), 400u);
  EXPECT_EQ(files, 400u);
  std::sort(hosts.begin(), hosts.end());
  EXPECT_TRUE(std::adjacent_find(hosts.begin(), hosts.end()) == hosts.end());
}

TEST(CoordinatorTest, AResultOnItsWayGoesOnUnlessAskedToStartOver) {
  CoordinatorConfig config = TestConfig();
  config.result_part_bytes = 4096;
  config.max_paths_per_job = 10000;
  Coordinator coordinator(config);
  AddWorker(coordinator, "w1", 1000, At(0));
  std::vector<std::string> paths;
  for (int i = 0; i < 400; ++i) paths.push_back("/logs/" + std::to_string(i));
  coordinator.OnClientMessage("c1", SubmitBytes(paths), At(0));
  std::vector<Outgoing> outbox = coordinator.TakeOutbox();
  std::string id = ToClient<common::JobAccepted>(outbox, "c1")[0].job_id;
  for (const auto& task : TasksTo(outbox, "w1")) {
    coordinator.OnWorkerMessage(
        "w1", ResultBytes(task.ref, {"host-of-" + task.path}), At(1));
  }
  // The job finished; its first pieces went out with the last answer.
  auto first = ToClient<common::JobResultPart>(coordinator.TakeOutbox(), "c1");
  ASSERT_FALSE(first.empty());
  EXPECT_EQ(first[0].index, 0u);

  // A re-attach after silence: the sending goes on where it was.
  common::WaitJob wondering{id, 5, false, false};
  coordinator.OnClientMessage("c1", ClientBytes(wondering), At(2));
  coordinator.OnTick(At(2));
  auto next = ToClient<common::JobResultPart>(coordinator.TakeOutbox(), "c1");
  ASSERT_FALSE(next.empty());
  EXPECT_EQ(next[0].index, first.back().index + 1);

  // Asked to start over (a missed piece): index 0 again.
  common::WaitJob again{id, 6, false, true};
  coordinator.OnClientMessage("c1", ClientBytes(again), At(3));
  auto restarted =
      ToClient<common::JobResultPart>(coordinator.TakeOutbox(), "c1");
  ASSERT_FALSE(restarted.empty());
  EXPECT_EQ(restarted[0].index, 0u);
}

TEST(CoordinatorTest, FinishedJobIsKeptForALaterWait) {
  Coordinator coordinator(TestConfig());
  AddWorker(coordinator, "w1", 1, At(0));
  coordinator.OnClientMessage("c1", SubmitBytes({"/a"}), At(0));
  std::vector<Outgoing> outbox = coordinator.TakeOutbox();
  std::string job_id = ToClient<common::JobAccepted>(outbox, "c1")[0].job_id;
  coordinator.OnSendsFailed(
      {SendFailure{Outgoing{Outgoing::Socket::kClients, "c1", "x", {}},
                   common::UnavailableError("peer gone")}},
      At(0));
  coordinator.OnWorkerMessage(
      "w1", ResultBytes(TasksTo(outbox, "w1")[0].ref, {"h"}), At(1));
  coordinator.TakeOutbox();

  coordinator.OnClientMessage("c2", ClientBytes(common::WaitJob{job_id, 7}),
                              At(2));

  outbox = coordinator.TakeOutbox();
  auto accepted = ToClient<common::JobAccepted>(outbox, "c2");
  ASSERT_EQ(accepted.size(), 1u);
  EXPECT_EQ(accepted[0].request_id, 7u);
  auto results = ToClient<common::JobResult>(outbox, "c2");
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].hosts, (std::vector<std::string>{"h"}));
}

TEST(CoordinatorTest, SubmitSentTwiceWithOneKeyMakesOneJob) {
  Coordinator coordinator(TestConfig());
  common::SubmitJob submit;
  submit.paths = {"/a"};
  submit.request_key = "k1";
  submit.request_id = 1;
  coordinator.OnClientMessage("c1", ClientBytes(submit), At(0));
  submit.request_id = 2;
  coordinator.OnClientMessage("c1", ClientBytes(submit), At(1));

  auto accepted = ToClient<common::JobAccepted>(coordinator.TakeOutbox(), "c1");
  ASSERT_EQ(accepted.size(), 2u);
  EXPECT_EQ(accepted[0].job_id, accepted[1].job_id);
  EXPECT_EQ(accepted[1].request_id, 2u);
  EXPECT_EQ(coordinator.job_count(), 1u);
}

TEST(CoordinatorTest, RestartedCoordinatorAdoptsTasksAWorkerReportsRunning) {
  Coordinator coordinator(TestConfig());
  common::SubmitJob submit;
  submit.paths = {"/a", "/b"};
  coordinator.OnClientMessage("c1", ClientBytes(submit), At(0));
  std::string id =
      ToClient<common::JobAccepted>(coordinator.TakeOutbox(), "c1")[0].job_id;

  // A worker of the coordinator's previous life still runs task 0.
  coordinator.OnWorkerMessage(
      "w1", HelloBytes("w1", 2, "i1", {TaskRef{id, 0, 1}}), At(1));

  std::vector<TaskAssignment> sent = TasksTo(coordinator.TakeOutbox(), "w1");
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].ref.task_id, 1u);
  coordinator.OnWorkerMessage("w1", ResultBytes(TaskRef{id, 0, 1}, {"a"}),
                              At(2));
  coordinator.OnWorkerMessage("w1", ResultBytes(sent[0].ref, {"b"}), At(2));
  auto results = ToClient<common::JobResult>(coordinator.TakeOutbox(), "c1");
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].hosts, (std::vector<std::string>{"a", "b"}));
}

// One slow worker holds two files while a fast one reads the other six:
// once the queue is empty and 75% are done, each of the slow worker's
// files runs again on the fast one, whose answers finish the job exactly;
// the slow worker's late answer is dropped.
TEST(CoordinatorTest, CopiesStragglersToAnIdleWorkerAndTheFirstAnswerWins) {
  CoordinatorConfig config = TestConfig();
  config.max_prefetch = 0;  // one task at a time, however fast
  Coordinator coordinator(config);
  AddWorker(coordinator, "slow", 2, At(0));
  AddWorker(coordinator, "fast", 1, At(0));
  coordinator.OnClientMessage(
      "c1", SubmitBytes({"/0", "/1", "/2", "/3", "/4", "/5", "/6", "/7"}),
      At(0));
  std::vector<Outgoing> outbox = coordinator.TakeOutbox();
  std::vector<TaskAssignment> held = TasksTo(outbox, "slow");
  ASSERT_EQ(held.size(), 2u);
  std::vector<TaskAssignment> next = TasksTo(outbox, "fast");
  ASSERT_EQ(next.size(), 1u);
  milliseconds t(0);
  for (int i = 0; i < 6; ++i) {
    ASSERT_EQ(next.size(), 1u) << "answer " << i;
    t += milliseconds(3);
    coordinator.OnWorkerMessage(
        "fast", ResultBytes(next[0].ref, {next[0].path}), At(t));
    next = TasksTo(coordinator.TakeOutbox(), "fast");
  }
  EXPECT_TRUE(next.empty());
  // Within a second nothing is copied, however slow the others look.
  coordinator.OnTick(At(milliseconds(900)));
  EXPECT_TRUE(TasksTo(coordinator.TakeOutbox(), "fast").empty());

  std::set<std::string> copied;
  for (milliseconds at : {milliseconds(1200), milliseconds(1500)}) {
    coordinator.OnTick(At(at));
    std::vector<TaskAssignment> copy =
        TasksTo(coordinator.TakeOutbox(), "fast");
    ASSERT_EQ(copy.size(), 1u) << "one at a time: the fast worker has 1 slot";
    EXPECT_GT(copy[0].ref.attempt, 1u);
    copied.insert(copy[0].path);
    coordinator.OnWorkerMessage("fast",
                                ResultBytes(copy[0].ref, {copy[0].path}),
                                At(at + milliseconds(1)));
  }
  EXPECT_EQ(copied, (std::set<std::string>{held[0].path, held[1].path}));
  outbox = coordinator.TakeOutbox();
  auto results = ToClient<common::JobResult>(outbox, "c1");
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].hosts.size(), 8u);
  EXPECT_EQ(results[0].speculated, 2u);
  for (const auto& f : results[0].files) EXPECT_TRUE(f.status.ok()) << f.path;

  // The originals answer at last: stale, and the slow worker is free again.
  coordinator.OnWorkerMessage("slow", ResultBytes(held[0].ref, {"late"}),
                              At(2));
  EXPECT_TRUE(
      ToClient<common::JobResult>(coordinator.TakeOutbox(), "c1").empty());
}

TEST(CoordinatorTest, NoCopiesWithSpeculationOff) {
  CoordinatorConfig config = TestConfig();
  config.speculation = false;
  Coordinator coordinator(config);
  AddWorker(coordinator, "slow", 1, At(0));
  AddWorker(coordinator, "fast", 1, At(0));
  coordinator.OnClientMessage("c1", SubmitBytes({"/0", "/1", "/2", "/3"}),
                              At(0));
  std::vector<Outgoing> outbox = coordinator.TakeOutbox();
  std::vector<TaskAssignment> next = TasksTo(outbox, "fast");
  for (int i = 1; i <= 3 && !next.empty(); ++i) {
    coordinator.OnWorkerMessage("fast", ResultBytes(next[0].ref, {"h"}),
                                At(milliseconds(i)));
    next = TasksTo(coordinator.TakeOutbox(), "fast");
  }
  coordinator.OnTick(At(10));
  EXPECT_TRUE(TasksTo(coordinator.TakeOutbox(), "fast").empty());
}

// Every task a dispatch pass hands one worker travels in one message.
TEST(CoordinatorTest, SendsAWorkersTasksOfOnePassInOneMessage) {
  Coordinator coordinator(TestConfig());
  AddWorker(coordinator, "w1", 3, At(0));
  AddWorker(coordinator, "w2", 2, At(0));
  coordinator.OnClientMessage(
      "c1", SubmitBytes({"/a", "/b", "/c", "/d", "/e", "/f"}), At(0));
  size_t to_w1 = 0, to_w2 = 0;
  for (const Outgoing& out : coordinator.TakeOutbox()) {
    if (out.socket != Outgoing::Socket::kWorkers) continue;
    (out.peer == "w1" ? to_w1 : to_w2) += 1;
    EXPECT_EQ(out.tasks.size(), out.peer == "w1" ? 3u : 2u);
  }
  EXPECT_EQ(to_w1, 1u);
  EXPECT_EQ(to_w2, 1u);
}

}  // namespace
}  // namespace logsweep::coordinator

namespace logsweep::coordinator {
namespace {

// A cache holding, for /a under the default query, the result of a scan
// that found "cached-host" in a file of `id`.
std::unique_ptr<ResultCache> CacheWithEntry(const std::string& path,
                                            const common::FileIdentity& id) {
  std::string warning;
  auto cache = ResultCache::Open(path, 1 << 20, &warning);
  EXPECT_TRUE(cache.ok());
  common::TaskOutcome stored;
  stored.ref = TaskRef{"cache", 0, 0};
  stored.hosts.Insert("cached-host");
  stored.stats.lines = 5;
  stored.stats.bytes_read = 321;
  (*cache)->Put(common::Query{}, "/a", id, common::EncodeOutcome(stored));
  EXPECT_TRUE((*cache)->Flush().ok());
  return std::move(*cache);
}

common::FileIdentity SomeIdentity() {
  common::FileIdentity id;
  id.device = 1;
  id.inode = 2;
  id.size = 321;
  id.mtime_ns = 3;
  id.ctime_ns = 4;
  id.fingerprint = 5;
  return id;
}

std::string UnchangedBytes(const TaskRef& ref, const common::FileIdentity& id) {
  common::TaskOutcome outcome;
  outcome.ref = ref;
  outcome.identity = id;
  outcome.unchanged = true;
  return common::EncodeOutcome(outcome);
}

TEST(CoordinatorCacheTest, SendsTheCachedIdentityAndAnswersUnchangedFromCache) {
  logsweep::testing::TempDir dir;
  auto cache = CacheWithEntry(dir.path() + "/cache.db", SomeIdentity());
  Coordinator coordinator(TestConfig());
  coordinator.UseCache(cache.get());
  AddWorker(coordinator, "w1", 1, At(0));
  coordinator.OnClientMessage("c1", SubmitBytes({"/a"}), At(0));
  std::vector<TaskAssignment> tasks = TasksTo(coordinator.TakeOutbox(), "w1");
  ASSERT_EQ(tasks.size(), 1u);
  ASSERT_TRUE(tasks[0].cached.has_value());
  EXPECT_EQ(*tasks[0].cached, SomeIdentity());

  coordinator.OnWorkerMessage(
      "w1", UnchangedBytes(tasks[0].ref, SomeIdentity()), At(1));

  auto results = ToClient<common::JobResult>(coordinator.TakeOutbox(), "c1");
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].hosts, std::vector<std::string>{"cached-host"});
  EXPECT_EQ(results[0].files[0].stats.lines, 5u);
  EXPECT_EQ(results[0].files[0].stats.files_cached, 1u);
  EXPECT_EQ(results[0].files[0].stats.bytes_saved, 321u);
}

TEST(CoordinatorCacheTest, RunsTheTaskAgainWhenTheEntryChangedAfterItWasSent) {
  logsweep::testing::TempDir dir;
  auto cache = CacheWithEntry(dir.path() + "/cache.db", SomeIdentity());
  Coordinator coordinator(TestConfig());
  coordinator.UseCache(cache.get());
  AddWorker(coordinator, "w1", 1, At(0));
  coordinator.OnClientMessage("c1", SubmitBytes({"/a"}), At(0));
  std::vector<TaskAssignment> tasks = TasksTo(coordinator.TakeOutbox(), "w1");
  ASSERT_EQ(tasks.size(), 1u);
  // Another job's scan replaced the entry meanwhile.
  common::FileIdentity newer = SomeIdentity();
  newer.ctime_ns = 99;
  cache->Put(common::Query{}, "/a", newer, "whatever");
  ASSERT_TRUE(cache->Flush().ok());

  coordinator.OnWorkerMessage(
      "w1", UnchangedBytes(tasks[0].ref, SomeIdentity()), At(1));

  std::vector<Outgoing> out = coordinator.TakeOutbox();
  EXPECT_TRUE(ToClient<common::JobResult>(out, "c1").empty());
  std::vector<TaskAssignment> again = TasksTo(out, "w1");
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].ref.attempt, tasks[0].ref.attempt + 1);
  ASSERT_TRUE(again[0].cached.has_value());
  EXPECT_EQ(*again[0].cached, newer);
}

TEST(CoordinatorCacheTest, CachesAResultThatCarriesTheFilesIdentity) {
  logsweep::testing::TempDir dir;
  std::string warning;
  auto cache = ResultCache::Open(dir.path() + "/cache.db", 1 << 20, &warning);
  ASSERT_TRUE(cache.ok());
  Coordinator coordinator(TestConfig());
  coordinator.UseCache(cache->get());
  AddWorker(coordinator, "w1", 2, At(0));
  coordinator.OnClientMessage("c1", SubmitBytes({"/a", "/b"}), At(0));
  std::vector<TaskAssignment> tasks = TasksTo(coordinator.TakeOutbox(), "w1");
  ASSERT_EQ(tasks.size(), 2u);
  common::TaskOutcome with_identity;
  with_identity.ref = tasks[0].ref;
  with_identity.hosts.Insert("h");
  with_identity.identity = SomeIdentity();
  coordinator.OnWorkerMessage("w1", common::EncodeOutcome(with_identity),
                              At(1));
  // Without an identity (it changed while read): not cached.
  coordinator.OnWorkerMessage("w1", ResultBytes(tasks[1].ref, {"h"}), At(1));

  auto a = (*cache)->Find(common::Query{}, "/a");
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->identity, SomeIdentity());
  EXPECT_FALSE((*cache)->Find(common::Query{}, "/b").has_value());
}

}  // namespace
}  // namespace logsweep::coordinator
