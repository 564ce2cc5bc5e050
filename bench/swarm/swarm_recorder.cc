#include "bench/swarm/swarm_recorder.h"

#include <sys/resource.h>

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "common/base/status.h"

namespace logsweep::swarm {
namespace {

struct Usage {
  double user_s = 0;
  double system_s = 0;
  long max_rss_kb = 0;
};

Usage OwnUsage() {
  rusage ru{};
  Usage u;
  if (getrusage(RUSAGE_SELF, &ru) != 0) return u;
  u.user_s = static_cast<double>(ru.ru_utime.tv_sec) +
             static_cast<double>(ru.ru_utime.tv_usec) / 1e6;
  u.system_s = static_cast<double>(ru.ru_stime.tv_sec) +
               static_cast<double>(ru.ru_stime.tv_usec) / 1e6;
  u.max_rss_kb = ru.ru_maxrss;
  return u;
}

}  // namespace

bool SwarmRecorder::Sample(const SwarmSnapshot& snap, TimePoint now) {
  const double t = Seconds(now);
  const uint64_t answered = snap[Counter::kAnswered];
  if (answered > last_answered_) {
    if (!first_answer_) first_answer_ = t;
    last_answer_ = t;
    auto second = static_cast<size_t>(t);
    if (per_second_.size() <= second) per_second_.resize(second + 1, 0);
    per_second_[second] += answered - last_answered_;
    last_answered_ = answered;
  }
  if (!ready_ && snap[Counter::kRegistered] >= snap.expected_live &&
      snap.expected_live > 0) {
    ready_ = t;
    return true;
  }
  return false;
}

std::string SwarmRecorder::ProgressLine(const SwarmSnapshot& snap,
                                        TimePoint now) {
  const uint64_t answered = snap[Counter::kAnswered];
  double dt = line_time_ == TimePoint{}
                  ? Seconds(now)
                  : std::chrono::duration<double>(now - line_time_).count();
  double rate =
      dt > 0 ? static_cast<double>(answered - line_answered_) / dt : 0.0;
  line_answered_ = answered;
  line_time_ = now;
  char buf[320];
  std::snprintf(
      buf, sizeof buf,
      "%.1f s: %llu/%zu registered, %llu answered (%.0f/s), %llu duplicates, "
      "%llu reregisters, %llu reconnects, %llu send errors",
      Seconds(now), static_cast<unsigned long long>(snap[Counter::kRegistered]),
      snap.expected_live, static_cast<unsigned long long>(answered), rate,
      static_cast<unsigned long long>(snap.duplicates),
      static_cast<unsigned long long>(snap[Counter::kReregisters]),
      static_cast<unsigned long long>(snap[Counter::kReconnects]),
      static_cast<unsigned long long>(snap[Counter::kSendErrors]));
  return buf;
}

std::string SwarmRecorder::Json(const SwarmConfig& config,
                                const SwarmSnapshot& snap,
                                TimePoint now) const {
  using nlohmann::json;
  json counters = json::object();
  for (size_t c = 0; c < kCounterCount; ++c) {
    counters[CounterName(static_cast<Counter>(c))] = snap.counters[c];
  }
  counters["duplicates"] = snap.duplicates;
  counters["distinct_tasks"] = snap.distinct_tasks;
  json doc{
      {"config",
       {{"endpoint", config.endpoint},
        {"workers", config.workers},
        {"threads", config.threads},
        {"slots", config.slots},
        {"heartbeat_ms", config.heartbeat_interval.count()},
        {"liveness", config.liveness},
        {"answer_delay_ms", config.answer_delay.count()},
        {"hosts_per_task", config.answer.hosts_per_task},
        {"host_space", config.answer.host_space},
        {"bytes_per_task", config.answer.bytes_per_task},
        {"close", config.close_count},
        {"close_after_tasks", config.close_after_tasks},
        {"freeze", config.freeze_count},
        {"freeze_ms", config.freeze_for.count()},
        {"freeze_after_tasks", config.freeze_after_tasks},
        {"fail_fraction", config.fail_fraction},
        {"fail_code", common::StatusCodeName(config.fail_code)}}},
      {"counters", std::move(counters)},
      {"elapsed_s", Seconds(now)},
      {"per_second", per_second_},
  };
  doc["ready_s"] = ready_ ? json(*ready_) : json(nullptr);
  doc["first_answer_s"] = first_answer_ ? json(*first_answer_) : json(nullptr);
  doc["last_answer_s"] = last_answer_ ? json(*last_answer_) : json(nullptr);
  double span = first_answer_ ? *last_answer_ - *first_answer_ : 0;
  doc["answer_rate_per_s"] =
      span > 0 ? static_cast<double>(snap[Counter::kAnswered]) / span : 0.0;
  doc["peak_per_second"] =
      per_second_.empty()
          ? 0
          : *std::max_element(per_second_.begin(), per_second_.end());
  Usage u = OwnUsage();
  doc["cpu_user_s"] = u.user_s;
  doc["cpu_system_s"] = u.system_s;
  doc["max_rss_kb"] = u.max_rss_kb;
  return doc.dump(2) + "\n";
}

std::string SwarmRecorder::Summary(const SwarmSnapshot& snap,
                                   TimePoint now) const {
  std::string out;
  char buf[160];
  for (size_t c = 0; c < kCounterCount; ++c) {
    std::snprintf(buf, sizeof buf, "%-20s %llu\n",
                  CounterName(static_cast<Counter>(c)),
                  static_cast<unsigned long long>(snap.counters[c]));
    out += buf;
  }
  std::snprintf(buf, sizeof buf, "%-20s %llu\n%-20s %llu\n", "duplicates",
                static_cast<unsigned long long>(snap.duplicates),
                "distinct_tasks",
                static_cast<unsigned long long>(snap.distinct_tasks));
  out += buf;
  double span = first_answer_ ? *last_answer_ - *first_answer_ : 0;
  std::snprintf(
      buf, sizeof buf, "%-20s %.1f\n%-20s %.0f\n", "elapsed_s", Seconds(now),
      "answer_rate_per_s",
      span > 0 ? static_cast<double>(snap[Counter::kAnswered]) / span : 0.0);
  out += buf;
  Usage u = OwnUsage();
  std::snprintf(buf, sizeof buf, "%-20s %.2f user + %.2f system\n", "cpu_s",
                u.user_s, u.system_s);
  out += buf;
  return out;
}

}  // namespace logsweep::swarm
