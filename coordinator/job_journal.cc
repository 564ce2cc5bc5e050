#include "coordinator/job_journal.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <variant>

#include "common/transport/codec.h"
#include "coordinator/sqlite_statement.h"

namespace logsweep::coordinator {
namespace {

using common::Status;
using common::StatusOr;

constexpr const char* kSchema = R"sql(
  CREATE TABLE IF NOT EXISTS jobs (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT UNIQUE NOT NULL,
    submit BLOB NOT NULL,
    finished INTEGER NOT NULL DEFAULT 0);
  CREATE TABLE IF NOT EXISTS tasks (
    job_id TEXT NOT NULL,
    task_id INTEGER NOT NULL,
    outcome BLOB NOT NULL,
    PRIMARY KEY (job_id, task_id));
  CREATE TABLE IF NOT EXISTS pruning (job_id TEXT PRIMARY KEY);
)sql";

// The outcome of a finished job whose journal predates the state column,
// worked out from its task records the way the coordinator states it.
void SummariseFromTasks(const std::vector<common::TaskOutcome>& done,
                        JobJournal::JobSummary* job) {
  job->files = done.size();
  job->failed = 0;
  job->state = "done";
  for (const common::TaskOutcome& o : done) {
    if (o.status.ok()) continue;
    ++job->failed;
    if (o.status.code() == common::StatusCode::kCancelled) {
      job->state = "cancelled";
    } else if (job->state == "done") {
      job->state = "failed";
    }
  }
}

using Statement = SqliteStatement;

StatusOr<common::SubmitJob> DecodeSubmit(const std::string& bytes) {
  auto decoded =
      common::DecodeClientToCoordinator(bytes, common::kOldestStoredVersion);
  if (!decoded.ok() || !std::holds_alternative<common::SubmitJob>(*decoded)) {
    return common::DataLossError("journal: unreadable job record");
  }
  return std::get<common::SubmitJob>(std::move(*decoded));
}

// Locks `dir` for this process: one coordinator per state directory. The
// lock file holds the holder's pid, for the error the next one prints.
StatusOr<int> LockDirectory(const std::string& dir) {
  std::string path = dir + "/lock";
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    return common::UnavailableError("cannot open " + path + ": " +
                                    std::strerror(errno));
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    char pid[32] = {0};
    ssize_t n = ::pread(fd, pid, sizeof(pid) - 1, 0);
    ::close(fd);
    std::string holder = n > 0 ? std::string(pid, static_cast<size_t>(n)) : "";
    while (!holder.empty() && (holder.back() == '\n' || holder.back() == ' ')) {
      holder.pop_back();
    }
    if (err == EWOULDBLOCK) {
      return common::UnavailableError(
          "state directory " + dir + " is in use by another coordinator" +
          (holder.empty() ? "" : " (pid " + holder + ")") +
          ": one coordinator per --state directory");
    }
    return common::UnavailableError("cannot lock " + path + ": " +
                                    std::strerror(err));
  }
  std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, pid.data(), pid.size(), 0) !=
                                     static_cast<ssize_t>(pid.size())) {
    // The lock holds regardless; only the next one's message is poorer.
  }
  return fd;
}

}  // namespace

JobJournal::JobJournal(sqlite3* db, int lock_fd, std::string dir)
    : db_(db), lock_fd_(lock_fd), dir_(std::move(dir)) {}

