#include "bench/swarm/answer_ledger.h"

#include <algorithm>

namespace logsweep::swarm {

bool AnswerLedger::Record(const std::string& job_id, uint64_t task_id) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<bool>& bits = answered_[job_id];
  if (task_id >= bits.size()) {
    // Grow geometrically: ids of one job arrive roughly in order.
    bits.resize(std::max<uint64_t>(task_id + 1, bits.size() * 2));
  }
  if (bits[task_id]) {
    ++duplicates_;
    return false;
  }
  bits[task_id] = true;
  ++distinct_;
  return true;
}

uint64_t AnswerLedger::distinct() const {
  std::lock_guard<std::mutex> lock(mu_);
  return distinct_;
}

uint64_t AnswerLedger::duplicates() const {
  std::lock_guard<std::mutex> lock(mu_);
  return duplicates_;
}

}  // namespace logsweep::swarm
