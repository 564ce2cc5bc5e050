#pragma once

// logsweep's C++ client library: submit a job to a coordinator and get one
// future per file, in the manner of Python's concurrent.futures.
//
//   logsweep::Client client("tcp://coordinator:5556");
//   logsweep::Job job = client.submit(paths);          // one future per file
//   for (const logsweep::TaskFuture& f : job.as_completed()) { ... }
//   logsweep::JobResult all = job.result();           // merged hosts, errors
//
// Installed with a CMake package: find_package(logsweep) and link
// logsweep::client. See docs/cli.md ("The C++ library") for more.
//
// Threads: a Client may be used from any number of threads at once; so may
// Jobs and TaskFutures (they are handles to shared state; copies are cheap).
// Done callbacks run one at a time on the Client's callback thread.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace logsweep {

namespace detail {
struct FileState;
struct JobState;
struct Access;
class ClientCore;
}  // namespace detail

// What to look for in each line: field `key_field` of every line on which
// every predicate given holds. Fields count from 0 after splitting on runs
// of ASCII whitespace (Python's bytes.split()); bytes are never decoded.
// The default is the classic question: hosts that requested /robots.txt.
// The predicates and their edge cases are those of `logsweep run`
// (docs/cli.md, "The query"), and the setters build a query the same way:
// as on the command line, any predicate set drops the default path unless
// Paths() sets paths.
//   Query q = Query().Paths({"/wp-login.php", "/xmlrpc.php"}).Status(400, 499)
//                    .Since(std::time(nullptr) - 7 * 86400);
// A query the coordinator refuses (an invalid pattern, say) fails submit()
// with kInvalidArgument.
struct Query {
  // The path (field match_field) equals match_value or one of more_values;
  // match_value empty: no exact-path test.
  std::string match_value = "/robots.txt";
  uint32_t key_field = 0;
  uint32_t match_field = 6;
  std::vector<std::string> more_values;
  std::string path_prefix;  // the path starts with it
  std::string path_regex;   // the path holds a match of this RE2 pattern
  // The status (field match_field + 2) lies in one of these inclusive
  // ranges.
  std::vector<std::pair<uint32_t, uint32_t>> statuses;
  // The method (field match_field - 1 without its quote) is one of these.
  std::vector<std::string> methods;
  // The time (fields match_field - 3 and - 2) in [since, until), Unix
  // seconds; 0: no bound.
  int64_t since = 0;
  int64_t until = 0;

  // Any of `paths` (none: no exact-path test).
  Query& Paths(std::vector<std::string> paths) {
    paths_set = true;
    match_value = paths.empty() ? std::string() : paths.front();
    more_values.assign(paths.begin() + (paths.empty() ? 0 : 1), paths.end());
    return *this;
  }
  Query& Prefix(std::string prefix) {
    DropDefaultPath();
    path_prefix = std::move(prefix);
    return *this;
  }
  Query& Regex(std::string pattern) {
    DropDefaultPath();
    path_regex = std::move(pattern);
    return *this;
  }
  Query& Status(uint32_t low, uint32_t high) {
    DropDefaultPath();
    statuses.emplace_back(low, high);
    return *this;
  }
  Query& Method(std::string method) {
    DropDefaultPath();
    methods.push_back(std::move(method));
    return *this;
  }
  Query& Since(int64_t unix_seconds) {
    DropDefaultPath();
    since = unix_seconds;
    return *this;
  }
  Query& Until(int64_t unix_seconds) {
    DropDefaultPath();
    until = unix_seconds;
    return *this;
  }
  Query& Key(uint32_t field) {
    key_field = field;
    return *this;
  }
  // --count: per host, the matching lines and the first and last time
  // among them (FileResult::counts, JobResult::counts, Client::map_counts)
  // besides the hosts. The same predicates: the default path stays.
  Query& Count() {
    count = true;
    return *this;
  }

  // Set by Paths(): the other setters then keep the paths as they are.
  // Last, so that Query{"/x", 0, 6} still reads as it always did.
  bool paths_set = false;
  bool count = false;  // set by Count()

  void DropDefaultPath() {
    if (!paths_set && more_values.empty() && match_value == "/robots.txt") {
      match_value.clear();
    }
  }
};

// Which files a directory given to Client::submit() stands for: the rules
// of `logsweep run` (docs/cli.md, "Which files are scanned").
struct FindOptions {
  // Globs matched against the path of each file relative to the directory
  // given: `include` takes files the name rule skips, `exclude` skips files
  // (and does not search directories) whatever else says.
  std::vector<std::string> include;
  std::vector<std::string> exclude;
  // Every regular file under a directory, hidden ones too.
  bool all_files = false;
};

struct JobOptions {
  // Also merge into JobResult::hosts the hosts a file yielded before it
  // failed (they are always in that file's FileResult::hosts).
  bool merge_partial = false;
  FindOptions find;
};

