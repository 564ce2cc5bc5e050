// The C++ client library (include/logsweep/client.h). One I/O thread per
// Client owns its DEALER socket; other threads hand it commands through a
// locked queue and an eventfd it polls. Futures are shared states resolved
// exactly once; callbacks run on a callback thread of their own, so a slow
// callback never stalls the socket.
#include "logsweep/client.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <variant>
#include <zmq.hpp>

#include "common/codec.h"
#include "common/curve.h"
#include "common/file_finder.h"
#include "common/host_set.h"
#include "common/messages.h"
#include "common/status.h"
#include "common/zmq_io.h"

namespace logsweep {
namespace {

using Clock = std::chrono::steady_clock;

ErrorCode ToPublic(common::StatusCode code) {
  return static_cast<ErrorCode>(code);
}

FileStats ToPublic(const common::ScanStats& s) {
  return FileStats{s.lines, s.matches, s.malformed, s.bytes_read,
                   s.bytes_scanned};
}

FileResult ToPublic(const common::FileReport& report,
                    std::vector<std::string> hosts) {
  FileResult r;
  r.path = report.path;
  r.code = ToPublic(report.status.code());
  r.error = report.status.ok() ? "" : report.status.message();
  r.hosts = std::move(hosts);
  r.stats = ToPublic(report.stats);
  r.attempts = report.attempts;
  return r;
}

FileResult Failure(const std::string& path, const common::Status& status) {
  FileResult r;
  r.path = path;
  r.code = ToPublic(status.code());
  r.error = status.message();
  return r;
}

}  // namespace

static_assert(static_cast<int>(ErrorCode::kInternal) ==
                  static_cast<int>(common::StatusCode::kInternal),
              "ErrorCode mirrors common::StatusCode, value for value");

std::string_view ToString(ErrorCode code) {
  return common::StatusCodeName(static_cast<common::StatusCode>(code));
}

Error::Error(ErrorCode code, std::string path, const std::string& message)
    : std::runtime_error((path.empty() ? std::string() : path + ": ") +
                         std::string(ToString(code)) + ": " + message),
      code_(code),
      path_(std::move(path)) {}

namespace detail {

// Runs posted functions one at a time on its own thread. Once stopped (the
// Client is gone), it runs them on the posting thread instead, so a
// callback added late still runs exactly once.
class CallbackThread {
 public:
  CallbackThread() : thread_([this] { Loop(); }) {}
  ~CallbackThread() { Stop(); }

  void Post(std::function<void()> fn) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!stopped_) {
        queue_.push_back(std::move(fn));
        cv_.notify_one();
        return;
      }
    }
    Run(fn);
  }

  // Runs what is queued, then stops. Called from a callback (a Client
  // destroyed inside one), it cannot join itself and lets the thread finish
  // on its own.
  void Stop() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
      cv_.notify_one();
    }
    if (!thread_.joinable()) return;
    if (thread_.get_id() == std::this_thread::get_id()) {
      thread_.detach();
    } else {
      thread_.join();
    }
  }

 private:
  static void Run(const std::function<void()>& fn) {
    try {
      fn();
    } catch (...) {
      // A throwing callback must not take the others down with it.
    }
  }

  void Loop() {
    for (;;) {
      std::function<void()> fn;
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
        if (queue_.empty()) {
          stopped_ = true;
          return;
        }
        fn = std::move(queue_.front());
        queue_.pop_front();
      }
      Run(fn);
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;
  bool stopping_ = false;
  bool stopped_ = false;
  std::thread thread_;
};

struct FileState {
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  bool cancelled = false;
  FileResult result;     // path set from the start
  size_t index = 0;      // in JobState::futures
  uint64_t task_id = 0;  // in the job sent, for a file that was sent
  std::vector<std::function<void(const TaskFuture&)>> callbacks;
  std::weak_ptr<JobState> job;
  std::shared_ptr<CallbackThread> callback_thread;
};

struct JobState {
  std::string id;  // set before the Job is handed out
  bool merge_partial = false;
  // The files sent and the path errors (never sent), in argument order.
  std::vector<TaskFuture> futures;
  std::vector<size_t> task_futures;  // task id -> index in futures
  std::vector<SkippedFile> skipped;
  std::weak_ptr<ClientCore> client;

