#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/base/status.h"
#include "common/transport/messages.h"

struct sqlite3;
struct sqlite3_stmt;

namespace logsweep::coordinator {

// The coordinator's durable record of jobs and of finished tasks' outcomes
// (SQLite in WAL mode, in DIR/journal.db), so that a coordinator restarted
// with the same --state DIR resumes unfinished jobs without scanning
// finished files again, and `logsweep wait` can fetch a finished job's
// result later.
//
// Writes are kept in memory in one batch until Commit(), which applies the
// whole batch in one transaction. A failed Commit (disk full, database
// locked, I/O error) rolls the transaction back and keeps the batch, so the
// next Commit tries it all again: nothing recorded is ever dropped, and a
// crash loses at most the batch not yet committed, whose tasks simply run
// again. The directory is locked (flock on DIR/lock) for the journal's
// lifetime: one coordinator per state directory. Messages are stored as the
// codec's bytes. Owned by the I/O thread.
class JobJournal {
 public:
  // Opens or creates DIR/journal.db (creating DIR) and locks DIR.
  // Errors: Unavailable (cannot create, open or lock; another coordinator
  // holding the directory is named by its pid), DataLoss (not a journal).
  static common::StatusOr<std::unique_ptr<JobJournal>> Open(
      const std::string& dir);
  ~JobJournal();
  JobJournal(const JobJournal&) = delete;
  JobJournal& operator=(const JobJournal&) = delete;

  // Each write joins the pending batch (in memory; cannot fail).
  // `owner`: the submitting client's identity (CURVE key, else IP address,
  // else "local"), so that its jobs stay its own across a restart;
  // `submitted_unix_ms`: wall-clock time of the submit, so that a resumed
  // job's elapsed time and throughput count from then.
  void RecordJob(const std::string& job_id, const common::SubmitJob& submit,
                 const std::string& owner = {}, int64_t submitted_unix_ms = 0);
  void RecordTask(const common::TaskOutcome& outcome);
  // How a job ended, kept with it for `logsweep jobs` and retention.
  struct JobEnd {
    uint64_t elapsed_us = 0;       // from submit to its last file
    int64_t finished_unix_ms = 0;  // wall clock; retention counts from it
    uint64_t files = 0;
    uint64_t failed = 0;         // files that failed (cancelled ones included)
    std::string state = "done";  // "done", "failed" or "cancelled"
  };
  void RecordJobDone(const std::string& job_id, const JobEnd& end);
  // Takes a job's records out of the pending batch (a job that could not be
  // made durable is refused, and must not become durable later).
  void DiscardJob(const std::string& job_id);
  bool has_pending() const { return !pending_.empty(); }

  // Makes the pending batch durable. Errors: Unavailable naming the state
  // directory and SQLite's error; the batch is kept for the next call.
  common::Status Commit();

  struct StoredJob {
    std::string id;
    common::SubmitJob submit;
    std::vector<common::TaskOutcome> done;  // finished tasks' outcomes
    bool finished = false;
    std::string owner;              // empty: unknown (an older journal)
    int64_t submitted_unix_ms = 0;  // 0: unknown (an older journal)
    uint64_t elapsed_us = 0;        // of a finished job
  };
  // Every job not yet finished, oldest first. Reads only what is committed.
  common::StatusOr<std::vector<StoredJob>> LoadUnfinished();
  // One job, finished or not; nullopt if unknown.
  common::StatusOr<std::optional<StoredJob>> Load(const std::string& job_id);
  // Ids of `owner`'s jobs (finished or not) that begin with `prefix`,
  // oldest first, at most `limit`.
  common::StatusOr<std::vector<std::string>> FindByPrefix(
      const std::string& prefix, const std::string& owner, size_t limit);
  // The id of the job submitted with `request_key`, if one was recorded.
  common::StatusOr<std::optional<std::string>> FindByRequestKey(
      const std::string& request_key);

  // One job as `logsweep jobs` lists it.
  struct JobSummary {
    std::string id;
    std::string owner;
    int64_t submitted_unix_ms = 0;  // 0: unknown (an older journal)
    bool finished = false;
    std::string state;    // of a finished job: "done", "failed", "cancelled"
    uint64_t files = 0;   // of a finished job
    uint64_t failed = 0;  // of a finished job
    uint64_t elapsed_us = 0;  // of a finished job
    int64_t finished_unix_ms = 0;
  };
  // The newest `limit` jobs (finished or not), newest first. Reads only
  // what is committed. Errors: Unavailable (SQLite's error).
  common::StatusOr<std::vector<JobSummary>> ListJobs(size_t limit);

  // One bounded step of retention (call with nothing pending): finished
  // jobs that finished before `finished_before_unix_ms` leave the jobs
  // table at once (so they are unknown from then on), and their task
  // records are deleted, at most `max_rows` rows per call, over as many
  // calls as it takes; then free pages are given back to the file system,
  // at most `max_rows` pages per call (new journals only: see Open). Each
  // call is one transaction, so the caller's loop is held up by one batch
  // at most. Unfinished jobs are never touched.
  // Errors: Unavailable (the journal cannot be written; that batch did
  // nothing, retry later).
  struct PruneStep {
    uint64_t jobs = 0;   // jobs that left the jobs table in this call
    uint64_t rows = 0;   // task records deleted in this call
    uint64_t pages = 0;  // free pages given back in this call
    bool more = false;   // call again soon: work is left
  };
  common::StatusOr<PruneStep> Prune(int64_t finished_before_unix_ms,
                                    size_t max_rows);

  // Bytes of journal.db plus its write-ahead log, for tests and metrics.
  uint64_t FileBytes() const;

  const std::string& dir() const { return dir_; }

 private:
  JobJournal(sqlite3* db, int lock_fd, std::string dir);

  struct Op {
    enum class Kind { kJob, kTask, kDone } kind;
    std::string job_id;
    uint64_t task_id = 0;
    std::string blob;         // encoded submit or outcome
    std::string request_key;  // kJob
    std::string owner;        // kJob
    int64_t time = 0;         // kJob: submitted_unix_ms; kDone: elapsed_us
    JobEnd end;               // kDone
  };

  common::Status Exec(const char* sql);
  common::StatusOr<int64_t> PragmaValue(const char* sql);
  common::StatusOr<PruneStep> PruneInTransaction(int64_t finished_before,
                                                 size_t max_rows);
  common::Status Apply(const Op& op);
  common::Status Error(const std::string& what) const;
  common::StatusOr<std::vector<common::TaskOutcome>> LoadTasks(
      const std::string& job_id);

  sqlite3* db_;
  int lock_fd_;
  std::string dir_;
  std::vector<Op> pending_;
};

}  // namespace logsweep::coordinator
