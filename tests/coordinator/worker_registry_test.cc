#include "coordinator/worker_registry.h"

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "common/transport/messages.h"

namespace logsweep::coordinator {
namespace {

using common::TaskRef;
using std::chrono::milliseconds;

constexpr milliseconds kExpiry{3000};

TimePoint At(int seconds) {
  return TimePoint{} + std::chrono::seconds(seconds);
}

common::WorkerHello Hello(const std::string& name, uint32_t slots) {
  return common::WorkerHello{name, slots, {}, {}, {}};
}

TaskRef Ref(uint64_t task_id, uint32_t attempt = 1) {
  return TaskRef{"job", task_id, attempt};
}

std::vector<uint64_t> TaskIds(const std::vector<TaskRef>& refs) {
  std::vector<uint64_t> ids;
  for (const TaskRef& r : refs) ids.push_back(r.task_id);
  return ids;
}

std::vector<uint64_t> TaskIds(const std::vector<WorkerRegistry::Lost>& lost) {
  std::vector<uint64_t> ids;
  for (const auto& l : lost) ids.push_back(l.ref.task_id);
  return ids;
}

// How many tasks `peer` takes before the registry stops offering it.
int CreditOf(WorkerRegistry& registry, const std::string& peer) {
  int given = 0;
  while (registry.PickWorkerWithCredit() == peer && given < 1000) {
    registry.Assign(peer, Ref(static_cast<uint64_t>(given)));
    ++given;
  }
  return given;
}

TEST(WorkerRegistryTest, CreditIsSlotsPlusPrefetch) {
  WorkerRegistry registry(kExpiry, /*prefetch=*/1);
  (void)registry.Register("w", Hello("w", 2), At(0));

  EXPECT_EQ(CreditOf(registry, "w"), 3);
  EXPECT_EQ(registry.PickWorkerWithCredit(), "");
}

TEST(WorkerRegistryTest, FixedPrefetchIsNotCappedAtSlots) {
  WorkerRegistry registry(kExpiry, /*prefetch=*/5);
  (void)registry.Register("w", Hello("w", 2), At(0));

  EXPECT_EQ(CreditOf(registry, "w"), 7);
}

// Feeds `n` answers from a busy worker, `gap` apart.
void AnswerEvery(WorkerRegistry& registry, const std::string& peer,
                 milliseconds gap, int n) {
  TimePoint t = At(1);
  for (int i = 0; i < n; ++i) {
    while (registry.PickWorkerWithCredit() == peer) {
      registry.Assign(peer, Ref(static_cast<uint64_t>(1000 + i)));
    }
    t += gap;
    registry.Release(peer, Ref(static_cast<uint64_t>(1000 + i)), t);
  }
}

// Fills the worker to its credit and returns how many tasks it then holds.
size_t HeldWhenFull(WorkerRegistry& registry, const std::string& peer) {
  int given = 0;
  while (registry.PickWorkerWithCredit() == peer && given < 1000) {
    registry.Assign(peer, Ref(static_cast<uint64_t>(5000 + given)));
    ++given;
  }
  auto removed = registry.Remove(peer);
  return removed ? removed->in_flight.size() : 0;
}

TEST(WorkerRegistryTest, UnmeasuredWorkerGetsTheMinimumPrefetch) {
  WorkerRegistry registry(kExpiry, /*prefetch=*/1);
  registry.SetAdaptivePrefetch(16, milliseconds(50));
  (void)registry.Register("w", Hello("w", 1), At(0));
  EXPECT_EQ(HeldWhenFull(registry, "w"), 2u);
}

TEST(WorkerRegistryTest, AdaptivePrefetchReachesMaxForTinyTasks) {
  WorkerRegistry registry(kExpiry, /*prefetch=*/1);
  registry.SetAdaptivePrefetch(16, milliseconds(50));
  (void)registry.Register("w", Hello("w", 1), At(0));
  AnswerEvery(registry, "w", milliseconds(1), 30);  // 1 ms tasks
  // 50 ms of 1 ms tasks would be 50: capped at 16, plus the slot.
  EXPECT_EQ(HeldWhenFull(registry, "w"), 17u);
}

TEST(WorkerRegistryTest, AdaptivePrefetchFitsTheTarget) {
  WorkerRegistry registry(kExpiry, /*prefetch=*/1);
  registry.SetAdaptivePrefetch(16, milliseconds(50));
  (void)registry.Register("w", Hello("w", 1), At(0));
  AnswerEvery(registry, "w", milliseconds(10), 40);  // 10 ms tasks
  EXPECT_EQ(HeldWhenFull(registry, "w"), 6u);        // 1 slot + 50/10
}

TEST(WorkerRegistryTest, AdaptivePrefetchStaysAtMinimumForLongTasks) {
  WorkerRegistry registry(kExpiry, /*prefetch=*/1);
  registry.SetAdaptivePrefetch(16, milliseconds(50));
  (void)registry.Register("w", Hello("w", 1), At(0));
  AnswerEvery(registry, "w", milliseconds(2000), 5);  // 2 s tasks
  EXPECT_EQ(HeldWhenFull(registry, "w"), 2u);         // 1 slot + 1 prefetch
}

TEST(WorkerRegistryTest, CreditIsSlotsWithoutPrefetch) {
  WorkerRegistry registry(kExpiry, /*prefetch=*/0);
  (void)registry.Register("w", Hello("w", 3), At(0));

  EXPECT_EQ(CreditOf(registry, "w"), 3);
}

TEST(WorkerRegistryTest, NoWorkerHasCreditWhenNoneIsRegistered) {
  WorkerRegistry registry(kExpiry, 1);
  EXPECT_EQ(registry.PickWorkerWithCredit(), "");
}

TEST(WorkerRegistryTest, PicksTheLeastLoadedWorker) {
  WorkerRegistry registry(kExpiry, 0);
  (void)registry.Register("a", Hello("a", 2), At(0));
  (void)registry.Register("b", Hello("b", 2), At(0));
  registry.Assign("a", Ref(0));

  EXPECT_EQ(registry.PickWorkerWithCredit(), "b");
}

TEST(WorkerRegistryTest, LoadIsMeasuredRelativeToSlots) {
  WorkerRegistry registry(kExpiry, 0);
  // "a" runs fewer tasks but is half busy; "b" runs more and is a quarter
  // busy.
  (void)registry.Register("a", Hello("a", 2), At(0));
  (void)registry.Register("b", Hello("b", 8), At(0));
  registry.Assign("a", Ref(0));
  registry.Assign("b", Ref(1));
  registry.Assign("b", Ref(2));

  EXPECT_EQ(registry.PickWorkerWithCredit(), "b");
}

TEST(WorkerRegistryTest, ExpireRemovesSilentWorkerWithItsTasks) {
  WorkerRegistry registry(kExpiry, 1);
  (void)registry.Register("w", Hello("worker-1", 2), At(0));
  registry.Assign("w", Ref(4));
  registry.Assign("w", Ref(7, 2));

  std::vector<WorkerRegistry::Dead> dead = registry.Expire(At(4));

  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].peer, "w");
  EXPECT_EQ(dead[0].name, "worker-1");
  EXPECT_EQ(TaskIds(dead[0].in_flight), (std::vector<uint64_t>{4, 7}));
  EXPECT_EQ(dead[0].in_flight[1].ref.attempt, 2u);
  EXPECT_EQ(dead[0].in_flight[1].ref.job_id, "job");
  EXPECT_EQ(registry.size(), 0u);
  EXPECT_EQ(registry.PickWorkerWithCredit(), "");
}