  std::mutex mu;
  std::condition_variable cv;
  std::vector<size_t> order;  // indices of done futures, in finishing order
  bool closed = false;        // the coordinator's result came, or it was lost
  common::Status error;       // why the job was lost, if it was
  std::chrono::microseconds elapsed{0};
};

class ClientCore {
 public:
  ClientCore(std::string endpoint, ClientOptions options)
      : endpoint_(std::move(endpoint)),
        options_(options),
        context_(1),
        wake_fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)),
        callbacks_(std::make_shared<CallbackThread>()) {
    if (wake_fd_ < 0) {
      throw Error(ErrorCode::kInternal, "",
                  std::string("eventfd: ") + std::strerror(errno));
    }
    io_ = std::thread([this] { IoLoop(); });
  }

  ~ClientCore() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
    }
    Wake();
    io_.join();
    callbacks_->Stop();
    ::close(wake_fd_);
  }

  const std::string& endpoint() const { return endpoint_; }
  const std::shared_ptr<CallbackThread>& callbacks() const {
    return callbacks_;
  }

  // Sends the job and waits until the coordinator accepts it (the job id
  // is then set) or refuses it, or connect_timeout passes.
  common::Status Submit(const std::shared_ptr<JobState>& job,
                        common::SubmitJob submit) {
    auto accepted = std::make_shared<std::promise<common::Status>>();
    std::future<common::Status> answer = accepted->get_future();
    Post(Command{std::move(submit), job, std::move(accepted)});
    return answer.get();
  }

  void Cancel(const std::string& job_id, std::vector<uint64_t> task_ids) {
    Post(Command{common::CancelJob{job_id, std::move(task_ids), 0}, nullptr,
                 nullptr});
  }

  // Makes `file` done with `result`, once: later calls return false. Runs
  // its callbacks on the callback thread and wakes its waiters.
  static bool Resolve(const std::shared_ptr<FileState>& file, FileResult result,
                      bool cancelled) {
    std::vector<std::function<void(const TaskFuture&)>> callbacks;
    {
      std::lock_guard<std::mutex> lock(file->mu);
      if (file->done) return false;
      file->result = std::move(result);
      file->done = true;
      file->cancelled = cancelled;
      callbacks.swap(file->callbacks);
    }
    file->cv.notify_all();
    if (auto job = file->job.lock()) {
      std::lock_guard<std::mutex> lock(job->mu);
      job->order.push_back(file->index);
      job->cv.notify_all();
    }
    for (auto& fn : callbacks) {
      file->callback_thread->Post(
          [fn = std::move(fn), future = TaskFuture(file)] { fn(future); });
    }
    return true;
  }

 private:
  struct Command {
    common::ClientToCoordinator request;
    std::shared_ptr<JobState> job;                       // submits only
    std::shared_ptr<std::promise<common::Status>> done;  // submits only
  };
  struct PendingSubmit {
    std::shared_ptr<JobState> job;
    std::shared_ptr<std::promise<common::Status>> done;
    Clock::time_point deadline;
  };
  struct ActiveJob {
    std::shared_ptr<JobState> job;
    Clock::time_point last_heard;
    Clock::time_point last_reattach;
    uint64_t reattach_request = 0;  // the WaitJob awaiting an answer, if any
  };
  using ActiveJobs = std::unordered_map<std::string, ActiveJob>;
  // Forgets a job (it closed or failed) and its pending re-attach.
  ActiveJobs::iterator EraseJob(ActiveJobs::iterator it) {
    reattaches_.erase(it->second.reattach_request);
    return jobs_.erase(it);
  }

  void Post(Command command) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!stopping_) {
        commands_.push_back(std::move(command));
        Wake();
        return;
      }
    }
    if (command.done) {
      command.done->set_value(
          common::CancelledError("the client is shutting down"));
    }
  }

  void Wake() {
    uint64_t one = 1;
    (void)!::write(wake_fd_, &one, sizeof(one));
  }

  void IoLoop();
  void Send(zmq::socket_t& socket, Command command, Clock::time_point now);
  void Handle(const common::CoordinatorToClient& message,
              Clock::time_point now);
  void CheckTimers(zmq::socket_t& socket, Clock::time_point now);
  // Every unfinished file of the job fails with `status`; the job closes.
  void FailJob(const std::shared_ptr<JobState>& job,
               const common::Status& status);
  void Close(const std::shared_ptr<JobState>& job,
             const common::JobResult& result);

  const std::string endpoint_;
  const ClientOptions options_;
  zmq::context_t context_;
  const int wake_fd_;
  std::shared_ptr<CallbackThread> callbacks_;

  std::mutex mu_;
  std::deque<Command> commands_;
  bool stopping_ = false;

  // The I/O thread's own state.
  std::thread io_;
  uint64_t next_request_id_ = 1;
  std::map<uint64_t, PendingSubmit> submits_;
  ActiveJobs jobs_;
  std::map<uint64_t, std::string> reattaches_;  // request id -> job id
};

