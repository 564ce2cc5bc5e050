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
  // `elapsed_us`: the job's duration, from submit to its last file.
  void RecordJobDone(const std::string& job_id, uint64_t elapsed_us = 0);
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

  // Deletes finished jobs older than the newest `keep` finished ones, with
  // their task records, in one transaction (call with nothing pending);
  // returns how many jobs went. Unfinished jobs are never deleted. Errors:
  // Unavailable (the journal cannot be written; nothing was deleted).
  common::StatusOr<uint64_t> PruneFinished(size_t keep);

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
  };

  common::Status Exec(const char* sql);
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