TEST(WorkerRegistryTest, ExpireKeepsWorkerBeforeItsExpiry) {
  WorkerRegistry registry(kExpiry, 1);
  (void)registry.Register("w", Hello("w", 1), At(0));

  EXPECT_TRUE(registry.Expire(At(2)).empty());
  EXPECT_EQ(registry.size(), 1u);
}

TEST(WorkerRegistryTest, ExpireRemovesOnlyTheSilentWorker) {
  WorkerRegistry registry(kExpiry, 1);
  (void)registry.Register("old", Hello("old", 1), At(0));
  (void)registry.Register("new", Hello("new", 1), At(2));

  std::vector<WorkerRegistry::Dead> dead = registry.Expire(At(4));

  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].peer, "old");
  EXPECT_EQ(registry.Peers(), (std::vector<std::string>{"new"}));
}

TEST(WorkerRegistryTest, TouchExtendsExpiry) {
  WorkerRegistry registry(kExpiry, 1);
  (void)registry.Register("w", Hello("w", 1), At(0));

  EXPECT_TRUE(registry.Touch("w", At(2)));

  EXPECT_TRUE(registry.Expire(At(4)).empty());
  EXPECT_EQ(registry.Expire(At(6)).size(), 1u);
}

TEST(WorkerRegistryTest, WorkerWithSlowerHeartbeatsGetsLongerExpiry) {
  WorkerRegistry registry(kExpiry, 0, 3);
  common::WorkerHello slow{"slow", 1, milliseconds(2000), {}, {}};
  registry.Register("slow", slow, At(0));
  registry.Register("fast", Hello("fast", 1), At(0));
  // 3 x 2 s for the slow one; the coordinator's 3 s for the other.
  std::vector<WorkerRegistry::Dead> dead = registry.Expire(At(5));
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].peer, "fast");
  EXPECT_TRUE(registry.Touch("slow", At(5)));
  EXPECT_TRUE(registry.Expire(At(10)).empty());
  EXPECT_EQ(registry.Expire(At(11)).size(), 1u);
}