void ClientCore::IoLoop() {
  zmq::socket_t socket(context_, zmq::socket_type::dealer);
  common::Status broken = common::ConfigureSocket(socket);
  if (broken.ok()) {
    // A key problem fails every submit with the error naming the file.
    auto keys = common::LoadCurveClientKeys(options_.curve_server_key,
                                            options_.curve_key, nullptr);
    if (!keys.ok()) {
      broken = keys.status();
    } else if (keys->has_value()) {
      broken = common::ConfigureCurveClient(socket, **keys);
    }
  }
  if (broken.ok()) broken = common::Connect(socket, endpoint_);
  bool stopping = false;
  while (!stopping) {
    zmq::pollitem_t items[] = {
        {socket.handle(), 0, ZMQ_POLLIN, 0},
        {nullptr, wake_fd_, ZMQ_POLLIN, 0},
    };
    try {
      zmq::poll(items, 2, std::chrono::milliseconds(100));
    } catch (const zmq::error_t& e) {
      if (e.num() != EINTR) broken = common::UnavailableError(e.what());
    }
    uint64_t count;
    (void)!::read(wake_fd_, &count, sizeof(count));
    std::deque<Command> commands;
    {
      std::lock_guard<std::mutex> lock(mu_);
      commands.swap(commands_);
      stopping = stopping_;
    }
    auto now = Clock::now();
    for (Command& command : commands) {
      if (!broken.ok()) {
        if (command.done) command.done->set_value(broken);
        continue;
      }
      Send(socket, std::move(command), now);
    }
    for (;;) {
      auto received = common::ReceiveMessage(socket);
      if (!received.ok() || !received->has_value()) break;
      if ((*received)->size() != 1) continue;
      auto decoded = common::DecodeCoordinatorToClient((**received)[0]);
      if (!decoded.ok()) continue;  // from a newer or broken coordinator
      Handle(*decoded, Clock::now());
    }
    CheckTimers(socket, Clock::now());
  }
  auto closed = common::CancelledError("the client was closed");
  for (auto& [id, pending] : submits_) pending.done->set_value(closed);
  for (auto& [id, active] : jobs_) {
    FailJob(active.job,
            common::CancelledError("the client was closed before job " + id +
                                   " finished"));
  }
}

void ClientCore::Send(zmq::socket_t& socket, Command command,
                      Clock::time_point now) {
  uint64_t request_id = 0;
  if (auto* submit = std::get_if<common::SubmitJob>(&command.request)) {
    request_id = next_request_id_++;
    submit->request_id = request_id;
  }
  common::Status sent =
      common::SendMessage(socket, "", common::Encode(command.request));
  if (!command.done) return;  // a cancel: best effort, like Python's
  if (!sent.ok()) {
    command.done->set_value(sent.WithContext("send to " + endpoint_));
    return;
  }
  submits_[request_id] =
      PendingSubmit{std::move(command.job), std::move(command.done),
                    now + options_.connect_timeout};
}

