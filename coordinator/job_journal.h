#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/messages.h"
#include "common/status.h"

struct sqlite3;

namespace logsweep::coordinator {

// The coordinator's durable record of jobs and of finished tasks' outcomes
// (SQLite in WAL mode, in DIR/journal.db), so that a coordinator restarted
// with the same --state DIR resumes unfinished jobs without scanning
// finished files again, and `logsweep wait` can fetch a finished job's
// result later. Writes are batched in one transaction until Commit(); a
// crash loses at most the uncommitted batch, whose tasks simply run again.
// Messages are stored as the codec's bytes. Owned by the I/O thread.
class JobJournal {
 public:
  // Opens or creates DIR/journal.db (creating DIR).
  // Errors: Unavailable (cannot create or open), DataLoss (not a journal).
  static common::StatusOr<std::unique_ptr<JobJournal>> Open(
      const std::string& dir);
  // Adopts an open database handle (Open() is the way to get one).
  explicit JobJournal(sqlite3* db) : db_(db) {}
  ~JobJournal();
  JobJournal(const JobJournal&) = delete;
  JobJournal& operator=(const JobJournal&) = delete;

  // Each write joins the open batch. Errors: Unavailable (disk full, I/O).
  common::Status RecordJob(const std::string& job_id,
                           const common::SubmitJob& submit);
  common::Status RecordTask(const common::TaskOutcome& outcome);
  common::Status RecordJobDone(const std::string& job_id);
  // Makes the batch durable.
  common::Status Commit();

  struct StoredJob {
    std::string id;
    common::SubmitJob submit;
    std::vector<common::TaskOutcome> done;  // finished tasks' outcomes
    bool finished = false;
  };
  // Every job not yet finished, oldest first.
  common::StatusOr<std::vector<StoredJob>> LoadUnfinished();
  // One job, finished or not; nullopt if unknown.
  common::StatusOr<std::optional<StoredJob>> Load(const std::string& job_id);

 private:
  common::Status Exec(const char* sql);
  common::Status Begin();
  common::StatusOr<std::vector<common::TaskOutcome>> LoadTasks(
      const std::string& job_id);

  sqlite3* db_;
  bool in_batch_ = false;
};

}  // namespace logsweep::coordinator
