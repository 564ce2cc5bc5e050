// The status snapshots the coordinator publishes for --http, and their
// renderings (/metrics, /api/status), without sockets or sleeps.
#include "coordinator/status_snapshot.h"

#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/base/status.h"
#include "common/transport/codec.h"
#include "common/transport/messages.h"
#include "coordinator/coordinator.h"
#include "coordinator/http/metrics_text.h"
#include "coordinator/http/status_json.h"

namespace logsweep::coordinator {
namespace {

using std::chrono::milliseconds;

TimePoint At(milliseconds t) { return TimePoint{} + t; }

CoordinatorConfig TestConfig() {
  CoordinatorConfig config;
  config.heartbeat_interval = milliseconds(1000);
  config.liveness = 3;
  config.prefetch = 0;
  return config;
}

std::string Hello(const std::string& name, uint32_t slots) {
  return common::Encode(common::WorkerToCoordinator(
      common::WorkerHello{name, slots, {}, {}, {}}));
}

std::string Submit(const std::vector<std::string>& paths) {
  common::SubmitJob submit;
  submit.paths = paths;
  return common::Encode(common::ClientToCoordinator(submit));
}

std::vector<common::TaskAssignment> Tasks(Coordinator& c) {
  std::vector<common::TaskAssignment> tasks;
  for (const Outgoing& out : c.TakeOutbox()) {
    if (out.socket != Outgoing::Socket::kWorkers) continue;
    auto decoded = common::DecodeCoordinatorToWorker(out.payload);
    if (!decoded.ok()) continue;
    if (auto* batch = std::get_if<common::TaskBatch>(&*decoded)) {
      for (auto& t : batch->tasks) tasks.push_back(std::move(t));
    }
  }
  return tasks;
}

std::string Outcome(const common::TaskRef& ref, common::Status status) {
  common::TaskOutcome outcome;
  outcome.ref = ref;
  outcome.status = std::move(status);
  outcome.stats.lines = 10;
  outcome.stats.matches = 2;
  outcome.stats.bytes_scanned = 1000;
  common::OutcomeBatch batch;
  batch.outcomes.push_back(std::move(outcome));
  return common::Encode(common::WorkerToCoordinator(std::move(batch)));
}

TEST(StatusSnapshotTest, PublishesNothingWithoutABoard) {
  Coordinator coordinator(TestConfig());
  coordinator.OnTick(At(milliseconds(0)));
  // Only its own deadlines (progress every 500 ms, housekeeping every 1 s;
  // with workers, a look for those due a heartbeat every 250 ms).
  EXPECT_GE(coordinator.NextDeadline(), At(milliseconds(500)));
  Coordinator publishing(TestConfig());
  StatusBoard board;
  publishing.PublishStatusTo(&board, milliseconds(100));
  publishing.OnTick(At(milliseconds(0)));
  EXPECT_EQ(publishing.NextDeadline(), At(milliseconds(100)));
}

TEST(StatusSnapshotTest, PublishesProgressAndCountersAtMostEveryInterval) {
  Coordinator coordinator(TestConfig());
  StatusBoard board;
  coordinator.PublishStatusTo(&board, milliseconds(500));
  EXPECT_LE(coordinator.NextDeadline(), At(milliseconds(0)));
  coordinator.OnWorkerMessage("w1", Hello("alpha", 1), At(milliseconds(0)));
  coordinator.OnClientMessage("c1", Submit({"/a", "/b"}), At(milliseconds(0)));
  auto tasks = Tasks(coordinator);
  ASSERT_EQ(tasks.size(), 1u);
  coordinator.OnTick(At(milliseconds(0)));
  auto first = board.Latest();
  ASSERT_NE(first, nullptr);
  ASSERT_EQ(first->jobs.size(), 1u);
  EXPECT_EQ(first->jobs[0].progress.done, 0u);

  coordinator.OnWorkerMessage("w1", Outcome(tasks[0].ref, common::OkStatus()),
                              At(milliseconds(100)));
  coordinator.OnTick(At(milliseconds(200)));
  EXPECT_EQ(board.Latest(), first) << "published again before 500 ms";

  coordinator.OnTick(At(milliseconds(500)));
  auto second = board.Latest();
  ASSERT_NE(second, first);
  ASSERT_EQ(second->jobs.size(), 1u);
  EXPECT_EQ(second->jobs[0].progress.done, 1u);
  EXPECT_EQ(second->counters.tasks_succeeded, 1u);
  EXPECT_EQ(second->counters.scanned.bytes_scanned, 1000u);
  EXPECT_EQ(second->counters.task_seconds.count(), 1u);
  EXPECT_EQ(second->queued_tasks, 0u);  // the other one is on alpha
  ASSERT_EQ(second->workers.size(), 1u);
  EXPECT_EQ(second->workers[0].name, "alpha");
}

TEST(StatusSnapshotTest, FinishedJobAndItsFailedFilesAreKept) {
  Coordinator coordinator(TestConfig());
  StatusBoard board;
  coordinator.PublishStatusTo(&board, milliseconds(500));
  coordinator.OnWorkerMessage("w1", Hello("alpha", 2), At(milliseconds(0)));
  coordinator.OnClientMessage("c1", Submit({"/a", "/b"}), At(milliseconds(0)));
  for (const auto& t : Tasks(coordinator)) {
    coordinator.OnWorkerMessage(
        "w1",
        Outcome(t.ref, t.path == "/b" ? common::DataLossError("truncated")
                                      : common::OkStatus()),
        At(milliseconds(10)));
  }
  coordinator.OnTick(At(milliseconds(600)));
  auto snap = board.Latest();
  ASSERT_NE(snap, nullptr);
  EXPECT_TRUE(snap->jobs.empty());
  ASSERT_EQ(snap->counters.jobs.size(), 1u);
  EXPECT_EQ(snap->counters.jobs[0].state, "failed");
  EXPECT_EQ(snap->counters.jobs[0].failed, 1u);
  EXPECT_EQ(snap->counters.jobs_failed, 1u);
  ASSERT_EQ(snap->counters.failures.size(), 1u);
  EXPECT_EQ(snap->counters.failures[0].path, "/b");
  EXPECT_EQ(snap->counters.tasks_failed.at("DATA_LOSS"), 1u);
}

TEST(StatusSnapshotTest, ExpiredWorkerIsListedAsGone) {
  Coordinator coordinator(TestConfig());
  StatusBoard board;
  coordinator.PublishStatusTo(&board, milliseconds(500));
  coordinator.OnWorkerMessage("w1", Hello("alpha", 1), At(milliseconds(0)));
  coordinator.OnWorkersDrained(At(milliseconds(5000)));
  coordinator.OnTick(At(milliseconds(5000)));
  auto snap = board.Latest();
  ASSERT_NE(snap, nullptr);
  EXPECT_TRUE(snap->workers.empty());
  ASSERT_EQ(snap->counters.gone.size(), 1u);
  EXPECT_EQ(snap->counters.gone[0].name, "alpha");
  EXPECT_EQ(snap->counters.workers_lost, 1u);
}

StatusSnapshot Sample() {
  StatusSnapshot snap;
  for (const char* name : {"b", "a\"x", "b", "c"}) {
    common::WorkerStatus w;
    w.name = name;
    w.slots = 2;
    w.in_flight = 1;
    snap.workers.push_back(w);
  }
  common::JobStatus job;
  job.progress.job_id = "0123456789abcdef0123456789abcdef";
  job.progress.total = 10;
  job.progress.done = 4;
  snap.jobs.push_back(job);
  snap.counters.task_seconds.Observe(0.003);
  snap.counters.task_seconds.Observe(7);
  return snap;
}

TEST(MetricsTextTest, EscapesLabelsAndNeverRepeatsAWorkerSeries) {
  std::string text = http::RenderMetrics(Sample());
  EXPECT_NE(text.find("logsweep_per_worker_slots{worker=\"a\\\"x\"} 2"),
            std::string::npos);
  EXPECT_NE(text.find("logsweep_per_worker_slots{worker=\"b\"} 2"),
            std::string::npos);
  EXPECT_NE(text.find("logsweep_per_worker_slots{worker=\"b#2\"} 2"),
            std::string::npos);
  EXPECT_NE(text.find("logsweep_worker_slots_busy 4"), std::string::npos);
  EXPECT_NE(text.find("logsweep_jobs{state=\"running\"} 1"), std::string::npos);
}

TEST(MetricsTextTest, HistogramBucketsAreCumulative) {
  std::string text = http::RenderMetrics(Sample());
  EXPECT_NE(text.find("logsweep_task_duration_seconds_bucket{le=\"0.005\"} 1"),
            std::string::npos);
  EXPECT_NE(text.find("logsweep_task_duration_seconds_bucket{le=\"10\"} 2"),
            std::string::npos);
  EXPECT_NE(text.find("logsweep_task_duration_seconds_bucket{le=\"+Inf\"} 2"),
            std::string::npos);
  EXPECT_NE(text.find("logsweep_task_duration_seconds_count 2"),
            std::string::npos);
}

TEST(StatusJsonTest, PagesWorkersAndShortensIdsWhenNotLoopback) {
  http::StatusJsonOptions options;
  options.workers_offset = 1;
  options.workers_limit = 2;
  options.full_job_ids = false;
  auto doc = nlohmann::json::parse(http::RenderStatusJson(Sample(), options));
  EXPECT_EQ(doc["workers"]["total"], 4);
  ASSERT_EQ(doc["workers"]["items"].size(), 2u);
  EXPECT_EQ(doc["workers"]["items"][0]["name"], "b");  // sorted: a"x, b, b, c
  EXPECT_EQ(doc["jobs"][0]["id"], "01234567...");
  EXPECT_EQ(doc["summary"]["busy"], 4);
}

TEST(StatusJsonTest, CapsThePageAt500Workers) {
  StatusSnapshot snap;
  snap.workers.resize(1000);
  http::StatusJsonOptions options;
  options.workers_limit = 100000;
  auto doc = nlohmann::json::parse(http::RenderStatusJson(snap, options));
  EXPECT_EQ(doc["workers"]["items"].size(), 500u);
  EXPECT_EQ(doc["workers"]["total"], 1000);
}

}  // namespace
}  // namespace logsweep::coordinator
