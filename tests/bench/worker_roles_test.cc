#include "bench/swarm/worker_roles.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <tuple>

namespace logsweep::swarm {
namespace {

size_t Count(const std::vector<WorkerRole>& roles, WorkerRole role) {
  return static_cast<size_t>(std::count(roles.begin(), roles.end(), role));
}

TEST(WorkerRolesTest, GivesEachRoleExactlyItsCount) {
  // {workers, bad, closers, freezers}
  const std::tuple<size_t, size_t, size_t, size_t> cases[] = {
      {1000, 0, 100, 0}, {1000, 100, 100, 100}, {7, 2, 2, 3},
      {3, 0, 0, 0},      {10, 10, 0, 0},        {10, 0, 0, 10},
  };
  for (const auto& [workers, bad, closers, freezers] : cases) {
    SCOPED_TRACE(testing::Message()
                 << workers << " workers, " << bad << " bad, " << closers
                 << " closers, " << freezers << " freezers");
    auto roles = AssignRoles(workers, bad, closers, freezers);
    ASSERT_EQ(roles.size(), workers);
    EXPECT_EQ(Count(roles, WorkerRole::kBad), bad);
    EXPECT_EQ(Count(roles, WorkerRole::kCloser), closers);
    EXPECT_EQ(Count(roles, WorkerRole::kFreezer), freezers);
    EXPECT_EQ(Count(roles, WorkerRole::kHealthy),
              workers - bad - closers - freezers);
  }
}

TEST(WorkerRolesTest, SpreadsARoleEvenlyOverTheIndexRange) {
  auto roles = AssignRoles(1000, 0, 100, 0);

  // One closer in each block of ten workers, so every shard gets its share.
  for (size_t block = 0; block < 100; ++block) {
    auto first = roles.begin() + static_cast<long>(block * 10);
    EXPECT_EQ(std::count(first, first + 10, WorkerRole::kCloser), 1)
        << "block " << block;
  }
}

TEST(WorkerRolesTest, BlockPlacementClosesTheFirstWorkersThatAreNotBad) {
  auto roles = AssignRoles(100, 10, 20, 5, ClosePlacement::kBlock);

  EXPECT_EQ(Count(roles, WorkerRole::kCloser), 20u);
  EXPECT_EQ(Count(roles, WorkerRole::kBad), 10u);
  EXPECT_EQ(Count(roles, WorkerRole::kFreezer), 5u);
  // Bad workers are spread (indices 9, 19, ...): the block is the first 20
  // others, indices 0 to 21.
  for (size_t i = 0; i < 22; ++i) {
    EXPECT_NE(roles[i], WorkerRole::kHealthy) << "worker " << i;
  }
  EXPECT_EQ(std::count(roles.begin() + 22, roles.end(), WorkerRole::kCloser),
            0);
}

TEST(WorkerRolesTest, BadWorkerCountRoundsButKeepsAtLeastOne) {
  EXPECT_EQ(BadWorkerCount(1000, 0.0), 0u);
  EXPECT_EQ(BadWorkerCount(1000, 0.1), 100u);
  EXPECT_EQ(BadWorkerCount(3, 0.01), 1u);
  EXPECT_EQ(BadWorkerCount(10, 1.0), 10u);
}

}  // namespace
}  // namespace logsweep::swarm