// Something under a directory given to submit() that was not scanned.
struct SkippedFile {
  std::string path;
  // "not_log_name", "hidden", "excluded", "not_regular_file",
  // "broken_symlink", "same_file", "directory_seen" (docs/cli.md).
  std::string reason;
  std::string detail;      // the --exclude glob, the other path...; or ""
  bool directory = false;  // a directory that was not searched
};

struct ClientOptions {
  // How long submit() waits for the coordinator to accept a job.
  std::chrono::milliseconds connect_timeout{10000};
  // Silence from the coordinator after which a running job's unfinished
  // files fail with kUnavailable. It reports progress every 500 ms.
  std::chrono::milliseconds silence_timeout{15000};
  // Silence after which the client re-attaches to its jobs (a coordinator
  // restarted with --state picks them up again).
  std::chrono::milliseconds reattach_after{2000};
  // CurveZMQ, for a coordinator run with --curve-secret: the coordinator's
  // public key file (.pub) and this client's key pair (NAME or NAME.key,
  // from `logsweep keygen`; its .pub must be in the coordinator's
  // authorized-keys/clients/). Both empty: no CURVE.
  std::string curve_server_key;
  std::string curve_key;
};

// Why a file or a job failed; the names match the CLI's error lines.
enum class ErrorCode {
  kOk = 0,
  kInvalidArgument,
  kNotFound,
  kPermissionDenied,
  kDataLoss,
  kUnavailable,
  kDeadlineExceeded,
  kResourceExhausted,
  kCancelled,
  kInternal,
};
std::string_view ToString(ErrorCode code);

// Thrown by TaskFuture::result() for a failed file (path() names it), and by
// Client::submit(), Client::map() and Job::result() when the coordinator
// cannot be reached, refuses the job or is lost (path() is empty then).
class Error : public std::runtime_error {
 public:
  Error(ErrorCode code, std::string path, const std::string& message);
  ErrorCode code() const { return code_; }
  const std::string& path() const { return path_; }

 private:
  ErrorCode code_;
  std::string path_;
};

struct FileStats {
  uint64_t lines = 0;
  uint64_t matches = 0;
  uint64_t malformed = 0;      // lines with too few fields for the query
                               // that hold the match value
  uint64_t bytes_read = 0;     // compressed bytes read
  uint64_t bytes_scanned = 0;  // uncompressed bytes scanned
  // Lines the query's method, status or time test could not read (so they
  // did not match); docs/cli.md, "Lines a predicate cannot read".
  uint64_t unreadable_method = 0;
  uint64_t unreadable_status = 0;
  uint64_t unreadable_time = 0;
};

// What a --count query (Query::Count()) collects for one host: its
// matching lines, and the earliest and latest time among them in Unix
// seconds (none when no line of the host had a readable time).
struct HostCount {
  std::string host;
  uint64_t count = 0;
  std::optional<int64_t> first;
  std::optional<int64_t> last;
  bool operator==(const HostCount& o) const {
    return host == o.host && count == o.count && first == o.first &&
           last == o.last;
  }
};

// The outcome of one file.
struct FileResult {
  std::string path;
  ErrorCode code = ErrorCode::kOk;
  std::string error;               // empty when code is kOk
  std::vector<std::string> hosts;  // sorted, unique; for a failed file, the
                                   // hosts found before the failure
  FileStats stats;
  uint32_t attempts = 0;  // workers that tried it (0: never ran)
  // A --count query: one per host of `hosts`, in the same order (by host).
  std::vector<HostCount> counts;
  bool ok() const { return code == ErrorCode::kOk; }
};

// The future of one file of a job.
class TaskFuture {
 public:
  TaskFuture() = default;  // invalid until assigned from a Job

  const std::string& path() const;
  size_t index() const;  // position in Job::futures()
  bool valid() const { return state_ != nullptr; }

  // Whether the file has an outcome (scanned, failed or cancelled).
  bool done() const;
  bool cancelled() const;
  void wait() const;
  // std::future_status::ready or ::timeout.
  std::future_status wait_for(std::chrono::milliseconds timeout) const;

  // Waits; the file's hosts, or throws Error for a failed or cancelled file.
  std::vector<std::string> result() const;
  // Waits; the whole outcome, never throws.
  FileResult outcome() const;

  // Withdraws the file: a pending one is never run; a running one is
  // abandoned and its answer discarded. Returns false if it was already
  // done. The future is then done with kCancelled.
  bool cancel() const;

  // Calls `fn` once, on the client's callback thread, when the file is
  // done; at once (on that thread) if it is done already. Callbacks may
  // call any method of any future, but should not block for long: the
  // next callback waits for them.
  void add_done_callback(std::function<void(const TaskFuture&)> fn) const;

 private:
  friend struct detail::Access;
  friend class Job;
  friend class Client;
  explicit TaskFuture(std::shared_ptr<detail::FileState> state)
      : state_(std::move(state)) {}
  std::shared_ptr<detail::FileState> state_;
};

