#include "bench/swarm/job_check.h"

#include <algorithm>
#include <cctype>
#include <unordered_set>

namespace logsweep::swarm {
namespace {

constexpr size_t kMaxListed = 5;  // wrong paths named in a problem

// `reason` with every run of digits (and of hex in long ids) made '#'.
std::string Generalise(const std::string& reason) {
  std::string out;
  out.reserve(reason.size());
  bool in_number = false;
  for (char c : reason) {
    bool digit = std::isdigit(static_cast<unsigned char>(c)) != 0;
    if (digit) {
      if (!in_number) out.push_back('#');
    } else {
      out.push_back(c);
    }
    in_number = digit;
  }
  return out;
}

}  // namespace

common::SubmitJob MakeSwarmJob(const JobExpectation& expect) {
  common::SubmitJob job;
  job.paths.reserve(expect.paths);
  for (uint64_t i = 0; i < expect.paths; ++i) {
    job.paths.push_back(SwarmPath(expect.prefix, i));
  }
  return job;
}

JobCheck CheckJobResult(const common::JobResult& result,
                        const JobExpectation& expect) {
  JobCheck check;
  check.files = result.files.size();
  check.hosts = result.hosts.size();
  if (result.files.size() != expect.paths) {
    check.problems.push_back(
        "the result has " + std::to_string(result.files.size()) +
        " files, expected " + std::to_string(expect.paths) +
        (result.parts > 0
             ? " (the coordinator sent " + std::to_string(result.parts) +
                   " parts: did the client assemble them?)"
             : ""));
  }
  std::unordered_set<std::string> expected_hosts;
  uint64_t misplaced = 0;
  std::string misplaced_list;
  const size_t n = std::min<size_t>(result.files.size(), expect.paths);
  for (size_t i = 0; i < result.files.size(); ++i) {
    const common::FileReport& f = result.files[i];
    ++check.attempts[f.attempts];
    if (i < n && f.path != SwarmPath(expect.prefix, i)) {
      if (++misplaced <= kMaxListed) {
        misplaced_list += " #" + std::to_string(i) + "=" + f.path;
      }
    }
    if (!f.status.ok()) {
      ++check.failed;
      ++check.failure_reasons[std::string(
                                  common::StatusCodeName(f.status.code())) +
                              ": " + Generalise(f.status.message())];
      continue;
    }
    for (std::string& h : SyntheticHosts(f.path, expect.answer)) {
      expected_hosts.insert(std::move(h));
    }
  }
  if (misplaced > 0) {
    check.problems.push_back(
        std::to_string(misplaced) +
        " files out of submission order or renamed:" + misplaced_list);
  }
  if (check.failed != expect.failed) {
    std::string reasons;
    for (const auto& [reason, count] : check.failure_reasons) {
      reasons += "; " + std::to_string(count) + " x " + reason;
    }
    check.problems.push_back(std::to_string(check.failed) +
                             " files FAILED, expected " +
                             std::to_string(expect.failed) + reasons);
  }
  check.expected_hosts = expected_hosts.size();
  std::vector<std::string> want(expected_hosts.begin(), expected_hosts.end());
  std::sort(want.begin(), want.end());
  if (want != result.hosts) {
    std::vector<std::string> got = result.hosts;
    std::sort(got.begin(), got.end());
    std::vector<std::string> missing, extra;
    std::set_difference(want.begin(), want.end(), got.begin(), got.end(),
                        std::back_inserter(missing));
    std::set_difference(got.begin(), got.end(), want.begin(), want.end(),
                        std::back_inserter(extra));
    std::string what = "hosts differ from the fake workers' union: " +
                       std::to_string(result.hosts.size()) + " reported, " +
                       std::to_string(want.size()) + " expected, " +
                       std::to_string(missing.size()) + " missing, " +
                       std::to_string(extra.size()) + " extra";
    if (missing.empty() && extra.empty()) what += " (not sorted or not unique)";
    check.problems.push_back(what);
  }
  check.ok = check.problems.empty();
  return check;
}

}  // namespace logsweep::swarm
