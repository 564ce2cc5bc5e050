// The C++ client library against a real coordinator and worker processes
// on loopback TCP (the binaries of this build, LOGSWEEP_BIN_DIR).
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "common/transport/curve.h"
#include "logsweep/client.h"
#include "test_util.h"

extern char** environ;

namespace logsweep {
namespace {

using std::chrono::milliseconds;
using testing::Gzip;
using testing::TempDir;

std::string Line(const std::string& host, const std::string& path) {
  return host + " - - [01/Jan/2026:00:00:00 +0000] \"GET " + path +
         " HTTP/1.1\" 200 12 \"-\" \"agent\"\n";
}

pid_t Spawn(const std::vector<std::string>& argv,
            const std::vector<std::string>& extra_env = {}) {
  std::vector<std::string> env_strings(extra_env);
  for (char** e = environ; *e != nullptr; ++e) env_strings.push_back(*e);
  std::vector<char*> env;
  for (auto& s : env_strings) env.push_back(s.data());
  env.push_back(nullptr);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  if (::posix_spawn(&pid, argv[0].c_str(), nullptr, nullptr, args.data(),
                    env.data()) != 0) {
    return -1;
  }
  return pid;
}

void Stop(pid_t& pid, int sig = SIGTERM) {
  if (pid <= 0) return;
  ::kill(pid, sig);
  ::waitpid(pid, nullptr, 0);
  pid = -1;
}

// A coordinator and one worker (two scan threads). Files whose path holds
// "STALL" hang in the worker until it stops (logsweep-test-worker --stall).
class ClientLibraryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    StartCoordinator("tcp://127.0.0.1:*");
    worker_ =
        Spawn({std::string(LOGSWEEP_BIN_DIR) + "/logsweep-test-worker",
               "--coordinator", workers_ep_, "--threads", "2", "--heartbeat-ms",
               "200", "--log-level", "error", "--parent-pid",
               std::to_string(::getpid()), "--stall", "STALL"});
    ASSERT_GT(worker_, 0);
  }

  void TearDown() override {
    Stop(worker_, SIGKILL);
    Stop(coordinator_);
  }

  void StartCoordinator(const std::string& clients_ep) {
    std::string ready = dir_.path() + "/ready";
    ::unlink(ready.c_str());
    coordinator_ = Spawn(
        {std::string(LOGSWEEP_BIN_DIR) + "/logsweep-coordinator",
         "--workers-endpoint",
         workers_ep_.empty() ? "tcp://127.0.0.1:*" : workers_ep_,
         "--clients-endpoint", clients_ep, "--ready-file", ready, "--state",
         dir_.path() + "/state", "--heartbeat-ms", "200", "--log-level",
         "error", "--parent-pid", std::to_string(::getpid())});
    ASSERT_GT(coordinator_, 0);
    for (int i = 0; i < 400 && ::access(ready.c_str(), F_OK) != 0; ++i) {
      std::this_thread::sleep_for(milliseconds(25));
    }
    std::ifstream in(ready);
    std::string line;
    while (std::getline(in, line)) {
      if (line.rfind("workers=", 0) == 0) workers_ep_ = line.substr(8);
      if (line.rfind("clients=", 0) == 0) clients_ep_ = line.substr(8);
    }
    ASSERT_FALSE(clients_ep_.empty()) << "the coordinator did not start";
  }

  // A gzip log whose /robots.txt requests come from `hosts`.
  std::string Log(const std::string& name,
                  const std::vector<std::string>& hosts) {
    std::string text = Line("noise.example", "/index.html");
    for (const auto& h : hosts) text += Line(h, "/robots.txt");
    return dir_.Write(name, Gzip(text));
  }

  TempDir dir_;
  pid_t coordinator_ = -1;
  pid_t worker_ = -1;
  std::string workers_ep_;
  std::string clients_ep_;
};

