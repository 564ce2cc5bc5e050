#include "bench/swarm/answer_ledger.h"

#include <gtest/gtest.h>

namespace logsweep::swarm {
namespace {

TEST(AnswerLedgerTest, CountsASecondAnswerToTheSameTaskAsDuplicate) {
  AnswerLedger ledger;

  EXPECT_TRUE(ledger.Record("job", 7));
  EXPECT_FALSE(ledger.Record("job", 7));

  EXPECT_EQ(ledger.distinct(), 1u);
  EXPECT_EQ(ledger.duplicates(), 1u);
}

TEST(AnswerLedgerTest, SameTaskIdOfAnotherJobIsNoDuplicate) {
  AnswerLedger ledger;

  EXPECT_TRUE(ledger.Record("job-a", 0));
  EXPECT_TRUE(ledger.Record("job-b", 0));

  EXPECT_EQ(ledger.distinct(), 2u);
  EXPECT_EQ(ledger.duplicates(), 0u);
}

TEST(AnswerLedgerTest, KeepsTasksAnsweredBeforeItGrows) {
  AnswerLedger ledger;
  ASSERT_TRUE(ledger.Record("job", 1));

  EXPECT_TRUE(ledger.Record("job", 1'000'000));
  EXPECT_FALSE(ledger.Record("job", 1));

  EXPECT_EQ(ledger.duplicates(), 1u);
}

}  // namespace
}  // namespace logsweep::swarm