TEST(WorkerRegistryTest, TouchOfUnknownPeerReturnsFalse) {
  WorkerRegistry registry(kExpiry, 1);
  (void)registry.Register("w", Hello("w", 1), At(0));

  EXPECT_FALSE(registry.Touch("stranger", At(1)));
  EXPECT_EQ(registry.size(), 1u);
}

// The earliest time a worker becomes late (silent over two heartbeat
// intervals), then the earliest expiry of a late one.
TEST(WorkerRegistryTest, NextExpiryIsTheEarliestLatenessThenExpiry) {
  WorkerRegistry registry(kExpiry, 1);
  (void)registry.Register("a", Hello("a", 1), At(5));
  (void)registry.Register("b", Hello("b", 1), At(2));
  const TimePoint b_late = At(4) + TimePoint::duration(1);
  ASSERT_EQ(registry.NextExpiry(), b_late);

  EXPECT_TRUE(registry.Expire(b_late).empty());

  EXPECT_EQ(registry.NextExpiry(), At(2) + kExpiry);
}

// A worker silent for over two heartbeat intervals gets no new task (it
// is likely to be judged dead, taking the task with it) until it is heard
// from; it keeps the tasks it holds.
TEST(WorkerRegistryTest, ALateWorkerGetsNoTaskUntilHeardFrom) {
  WorkerRegistry registry(kExpiry, 1);  // heartbeat interval 1 s
  (void)registry.Register("a", Hello("a", 4), At(0));
  (void)registry.Register("b", Hello("b", 1), At(0));
  registry.Assign("b", Ref(1), At(0));
  ASSERT_TRUE(registry.Touch("b", At(1)));
  ASSERT_TRUE(registry.Expire(At(2)).empty());  // a silent 2 s: not over
  ASSERT_EQ(registry.PickWorkerWithCredit(), "a");

  ASSERT_TRUE(registry.Expire(At(2) + milliseconds(1)).empty());
  EXPECT_EQ(registry.PickWorkerWithCredit(), "b");  // a is late
  EXPECT_EQ(registry.PickIdleWorker(""), "");       // b has no free slot

  ASSERT_TRUE(registry.Touch("a", At(2) + milliseconds(500)));
  EXPECT_EQ(registry.PickWorkerWithCredit(), "a");
  EXPECT_EQ(registry.PickIdleWorker(""), "a");
  ASSERT_TRUE(registry.Expire(At(3) + milliseconds(1)).empty());  // b late
  registry.Assign("a", Ref(2), At(3));
  registry.Assign("a", Ref(3), At(3));
  // a holds 2 of 4 slots, b 1 of 1: b would come first were it not late.
  EXPECT_EQ(registry.PickWorkerWithCredit(), "a");

  // b, still silent, dies with its task; a, heard from, does not.
  std::vector<WorkerRegistry::Dead> dead = registry.Expire(At(4));
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].peer, "b");
  EXPECT_EQ(TaskIds(dead[0].in_flight), (std::vector<uint64_t>{1}));
  // a is late again two seconds after it was last heard from.
  ASSERT_TRUE(registry.Expire(At(4) + milliseconds(501)).empty());
  EXPECT_EQ(registry.PickWorkerWithCredit(), "");
  (void)registry.Register("a", Hello("a", 4), At(5));  // a hello is word too
  EXPECT_EQ(registry.PickWorkerWithCredit(), "a");
  EXPECT_EQ(registry.Remove("a")->in_flight.size(), 2u);  // kept its tasks
}

TEST(WorkerRegistryTest, NextExpiryIsMaxWithoutWorkers) {
  WorkerRegistry registry(kExpiry, 1);
  EXPECT_EQ(registry.NextExpiry(), TimePoint::max());
}

TEST(WorkerRegistryTest, ReleaseFreesCredit) {
  WorkerRegistry registry(kExpiry, 0);
  (void)registry.Register("w", Hello("w", 1), At(0));
  registry.Assign("w", Ref(0));
  ASSERT_EQ(registry.PickWorkerWithCredit(), "");

  registry.Release("w", Ref(0));

  EXPECT_EQ(registry.PickWorkerWithCredit(), "w");
  EXPECT_TRUE(registry.Remove("w")->in_flight.empty());
}