StatusOr<std::unique_ptr<JobJournal>> JobJournal::Open(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    return common::UnavailableError("journal: cannot create " + dir + ": " +
                                    ec.message());
  }
  StatusOr<int> lock = LockDirectory(dir);
  if (!lock.ok()) return lock.status();
  std::string path = dir + "/journal.db";
  common::StatusOr<sqlite3*> opened = OpenSqlite("journal", path);
  if (!opened.ok()) {
    ::close(*lock);
    return opened.status();
  }
  sqlite3* db = *opened;
  std::unique_ptr<JobJournal> journal(new JobJournal(db, *lock, dir));
  // A new file gives pages freed by retention back (Prune runs
  // incremental_vacuum); this must come before its first table. An older
  // file without it is converted once, here, before any work is taken:
  // VACUUM rewrites it (a large file takes seconds). If that fails (no room
  // for the copy), freed pages are still reused, so the file stays bounded.
  if (Status s = journal->Exec("PRAGMA auto_vacuum=INCREMENTAL;"); !s.ok()) {
    return common::DataLossError(s.message() + " (" + path + ")");
  }
  // WAL: commits append to the log, readers never block the writer;
  // synchronous=NORMAL is durable against process crashes. No busy wait:
  // a locked database fails the commit at once (it is retried later), so
  // the poll loop never sleeps on a lock.
  // journal_size_limit: a write-ahead log grown by one large batch is cut
  // back to 16 MiB at the next checkpoint rather than kept at its peak.
  if (Status s = journal->Exec("PRAGMA journal_mode=WAL;"
                               "PRAGMA synchronous=NORMAL;"
                               "PRAGMA journal_size_limit=16777216;");
      !s.ok()) {
    return s;
  }
  if (Status s = journal->Exec(kSchema); !s.ok()) {
    return common::DataLossError(s.message() + " (" + path + ")");
  }
  // Journals written before request keys, owners and timings existed gain
  // the columns (their old jobs keep an unknown owner and time: 0).
  std::vector<std::string> columns;
  {
    Statement st(db, "PRAGMA table_info(jobs)");
    while (st.ok() && sqlite3_step(st.get()) == SQLITE_ROW) {
      const unsigned char* name = sqlite3_column_text(st.get(), 1);
      if (name) columns.emplace_back(reinterpret_cast<const char*>(name));
    }
  }
  // request_key stays nullable: its index skips NULLs.
  for (const char* column :
       {"request_key BLOB", "owner BLOB NOT NULL DEFAULT ''",
        "submitted_unix_ms INTEGER NOT NULL DEFAULT 0",
        "elapsed_us INTEGER NOT NULL DEFAULT 0",
        "finished_unix_ms INTEGER NOT NULL DEFAULT 0",
        "files INTEGER NOT NULL DEFAULT 0", "failed INTEGER NOT NULL DEFAULT 0",
        "state TEXT NOT NULL DEFAULT ''"}) {
    const std::string name(column, std::strchr(column, ' '));
    if (std::find(columns.begin(), columns.end(), name) != columns.end()) {
      continue;
    }
    const std::string sql =
        std::string("ALTER TABLE jobs ADD COLUMN ") + column;
    if (Status s = journal->Exec(sql.c_str()); !s.ok()) return s;
  }
  if (Status s =
          journal->Exec("CREATE INDEX IF NOT EXISTS jobs_by_request_key "
                        "ON jobs (request_key) WHERE request_key IS NOT NULL;"
                        "CREATE INDEX IF NOT EXISTS jobs_by_finish "
                        "ON jobs (finished, finished_unix_ms)");
      !s.ok()) {
    return s;
  }
  // Jobs finished before finish times were kept count from their submit
  // plus duration, or, unknown, from now: retention never takes a job
  // earlier than its rule says.
  {
    const int64_t now_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(
            std::chrono::system_clock::now().time_since_epoch())
            .count();
    const std::string sql =
        "UPDATE jobs SET finished_unix_ms = CASE WHEN submitted_unix_ms > 0 "
        "THEN submitted_unix_ms + elapsed_us / 1000 ELSE " +
        std::to_string(now_ms) +
        " END WHERE finished = 1 AND finished_unix_ms = 0";
    if (Status s = journal->Exec(sql.c_str()); !s.ok()) return s;
  }
  auto auto_vacuum = journal->PragmaValue("PRAGMA auto_vacuum");
  if (!auto_vacuum.ok()) return auto_vacuum.status();
  if (*auto_vacuum != 2) (void)journal->Exec("VACUUM");
  return journal;
}

JobJournal::~JobJournal() {
  if (has_pending()) (void)Commit();  // best effort on the way out
  sqlite3_close(db_);
  ::close(lock_fd_);
}

Status JobJournal::Error(const std::string& what) const {
  return common::UnavailableError("journal in " + dir_ + ": " + what + ": " +
                                  sqlite3_errmsg(db_));
}