TEST_F(ClientLibraryTest, EachFutureHoldsItsOwnFilesHosts) {
  std::string a = Log("a.gz", {"h1", "h2"});
  std::string b = Log("b.gz", {"h3"});
  Client client(clients_ep_);
  Job job = client.submit({a, b});

  ASSERT_EQ(job.size(), 2u);
  EXPECT_EQ(job.id().size(), 32u);
  EXPECT_EQ(job[0].path(), a);
  EXPECT_EQ(job[1].index(), 1u);
  EXPECT_EQ(job[0].result(), (std::vector<std::string>{"h1", "h2"}));
  EXPECT_EQ(job[1].result(), (std::vector<std::string>{"h3"}));
  EXPECT_TRUE(job[0].done());
  EXPECT_FALSE(job[0].cancelled());
  FileResult outcome = job[0].outcome();
  EXPECT_EQ(outcome.stats.lines, 3u);
  EXPECT_EQ(outcome.stats.matches, 2u);
  EXPECT_EQ(outcome.attempts, 1u);
}

TEST_F(ClientLibraryTest, QueryBuilderAsksThePredicatesAndRefusesABadOne) {
  std::string text = Line("noise.example", "/index.html") +
                     Line("h1", "/admin/x") + Line("h2", "/admin") +
                     Line("h3", "/wp-admin/") + Line("h4", "/admin/y");
  std::string a = dir_.Write("q.gz", Gzip(text));
  Client client(clients_ep_);
  JobResult r = client.submit({a}, Query().Prefix("/admin/")).result();
  EXPECT_EQ(r.hosts, (std::vector<std::string>{"h1", "h4"}));
  r = client.submit({a}, Query().Regex("admin/?$")).result();
  EXPECT_EQ(r.hosts, (std::vector<std::string>{"h2", "h3"}));

  try {
    client.submit({a}, Query().Regex("(unclosed"));
    FAIL() << "an invalid pattern must not be sent";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(std::string(e.what()).find("--path-regex"), std::string::npos)
        << e.what();
  }
}

TEST_F(ClientLibraryTest, JobResultMergesHostsAndNamesEachFailedFile) {
  std::string a = Log("a.gz", {"h2", "h1"});
  std::string b = Log("b.gz", {"h1", "h3"});
  std::string missing = dir_.path() + "/missing.gz";
  Client client(clients_ep_);
  Job job = client.submit({a, missing, b});

  JobResult result = job.result();
  EXPECT_TRUE(job.done());
  EXPECT_EQ(result.job_id, job.id());
  EXPECT_EQ(result.hosts, (std::vector<std::string>{"h1", "h2", "h3"}));
  ASSERT_EQ(result.files.size(), 3u);
  EXPECT_FALSE(result.ok());
  ASSERT_EQ(result.failures().size(), 1u);
  EXPECT_EQ(result.failures()[0].path, missing);
  EXPECT_EQ(result.failures()[0].code, ErrorCode::kNotFound);
  EXPECT_EQ(result.totals.matches, 4u);
  try {
    job[1].result();
    FAIL() << "a missing file's result() must throw";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kNotFound);
    EXPECT_EQ(e.path(), missing);
    EXPECT_NE(std::string(e.what()).find(missing), std::string::npos);
  }
}

TEST_F(ClientLibraryTest, MissingPathFailsAtOnceWithoutReachingAWorker) {
  std::string a = Log("a.gz", {"h1"});
  std::string missing = dir_.path() + "/acess.log";
  Client client(clients_ep_);
  Job job = client.submit({missing, a});

  ASSERT_EQ(job.size(), 2u);
  EXPECT_TRUE(job[0].done()) << "decided before the job was sent";
  FileResult outcome = job[0].outcome();
  EXPECT_EQ(outcome.path, missing);
  EXPECT_EQ(outcome.code, ErrorCode::kNotFound);
  EXPECT_EQ(outcome.error, "no such file or directory");
  EXPECT_EQ(outcome.attempts, 0u);
  // The file after it gets its own outcome (task ids are not positions).
  ASSERT_EQ(job[1].wait_for(milliseconds(10000)), std::future_status::ready);
  EXPECT_EQ(job[1].result(), (std::vector<std::string>{"h1"}));
  EXPECT_EQ(job.result().hosts, (std::vector<std::string>{"h1"}));
}