struct JobResult {
  std::string job_id;
  // Sorted, unique: the hosts of every file scanned without error (and of
  // failed files too with JobOptions::merge_partial).
  std::vector<std::string> hosts;
  std::vector<FileResult> files;     // in job order (Job::futures())
  std::vector<SkippedFile> skipped;  // under the directories given
  FileStats totals;
  std::chrono::microseconds elapsed{0};  // on the coordinator
  // A --count query: one per host of `hosts`, in the same order, each
  // file's tallies added once (first: the earliest, last: the latest).
  std::vector<HostCount> counts;

  bool ok() const;  // every file scanned without error
  std::vector<FileResult> failures() const;
};

// Futures iterated in the order they finish (Job::as_completed()).
class AsCompleted {
 public:
  class iterator {
   public:
    using value_type = TaskFuture;
    using difference_type = std::ptrdiff_t;
    using reference = const TaskFuture&;
    using pointer = const TaskFuture*;
    using iterator_category = std::input_iterator_tag;

    // Waits for the next future to finish.
    const TaskFuture& operator*() const;
    const TaskFuture* operator->() const { return &**this; }
    iterator& operator++() {
      ++position_;
      return *this;
    }
    bool operator==(const iterator& other) const {
      return position_ == other.position_;
    }
    bool operator!=(const iterator& other) const { return !(*this == other); }

   private:
    friend class AsCompleted;
    iterator(std::shared_ptr<detail::JobState> job, size_t position)
        : job_(std::move(job)), position_(position) {}
    std::shared_ptr<detail::JobState> job_;
    size_t position_;
    mutable TaskFuture current_;
  };

  iterator begin() const { return iterator(job_, 0); }
  iterator end() const;

 private:
  friend class Job;
  explicit AsCompleted(std::shared_ptr<detail::JobState> job)
      : job_(std::move(job)) {}
  std::shared_ptr<detail::JobState> job_;
};

// A submitted job: one future per file. A handle; copies share the job.
class Job {
 public:
  const std::string& id() const;  // unguessable; `logsweep wait ID` works
  size_t size() const;
  const TaskFuture& operator[](size_t index) const;
  const std::vector<TaskFuture>& futures() const;
  // What the directories given to submit() held that is not scanned.
  const std::vector<SkippedFile>& skipped() const;

  // Whether every file is done and the coordinator has closed the job.
  bool done() const;
  std::future_status wait_for(std::chrono::milliseconds timeout) const;
  // Waits for the whole job. Per-file failures are in the result, not
  // thrown; throws Error only when the coordinator was lost.
  JobResult result() const;
  // The futures in the order they finish, each waited for in turn.
  AsCompleted as_completed() const;
  // Cancels every unfinished file; returns how many.
  size_t cancel() const;

 private:
  friend class Client;
  explicit Job(std::shared_ptr<detail::JobState> state)
      : state_(std::move(state)) {}
  std::shared_ptr<detail::JobState> state_;
};

// A connection to one coordinator's clients endpoint. Thread-safe.
class Client {
 public:
  explicit Client(std::string endpoint, ClientOptions options = {});
  // Closes the connection. Files of this client's jobs not done yet become
  // done with kCancelled locally; the jobs themselves keep running on the
  // coordinator (cancel them first if that is not wanted).
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Expands `paths` here as `logsweep run` does (docs/cli.md): a file is
  // taken, a directory searched for log files (JobOptions::find), a glob
  // (* ? [] ** {a,b}) expanded; relative paths are made absolute against
  // the current directory, and workers must see the same paths. Submits one
  // task per file found and returns once the coordinator accepted the job.
  // The job's futures are those files, in order, then one per path that
  // gave nothing to scan or could not be read: already done with its error
  // (kNotFound for a missing path, a glob matching nothing or a directory
  // without log files; kPermissionDenied for an unreadable directory;
  // kInvalidArgument for a FIFO or device), path() naming it; those are
  // never sent. When no file is left, nothing is sent: the job is done at
  // once and its id() is empty.
  // Throws Error when the coordinator is unreachable within
  // connect_timeout or refuses the job, or (kInvalidArgument) for an empty
  // include/exclude glob.
  Job submit(const std::vector<std::string>& paths, const Query& query = {},
             const JobOptions& options = {});

  // Like Python's pool.map: each file's hosts, in job order (the files
  // `paths` expand to). Throws the first failed file's Error in that
  // order; a path that gave nothing to scan is such a failure.
  std::vector<std::vector<std::string>> map(
      const std::vector<std::string>& paths, const Query& query = {});
  // map() for a --count query (Count() is implied): each file's
  // per-host counts, in job order. Throws as map() does.
  std::vector<std::vector<HostCount>> map_counts(
      const std::vector<std::string>& paths, Query query = {});

  const std::string& endpoint() const;

 private:
  std::shared_ptr<detail::ClientCore> core_;
};

}  // namespace logsweep
