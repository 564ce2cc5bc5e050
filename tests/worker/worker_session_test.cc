#include "worker/worker_session.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <variant>
#include <vector>

#include "common/transport/codec.h"
#include "common/transport/messages.h"

namespace logsweep::worker {
namespace {

using common::TaskRef;
using std::chrono::milliseconds;

TimePoint At(milliseconds t) { return TimePoint{} + t; }

// Heartbeats every second; the coordinator is presumed gone after 3 s.
WorkerSessionConfig Config() {
  WorkerSessionConfig config;
  config.name = "host:1";
  config.slots = 2;
  config.heartbeat_interval = milliseconds(1000);
  config.liveness = 3;
  config.max_backoff = milliseconds(10000);
  config.instance = "instance-7";
  return config;
}

template <class T>
std::vector<T> Sent(const WorkerSession::Actions& actions) {
  std::vector<T> found;
  for (const std::string& payload : actions.send) {
    auto decoded = common::DecodeWorkerToCoordinator(payload);
    if (!decoded.ok()) {
      ADD_FAILURE() << decoded.status().ToString();
      continue;
    }
    if (auto* msg = std::get_if<T>(&*decoded)) found.push_back(*msg);
  }
  return found;
}

std::string TaskBytes(uint64_t id) {
  return common::EncodeTask(
      common::TaskAssignment{TaskRef{"job", id, 1}, "/logs/a.gz", {}, {}});
}

// The outcomes sent, over all messages.
std::vector<common::TaskOutcome> Outcomes(
    const WorkerSession::Actions& actions) {
  std::vector<common::TaskOutcome> out;
  for (common::OutcomeBatch& b : Sent<common::OutcomeBatch>(actions)) {
    for (common::TaskOutcome& o : b.outcomes) out.push_back(std::move(o));
  }
  return out;
}

std::string Bytes(const common::CoordinatorToWorker& msg) {
  return common::Encode(msg);
}

std::string ResultPayload(const TaskRef& ref) {
  common::TaskOutcome outcome;
  outcome.ref = ref;
  return common::EncodeOutcome(outcome);
}

TEST(WorkerSessionTest, SaysHelloWithSlotsAndInstanceOnConnect) {
  WorkerSession session(Config(), At(milliseconds(0)));

  session.OnConnected(At(milliseconds(0)));

  auto hellos = Sent<common::WorkerHello>(session.TakeActions());
  ASSERT_EQ(hellos.size(), 1u);
  EXPECT_EQ(hellos[0].name, "host:1");
  EXPECT_EQ(hellos[0].slots, 2u);
  EXPECT_EQ(hellos[0].instance, "instance-7");
  EXPECT_TRUE(hellos[0].running.empty());
}

TEST(WorkerSessionTest, HandsTasksToTheScanPoolAndSendsTheirResults) {
  WorkerSession session(Config(), At(milliseconds(0)));
  session.OnConnected(At(milliseconds(0)));
  session.TakeActions();

  session.OnCoordinatorMessage(TaskBytes(4), At(milliseconds(10)));

  WorkerSession::Actions actions = session.TakeActions();
  ASSERT_EQ(actions.scan.size(), 1u);
  EXPECT_EQ(actions.scan[0].ref.task_id, 4u);
  EXPECT_EQ(session.running(), 1u);
  session.OnResult(TaskRef{"job", 4, 1}, ResultPayload(TaskRef{"job", 4, 1}),
                   At(milliseconds(20)));
  EXPECT_EQ(Outcomes(session.TakeActions()).size(), 1u);
  EXPECT_EQ(session.running(), 0u);
}

TEST(WorkerSessionTest, HelloAfterAReconnectReportsTheTasksItHolds) {
  WorkerSession session(Config(), At(milliseconds(0)));
  session.OnConnected(At(milliseconds(0)));
  session.OnCoordinatorMessage(TaskBytes(1), At(milliseconds(0)));
  session.OnCoordinatorMessage(TaskBytes(2), At(milliseconds(0)));
  session.OnResult(TaskRef{"job", 1, 1}, ResultPayload(TaskRef{"job", 1, 1}),
                   At(milliseconds(5)));
  session.TakeActions();

  session.OnConnected(At(milliseconds(10)));

  auto hellos = Sent<common::WorkerHello>(session.TakeActions());
  ASSERT_EQ(hellos.size(), 1u);
  ASSERT_EQ(hellos[0].running.size(), 1u);
  EXPECT_EQ(hellos[0].running[0].task_id, 2u);
}

TEST(WorkerSessionTest, SendsAHeartbeatEveryInterval) {
  WorkerSession session(Config(), At(milliseconds(0)));
  session.OnConnected(At(milliseconds(0)));
  session.TakeActions();

  session.OnTick(At(milliseconds(500)));
  EXPECT_TRUE(Sent<common::Heartbeat>(session.TakeActions()).empty());
  session.OnTick(At(milliseconds(1000)));
  EXPECT_EQ(Sent<common::Heartbeat>(session.TakeActions()).size(), 1u);
  session.OnTick(At(milliseconds(1500)));
  EXPECT_TRUE(Sent<common::Heartbeat>(session.TakeActions()).empty());
  EXPECT_EQ(session.NextDeadline(), At(milliseconds(2000)));
}

// Any message proves the worker alive: while its outcomes go out, no
// heartbeat does; one goes an interval after the last of them.
TEST(WorkerSessionTest, SendsNoHeartbeatWhileItsOutcomesGoOut) {
  WorkerSession session(Config(), At(milliseconds(0)));
  session.OnConnected(At(milliseconds(0)));
  session.TakeActions();

  for (uint64_t i = 1; i <= 4; ++i) {
    const TimePoint now = At(milliseconds(600 * i));
    session.OnCoordinatorMessage(Bytes(common::Heartbeat{}), now);
    session.OnResult(TaskRef{"job", i, 1}, ResultPayload(TaskRef{"job", i, 1}),
                     now);
    session.OnTick(now);
    EXPECT_TRUE(Sent<common::Heartbeat>(session.TakeActions()).empty()) << i;
  }
  EXPECT_EQ(session.NextDeadline(), At(milliseconds(3400)));
  session.OnTick(At(milliseconds(3399)));
  EXPECT_TRUE(Sent<common::Heartbeat>(session.TakeActions()).empty());
  session.OnTick(At(milliseconds(3400)));
  EXPECT_EQ(Sent<common::Heartbeat>(session.TakeActions()).size(), 1u);
}

TEST(WorkerSessionTest,
     ReconnectsWithDoublingBackoffWhileTheCoordinatorIsSilent) {
  WorkerSession session(Config(), At(milliseconds(0)));
  session.OnConnected(At(milliseconds(0)));
  session.TakeActions();
  std::vector<long> reconnects;  // ms at which each reconnect happened
  for (long t = 0; t <= 60000; t += 100) {
    session.OnTick(At(milliseconds(t)));
    if (session.TakeActions().reconnect) {
      reconnects.push_back(t);
      session.OnConnected(At(milliseconds(t)));
      session.TakeActions();
    }
  }
  // 3 s of silence, then 6, then 10 (the cap), 10, ...
  ASSERT_GE(reconnects.size(), 4u);
  EXPECT_EQ(reconnects[0], 3100);
  EXPECT_EQ(reconnects[1] - reconnects[0], 6100);
  EXPECT_EQ(reconnects[2] - reconnects[1], 10100);
  EXPECT_EQ(reconnects[3] - reconnects[2], 10100);
}

TEST(WorkerSessionTest, AnyMessageResetsTheBackoff) {
  WorkerSession session(Config(), At(milliseconds(0)));
  session.OnConnected(At(milliseconds(0)));
  session.OnTick(At(milliseconds(3100)));
  ASSERT_TRUE(session.TakeActions().reconnect);
  session.OnConnected(At(milliseconds(3100)));
  EXPECT_EQ(session.backoff(), milliseconds(6000));

  session.OnCoordinatorMessage(Bytes(common::Heartbeat{}),
                               At(milliseconds(4000)));

  EXPECT_EQ(session.backoff(), milliseconds(3000));
  session.OnTick(At(milliseconds(6900)));
  EXPECT_FALSE(session.TakeActions().reconnect);
  session.OnTick(At(milliseconds(7100)));
  EXPECT_TRUE(session.TakeActions().reconnect);
}

TEST(WorkerSessionTest, QueuedReregistersGetOneHello) {
  WorkerSession session(Config(), At(milliseconds(0)));
  session.OnConnected(At(milliseconds(0)));
  session.TakeActions();

  for (int i = 0; i < 4; ++i) {
    session.OnCoordinatorMessage(Bytes(common::Reregister{}),
                                 At(milliseconds(1200 + i)));
  }

  EXPECT_EQ(Sent<common::WorkerHello>(session.TakeActions()).size(), 1u);
  session.OnCoordinatorMessage(Bytes(common::Reregister{}),
                               At(milliseconds(2300)));
  EXPECT_EQ(Sent<common::WorkerHello>(session.TakeActions()).size(), 1u);
}

TEST(WorkerSessionTest, RefusalIsKeptAndIsNoSignOfLife) {
  WorkerSession session(Config(), At(milliseconds(0)));
  session.OnConnected(At(milliseconds(0)));
  session.TakeActions();

  session.OnCoordinatorMessage(
      Bytes(common::Refused{common::InvalidArgumentError(
                                "a worker connected to the clients endpoint"),
                            2}),
      At(milliseconds(100)));

  EXPECT_NE(session.refused().message().find("clients endpoint"),
            std::string::npos);
  session.OnTick(At(milliseconds(3100)));
  EXPECT_TRUE(session.TakeActions().reconnect);
}

TEST(WorkerSessionTest, SaysGoodbyeWhenStopping) {
  WorkerSession session(Config(), At(milliseconds(0)));
  session.OnConnected(At(milliseconds(0)));
  session.TakeActions();

  session.OnStop();

  EXPECT_EQ(Sent<common::Goodbye>(session.TakeActions()).size(), 1u);
}

}  // namespace
}  // namespace logsweep::worker