TEST_F(ClientLibraryTest,
       SubmitSearchesDirectoriesAndExpandsGlobsAsTheCliDoes) {
  ::mkdir((dir_.path() + "/logs").c_str(), 0755);
  ::mkdir((dir_.path() + "/logs/web1").c_str(), 0755);
  std::string a = Log("logs/access.log.1", {"h1"});
  std::string b = Log("logs/web1/ACCESS.LOG.GZ", {"h2"});
  std::string readme = Log("logs/README", {"not-scanned"});
  std::string c = Log("c.gz", {"h3"});
  Client client(clients_ep_);
  Job job = client.submit({dir_.path() + "/logs", dir_.path() + "/c.{gz,zz}"});

  JobResult result = job.result();
  ASSERT_EQ(job.size(), 4u);
  EXPECT_EQ(job[0].path(), a);
  EXPECT_EQ(job[1].path(), b);
  EXPECT_EQ(job[2].path(), c);
  EXPECT_EQ(job[3].path(), dir_.path() + "/c.zz");
  EXPECT_EQ(job[3].outcome().code, ErrorCode::kNotFound);
  EXPECT_EQ(result.hosts, (std::vector<std::string>{"h1", "h2", "h3"}));
  ASSERT_EQ(result.skipped.size(), 1u);
  EXPECT_EQ(result.skipped[0].path, readme);
  EXPECT_EQ(result.skipped[0].reason, "not_log_name");
  EXPECT_EQ(job.skipped().size(), 1u);
}

TEST_F(ClientLibraryTest, FindOptionsIncludeAndExcludeChangeWhatIsScanned) {
  ::mkdir((dir_.path() + "/logs").c_str(), 0755);
  Log("logs/access.log", {"h1"});
  Log("logs/error.log", {"h2"});
  Log("logs/notes.txt", {"h3"});
  Client client(clients_ep_);
  JobOptions options;
  options.find.include = {"*.txt"};
  options.find.exclude = {"error*"};

  JobResult result =
      client.submit({dir_.path() + "/logs"}, {}, options).result();

  EXPECT_EQ(result.hosts, (std::vector<std::string>{"h1", "h3"}));
  ASSERT_EQ(result.skipped.size(), 1u);
  EXPECT_EQ(result.skipped[0].reason, "excluded");
  EXPECT_EQ(result.skipped[0].detail, "error*");
}

TEST_F(ClientLibraryTest, JobOfOnlyBadPathsIsDoneAtOnceAndNeverSent) {
  ::mkdir((dir_.path() + "/empty").c_str(), 0755);
  Client client(clients_ep_);
  Job job = client.submit({dir_.path() + "/empty", dir_.path() + "/x*.log"});

  EXPECT_TRUE(job.done());
  EXPECT_EQ(job.id(), "");
  JobResult result = job.result();
  ASSERT_EQ(result.files.size(), 2u);
  EXPECT_EQ(result.files[0].path, dir_.path() + "/empty");
  EXPECT_EQ(result.files[0].code, ErrorCode::kNotFound);
  EXPECT_EQ(result.files[1].path, dir_.path() + "/x*.log");
  EXPECT_EQ(result.files[1].code, ErrorCode::kNotFound);
  std::vector<size_t> order;
  for (const TaskFuture& f : job.as_completed()) order.push_back(f.index());
  EXPECT_EQ(order, (std::vector<size_t>{0, 1}));
}

TEST_F(ClientLibraryTest, MapThrowsForAGlobThatMatchesNothing) {
  std::string a = Log("a.gz", {"h1"});
  Client client(clients_ep_);
  try {
    client.map({a, dir_.path() + "/nothing-*.gz"});
    FAIL() << "map() must not drop a path that gave no file";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kNotFound);
    EXPECT_EQ(e.path(), dir_.path() + "/nothing-*.gz");
  }
}

