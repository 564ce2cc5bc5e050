#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "bench/swarm/synthetic_answer.h"
#include "common/transport/messages.h"

namespace logsweep::swarm {

// A swarm job of `paths` synthetic paths (SwarmPath(prefix, 0 ..)), the
// answer shape its fake workers were given, and how many files may fail.
struct JobExpectation {
  uint64_t paths = 0;
  std::string prefix = "/swarm/";
  AnswerShape answer;
  uint64_t failed = 0;  // files expected to end with an error
};

// The job as submitted: one task per synthetic path, default query.
common::SubmitJob MakeSwarmJob(const JobExpectation& expect);

// What CheckJobResult found. Value type.
struct JobCheck {
  bool ok = false;
  // Each broken promise, with counts ("37 files FAILED, expected 0").
  std::vector<std::string> problems;
  uint64_t files = 0;
  uint64_t failed = 0;
  uint64_t hosts = 0;
  uint64_t expected_hosts = 0;
  // How many files took k attempts, per k.
  std::map<uint32_t, uint64_t> attempts;
  // Failed files per reason, with numbers in the reason replaced by '#'
  // (so "worker swarm-00012 lost ..." groups with its peers).
  std::map<std::string, uint64_t> failure_reasons;
};

// Checks a JobResult against what the fake workers answer: one report per
// path, in submission order, with the right path; the expected number of
// failures; and hosts equal to the union of the synthetic hosts of the
// files that succeeded.
JobCheck CheckJobResult(const common::JobResult& result,
                        const JobExpectation& expect);

}  // namespace logsweep::swarm