void ClientCore::Handle(const common::CoordinatorToClient& message,
                        Clock::time_point now) {
  auto touch = [&](const std::string& job_id) -> ActiveJob* {
    auto it = jobs_.find(job_id);
    if (it == jobs_.end()) return nullptr;
    it->second.last_heard = now;
    return &it->second;
  };
  if (auto* accepted = std::get_if<common::JobAccepted>(&message)) {
    auto it = submits_.find(accepted->request_id);
    if (it != submits_.end()) {
      it->second.job->id = accepted->job_id;
      jobs_[accepted->job_id] = ActiveJob{it->second.job, now, now};
      it->second.done->set_value(common::OkStatus());
      submits_.erase(it);
    } else {
      reattaches_.erase(accepted->request_id);
      touch(accepted->job_id);
    }
  } else if (auto* rejected = std::get_if<common::JobRejected>(&message)) {
    if (auto it = submits_.find(rejected->request_id); it != submits_.end()) {
      it->second.done->set_value(
          rejected->status.WithContext("refused by " + endpoint_));
      submits_.erase(it);
    } else if (auto r = reattaches_.find(rejected->request_id);
               r != reattaches_.end()) {
      // The coordinator restarted without --state: the job is gone.
      if (auto job = jobs_.find(r->second); job != jobs_.end()) {
        FailJob(job->second.job,
                rejected->status.WithContext("re-attaching to " + endpoint_));
        EraseJob(job);
      } else {
        reattaches_.erase(r);
      }
    }
  } else if (auto* progress = std::get_if<common::JobProgress>(&message)) {
    touch(progress->job_id);
  } else if (auto* files = std::get_if<common::FilesDone>(&message)) {
    ActiveJob* active = touch(files->job_id);
    if (active == nullptr) return;
    const auto& job = *active->job;
    for (const common::FileOutcome& f : files->files) {
      if (f.task_id >= job.task_futures.size()) continue;
      Resolve(job.futures[job.task_futures[f.task_id]].state_,
              ToPublic(f.report, f.hosts),
              f.report.status.code() == common::StatusCode::kCancelled);
    }
  } else if (auto* result = std::get_if<common::JobResult>(&message)) {
    auto it = jobs_.find(result->job_id);
    if (it == jobs_.end()) return;
    Close(it->second.job, *result);
    EraseJob(it);
  }
}

void ClientCore::Close(const std::shared_ptr<JobState>& job,
                       const common::JobResult& result) {
  // Every file's outcome came (FilesDone precedes the result on the same
  // connection, and a re-attach sends them all again); this only covers a
  // coordinator that did not stream, so such files carry no hosts.
  for (size_t t = 0; t < job->task_futures.size() && t < result.files.size();
       ++t) {
    Resolve(job->futures[job->task_futures[t]].state_,
            ToPublic(result.files[t], {}),
            result.files[t].status.code() == common::StatusCode::kCancelled);
  }
  std::lock_guard<std::mutex> lock(job->mu);
  job->closed = true;
  job->elapsed = std::chrono::microseconds(result.elapsed_us);
  job->cv.notify_all();
}

void ClientCore::FailJob(const std::shared_ptr<JobState>& job,
                         const common::Status& status) {
  for (const TaskFuture& f : job->futures) {
    Resolve(f.state_, Failure(f.path(), status),
            status.code() == common::StatusCode::kCancelled);
  }
  std::lock_guard<std::mutex> lock(job->mu);
  job->closed = true;
  job->error = status;
  job->cv.notify_all();
}

void ClientCore::CheckTimers(zmq::socket_t& socket, Clock::time_point now) {
  for (auto it = submits_.begin(); it != submits_.end();) {
    if (now < it->second.deadline) {
      ++it;
      continue;
    }
    it->second.done->set_value(common::DeadlineExceededError(
        "no answer from the coordinator at " + endpoint_ + " within " +
        std::to_string(options_.connect_timeout.count()) +
        " ms: is it running and reachable?"));
    it = submits_.erase(it);
  }
  for (auto it = jobs_.begin(); it != jobs_.end();) {
    ActiveJob& active = it->second;
    if (now - active.last_heard > options_.silence_timeout) {
      FailJob(active.job,
              common::UnavailableError(
                  "lost contact with the coordinator at " + endpoint_ +
                  " (job " + it->first + ", silent for " +
                  std::to_string(options_.silence_timeout.count()) + " ms)"));
      it = EraseJob(it);
      continue;
    }
    if (now - active.last_heard > options_.reattach_after &&
        now - active.last_reattach > options_.reattach_after) {
      // The coordinator may have restarted: ask for the job again, with
      // every file finished so far.
      active.last_reattach = now;
      uint64_t request_id = next_request_id_++;
      reattaches_.erase(active.reattach_request);  // one pending at a time
      active.reattach_request = request_id;
      reattaches_[request_id] = it->first;
      (void)common::SendMessage(socket, "",
                                common::Encode(common::ClientToCoordinator(
                                    common::WaitJob{it->first, request_id,
                                                    /*stream_files=*/true})));
    }
    ++it;
  }
}

}  // namespace detail