TEST_F(ClientLibraryTest, CancelReachesTheRightFileAfterAPathError) {
  std::string stall = Log("STALL.gz", {"never"});
  std::string a = Log("a.gz", {"h1"});
  Client client(clients_ep_);
  Job job = client.submit({dir_.path() + "/missing.gz", stall, a});
  ASSERT_EQ(job[2].wait_for(milliseconds(10000)), std::future_status::ready);
  EXPECT_EQ(job[2].result(), (std::vector<std::string>{"h1"}));

  EXPECT_TRUE(job[1].cancel());

  // The coordinator closes the job only once the hanging file's task is
  // the one withdrawn.
  ASSERT_EQ(job.wait_for(milliseconds(10000)), std::future_status::ready);
  EXPECT_EQ(job.result().hosts, (std::vector<std::string>{"h1"}));
}

TEST_F(ClientLibraryTest, AsCompletedYieldsEveryFutureOnceFinishedFirst) {
  std::vector<std::string> paths;
  for (int i = 0; i < 6; ++i) {
    paths.push_back(
        Log("f" + std::to_string(i) + ".gz", {"h" + std::to_string(i)}));
  }
  paths.push_back(Log("STALL.gz", {"never"}));
  Client client(clients_ep_);
  Job job = client.submit(paths);

  std::set<size_t> seen;
  for (const TaskFuture& f : job.as_completed()) {
    EXPECT_TRUE(f.done());
    EXPECT_TRUE(seen.insert(f.index()).second) << "yielded twice";
    if (seen.size() == 6) {
      // Every scannable file came before the hanging one, which ends only
      // when cancelled.
      EXPECT_FALSE(job[6].done());
      EXPECT_TRUE(job[6].cancel());
    }
  }
  EXPECT_EQ(seen.size(), 7u);
  EXPECT_TRUE(job[6].cancelled());
}

TEST_F(ClientLibraryTest, DoneCallbackRunsOnceOnAClientThreadEvenWhenLate) {
  std::string a = Log("a.gz", {"h1"});
  Client client(clients_ep_);
  Job job = client.submit({a});
  std::mutex mu;
  std::vector<std::thread::id> early, late;
  job[0].add_done_callback([&](const TaskFuture& f) {
    EXPECT_TRUE(f.done());
    std::lock_guard<std::mutex> lock(mu);
    early.push_back(std::this_thread::get_id());
  });
  job.result();
  job[0].add_done_callback([&](const TaskFuture& f) {
    EXPECT_EQ(f.result(), (std::vector<std::string>{"h1"}));
    std::lock_guard<std::mutex> lock(mu);
    late.push_back(std::this_thread::get_id());
  });
  for (int i = 0; i < 200; ++i) {
    {
      std::lock_guard<std::mutex> lock(mu);
      if (!late.empty()) break;
    }
    std::this_thread::sleep_for(milliseconds(10));
  }
  std::this_thread::sleep_for(milliseconds(50));  // a second call would show
  std::lock_guard<std::mutex> lock(mu);
  ASSERT_EQ(early.size(), 1u);
  ASSERT_EQ(late.size(), 1u);
  EXPECT_NE(early[0], std::this_thread::get_id());
  EXPECT_NE(late[0], std::this_thread::get_id());
}

TEST_F(ClientLibraryTest, CancelAbandonsARunningFileAndTheJobFinishes) {
  std::string a = Log("a.gz", {"h1"});
  std::string stall = Log("STALL.gz", {"never"});
  Client client(clients_ep_);
  Job job = client.submit({a, stall});
  EXPECT_EQ(job[0].result(), (std::vector<std::string>{"h1"}));
  EXPECT_EQ(job[1].wait_for(milliseconds(300)), std::future_status::timeout);
  EXPECT_FALSE(job[1].done());
  std::atomic<int> called{0};
  job[1].add_done_callback([&](const TaskFuture&) { ++called; });

  EXPECT_TRUE(job[1].cancel());
  EXPECT_FALSE(job[1].cancel()) << "a done future cannot be cancelled again";
  EXPECT_FALSE(job[0].cancel());
  EXPECT_TRUE(job[1].cancelled());
  EXPECT_EQ(job[1].outcome().code, ErrorCode::kCancelled);
  EXPECT_THROW(job[1].result(), Error);
  // The coordinator closes the job once the running file is withdrawn.
  ASSERT_EQ(job.wait_for(milliseconds(10000)), std::future_status::ready);
  JobResult result = job.result();
  EXPECT_EQ(result.hosts, (std::vector<std::string>{"h1"}));
  // Callbacks run on the client's thread, soon after the future is done.
  for (int i = 0; i < 200 && called.load() == 0; ++i) {
    std::this_thread::sleep_for(milliseconds(10));
  }
  std::this_thread::sleep_for(milliseconds(50));  // a second call would show
  EXPECT_EQ(called.load(), 1);
}

