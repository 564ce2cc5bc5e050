#include "coordinator/http/status_json.h"

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>
#include <numeric>

namespace logsweep::coordinator::http {
namespace {

using nlohmann::json;

double SecondsBetween(TimePoint earlier, TimePoint later) {
  return std::chrono::duration<double>(later - earlier).count();
}

}  // namespace

std::string RenderStatusJson(const StatusSnapshot& snap,
                             const StatusJsonOptions& options) {
  const CoordinatorCounters& c = snap.counters;
  auto job_id = [&](const std::string& id) {
    return options.full_job_ids || id.size() <= 8 ? id
                                                  : id.substr(0, 8) + "...";
  };
  json doc;
  doc["time"] = std::chrono::duration_cast<std::chrono::milliseconds>(
                    snap.taken_wall.time_since_epoch())
                    .count();
  doc["uptime_s"] = std::chrono::duration<double>(snap.uptime).count();

  uint64_t slots = 0, busy = 0, quarantined = 0;
  for (const auto& w : snap.workers) {
    slots += w.slots;
    busy += std::min(w.in_flight, w.slots);
    quarantined += w.quarantined ? 1 : 0;
  }
  uint64_t failed_tasks = 0;
  for (const auto& [code, n] : c.tasks_failed) failed_tasks += n;
  doc["summary"] = {
      {"workers", snap.workers.size()},
      {"slots", slots},
      {"busy", busy},
      {"quarantined", quarantined},
      {"jobs_running", snap.jobs.size()},
      {"jobs_submitted", c.jobs_submitted},
      {"jobs_done", c.jobs_done},
      {"jobs_failed", c.jobs_failed},
      {"jobs_cancelled", c.jobs_cancelled},
      {"queued_tasks", snap.queued_tasks},
      {"tasks_succeeded", c.tasks_succeeded},
      {"tasks_failed", failed_tasks},
      {"tasks_retried", c.tasks_retried},
      {"bytes_scanned", c.scanned.bytes_scanned},
      {"matches", c.scanned.matches},
      {"workers_lost", c.workers_lost},
  };

  // Workers: sorted, then one page of them.
  std::vector<size_t> order(snap.workers.size());
  std::iota(order.begin(), order.end(), size_t{0});
  auto by_name = [&](size_t a, size_t b) {
    return snap.workers[a].name < snap.workers[b].name;
  };
  if (options.workers_sort == "busy") {
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
      return snap.workers[a].in_flight != snap.workers[b].in_flight
                 ? snap.workers[a].in_flight > snap.workers[b].in_flight
                 : by_name(a, b);
    });
  } else if (options.workers_sort == "quarantined") {
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
      return snap.workers[a].quarantined != snap.workers[b].quarantined
                 ? snap.workers[a].quarantined
                 : by_name(a, b);
    });
  } else {
    std::stable_sort(order.begin(), order.end(), by_name);
  }
  const size_t limit = std::min<size_t>(options.workers_limit, 500);
  const size_t first = std::min(options.workers_offset, order.size());
  const size_t last = std::min(order.size(), first + limit);
  json workers = json::array();
  for (size_t i = first; i < last; ++i) {
    const common::WorkerStatus& w = snap.workers[order[i]];
    double seconds = static_cast<double>(w.connected_ms) / 1000.0;
    workers.push_back({
        {"name", w.name},
        {"slots", w.slots},
        {"in_flight", w.in_flight},
        {"tasks_done", w.tasks_done},
        {"bytes_scanned", w.bytes_scanned},
        {"connected_s", seconds},
        {"last_seen_s", static_cast<double>(w.last_seen_ms) / 1000.0},
        {"mb_per_s", seconds > 0
                         ? static_cast<double>(w.bytes_scanned) / 1e6 / seconds
                         : 0.0},
        {"quarantined", w.quarantined},
        {"quarantine_reason", w.quarantine_reason},
    });
  }
  doc["workers"] = {{"total", snap.workers.size()},
                    {"offset", first},
                    {"limit", limit},
                    {"sort", options.workers_sort},
                    {"items", std::move(workers)}};

  json jobs = json::array();
  for (const auto& j : snap.jobs) {
    jobs.push_back({
        {"id", job_id(j.progress.job_id)},
        {"total", j.progress.total},
        {"done", j.progress.done},
        {"failed", j.progress.failed},
        {"bytes_scanned", j.progress.bytes_scanned},
        {"elapsed_s", static_cast<double>(j.elapsed_ms) / 1000.0},
        {"client_attached", j.client_attached},
    });
  }
  doc["jobs"] = std::move(jobs);

  json history = json::array();
  for (auto it = c.jobs.rbegin(); it != c.jobs.rend(); ++it) {
    history.push_back({
        {"id", job_id(it->job_id)},
        {"state", it->state},
        {"files", it->files},
        {"failed", it->failed},
        {"bytes_scanned", it->bytes_scanned},
        {"matches", it->matches},
        {"elapsed_s", std::chrono::duration<double>(it->elapsed).count()},
        {"ago_s", SecondsBetween(it->finished_at, snap.taken)},
    });
  }
  doc["history"] = std::move(history);

  json failures = json::array();
  for (auto it = c.failures.rbegin(); it != c.failures.rend(); ++it) {
    failures.push_back({{"job", job_id(it->job_id)},
                        {"path", it->path},
                        {"reason", it->reason},
                        {"ago_s", SecondsBetween(it->at, snap.taken)}});
  }
  doc["failures"] = std::move(failures);

  json gone = json::array();
  for (auto it = c.gone.rbegin(); it != c.gone.rend(); ++it) {
    gone.push_back({{"name", it->name},
                    {"reason", it->reason},
                    {"ago_s", SecondsBetween(it->at, snap.taken)}});
  }
  doc["gone"] = std::move(gone);

  json rates = json::array();
  for (const RateSample& r : snap.rates) {
    rates.push_back(
        {SecondsBetween(snap.taken, r.at), r.files, r.bytes_scanned});
  }
  doc["rates"] = std::move(rates);  // [seconds before now (<= 0), files, bytes]
  // Invalid UTF-8 in a path or name must not make the whole page fail.
  return doc.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace logsweep::coordinator::http
