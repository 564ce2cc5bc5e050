#include "client/lib/client_core.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <variant>

#include "client/lib/client_connection.h"
#include "client/lib/client_session.h"
#include "common/transport/curve.h"
#include "common/transport/zmq_io.h"

namespace logsweep::detail {
namespace {}  // namespace

ClientCore::ClientCore(std::string endpoint, ClientOptions options)
    : endpoint_(std::move(endpoint)),
      options_(std::move(options)),
      context_(1),
      wake_fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)),
      callbacks_(std::make_shared<CallbackThread>()) {
  if (wake_fd_ < 0) {
    throw Error(ErrorCode::kInternal, "",
                std::string("eventfd: ") + std::strerror(errno));
  }
  io_ = std::thread([this] { IoLoop(); });
}

ClientCore::~ClientCore() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  Wake();
  io_.join();
  callbacks_->Stop();
  ::close(wake_fd_);
}

common::Status ClientCore::Submit(const std::shared_ptr<JobState>& job,
                                  common::SubmitJob submit) {
  auto accepted = std::make_shared<std::promise<common::Status>>();
  std::future<common::Status> answer = accepted->get_future();
  Command command;
  command.submit = std::move(submit);
  command.job = job;
  command.done = std::move(accepted);
  Post(std::move(command));
  return answer.get();
}

void ClientCore::Cancel(const std::string& job_id,
                        std::vector<uint64_t> task_ids) {
  Command command;
  command.cancel_job = job_id;
  command.cancel_tasks = std::move(task_ids);
  Post(std::move(command));
}

void ClientCore::Post(Command command) {
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

void ClientCore::Wake() {
  uint64_t one = 1;
  (void)!::write(wake_fd_, &one, sizeof(one));
}

void ClientCore::IoLoop() {
  using Clock = common::Clock;
  client::ClientSessionOptions session_options;
  session_options.endpoint = endpoint_;
  session_options.connect_timeout = options_.connect_timeout;
  session_options.silence_timeout = options_.silence_timeout;
  session_options.reattach_after = options_.reattach_after;
  client::ClientSession session(session_options, Clock::now());
  client::ClientConnection connection(context_);
  // A key problem fails every submit with the error naming the file.
  common::Status broken = common::OkStatus();
  auto keys = common::LoadCurveClientKeys(options_.curve_server_key,
                                          options_.curve_key, nullptr);
  if (!keys.ok()) {
    broken = keys.status();
  } else {
    broken = connection.Open(endpoint_, *keys);
  }
  // The I/O thread's own state: submits awaiting acceptance by request id,
  // jobs followed by id.
  std::map<uint64_t, Command> submits;
  std::unordered_map<std::string, std::shared_ptr<JobState>> jobs;
  bool stopping = false;
  while (!stopping) {
    std::vector<Command> commands;
    {
      std::lock_guard<std::mutex> lock(mu_);
      commands.swap(commands_);
      stopping = stopping_;
    }
    for (Command& command : commands) {
      if (!broken.ok()) {
        if (command.done) command.done->set_value(broken);
      } else if (command.job) {
        uint64_t id = session.Submit(std::move(command.submit), Clock::now());
        submits[id] = std::move(command);
      } else {
        session.Cancel(command.cancel_job, std::move(command.cancel_tasks));
      }
    }
    if (broken.ok()) {
      for (const std::string& payload : session.TakeOutgoing()) {
        (void)connection.Send(payload);  // a lost send is a silence: handled
      }
    }
    for (auto& event : session.TakeEvents()) {
      if (auto* accepted =
              std::get_if<client::ClientSession::Accepted>(&event)) {
        auto it = submits.find(accepted->request_id);
        if (it == submits.end()) continue;
        it->second.job->id = accepted->job_id;
        jobs[accepted->job_id] = it->second.job;
        it->second.done->set_value(common::OkStatus());
        submits.erase(it);
      } else if (auto* failed =
                     std::get_if<client::ClientSession::Failed>(&event)) {
        if (auto it = submits.find(failed->request_id); it != submits.end()) {
          it->second.done->set_value(failed->status);
          submits.erase(it);
        } else if (auto job = jobs.find(failed->job_id); job != jobs.end()) {
          FailJob(job->second, failed->status);
          jobs.erase(job);
        }
      } else if (auto* files =
                     std::get_if<client::ClientSession::Files>(&event)) {
        auto job = jobs.find(files->files.job_id);
        if (job == jobs.end()) continue;
        const JobState& state = *job->second;
        for (const common::FileOutcome& f : files->files.files) {
          if (f.task_id >= state.task_futures.size()) continue;
          Resolve(Access::State(state.futures[state.task_futures[f.task_id]]),
                  ToPublic(f.report, f.hosts, f.tallies),
                  f.report.status.code() == common::StatusCode::kCancelled);
        }
      } else if (auto* finished =
                     std::get_if<client::ClientSession::Finished>(&event)) {
        auto job = jobs.find(finished->result.job_id);
        if (job == jobs.end()) continue;
        CloseJob(job->second, finished->result);
        jobs.erase(job);
      }
    }
    if (stopping) break;
    auto wait =
        std::clamp(std::chrono::duration_cast<std::chrono::milliseconds>(
                       session.NextDeadline() - Clock::now()),
                   std::chrono::milliseconds(0), common::kMaxPollWait);
    if (broken.ok()) {
      if (common::Status s = connection.Poll(wait, wake_fd_); !s.ok()) {
        broken = s;
      }
      for (int i = connection.TakeConnects(); i > 0; --i) {
        session.OnConnected(Clock::now());
      }
      for (const std::string& payload : connection.Receive()) {
        session.OnMessage(payload, Clock::now());
      }
    } else {
      // Nothing to talk to: wait for a command (each fails at once).
      pollfd wake{wake_fd_, POLLIN, 0};
      ::poll(&wake, 1, static_cast<int>(wait.count()));
    }
    uint64_t count;
    (void)!::read(wake_fd_, &count, sizeof(count));
    session.OnTick(Clock::now());
  }
  auto closed = common::CancelledError("the client was closed");
  for (auto& [id, pending] : submits) pending.done->set_value(closed);
  for (auto& [id, job] : jobs) {
    FailJob(job, common::CancelledError("the client was closed before job " +
                                        id + " finished"));
  }
}

}  // namespace logsweep::detail
