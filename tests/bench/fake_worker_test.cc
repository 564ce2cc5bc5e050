#include "bench/swarm/fake_worker.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <variant>
#include <vector>

#include "common/transport/codec.h"

namespace logsweep::swarm {
namespace {

using std::chrono::milliseconds;

TimePoint At(int ms) { return TimePoint{} + milliseconds(ms); }

FakeWorkerConfig Config() {
  FakeWorkerConfig c;
  c.name = "swarm-00007";
  c.instance = "0123456789abcdef";
  c.slots = 4;
  c.heartbeat_interval = milliseconds(1000);
  c.liveness = 3;
  c.max_backoff = milliseconds(30000);
  return c;
}

std::string TaskMessage(uint64_t task_id, const std::string& path,
                        uint32_t attempt = 1) {
  return common::EncodeTask(
      common::TaskAssignment{common::TaskRef{"job1", task_id, attempt}, path,
                             common::Query{}, std::nullopt});
}

std::string Message(const common::CoordinatorToWorker& msg) {
  return common::Encode(msg);
}

std::vector<FakeWorker::Outgoing> Take(FakeWorker& w) {
  std::vector<FakeWorker::Outgoing> out;
  w.TakeOutbox(out);
  return out;
}

common::WorkerToCoordinator Decode(const FakeWorker::Outgoing& out) {
  auto decoded = common::DecodeWorkerToCoordinator(out.payload);
  EXPECT_TRUE(decoded.ok()) << decoded.status().ToString();
  return decoded.ok() ? *decoded : common::WorkerToCoordinator{};
}

TEST(FakeWorkerTest, SaysHelloWithNameSlotsHeartbeatAndInstanceOnConnect) {
  FakeWorker w(Config());
  w.OnConnected(At(0));

  auto out = Take(w);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].kind, FakeWorker::Kind::kHello);
  auto msg = Decode(out[0]);
  auto* hello = std::get_if<common::WorkerHello>(&msg);
  ASSERT_NE(hello, nullptr);
  EXPECT_EQ(hello->name, "swarm-00007");
  EXPECT_EQ(hello->slots, 4u);
  EXPECT_EQ(hello->heartbeat_interval, milliseconds(1000));
  EXPECT_EQ(hello->instance, "0123456789abcdef");
  EXPECT_TRUE(hello->running.empty());
}

TEST(FakeWorkerTest, AnswersTaskAtOnceWithTheSyntheticHostsOfItsPath) {
  FakeWorkerConfig c = Config();
  c.answer.hosts_per_task = 3;
  FakeWorker w(c);
  w.OnConnected(At(0));
  (void)Take(w);

  EXPECT_EQ(w.OnMessage(TaskMessage(5, "/swarm/00000006"), At(10)),
            FakeWorker::Event::kTask);

  auto out = Take(w);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].kind, FakeWorker::Kind::kResult);
  EXPECT_EQ(out[0].refs.at(0).task_id, 5u);
  auto msg = Decode(out[0]);
  auto* batch = std::get_if<common::OutcomeBatch>(&msg);
  ASSERT_NE(batch, nullptr);
  ASSERT_EQ(batch->outcomes.size(), 1u);
  const common::TaskOutcome* outcome = &batch->outcomes.front();
  EXPECT_TRUE(outcome->status.ok());
  EXPECT_EQ(outcome->ref.job_id, "job1");
  EXPECT_EQ(outcome->ref.attempt, 1u);
  std::vector<std::string> want = SyntheticHosts("/swarm/00000006", c.answer);
  std::sort(want.begin(), want.end());
  EXPECT_EQ(outcome->hosts.Sorted(), want);
  EXPECT_EQ(outcome->stats.bytes_scanned, c.answer.bytes_per_task);
}

TEST(FakeWorkerTest, BadNodeFailsEveryTaskWithItsCode) {
  FakeWorkerConfig c = Config();
  c.fail_with = common::NotFoundError("simulated bad node");
  FakeWorker w(c);
  w.OnConnected(At(0));
  (void)Take(w);

  (void)w.OnMessage(TaskMessage(1, "/swarm/00000002"), At(10));

  auto out = Take(w);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].kind, FakeWorker::Kind::kFailed);
  auto msg = Decode(out[0]);
  auto* batch = std::get_if<common::OutcomeBatch>(&msg);
  ASSERT_NE(batch, nullptr);
  ASSERT_EQ(batch->outcomes.size(), 1u);
  const common::TaskOutcome* outcome = &batch->outcomes.front();
  EXPECT_EQ(outcome->status.code(), common::StatusCode::kNotFound);
  EXPECT_NE(outcome->status.message().find("/swarm/00000002"),
            std::string::npos);
  EXPECT_TRUE(outcome->hosts.empty());
}

TEST(FakeWorkerTest, BadNodeFailsAtOnceDespiteAnAnswerDelay) {
  FakeWorkerConfig c = Config();
  c.answer_delay = milliseconds(300);
  c.fail_with = common::PermissionDeniedError("simulated bad node");
  FakeWorker w(c);
  w.OnConnected(At(0));
  (void)Take(w);

  (void)w.OnMessage(TaskMessage(1, "/swarm/00000002"), At(10));

  auto out = Take(w);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].kind, FakeWorker::Kind::kFailed);
  EXPECT_EQ(w.held(), 0u);
}