TEST_F(ClientLibraryTest, CancelledPendingFilesNeverReachTheResult) {
  // Two scan threads, both hanging: the third and fourth files wait.
  std::string s1 = Log("STALL1.gz", {"x"});
  std::string s2 = Log("STALL2.gz", {"y"});
  std::string a = Log("a.gz", {"pending-host"});
  std::string b = Log("b.gz", {"other"});
  Client client(clients_ep_);
  Job job = client.submit({s1, s2, a, b});
  EXPECT_EQ(job[2].wait_for(milliseconds(300)), std::future_status::timeout);
  EXPECT_TRUE(job[2].cancel());
  EXPECT_EQ(job.cancel(), 3u);  // the rest: s1, s2 (running) and b
  ASSERT_EQ(job.wait_for(milliseconds(10000)), std::future_status::ready);
  JobResult result = job.result();
  EXPECT_TRUE(result.hosts.empty());
  for (const FileResult& f : result.files) {
    EXPECT_EQ(f.code, ErrorCode::kCancelled) << f.path;
  }
}

TEST_F(ClientLibraryTest, CountQueryGivesEachHostsLinesAndFirstAndLastSeen) {
  // 01/Jan/2026:00:00:00 +0000 is 1767225600; h3's one line has no time.
  const int64_t t0 = 1767225600;
  std::string a = Log("a.gz", {"h1", "h2", "h1"});
  std::string b = dir_.Write(
      "b.gz", Gzip(Line("h1", "/robots.txt") +
                   "h1 - - [01/Jan/2026:01:00:00 +0100] \"GET /robots.txt "
                   "HTTP/1.1\" 200 1\n"
                   "h3 - - [no time] \"GET /robots.txt HTTP/1.1\" 200 1\n"));
  Client client(clients_ep_);

  auto per_file = client.map_counts({a, b});
  ASSERT_EQ(per_file.size(), 2u);
  EXPECT_EQ(per_file[0],
            (std::vector<HostCount>{{"h1", 2, t0, t0}, {"h2", 1, t0, t0}}));
  EXPECT_EQ(per_file[1],
            (std::vector<HostCount>{{"h1", 2, t0, t0},
                                    {"h3", 1, std::nullopt, std::nullopt}}));

  JobResult result = client.submit({a, b}, Query().Count()).result();
  EXPECT_EQ(result.hosts, (std::vector<std::string>{"h1", "h2", "h3"}));
  EXPECT_EQ(result.counts,
            (std::vector<HostCount>{{"h1", 4, t0, t0},
                                    {"h2", 1, t0, t0},
                                    {"h3", 1, std::nullopt, std::nullopt}}));
  // Without Count(), no counts.
  EXPECT_TRUE(client.submit({a}).result().counts.empty());
}

TEST_F(ClientLibraryTest, MapGivesHostsInInputOrderAndThrowsTheFirstFailure) {
  std::string a = Log("a.gz", {"ha"});
  std::string b = Log("b.gz", {"hb1", "hb2"});
  Client client(clients_ep_);
  auto hosts = client.map({b, a});
  ASSERT_EQ(hosts.size(), 2u);
  EXPECT_EQ(hosts[0], (std::vector<std::string>{"hb1", "hb2"}));
  EXPECT_EQ(hosts[1], (std::vector<std::string>{"ha"}));

  std::string bad = dir_.Write("bad.gz", "this is not gzip");
  try {
    client.map({a, bad});
    FAIL() << "map must throw for a failed file";
  } catch (const Error& e) {
    EXPECT_EQ(e.path(), bad);
    EXPECT_EQ(e.code(), ErrorCode::kDataLoss);
  }
}

