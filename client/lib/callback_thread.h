#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

namespace logsweep::detail {

// Runs posted functions one at a time on a thread of its own, so a slow
// callback never stalls a Client's socket. Once stopped (the Client is
// gone), it runs them on the posting thread instead, so a callback added
// late still runs exactly once. Thread-safe. Stop (or the destructor) may
// be called from a callback it runs: the thread then finishes on its own,
// and its state lives as long as the thread does.
class CallbackThread {
 public:
  CallbackThread();
  ~CallbackThread();
  CallbackThread(const CallbackThread&) = delete;
  CallbackThread& operator=(const CallbackThread&) = delete;

  void Post(std::function<void()> fn);

  // Runs what is queued, then stops. Idempotent.
  void Stop();

 private:
  // Shared with the thread, which may outlive this object (see above).
  struct State {
    std::mutex mu;
    std::condition_variable cv;
    // Guarded by mu:
    std::deque<std::function<void()>> queue;
    bool stopping = false;
    bool stopped = false;
  };
  static void Run(const std::function<void()>& fn);
  static void Loop(const std::shared_ptr<State>& state);

  std::shared_ptr<State> state_;
  std::thread thread_;
};

}  // namespace logsweep::detail