TEST(FakeWorkerTest, HoldsTaskUntilTheAnswerDelayHasPassed) {
  FakeWorkerConfig c = Config();
  c.answer_delay = milliseconds(300);
  FakeWorker w(c);
  w.OnConnected(At(0));
  (void)Take(w);
  (void)w.OnMessage(TaskMessage(1, "/swarm/00000002"), At(100));

  EXPECT_FALSE(w.OnTick(At(399)));
  EXPECT_TRUE(Take(w).empty());
  EXPECT_EQ(w.NextDeadline(), At(400));
  EXPECT_FALSE(w.OnTick(At(400)));
  auto out = Take(w);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].kind, FakeWorker::Kind::kResult);
  EXPECT_EQ(w.held(), 0u);
}

TEST(FakeWorkerTest, AnswersReregisterWithHelloListingTheTasksItHolds) {
  FakeWorkerConfig c = Config();
  c.answer_delay = milliseconds(5000);
  FakeWorker w(c);
  w.OnConnected(At(0));
  (void)w.OnMessage(TaskMessage(3, "/swarm/00000004", 2), At(10));
  (void)Take(w);

  EXPECT_EQ(w.OnMessage(Message(common::Reregister{}), At(20)),
            FakeWorker::Event::kReregister);

  auto out = Take(w);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].kind, FakeWorker::Kind::kHello);
  auto msg = Decode(out[0]);
  auto* hello = std::get_if<common::WorkerHello>(&msg);
  ASSERT_NE(hello, nullptr);
  ASSERT_EQ(hello->running.size(), 1u);
  EXPECT_EQ(hello->running[0].task_id, 3u);
  EXPECT_EQ(hello->running[0].attempt, 2u);
}

TEST(FakeWorkerTest, SendsHeartbeatEveryInterval) {
  FakeWorker w(Config());
  w.OnConnected(At(0));
  (void)Take(w);

  EXPECT_FALSE(w.OnTick(At(999)));
  EXPECT_TRUE(Take(w).empty());
  (void)w.OnMessage(Message(common::Heartbeat{}), At(999));
  EXPECT_FALSE(w.OnTick(At(1000)));
  auto out = Take(w);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].kind, FakeWorker::Kind::kHeartbeat);
  EXPECT_TRUE(std::holds_alternative<common::Heartbeat>(Decode(out[0])));
}

TEST(FakeWorkerTest, ReconnectsAfterLivenessIntervalsOfCoordinatorSilence) {
  FakeWorker w(Config());
  w.OnConnected(At(0));

  EXPECT_FALSE(w.OnTick(At(3000)));
  EXPECT_TRUE(w.OnTick(At(3001)));
}

TEST(FakeWorkerTest, DoublesTheWaitBeforeEachFurtherReconnect) {
  FakeWorker w(Config());
  w.OnConnected(At(0));
  ASSERT_TRUE(w.OnTick(At(3001)));
  w.OnConnected(At(3001));

  EXPECT_FALSE(w.OnTick(At(3001 + 6000)));
  EXPECT_TRUE(w.OnTick(At(3001 + 6001)));
}

TEST(FakeWorkerTest, AnyCoordinatorMessageResetsTheSilenceClock) {
  FakeWorker w(Config());
  w.OnConnected(At(0));
  EXPECT_FALSE(w.heard_from_coordinator());

  (void)w.OnMessage(Message(common::Heartbeat{}), At(2500));

  EXPECT_TRUE(w.heard_from_coordinator());
  EXPECT_FALSE(w.OnTick(At(5000)));
  EXPECT_TRUE(w.OnTick(At(5501)));
}

TEST(FakeWorkerTest, NeverReconnectsWithLivenessZero) {
  FakeWorkerConfig c = Config();
  c.liveness = 0;
  FakeWorker w(c);
  w.OnConnected(At(0));

  EXPECT_FALSE(w.OnTick(At(600000)));
}

TEST(FakeWorkerTest, MalformedMessageIsNotProofOfLife) {
  FakeWorker w(Config());
  w.OnConnected(At(0));

  EXPECT_EQ(w.OnMessage("not protobuf \xff\xff", At(2000)),
            FakeWorker::Event::kMalformed);

  EXPECT_FALSE(w.heard_from_coordinator());
  EXPECT_TRUE(w.OnTick(At(3001)));
}

TEST(FakeWorkerTest, KeepsTheReasonOfARefusal) {
  FakeWorker w(Config());
  w.OnConnected(At(0));

  EXPECT_EQ(w.OnMessage(Message(common::Refused{common::InvalidArgumentError(
                            "this is the clients endpoint")}),
                        At(10)),
            FakeWorker::Event::kRefused);

  EXPECT_NE(w.refusal().find("clients endpoint"), std::string::npos);
}

TEST(FakeWorkerTest, SaysGoodbye) {
  FakeWorker w(Config());
  w.OnConnected(At(0));
  (void)Take(w);

  w.SayGoodbye();

  auto out = Take(w);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].kind, FakeWorker::Kind::kGoodbye);
  EXPECT_TRUE(std::holds_alternative<common::Goodbye>(Decode(out[0])));
}

}  // namespace
}  // namespace logsweep::swarm
