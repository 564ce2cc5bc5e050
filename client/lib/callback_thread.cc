#include "client/lib/callback_thread.h"

namespace logsweep::detail {

CallbackThread::CallbackThread()
    : state_(std::make_shared<State>()),
      thread_([state = state_] { Loop(state); }) {}

CallbackThread::~CallbackThread() { Stop(); }

void CallbackThread::Post(std::function<void()> fn) {
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    if (!state_->stopped) {
      state_->queue.push_back(std::move(fn));
      state_->cv.notify_one();
      return;
    }
  }
  Run(fn);
}

void CallbackThread::Stop() {
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    state_->stopping = true;
    state_->cv.notify_one();
  }
  if (!thread_.joinable()) return;
  if (thread_.get_id() == std::this_thread::get_id()) {
    // Called from a callback (a Client destroyed inside one): the thread
    // cannot join itself. It finishes the queue and ends on its own,
    // holding its state.
    thread_.detach();
  } else {
    thread_.join();
  }
}

void CallbackThread::Run(const std::function<void()>& fn) {
  try {
    fn();
  } catch (...) {
    // A throwing callback must not take the others down with it.
  }
}

void CallbackThread::Loop(const std::shared_ptr<State>& state) {
  for (;;) {
    std::function<void()> fn;
    {
      std::unique_lock<std::mutex> lock(state->mu);
      state->cv.wait(lock,
                     [&] { return state->stopping || !state->queue.empty(); });
      if (state->queue.empty()) {
        state->stopped = true;
        return;
      }
      fn = std::move(state->queue.front());
      state->queue.pop_front();
    }
    Run(fn);
  }
}

}  // namespace logsweep::detail