Status JobJournal::Exec(const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string message = err ? err : "error";
    sqlite3_free(err);
    return common::UnavailableError("journal in " + dir_ + ": " + message);
  }
  return common::OkStatus();
}

void JobJournal::RecordJob(const std::string& job_id,
                           const common::SubmitJob& submit,
                           const std::string& owner,
                           int64_t submitted_unix_ms) {
  Op op{Op::Kind::kJob,
        job_id,
        0,
        common::Encode(common::ClientToCoordinator(submit)),
        submit.request_key,
        owner,
        submitted_unix_ms,
        {}};
  pending_.push_back(std::move(op));
}

void JobJournal::RecordTask(const common::TaskOutcome& outcome) {
  pending_.push_back(Op{Op::Kind::kTask,
                        outcome.ref.job_id,
                        outcome.ref.task_id,
                        common::EncodeOutcome(outcome),
                        {},
                        {},
                        0,
                        {}});
}

void JobJournal::RecordJobDone(const std::string& job_id, const JobEnd& end) {
  Op op{Op::Kind::kDone, job_id, 0, {}, {}, {}, 0, end};
  pending_.push_back(std::move(op));
}

void JobJournal::DiscardJob(const std::string& job_id) {
  std::vector<Op> kept;
  kept.reserve(pending_.size());
  for (Op& op : pending_) {
    if (op.job_id != job_id) kept.push_back(std::move(op));
  }
  pending_.swap(kept);
}

Status JobJournal::Apply(const Op& op) {
  switch (op.kind) {
    case Op::Kind::kJob: {
      // OR IGNORE: a batch retried after a failed COMMIT may meet its own
      // rows if SQLite had written them before failing.
      Statement st(db_,
                   "INSERT OR IGNORE INTO jobs (id, submit, request_key, "
                   "owner, submitted_unix_ms) VALUES (?1, ?2, ?3, ?4, ?5)");
      if (!st.ok()) return Error("prepare");
      st.BindText(1, op.job_id);
      st.Bind(2, op.blob);
      if (op.request_key.empty()) {
        sqlite3_bind_null(st.get(), 3);
      } else {
        st.Bind(3, op.request_key);
      }
      st.Bind(4, op.owner);
      sqlite3_bind_int64(st.get(), 5, op.time);
      if (sqlite3_step(st.get()) != SQLITE_DONE) return Error("record job");
      return common::OkStatus();
    }
    case Op::Kind::kTask: {
      Statement st(db_,
                   "INSERT OR REPLACE INTO tasks (job_id, task_id, outcome) "
                   "VALUES (?1, ?2, ?3)");
      if (!st.ok()) return Error("prepare");
      st.BindText(1, op.job_id);
      sqlite3_bind_int64(st.get(), 2, static_cast<sqlite3_int64>(op.task_id));
      st.Bind(3, op.blob);
      if (sqlite3_step(st.get()) != SQLITE_DONE) return Error("record task");
      return common::OkStatus();
    }
    case Op::Kind::kDone: {
      Statement st(db_,
                   "UPDATE jobs SET finished = 1, elapsed_us = ?2, "
                   "finished_unix_ms = ?3, files = ?4, failed = ?5, state = "
                   "?6 WHERE id = ?1");
      if (!st.ok()) return Error("prepare");
      st.BindText(1, op.job_id);
      sqlite3_bind_int64(st.get(), 2,
                         static_cast<sqlite3_int64>(op.end.elapsed_us));
      sqlite3_bind_int64(st.get(), 3, op.end.finished_unix_ms);
      sqlite3_bind_int64(st.get(), 4, static_cast<sqlite3_int64>(op.end.files));
      sqlite3_bind_int64(st.get(), 5,
                         static_cast<sqlite3_int64>(op.end.failed));
      st.BindText(6, op.end.state);
      if (sqlite3_step(st.get()) != SQLITE_DONE) {
        return Error("record job done");
      }
      return common::OkStatus();
    }
  }
  return common::InternalError("journal: unknown record kind");
}