TEST(WorkerRegistryTest, ReleaseOfAnotherAttemptKeepsTheTask) {
  WorkerRegistry registry(kExpiry, 0);
  (void)registry.Register("w", Hello("w", 1), At(0));
  registry.Assign("w", Ref(0, /*attempt=*/2));

  registry.Release("w", Ref(0, /*attempt=*/1));

  EXPECT_EQ(registry.PickWorkerWithCredit(), "");
  EXPECT_EQ(registry.Remove("w")->in_flight.size(), 1u);
}

TEST(WorkerRegistryTest, RegisterAgainOnTheSameConnectionKeepsItsTasks) {
  WorkerRegistry registry(kExpiry, 0);
  (void)registry.Register("w", Hello("w", 2), At(0));
  registry.Assign("w", Ref(3));
  registry.Assign("w", Ref(5));

  // It reports only task 3: task 5 is still on its way to it.
  common::WorkerHello again = Hello("w", 2);
  again.running = {Ref(3)};
  WorkerRegistry::Registration reg = registry.Register("w", again, At(1));

  EXPECT_FALSE(reg.is_new);
  EXPECT_TRUE(reg.undelivered.empty());
  EXPECT_TRUE(reg.adopted.empty());
  EXPECT_TRUE(registry.Holds("w", Ref(3)));
  EXPECT_TRUE(registry.Holds("w", Ref(5)));
  EXPECT_EQ(registry.PickWorkerWithCredit(), "");
}

TEST(WorkerRegistryTest, SameInstanceOnANewConnectionKeepsWhatItReports) {
  WorkerRegistry registry(kExpiry, 0);
  common::WorkerHello hello = Hello("w", 2);
  hello.instance = "instance-1";
  (void)registry.Register("old", hello, At(0));
  registry.Assign("old", Ref(3));
  registry.Assign("old", Ref(5));

  hello.running = {Ref(3)};
  WorkerRegistry::Registration reg = registry.Register("new", hello, At(1));

  EXPECT_FALSE(reg.is_new);
  EXPECT_EQ(TaskIds(reg.undelivered), (std::vector<uint64_t>{5}));
  EXPECT_EQ(registry.size(), 1u);
  EXPECT_TRUE(registry.Holds("new", Ref(3)));
  EXPECT_FALSE(registry.Holds("old", Ref(3)));
  EXPECT_EQ(registry.KeyOf("new"), "instance-1");
}

TEST(WorkerRegistryTest, TasksReportedButUnknownAreAdopted) {
  WorkerRegistry registry(kExpiry, 0);
  common::WorkerHello hello = Hello("w", 2);
  hello.running = {Ref(7, 2)};

  WorkerRegistry::Registration reg = registry.Register("w", hello, At(0));

  EXPECT_TRUE(reg.is_new);
  ASSERT_EQ(reg.adopted.size(), 1u);
  EXPECT_EQ(reg.adopted[0].attempt, 2u);
  EXPECT_TRUE(registry.Holds("w", Ref(7, 2)));
  EXPECT_EQ(CreditOf(registry, "w"), 1);
}

TEST(WorkerRegistryTest, RegisterOfNewPeerLosesNothing) {
  WorkerRegistry registry(kExpiry, 0);
  WorkerRegistry::Registration reg =
      registry.Register("w", Hello("w", 2), At(0));
  EXPECT_TRUE(reg.is_new);
  EXPECT_TRUE(reg.undelivered.empty());
  EXPECT_EQ(registry.size(), 1u);
}

TEST(WorkerRegistryTest, QuarantinedWorkerGetsNoTasksWhileOthersAreThere) {
  WorkerRegistry registry(kExpiry, 0);
  registry.SetQuarantine(2, milliseconds(60000));
  (void)registry.Register("bad", Hello("bad", 4), At(0));
  (void)registry.Register("good", Hello("good", 1), At(0));
  const std::string key = registry.KeyOf("bad");

  EXPECT_FALSE(registry.Strike(key, "first", At(1)));
  EXPECT_TRUE(registry.Strike(key, "second", At(2)));

  std::vector<common::WorkerStatus> statuses = registry.Statuses(At(3));
  ASSERT_EQ(statuses.size(), 2u);
  EXPECT_TRUE(statuses[0].quarantined);  // sorted by name: "bad" first
  EXPECT_EQ(statuses[0].quarantine_reason, "second");
  EXPECT_EQ(registry.PickWorkerWithCredit(), "good");
  registry.Assign("good", Ref(1));
  EXPECT_EQ(registry.PickWorkerWithCredit(), "");
  // Alone, a quarantined worker still works, so files fail rather than wait.
  (void)registry.Remove("good");
  EXPECT_EQ(registry.PickWorkerWithCredit(), "bad");
  EXPECT_TRUE(registry.LiftQuarantines(At(30)).empty());
  EXPECT_EQ(registry.LiftQuarantines(At(62)),
            (std::vector<std::string>{"bad"}));
}

