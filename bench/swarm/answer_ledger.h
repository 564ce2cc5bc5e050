#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace logsweep::swarm {

// Which tasks the swarm has answered, to count a task answered twice
// (by two fake workers, or twice by one) across the whole swarm. One bit
// per task id per job (task ids are a job's path indices), so a 10M-task
// job costs 1.25 MB. Thread-safe: every shard thread records into it.
class AnswerLedger {
 public:
  AnswerLedger() = default;
  AnswerLedger(const AnswerLedger&) = delete;
  AnswerLedger& operator=(const AnswerLedger&) = delete;

  // Notes an answer (result or failure) for one task. Returns false when
  // this task of this job had been answered before: a duplicate.
  bool Record(const std::string& job_id, uint64_t task_id);

  uint64_t distinct() const;    // tasks answered at least once
  uint64_t duplicates() const;  // answers beyond the first per task

 private:
  mutable std::mutex mu_;
  // Guarded by mu_:
  std::unordered_map<std::string, std::vector<bool>> answered_;
  uint64_t distinct_ = 0;
  uint64_t duplicates_ = 0;
};

}  // namespace logsweep::swarm
