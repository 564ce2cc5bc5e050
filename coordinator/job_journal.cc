#include "coordinator/job_journal.h"

#include <sqlite3.h>

#include <filesystem>
#include <variant>

#include "common/codec.h"

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
)sql";

Status SqliteError(sqlite3* db, const std::string& what) {
  return common::UnavailableError("journal: " + what + ": " +
                                  (db ? sqlite3_errmsg(db) : "no database"));
}

// One prepared statement, finalized on scope exit.
class Statement {
 public:
  Statement(sqlite3* db, const char* sql) {
    if (sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) != SQLITE_OK) {
      stmt_ = nullptr;
    }
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  bool ok() const { return stmt_ != nullptr; }
  sqlite3_stmt* get() { return stmt_; }
  void Bind(int i, const std::string& bytes) {
    sqlite3_bind_blob(stmt_, i, bytes.data(), static_cast<int>(bytes.size()),
                      SQLITE_TRANSIENT);
  }
  void BindText(int i, const std::string& text) {
    sqlite3_bind_text(stmt_, i, text.data(), static_cast<int>(text.size()),
                      SQLITE_TRANSIENT);
  }
  std::string Column(int i) {
    const void* p = sqlite3_column_blob(stmt_, i);
    int n = sqlite3_column_bytes(stmt_, i);
    return p ? std::string(static_cast<const char*>(p), n) : std::string();
  }

 private:
  sqlite3_stmt* stmt_ = nullptr;
};

StatusOr<common::SubmitJob> DecodeSubmit(const std::string& bytes) {
  auto decoded = common::DecodeClientToCoordinator(bytes);
  if (!decoded.ok() || !std::holds_alternative<common::SubmitJob>(*decoded)) {
    return common::DataLossError("journal: unreadable job record");
  }
  return std::get<common::SubmitJob>(std::move(*decoded));
}

}  // namespace

StatusOr<std::unique_ptr<JobJournal>> JobJournal::Open(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    return common::UnavailableError("journal: cannot create " + dir + ": " +
                                    ec.message());
  }
  std::string path = dir + "/journal.db";
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(
          path.c_str(), &db,
          SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
          nullptr) != SQLITE_OK) {
    Status s = SqliteError(db, "open " + path);
    sqlite3_close(db);
    return s;
  }
  auto journal = std::make_unique<JobJournal>(db);
  // WAL: commits append to the log, readers never block the writer;
  // synchronous=NORMAL is durable against process crashes.
  if (Status s = journal->Exec("PRAGMA journal_mode=WAL;"
                               "PRAGMA synchronous=NORMAL;");
      !s.ok()) {
    return s;
  }
  if (Status s = journal->Exec(kSchema); !s.ok()) {
    return common::DataLossError(s.message() + " (" + path + ")");
  }
  return journal;
}

JobJournal::~JobJournal() {
  if (in_batch_) {
    (void)Commit();
  }
  sqlite3_close(db_);
}

Status JobJournal::Exec(const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string message = err ? err : "error";
    sqlite3_free(err);
    return common::UnavailableError("journal: " + message);
  }
  return common::OkStatus();
}

Status JobJournal::Begin() {
  if (in_batch_) return common::OkStatus();
  if (Status s = Exec("BEGIN"); !s.ok()) return s;
  in_batch_ = true;
  return common::OkStatus();
}

Status JobJournal::Commit() {
  if (!in_batch_) return common::OkStatus();
  in_batch_ = false;
  return Exec("COMMIT");
}

Status JobJournal::RecordJob(const std::string& job_id,
                             const common::SubmitJob& submit) {
  if (Status s = Begin(); !s.ok()) return s;
  Statement st(db_, "INSERT INTO jobs (id, submit) VALUES (?1, ?2)");
  if (!st.ok()) return SqliteError(db_, "prepare");
  st.BindText(1, job_id);
  st.Bind(2, common::Encode(common::ClientToCoordinator(submit)));
  if (sqlite3_step(st.get()) != SQLITE_DONE) {
    return SqliteError(db_, "record job");
  }
  return common::OkStatus();
}