Status JobJournal::Commit() {
  if (pending_.empty()) return common::OkStatus();
  Status s = Exec("BEGIN IMMEDIATE");
  if (s.ok()) {
    for (const Op& op : pending_) {
      if (s = Apply(op); !s.ok()) break;
    }
  }
  if (s.ok()) s = Exec("COMMIT");
  if (!s.ok()) {
    // A failed statement or COMMIT may leave the transaction open (or
    // SQLite may have rolled it back itself): end it either way, so the
    // next BEGIN works, and keep the batch for the next try.
    if (sqlite3_get_autocommit(db_) == 0) (void)Exec("ROLLBACK");
    return s;
  }
  pending_.clear();
  return common::OkStatus();
}

StatusOr<std::vector<common::TaskOutcome>> JobJournal::LoadTasks(
    const std::string& job_id) {
  Statement st(db_, "SELECT outcome FROM tasks WHERE job_id = ?1");
  if (!st.ok()) return Error("prepare");
  st.BindText(1, job_id);
  std::vector<common::TaskOutcome> out;
  int rc;
  while ((rc = sqlite3_step(st.get())) == SQLITE_ROW) {
    auto decoded = common::DecodeWorkerToCoordinator(
        st.Column(0), common::kOldestStoredVersion);
    auto* batch =
        decoded.ok() ? std::get_if<common::OutcomeBatch>(&*decoded) : nullptr;
    if (batch == nullptr || batch->outcomes.size() != 1) {
      return common::DataLossError("journal: unreadable task record of job " +
                                   job_id);
    }
    out.push_back(std::move(batch->outcomes.front()));
  }
  if (rc != SQLITE_DONE) return Error("load tasks");
  return out;
}

StatusOr<std::vector<JobJournal::StoredJob>> JobJournal::LoadUnfinished() {
  Statement st(db_,
               "SELECT id, submit, owner, submitted_unix_ms FROM jobs WHERE "
               "finished = 0 ORDER BY seq");
  if (!st.ok()) return Error("prepare");
  std::vector<StoredJob> jobs;
  int rc;
  while ((rc = sqlite3_step(st.get())) == SQLITE_ROW) {
    StoredJob job;
    job.id = st.Column(0);
    auto submit = DecodeSubmit(st.Column(1));
    if (!submit.ok()) return submit.status();
    job.submit = std::move(*submit);
    job.owner = st.Column(2);
    job.submitted_unix_ms = sqlite3_column_int64(st.get(), 3);
    jobs.push_back(std::move(job));
  }
  if (rc != SQLITE_DONE) return Error("load jobs");
  for (StoredJob& job : jobs) {
    auto done = LoadTasks(job.id);
    if (!done.ok()) return done.status();
    job.done = std::move(*done);
  }
  return jobs;
}

StatusOr<std::optional<JobJournal::StoredJob>> JobJournal::Load(
    const std::string& job_id) {
  Statement st(db_,
               "SELECT submit, finished, owner, submitted_unix_ms, elapsed_us "
               "FROM jobs WHERE id = ?1");
  if (!st.ok()) return Error("prepare");
  st.BindText(1, job_id);
  int rc = sqlite3_step(st.get());
  if (rc == SQLITE_DONE) return std::optional<StoredJob>();
  if (rc != SQLITE_ROW) return Error("load job");
  StoredJob job;
  job.id = job_id;
  auto submit = DecodeSubmit(st.Column(0));
  if (!submit.ok()) return submit.status();
  job.submit = std::move(*submit);
  job.finished = sqlite3_column_int(st.get(), 1) != 0;
  job.owner = st.Column(2);
  job.submitted_unix_ms = sqlite3_column_int64(st.get(), 3);
  job.elapsed_us = static_cast<uint64_t>(sqlite3_column_int64(st.get(), 4));
  auto done = LoadTasks(job_id);
  if (!done.ok()) return done.status();
  job.done = std::move(*done);
  return std::optional<StoredJob>(std::move(job));
}

