#include "coordinator/http/metrics_text.h"

#include <fmt/format.h>

#include <chrono>
#include <string_view>
#include <unordered_map>

namespace logsweep::coordinator::http {
namespace {

// A label value with \, " and newline escaped, as the format requires.
std::string Escape(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\' || c == '"') {
      out.push_back('\\');
      out.push_back(c);
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

class Writer {
 public:
  void Head(std::string_view name, std::string_view type,
            std::string_view help) {
    fmt::format_to(std::back_inserter(out_), "# HELP {} {}\n# TYPE {} {}\n",
                   name, help, name, type);
  }
  void Value(std::string_view name, double value,
             std::string_view labels = {}) {
    fmt::format_to(std::back_inserter(out_), "{}{}{}{} {}\n", name,
                   labels.empty() ? "" : "{", labels, labels.empty() ? "" : "}",
                   value);
  }
  void Metric(std::string_view name, std::string_view type,
              std::string_view help, double value) {
    Head(name, type, help);
    Value(name, value);
  }
  void Buckets(std::string_view name, const Histogram& h,
               std::string_view labels = {}) {
    uint64_t cumulative = 0;
    std::string prefix = labels.empty() ? "" : std::string(labels) + ",";
    for (size_t i = 0; i < h.size(); ++i) {
      cumulative += h.bucket(i);
      Value(std::string(name) + "_bucket", static_cast<double>(cumulative),
            fmt::format("{}le=\"{}\"", prefix, h.bound(i)));
    }
    Value(std::string(name) + "_bucket", static_cast<double>(h.count()),
          prefix + "le=\"+Inf\"");
    Value(std::string(name) + "_sum", h.sum(), labels);
    Value(std::string(name) + "_count", static_cast<double>(h.count()), labels);
  }
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
};

}  // namespace

std::string RenderMetrics(const StatusSnapshot& snap) {
  const CoordinatorCounters& c = snap.counters;
  Writer w;
  uint64_t slots = 0, busy = 0, quarantined = 0;
  for (const auto& worker : snap.workers) {
    slots += worker.slots;
    busy += std::min(worker.in_flight, worker.slots);
    quarantined += worker.quarantined ? 1 : 0;
  }
  w.Metric("logsweep_uptime_seconds", "gauge",
           "Seconds since the coordinator started publishing status.",
           std::chrono::duration<double>(snap.uptime).count());
  w.Metric("logsweep_workers_connected", "gauge", "Registered workers.",
           static_cast<double>(snap.workers.size()));
  w.Metric("logsweep_workers_quarantined", "gauge",
           "Registered workers in quarantine (they get no tasks).",
           static_cast<double>(quarantined));
  w.Metric("logsweep_worker_slots", "gauge",
           "Scan slots over all registered workers.",
           static_cast<double>(slots));
  w.Metric("logsweep_worker_slots_busy", "gauge",
           "Slots running a task over all workers.", static_cast<double>(busy));
  w.Metric("logsweep_workers_registered_total", "counter",
           "Workers that registered (new connections).",
           static_cast<double>(c.workers_registered));
  w.Metric("logsweep_workers_lost_total", "counter",
           "Workers dropped as dead, gone or stopping.",
           static_cast<double>(c.workers_lost));

  uint64_t queued = 0, running = 0;
  for (const auto& job : snap.jobs) {
    (job.progress.done == 0 ? queued : running) += 1;
  }
  w.Head("logsweep_jobs", "gauge",
         "Unfinished jobs: queued (no file finished yet) or running.");
  w.Value("logsweep_jobs", static_cast<double>(queued), "state=\"queued\"");
  w.Value("logsweep_jobs", static_cast<double>(running), "state=\"running\"");
  w.Metric("logsweep_jobs_submitted_total", "counter", "Jobs accepted.",
           static_cast<double>(c.jobs_submitted));
  w.Head("logsweep_jobs_finished_total", "counter",
         "Jobs finished, by outcome: done (every file read), failed (some "
         "files failed), cancelled.");
  w.Value("logsweep_jobs_finished_total", static_cast<double>(c.jobs_done),
          "outcome=\"done\"");
  w.Value("logsweep_jobs_finished_total", static_cast<double>(c.jobs_failed),
          "outcome=\"failed\"");
  w.Value("logsweep_jobs_finished_total", static_cast<double>(c.jobs_cancelled),
          "outcome=\"cancelled\"");

  w.Metric("logsweep_task_queue_depth", "gauge",
           "Tasks of unfinished jobs waiting for a worker.",
           static_cast<double>(snap.queued_tasks));
  w.Metric("logsweep_tasks_dispatched_total", "counter",
           "Task attempts sent to workers.",
           static_cast<double>(c.tasks_dispatched));
  w.Metric("logsweep_tasks_succeeded_total", "counter",
           "Tasks whose file was read without error.",
           static_cast<double>(c.tasks_succeeded));
  w.Metric("logsweep_tasks_retried_total", "counter",
           "Task attempts lost with their worker, or timed out, and queued "
           "again.",
           static_cast<double>(c.tasks_retried));
  w.Metric("logsweep_tasks_speculated_total", "counter",
           "Copies of stragglers run on an idle worker.",
           static_cast<double>(c.tasks_speculated));
  w.Metric("logsweep_results_stale_total", "counter",
           "Late or duplicate task answers dropped.",
           static_cast<double>(c.results_stale));
  w.Head("logsweep_tasks_failed_total", "counter",
         "Tasks whose file failed, by status code.");
  if (c.tasks_failed.empty()) {
    w.Value("logsweep_tasks_failed_total", 0, "code=\"NOT_FOUND\"");
  }
  for (const auto& [code, n] : c.tasks_failed) {
    w.Value("logsweep_tasks_failed_total", static_cast<double>(n),
            fmt::format("code=\"{}\"", Escape(code)));
  }

  w.Metric("logsweep_scanned_bytes_total", "counter",
           "Uncompressed bytes of text scanned.",
           static_cast<double>(c.scanned.bytes_scanned));
  w.Metric("logsweep_read_bytes_total", "counter",
           "Bytes read from files (compressed).",
           static_cast<double>(c.scanned.bytes_read));
  w.Metric("logsweep_scanned_lines_total", "counter", "Lines scanned.",
           static_cast<double>(c.scanned.lines));
  w.Metric("logsweep_matches_total", "counter", "Lines the query matched.",
           static_cast<double>(c.scanned.matches));
  w.Metric("logsweep_malformed_lines_total", "counter",
           "Lines with too few fields for the query.",
           static_cast<double>(c.scanned.malformed));
  w.Metric("logsweep_journal_pruned_jobs_total", "counter",
           "Finished jobs deleted from the --state journal by retention.",
           static_cast<double>(c.journal_pruned_jobs));

  w.Head("logsweep_message_size_bytes", "histogram",
         "Sizes of messages received and sent on both sockets.");
  w.Buckets("logsweep_message_size_bytes", c.message_in_bytes,
            "direction=\"in\"");
  w.Buckets("logsweep_message_size_bytes", c.message_out_bytes,
            "direction=\"out\"");
  w.Head("logsweep_journal_commit_seconds", "histogram",
         "Time to commit one batch to the --state journal.");
  w.Buckets("logsweep_journal_commit_seconds", c.journal_commit_seconds);
  w.Head("logsweep_journal_prune_seconds", "histogram",
         "Time one batch of --keep-jobs retention held up the poll loop.");
  w.Buckets("logsweep_journal_prune_seconds", c.journal_prune_seconds);
  w.Metric("logsweep_journal_prune_max_seconds", "gauge",
           "The longest batch of --keep-jobs retention.",
           c.journal_prune_max_seconds);
  w.Head("logsweep_task_duration_seconds", "histogram",
         "From a task's dispatch to its accepted answer.");
  w.Buckets("logsweep_task_duration_seconds", c.task_seconds);

  // Per worker: one series per name.
  std::vector<std::string> labels;
  labels.reserve(snap.workers.size());
  std::unordered_map<std::string, int> seen;
  for (const auto& worker : snap.workers) {
    int n = ++seen[worker.name];
    std::string name =
        n == 1 ? worker.name : worker.name + "#" + std::to_string(n);
    labels.push_back(fmt::format("worker=\"{}\"", Escape(name)));
  }
  struct PerWorker {
    const char* name;
    const char* type;
    const char* help;
    double (*value)(const common::WorkerStatus&);
  };
  static const PerWorker kPerWorker[] = {
      {"logsweep_per_worker_slots", "gauge", "Slots of one worker.",
       [](const common::WorkerStatus& s) { return double(s.slots); }},
      {"logsweep_per_worker_in_flight", "gauge",
       "Tasks one worker holds (running or prefetched).",
       [](const common::WorkerStatus& s) { return double(s.in_flight); }},
      {"logsweep_per_worker_tasks_done_total", "counter",
       "Tasks one worker answered since it registered.",
       [](const common::WorkerStatus& s) { return double(s.tasks_done); }},
      {"logsweep_per_worker_scanned_bytes_total", "counter",
       "Uncompressed bytes one worker scanned since it registered.",
       [](const common::WorkerStatus& s) { return double(s.bytes_scanned); }},
      {"logsweep_per_worker_quarantined", "gauge",
       "1 while the worker is in quarantine.",
       [](const common::WorkerStatus& s) { return s.quarantined ? 1.0 : 0.0; }},
  };
  for (const PerWorker& m : kPerWorker) {
    w.Head(m.name, m.type, m.help);
    for (size_t i = 0; i < snap.workers.size(); ++i) {
      w.Value(m.name, m.value(snap.workers[i]), labels[i]);
    }
  }
  return w.Take();
}

}  // namespace logsweep::coordinator::http