// ---- TaskFuture ----

const std::string& TaskFuture::path() const { return state_->result.path; }
size_t TaskFuture::index() const { return state_->index; }

bool TaskFuture::done() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->done;
}

bool TaskFuture::cancelled() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->cancelled;
}

void TaskFuture::wait() const {
  std::unique_lock<std::mutex> lock(state_->mu);
  state_->cv.wait(lock, [this] { return state_->done; });
}

std::future_status TaskFuture::wait_for(
    std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lock(state_->mu);
  return state_->cv.wait_for(lock, timeout, [this] { return state_->done; })
             ? std::future_status::ready
             : std::future_status::timeout;
}

FileResult TaskFuture::outcome() const {
  std::unique_lock<std::mutex> lock(state_->mu);
  state_->cv.wait(lock, [this] { return state_->done; });
  return state_->result;
}

std::vector<std::string> TaskFuture::result() const {
  FileResult r = outcome();
  if (!r.ok()) throw Error(r.code, r.path, r.error);
  return std::move(r.hosts);
}

bool TaskFuture::cancel() const {
  auto job = state_->job.lock();
  if (!detail::ClientCore::Resolve(
          state_,
          FileResult{path(), ErrorCode::kCancelled, "cancelled", {}, {}, 0},
          true)) {
    return false;
  }
  if (job) {
    if (auto core = job->client.lock()) {
      core->Cancel(job->id, {state_->task_id});
    }
  }
  return true;
}

void TaskFuture::add_done_callback(
    std::function<void(const TaskFuture&)> fn) const {
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    if (!state_->done) {
      state_->callbacks.push_back(std::move(fn));
      return;
    }
  }
  state_->callback_thread->Post(
      [fn = std::move(fn), future = *this] { fn(future); });
}

// ---- JobResult, AsCompleted, Job ----

bool JobResult::ok() const {
  for (const FileResult& f : files) {
    if (!f.ok()) return false;
  }
  return true;
}

std::vector<FileResult> JobResult::failures() const {
  std::vector<FileResult> out;
  for (const FileResult& f : files) {
    if (!f.ok()) out.push_back(f);
  }
  return out;
}

const TaskFuture& AsCompleted::iterator::operator*() const {
  std::unique_lock<std::mutex> lock(job_->mu);
  job_->cv.wait(lock, [this] { return job_->order.size() > position_; });
  current_ = job_->futures[job_->order[position_]];
  return current_;
}

AsCompleted::iterator AsCompleted::end() const {
  return iterator(job_, job_->futures.size());
}

const std::string& Job::id() const { return state_->id; }
size_t Job::size() const { return state_->futures.size(); }
const TaskFuture& Job::operator[](size_t index) const {
  return state_->futures.at(index);
}
const std::vector<TaskFuture>& Job::futures() const { return state_->futures; }
const std::vector<SkippedFile>& Job::skipped() const { return state_->skipped; }

bool Job::done() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->closed;
}

std::future_status Job::wait_for(std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lock(state_->mu);
  return state_->cv.wait_for(lock, timeout, [this] { return state_->closed; })
             ? std::future_status::ready
             : std::future_status::timeout;
}