StatusOr<std::vector<std::string>> JobJournal::FindByPrefix(
    const std::string& prefix, const std::string& owner, size_t limit) {
  // Ids are lowercase hex: a prefix of anything else matches nothing, and
  // LIKE's wildcards never reach the query.
  for (char c : prefix) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) {
      return std::vector<std::string>();
    }
  }
  Statement st(db_,
               "SELECT id FROM jobs WHERE id LIKE ?1 AND owner = ?2 ORDER BY "
               "seq LIMIT ?3");
  if (!st.ok()) return Error("prepare");
  st.BindText(1, prefix + "%");
  st.Bind(2, owner);
  sqlite3_bind_int64(st.get(), 3, static_cast<sqlite3_int64>(limit));
  std::vector<std::string> ids;
  int rc;
  while ((rc = sqlite3_step(st.get())) == SQLITE_ROW) {
    const unsigned char* id = sqlite3_column_text(st.get(), 0);
    if (id) ids.emplace_back(reinterpret_cast<const char*>(id));
  }
  if (rc != SQLITE_DONE) return Error("find job id prefix");
  return ids;
}

StatusOr<std::optional<std::string>> JobJournal::FindByRequestKey(
    const std::string& request_key) {
  Statement st(db_, "SELECT id FROM jobs WHERE request_key = ?1");
  if (!st.ok()) return Error("prepare");
  st.Bind(1, request_key);
  int rc = sqlite3_step(st.get());
  if (rc == SQLITE_DONE) return std::optional<std::string>();
  if (rc != SQLITE_ROW) return Error("find request key");
  return std::optional<std::string>(st.Column(0));
}

StatusOr<int64_t> JobJournal::PragmaValue(const char* sql) {
  Statement st(db_, sql);
  if (!st.ok()) return Error("prepare");
  if (sqlite3_step(st.get()) != SQLITE_ROW) return Error(sql);
  return static_cast<int64_t>(sqlite3_column_int64(st.get(), 0));
}

StatusOr<std::vector<JobJournal::JobSummary>> JobJournal::ListJobs(
    size_t limit) {
  Statement st(db_,
               "SELECT id, owner, submitted_unix_ms, finished, state, files, "
               "failed, elapsed_us, finished_unix_ms FROM jobs ORDER BY seq "
               "DESC LIMIT ?1");
  if (!st.ok()) return Error("prepare");
  sqlite3_bind_int64(st.get(), 1, static_cast<sqlite3_int64>(limit));
  std::vector<JobSummary> jobs;
  int rc;
  while ((rc = sqlite3_step(st.get())) == SQLITE_ROW) {
    JobSummary job;
    job.id = st.Column(0);
    job.owner = st.Column(1);
    job.submitted_unix_ms = sqlite3_column_int64(st.get(), 2);
    job.finished = sqlite3_column_int(st.get(), 3) != 0;
    job.state = st.Column(4);
    job.files = static_cast<uint64_t>(sqlite3_column_int64(st.get(), 5));
    job.failed = static_cast<uint64_t>(sqlite3_column_int64(st.get(), 6));
    job.elapsed_us = static_cast<uint64_t>(sqlite3_column_int64(st.get(), 7));
    job.finished_unix_ms = sqlite3_column_int64(st.get(), 8);
    jobs.push_back(std::move(job));
  }
  if (rc != SQLITE_DONE) return Error("list jobs");
  for (JobSummary& job : jobs) {
    if (!job.finished || !job.state.empty()) continue;
    auto done = LoadTasks(job.id);
    if (!done.ok()) return done.status();
    SummariseFromTasks(*done, &job);
  }
  return jobs;
}

StatusOr<JobJournal::PruneStep> JobJournal::Prune(
    int64_t finished_before_unix_ms, size_t max_rows) {
  if (Status s = Exec("BEGIN IMMEDIATE"); !s.ok()) return s;
  auto step = PruneInTransaction(finished_before_unix_ms, max_rows);
  Status s = step.ok() ? Exec("COMMIT") : step.status();
  if (!s.ok()) {
    if (sqlite3_get_autocommit(db_) == 0) (void)Exec("ROLLBACK");
    return s;
  }
  return step;
}