TEST_F(ClientLibraryTest, OneClientServesManyThreadsAtOnce) {
  std::vector<std::string> paths;
  for (int i = 0; i < 8; ++i) {
    paths.push_back(
        Log("t" + std::to_string(i) + ".gz", {"host" + std::to_string(i)}));
  }
  Client client(clients_ep_);
  std::atomic<int> exact{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 3; ++round) {
        Job job = client.submit({paths[t], paths[(t + 1) % 8]});
        JobResult r = job.result();
        std::vector<std::string> want = {"host" + std::to_string(t),
                                         "host" + std::to_string((t + 1) % 8)};
        std::sort(want.begin(), want.end());
        if (r.hosts == want && r.ok()) ++exact;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(exact.load(), 24);
}

TEST_F(ClientLibraryTest, JobFinishesAfterTheCoordinatorRestartsMidJob) {
  std::string a = Log("a.gz", {"h1"});
  std::string b = Log("b.gz", {"h2"});
  std::string stall = Log("STALL.gz", {"never"});
  ClientOptions options;
  options.reattach_after = milliseconds(500);
  Client client(clients_ep_, options);
  Job job = client.submit({a, b, stall});
  EXPECT_EQ(job[0].result(), (std::vector<std::string>{"h1"}));
  EXPECT_EQ(job[1].result(), (std::vector<std::string>{"h2"}));
  std::this_thread::sleep_for(milliseconds(300));  // journal commits

  // The connection is lost; the coordinator comes back on the same
  // endpoint with its journal, and the client re-attaches by itself.
  Stop(coordinator_, SIGKILL);
  StartCoordinator(clients_ep_);
  std::this_thread::sleep_for(milliseconds(1500));
  EXPECT_FALSE(job.done());
  EXPECT_TRUE(job[2].cancel());
  ASSERT_EQ(job.wait_for(milliseconds(15000)), std::future_status::ready);
  JobResult result = job.result();
  EXPECT_EQ(result.hosts, (std::vector<std::string>{"h1", "h2"}));
}

// The submit reaches the coordinator's host over an established connection
// but dies with the coordinator before it is read: once the coordinator is
// back, the client sends it again, and its request key makes it one job.
TEST_F(ClientLibraryTest, SubmitLostInACrashLandsOnceAfterTheRestart) {
  std::string a = Log("a.gz", {"h1"});
  std::string b = Log("b.gz", {"h2"});
  ClientOptions options;
  options.connect_timeout = milliseconds(30000);
  Client client(clients_ep_, options);
  Job first = client.submit({a});
  ASSERT_EQ(first.result().hosts, (std::vector<std::string>{"h1"}));

  ::kill(coordinator_, SIGSTOP);
  std::optional<Job> second;
  std::string error;
  std::thread submitter([&] {
    try {
      second.emplace(client.submit({b}));
    } catch (const Error& e) {
      error = e.what();
    }
  });
  std::this_thread::sleep_for(milliseconds(300));  // in its socket buffer
  Stop(coordinator_, SIGKILL);
  StartCoordinator(clients_ep_);
  submitter.join();

  ASSERT_TRUE(second.has_value()) << error;
  EXPECT_EQ(second->result().hosts, (std::vector<std::string>{"h2"}));
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2((dir_.path() + "/state/journal.db").c_str(), &db,
                            SQLITE_OPEN_READONLY, nullptr),
            SQLITE_OK);
  sqlite3_stmt* count = nullptr;
  ASSERT_EQ(
      sqlite3_prepare_v2(db, "SELECT COUNT(*) FROM jobs", -1, &count, nullptr),
      SQLITE_OK);
  ASSERT_EQ(sqlite3_step(count), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(count, 0), 2);  // the first job and this one
  sqlite3_finalize(count);
  sqlite3_close(db);
}

TEST(ClientLibraryNoCoordinatorTest, SubmitThrowsNamingTheEndpoint) {
  ClientOptions options;
  options.connect_timeout = milliseconds(300);
  Client client("tcp://127.0.0.1:9", options);
  TempDir dir;  // a file that exists: missing ones are never sent
  try {
    client.submit({dir.Write("a.gz", Gzip("x\n"))});
    FAIL() << "submit must throw without a coordinator";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kDeadlineExceeded);
    EXPECT_NE(std::string(e.what()).find("tcp://127.0.0.1:9"),
              std::string::npos);
  }
}