Status JobJournal::RecordTask(const common::TaskOutcome& outcome) {
  if (Status s = Begin(); !s.ok()) return s;
  Statement st(db_,
               "INSERT OR REPLACE INTO tasks (job_id, task_id, outcome) "
               "VALUES (?1, ?2, ?3)");
  if (!st.ok()) return SqliteError(db_, "prepare");
  st.BindText(1, outcome.ref.job_id);
  sqlite3_bind_int64(st.get(), 2,
                     static_cast<sqlite3_int64>(outcome.ref.task_id));
  st.Bind(3, common::Encode(common::WorkerToCoordinator(outcome)));
  if (sqlite3_step(st.get()) != SQLITE_DONE) {
    return SqliteError(db_, "record task");
  }
  return common::OkStatus();
}

Status JobJournal::RecordJobDone(const std::string& job_id) {
  if (Status s = Begin(); !s.ok()) return s;
  Statement st(db_, "UPDATE jobs SET finished = 1 WHERE id = ?1");
  if (!st.ok()) return SqliteError(db_, "prepare");
  st.BindText(1, job_id);
  if (sqlite3_step(st.get()) != SQLITE_DONE) {
    return SqliteError(db_, "record job done");
  }
  return common::OkStatus();
}

StatusOr<std::vector<common::TaskOutcome>> JobJournal::LoadTasks(
    const std::string& job_id) {
  Statement st(db_, "SELECT outcome FROM tasks WHERE job_id = ?1");
  if (!st.ok()) return SqliteError(db_, "prepare");
  st.BindText(1, job_id);
  std::vector<common::TaskOutcome> out;
  int rc;
  while ((rc = sqlite3_step(st.get())) == SQLITE_ROW) {
    auto decoded = common::DecodeWorkerToCoordinator(st.Column(0));
    if (!decoded.ok() ||
        !std::holds_alternative<common::TaskOutcome>(*decoded)) {
      return common::DataLossError("journal: unreadable task record of job " +
                                   job_id);
    }
    out.push_back(std::get<common::TaskOutcome>(std::move(*decoded)));
  }
  if (rc != SQLITE_DONE) return SqliteError(db_, "load tasks");
  return out;
}

StatusOr<std::vector<JobJournal::StoredJob>> JobJournal::LoadUnfinished() {
  Statement st(db_,
               "SELECT id, submit FROM jobs WHERE finished = 0 ORDER BY seq");
  if (!st.ok()) return SqliteError(db_, "prepare");
  std::vector<StoredJob> jobs;
  int rc;
  while ((rc = sqlite3_step(st.get())) == SQLITE_ROW) {
    StoredJob job;
    job.id = st.Column(0);
    auto submit = DecodeSubmit(st.Column(1));
    if (!submit.ok()) return submit.status();
    job.submit = std::move(*submit);
    jobs.push_back(std::move(job));
  }
  if (rc != SQLITE_DONE) return SqliteError(db_, "load jobs");
  for (StoredJob& job : jobs) {
    auto done = LoadTasks(job.id);
    if (!done.ok()) return done.status();
    job.done = std::move(*done);
  }
  return jobs;
}

StatusOr<std::optional<JobJournal::StoredJob>> JobJournal::Load(
    const std::string& job_id) {
  Statement st(db_, "SELECT submit, finished FROM jobs WHERE id = ?1");
  if (!st.ok()) return SqliteError(db_, "prepare");
  st.BindText(1, job_id);
  int rc = sqlite3_step(st.get());
  if (rc == SQLITE_DONE) return std::optional<StoredJob>();
  if (rc != SQLITE_ROW) return SqliteError(db_, "load job");
  StoredJob job;
  job.id = job_id;
  auto submit = DecodeSubmit(st.Column(0));
  if (!submit.ok()) return submit.status();
  job.submit = std::move(*submit);
  job.finished = sqlite3_column_int(st.get(), 1) != 0;
  auto done = LoadTasks(job_id);
  if (!done.ok()) return done.status();
  job.done = std::move(*done);
  return std::optional<StoredJob>(std::move(job));
}

}  // namespace logsweep::coordinator