StatusOr<JobJournal::PruneStep> JobJournal::PruneInTransaction(
    int64_t finished_before, size_t max_rows) {
  PruneStep step;
  const auto budget_rows =
      static_cast<sqlite3_int64>(std::max<size_t>(max_rows, 1));
  // The doomed jobs leave the jobs table first, so that from this commit
  // on they are unknown as a whole; their task records follow in batches.
  {
    Statement st(db_,
                 "INSERT OR IGNORE INTO pruning (job_id) SELECT id FROM jobs "
                 "WHERE finished = 1 AND finished_unix_ms < ?1 ORDER BY "
                 "finished_unix_ms LIMIT ?2");
    if (!st.ok()) return Error("prepare prune");
    sqlite3_bind_int64(st.get(), 1, finished_before);
    sqlite3_bind_int64(st.get(), 2, budget_rows);
    if (sqlite3_step(st.get()) != SQLITE_DONE) return Error("prune jobs");
  }
  {
    Statement st(db_,
                 "DELETE FROM jobs WHERE finished = 1 AND id IN (SELECT "
                 "job_id FROM pruning)");
    if (!st.ok()) return Error("prepare prune");
    if (sqlite3_step(st.get()) != SQLITE_DONE) return Error("prune jobs");
    step.jobs = static_cast<uint64_t>(sqlite3_changes(db_));
  }
  sqlite3_int64 budget = budget_rows;
  Statement next(db_, "SELECT job_id FROM pruning LIMIT 1");
  Statement rows(db_,
                 "DELETE FROM tasks WHERE rowid IN (SELECT rowid FROM tasks "
                 "WHERE job_id = ?1 LIMIT ?2)");
  Statement done(db_, "DELETE FROM pruning WHERE job_id = ?1");
  if (!next.ok() || !rows.ok() || !done.ok()) return Error("prepare prune");
  bool left = false;
  while (budget > 0) {
    sqlite3_reset(next.get());
    int rc = sqlite3_step(next.get());
    if (rc == SQLITE_DONE) break;
    if (rc != SQLITE_ROW) return Error("prune tasks");
    const std::string job_id = next.Column(0);
    sqlite3_reset(rows.get());
    rows.BindText(1, job_id);
    sqlite3_bind_int64(rows.get(), 2, budget);
    if (sqlite3_step(rows.get()) != SQLITE_DONE) return Error("prune tasks");
    const auto deleted = static_cast<sqlite3_int64>(sqlite3_changes(db_));
    step.rows += static_cast<uint64_t>(deleted);
    if (deleted == budget) {  // maybe more of this job's rows
      left = true;
      budget = 0;
      break;
    }
    sqlite3_reset(done.get());
    done.BindText(1, job_id);
    if (sqlite3_step(done.get()) != SQLITE_DONE) return Error("prune tasks");
    budget -= std::max<sqlite3_int64>(deleted, 1);
  }
  if (!left) {
    auto pending =
        PragmaValue("SELECT count(*) FROM (SELECT 1 FROM pruning LIMIT 1)");
    if (!pending.ok()) return pending.status();
    left = *pending > 0;
  }
  if (!left) {
    Statement st(db_,
                 "SELECT 1 FROM jobs WHERE finished = 1 AND finished_unix_ms "
                 "< ?1 LIMIT 1");
    if (!st.ok()) return Error("prepare prune");
    sqlite3_bind_int64(st.get(), 1, finished_before);
    int rc = sqlite3_step(st.get());
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return Error("prune jobs");
    left = rc == SQLITE_ROW;
  }
  if (!left && budget > 0) {
    // Freed pages go back to the file system, a bounded number at a time.
    auto mode = PragmaValue("PRAGMA auto_vacuum");
    auto free_pages = PragmaValue("PRAGMA freelist_count");
    if (!mode.ok()) return mode.status();
    if (!free_pages.ok()) return free_pages.status();
    if (*mode == 2 && *free_pages > 0) {
      const int64_t pages = std::min<int64_t>(*free_pages, budget);
      const std::string sql =
          "PRAGMA incremental_vacuum(" + std::to_string(pages) + ")";
      if (Status s = Exec(sql.c_str()); !s.ok()) return s;
      step.pages = static_cast<uint64_t>(pages);
      left = *free_pages > pages;
    }
  }
  step.more = left;
  return step;
}

uint64_t JobJournal::FileBytes() const {
  uint64_t total = 0;
  for (const char* name : {"/journal.db", "/journal.db-wal"}) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(dir_ + name, ec);
    if (!ec) total += size;
  }
  return total;
}

}  // namespace logsweep::coordinator