TEST(ClientLibraryNoCoordinatorTest, MalformedEndpointIsAnInvalidArgument) {
  Client client("nonsense://x");
  TempDir dir;
  try {
    client.submit({dir.Write("a.gz", Gzip("x\n"))});
    FAIL() << "submit must throw for a malformed endpoint";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
  }
}

// A coordinator with CURVE on and an allow-list: the library client with an
// authorised key pair gets exact results; without keys it is refused (no
// answer), and a key file that is missing is named.
TEST(ClientLibraryCurveTest, AuthorisedKeysWorkAndMissingOnesAreNamed) {
  TempDir dir;
  auto write_pair = [&](const std::string& name) {
    auto pair = common::GenerateCurveKeyPair();
    ASSERT_TRUE(pair.ok()) << pair.status().ToString();
    ASSERT_TRUE(common::WriteCurveKeyPair(dir.path() + "/" + name, *pair).ok());
  };
  for (const char* sub : {"/auth", "/auth/workers", "/auth/clients"}) {
    ASSERT_EQ(::mkdir((dir.path() + sub).c_str(), 0700), 0);
  }
  write_pair("server");
  write_pair("auth/workers/w");
  write_pair("auth/clients/c");
  write_pair("stranger");
  std::string ready = dir.path() + "/ready";
  std::string bin = LOGSWEEP_BIN_DIR;
  std::string parent = std::to_string(::getpid());
  pid_t coordinator = Spawn(
      {bin + "/logsweep-coordinator", "--workers-endpoint", "tcp://127.0.0.1:*",
       "--clients-endpoint", "tcp://127.0.0.1:*", "--ready-file", ready,
       "--curve-secret", dir.path() + "/server.key", "--authorized-keys",
       dir.path() + "/auth", "--log-level", "error", "--parent-pid", parent});
  ASSERT_GT(coordinator, 0);
  for (int i = 0; i < 400 && ::access(ready.c_str(), F_OK) != 0; ++i) {
    std::this_thread::sleep_for(milliseconds(25));
  }
  std::ifstream in(ready);
  std::string line, workers_ep, clients_ep;
  while (std::getline(in, line)) {
    if (line.rfind("workers=", 0) == 0) workers_ep = line.substr(8);
    if (line.rfind("clients=", 0) == 0) clients_ep = line.substr(8);
  }
  ASSERT_FALSE(clients_ep.empty());
  pid_t worker = Spawn({bin + "/logsweep-worker", "--coordinator", workers_ep,
                        "--curve-server-key", dir.path() + "/server.pub",
                        "--curve-key", dir.path() + "/auth/workers/w",
                        "--log-level", "error", "--parent-pid", parent});
  ASSERT_GT(worker, 0);
  std::string log = dir.Write(
      "a.gz", Gzip(Line("secure-host", "/robots.txt") + Line("x", "/")));

  ClientOptions authorised;
  authorised.curve_server_key = dir.path() + "/server.pub";
  authorised.curve_key = dir.path() + "/auth/clients/c";
  {
    Client client(clients_ep, authorised);
    EXPECT_EQ(client.map({log})[0], (std::vector<std::string>{"secure-host"}));
  }
  ClientOptions stranger = authorised;
  stranger.curve_key = dir.path() + "/stranger";
  stranger.connect_timeout = milliseconds(500);
  {
    Client client(clients_ep, stranger);
    EXPECT_THROW(client.submit({log}), Error);
  }
  ClientOptions missing = authorised;
  missing.curve_key = dir.path() + "/nosuchkey";
  {
    Client client(clients_ep, missing);
    try {
      client.submit({log});
      ADD_FAILURE() << "a missing key file must fail the submit";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("nosuchkey"), std::string::npos)
          << e.what();
    }
  }
  Stop(worker, SIGKILL);
  Stop(coordinator);
}

}  // namespace
}  // namespace logsweep
