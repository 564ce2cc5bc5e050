#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/base/clock.h"
#include "common/base/status.h"
#include "common/transport/messages.h"

namespace logsweep::client {

using common::TimePoint;

struct ClientSessionOptions {
  // The coordinator's clients endpoint, for messages only.
  std::string endpoint;
  // How long a request waits for its answer before it fails with
  // DeadlineExceeded (100 ms .. 10 min).
  std::chrono::milliseconds connect_timeout{10000};
  // Silence (no message about a job) after which the job is lost. The
  // coordinator reports progress every 500 ms (1 s .. 1 h).
  std::chrono::milliseconds silence_timeout{15000};
  // Silence after which the session asks to be re-attached to a job.
  std::chrono::milliseconds reattach_after{2000};
  // Added to the "no answer" error (what to check when CURVE refuses the
  // client, which looks like silence).
  std::string no_answer_hint;
};

// The client's side of the protocol without sockets, in the shape of the
// coordinator's and the worker's engines: requests and decoded messages in,
// with `now`; encoded messages out (TakeOutgoing) and events for the owner
// (TakeEvents). One engine for the `logsweep` CLI and the C++ library.
//
// It gives each submit a random request key, so that a submit sent again
// (after a reconnect, its answer lost with the old connection) is answered
// with the job it created, never a second job; it sends every unanswered
// request again when the connection is re-established; it re-attaches to a
// job it hears nothing about (WaitJob every reattach_after), and declares
// the job lost after silence_timeout; it assembles results that come in
// pieces and checks they are whole. Owned by one thread.
class ClientSession {
 public:
  ClientSession(ClientSessionOptions options, TimePoint now);
  ClientSession(const ClientSession&) = delete;
  ClientSession& operator=(const ClientSession&) = delete;

  // ---- requests; each returns its request id ----

  // A new job (a request key is chosen when `submit` has none). Answered
  // by JobAccepted, then the job's events.
  uint64_t Submit(common::SubmitJob submit, TimePoint now);
  // An existing job (`logsweep wait`, or the library re-attaching).
  uint64_t Attach(const std::string& job_id, bool stream_files, TimePoint now);
  // One question, one Answer: GetStatus or CancelJob.
  uint64_t Ask(common::ClientToCoordinator request, TimePoint now);
  // Cancels tasks of a job (none listed: all); no answer is awaited.
  void Cancel(const std::string& job_id, std::vector<uint64_t> task_ids);
  // Stops following a job (its owner is gone); the job runs on.
  void Forget(const std::string& job_id);

  // ---- input ----

  // The socket (re)connected to the coordinator: every request not
  // answered yet is sent again (a reconnect may have lost it).
  void OnConnected(TimePoint now);
  // A message from the coordinator.
  void OnMessage(std::string_view payload, TimePoint now);
  // Deadlines: requests that went unanswered, jobs gone silent.
  void OnTick(TimePoint now);

  // ---- output ----

  // A request was accepted: the job `job_id` of `total` files.
  struct Accepted {
    uint64_t request_id;
    std::string job_id;
    uint64_t total;
  };
  // A request failed (refused, rejected, unanswered), or a job was lost
  // (`job_id` set, request_id 0).
  struct Failed {
    uint64_t request_id;
    std::string job_id;
    common::Status status;
  };
  struct Answer {
    uint64_t request_id;
    common::CoordinatorToClient answer;
  };
  // Events of a job being followed.
  struct Progress {
    common::JobProgress progress;
  };
  struct Files {
    common::FilesDone files;
  };
  struct Finished {
    common::JobResult result;  // whole: every piece merged, hosts sorted
  };
  using Event =
      std::variant<Accepted, Failed, Answer, Progress, Files, Finished>;

  std::vector<std::string> TakeOutgoing();
  std::vector<Event> TakeEvents();
  TimePoint NextDeadline() const;

  // Jobs followed right now.
  size_t jobs() const { return jobs_.size(); }

 private:
  struct Pending {
    common::ClientToCoordinator request;
    TimePoint deadline;
    bool submit = false;
  };
  struct Followed {
    bool stream_files = false;
    TimePoint last_heard;
    TimePoint last_reattach;
    // Pieces of a result received so far.
    uint64_t parts = 0;
    std::vector<std::string> hosts;
    std::vector<common::HostTally> tallies;  // --count: parallel to hosts
    std::vector<common::FileReport> files;
  };

  uint64_t Send(common::ClientToCoordinator request, TimePoint now,
                bool submit);
  void Follow(const std::string& job_id, bool stream_files, TimePoint now);
  void OnResult(common::JobResult result, TimePoint now);
  // Drops the pieces of `job_id`'s result received so far and asks for the
  // whole result again (WaitJob with restart_result).
  void RestartResult(const std::string& job_id, Followed& job, TimePoint now);
  common::Status NoAnswer() const;

  ClientSessionOptions options_;
  uint64_t next_request_id_ = 1;
  std::map<uint64_t, Pending> pending_;  // by request id
  std::map<std::string, Followed> jobs_;
  std::vector<std::string> outgoing_;
  std::vector<Event> events_;
  bool connected_once_ = false;
};

}  // namespace logsweep::client