TEST(WorkerRegistryTest, StatusesSayHowLongAgoEachWorkerWasLastHeardFrom) {
  WorkerRegistry registry(kExpiry, 0);
  (void)registry.Register("a", Hello("a", 1), At(0));
  (void)registry.Register("b", Hello("b", 1), At(0));
  EXPECT_TRUE(registry.Touch("b", At(2)));

  std::vector<common::WorkerStatus> statuses = registry.Statuses(At(3));
  ASSERT_EQ(statuses.size(), 2u);
  EXPECT_EQ(statuses[0].name, "a");
  EXPECT_EQ(statuses[0].last_seen_ms, 3000u);
  EXPECT_EQ(statuses[1].last_seen_ms, 1000u);
}

TEST(WorkerRegistryTest, PickSkipsTheExcludedWorker) {
  WorkerRegistry registry(kExpiry, 0);
  (void)registry.Register("a", Hello("a", 1), At(0));
  (void)registry.Register("b", Hello("b", 1), At(0));

  EXPECT_EQ(registry.PickWorkerWithCredit(registry.KeyOf("a")), "b");
  EXPECT_TRUE(registry.HasWorkerOutside({registry.KeyOf("a")}, false));
  (void)registry.Remove("b");
  EXPECT_EQ(registry.PickWorkerWithCredit(registry.KeyOf("a")), "");
  EXPECT_FALSE(registry.HasWorkerOutside({registry.KeyOf("a")}, false));
}

TEST(WorkerRegistryTest, AWorkerIsTrustedOnceItReadAFileUntilAStrike) {
  WorkerRegistry registry(kExpiry, 0);
  (void)registry.Register("w", Hello("w", 1), At(0));
  (void)registry.Register("other", Hello("other", 1), At(0));
  EXPECT_FALSE(registry.Trusted("w"));
  EXPECT_FALSE(registry.HasWorkerOutside({registry.KeyOf("other")}, true));

  registry.NoteSuccess("w");

  EXPECT_TRUE(registry.Trusted("w"));
  EXPECT_TRUE(registry.HasWorkerOutside({registry.KeyOf("other")}, true));
  EXPECT_FALSE(registry.HasWorkerOutside({registry.KeyOf("w")}, true));
  (void)registry.Strike(registry.KeyOf("w"), "contradicted", At(1));
  EXPECT_FALSE(registry.Trusted("w"));
}

TEST(WorkerRegistryTest, ReRegisterTakesTheNewSlotCount) {
  WorkerRegistry registry(kExpiry, 0);
  (void)registry.Register("w", Hello("w", 1), At(0));
  (void)registry.Register("w", Hello("w", 4), At(1));

  EXPECT_EQ(CreditOf(registry, "w"), 4);
}

TEST(WorkerRegistryTest, RemoveReturnsWorkerWithItsTasks) {
  WorkerRegistry registry(kExpiry, 1);
  (void)registry.Register("w", Hello("worker-1", 2), At(0));
  registry.Assign("w", Ref(9));

  std::optional<WorkerRegistry::Dead> dead = registry.Remove("w");

  ASSERT_TRUE(dead.has_value());
  EXPECT_EQ(dead->peer, "w");
  EXPECT_EQ(dead->name, "worker-1");
  EXPECT_EQ(TaskIds(dead->in_flight), (std::vector<uint64_t>{9}));
  EXPECT_EQ(registry.size(), 0u);
}

TEST(WorkerRegistryTest, RemoveOfUnknownPeerReturnsNothing) {
  WorkerRegistry registry(kExpiry, 1);
  (void)registry.Register("w", Hello("w", 1), At(0));

  EXPECT_FALSE(registry.Remove("stranger").has_value());
  EXPECT_EQ(registry.size(), 1u);
}

TEST(WorkerRegistryTest, NameOfReturnsTheRegisteredName) {
  WorkerRegistry registry(kExpiry, 1);
  (void)registry.Register("\x01\x02", Hello("host-a:1234", 1), At(0));

  EXPECT_EQ(registry.NameOf("\x01\x02"), "host-a:1234");
}

}  // namespace
}  // namespace logsweep::coordinator
