#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <utility>

namespace logsweep::common {

// What the caller should do next decides the code (see STYLE.md).
enum class StatusCode {
  kOk = 0,
  kInvalidArgument,    // bad input: fail the task, do not retry
  kNotFound,           // missing file or id: fail, do not retry
  kPermissionDenied,   // unreadable: fail, do not retry
  kDataLoss,           // corrupt or truncated payload: fail, do not retry
  kUnavailable,        // transient: retry, maybe elsewhere
  kDeadlineExceeded,   // out of time
  kResourceExhausted,  // a limit was hit
  kCancelled,
  kInternal,  // our bug, surfaced
};

const char* StatusCodeName(StatusCode code);

// An error code plus a message naming what failed. Value type;
// thread-compatible.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message)
      : code_(code), message_(std::move(message)) {}

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // "CODE: message", for logs and user-facing errors.
  std::string ToString() const;

  // Returns a copy with `context` prepended ("context: message").
  Status WithContext(const std::string& context) const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status OkStatus() { return Status(); }
inline Status InvalidArgumentError(std::string m) {
  return Status(StatusCode::kInvalidArgument, std::move(m));
}
inline Status NotFoundError(std::string m) {
  return Status(StatusCode::kNotFound, std::move(m));
}
inline Status PermissionDeniedError(std::string m) {
  return Status(StatusCode::kPermissionDenied, std::move(m));
}
inline Status DataLossError(std::string m) {
  return Status(StatusCode::kDataLoss, std::move(m));
}
inline Status UnavailableError(std::string m) {
  return Status(StatusCode::kUnavailable, std::move(m));
}
inline Status DeadlineExceededError(std::string m) {
  return Status(StatusCode::kDeadlineExceeded, std::move(m));
}
inline Status ResourceExhaustedError(std::string m) {
  return Status(StatusCode::kResourceExhausted, std::move(m));
}
inline Status CancelledError(std::string m) {
  return Status(StatusCode::kCancelled, std::move(m));
}
inline Status InternalError(std::string m) {
  return Status(StatusCode::kInternal, std::move(m));
}

// Maps an errno value to the code a caller should act on, with `what` and
// strerror in the message.
Status ErrnoStatus(int err, const std::string& what);

// Either a value or a non-OK Status. Accessing the value of an error is a
// programming bug (asserted).
template <typename T>
class [[nodiscard]] StatusOr {
 public:
  StatusOr(Status status) : status_(std::move(status)) {  // NOLINT: implicit
    assert(!status_.ok() && "StatusOr needs a value or an error");
  }
  StatusOr(T value) : value_(std::move(value)) {}  // NOLINT: implicit

  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }

  T& value() & {
    assert(ok() && "value() of an error StatusOr");
    return *value_;
  }
  const T& value() const& {
    assert(ok() && "value() of an error StatusOr");
    return *value_;
  }
  T&& value() && {
    assert(ok() && "value() of an error StatusOr");
    return std::move(*value_);
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace logsweep::common