JobResult Job::result() const {
  JobResult out;
  {
    std::unique_lock<std::mutex> lock(state_->mu);
    state_->cv.wait(lock, [this] { return state_->closed; });
    if (!state_->error.ok()) {
      throw Error(ToPublic(state_->error.code()), "", state_->error.message());
    }
    out.elapsed = state_->elapsed;
  }
  // Merged from the futures themselves, so the result always agrees with
  // what they say (a file cancelled here counts as cancelled even if its
  // scan finished on the way).
  out.job_id = state_->id;
  out.skipped = state_->skipped;
  common::HostSet hosts;
  out.files.reserve(state_->futures.size());
  for (const TaskFuture& f : state_->futures) {
    out.files.push_back(f.outcome());
    const FileResult& r = out.files.back();
    if (r.ok() || state_->merge_partial) {
      for (const std::string& h : r.hosts) hosts.Insert(h);
    }
    out.totals.lines += r.stats.lines;
    out.totals.matches += r.stats.matches;
    out.totals.malformed += r.stats.malformed;
    out.totals.bytes_read += r.stats.bytes_read;
    out.totals.bytes_scanned += r.stats.bytes_scanned;
  }
  out.hosts = hosts.Sorted();
  return out;
}

AsCompleted Job::as_completed() const { return AsCompleted(state_); }

size_t Job::cancel() const {
  std::vector<uint64_t> cancelled;
  for (const TaskFuture& f : state_->futures) {
    if (detail::ClientCore::Resolve(
            f.state_,
            FileResult{f.path(), ErrorCode::kCancelled, "cancelled", {}, {}, 0},
            true)) {
      cancelled.push_back(f.state_->task_id);
    }
  }
  size_t count = cancelled.size();
  if (count > 0) {
    if (auto core = state_->client.lock()) {
      core->Cancel(state_->id, std::move(cancelled));
    }
  }
  return count;
}

// ---- Client ----

Client::Client(std::string endpoint, ClientOptions options)
    : core_(
          std::make_shared<detail::ClientCore>(std::move(endpoint), options)) {}

Client::~Client() = default;

const std::string& Client::endpoint() const { return core_->endpoint(); }

Job Client::submit(const std::vector<std::string>& paths, const Query& query,
                   const JobOptions& options) {
  common::FindOptions find;
  find.include = options.find.include;
  find.exclude = options.find.exclude;
  find.all_files = options.find.all_files;
  auto found = common::FindFiles(paths, find);
  if (!found.ok()) {
    throw Error(ToPublic(found.status().code()), "", found.status().message());
  }
  auto job = std::make_shared<detail::JobState>();
  job->merge_partial = options.merge_partial;
  job->client = core_;
  for (const common::SkippedEntry& s : found->skipped) {
    job->skipped.push_back(
        SkippedFile{s.path, std::string(common::SkipReasonName(s.reason)),
                    s.detail, s.directory});
  }
  common::SubmitJob submit;
  submit.query.key_field = query.key_field;
  submit.query.match_field = query.match_field;
  submit.query.match_value = query.match_value;
  submit.merge_partial = options.merge_partial;
  submit.stream_files = true;
  submit.paths = found->files;
  job->futures.reserve(found->files.size() + found->errors.size());
  auto add_future = [&](const std::string& path) {
    auto file = std::make_shared<detail::FileState>();
    file->index = job->futures.size();
    file->result.path = path;
    file->job = job;
    file->callback_thread = core_->callbacks();
    job->futures.push_back(TaskFuture(std::move(file)));
    return job->futures.back().state_;
  };
  auto error = found->errors.begin();
  for (size_t t = 0; t <= found->files.size(); ++t) {
    for (; error != found->errors.end() && error->files_before == t; ++error) {
      detail::ClientCore::Resolve(add_future(error->path),
                                  Failure(error->path, error->status), false);
    }
    if (t == found->files.size()) break;
    add_future(found->files[t])->task_id = t;
    job->task_futures.push_back(job->futures.size() - 1);
  }
  if (submit.paths.empty() && !paths.empty()) {
    // Every path failed here: nothing to send, the job is over.
    std::lock_guard<std::mutex> lock(job->mu);
    job->closed = true;
    return Job(std::move(job));
  }
  common::Status accepted = core_->Submit(job, std::move(submit));
  if (!accepted.ok()) {
    throw Error(ToPublic(accepted.code()), "", accepted.message());
  }
  return Job(std::move(job));
}

std::vector<std::vector<std::string>> Client::map(
    const std::vector<std::string>& paths, const Query& query) {
  Job job = submit(paths, query);
  std::vector<std::vector<std::string>> out;
  out.reserve(job.size());
  for (const TaskFuture& f : job.futures()) out.push_back(f.result());
  return out;
}

}  // namespace logsweep
