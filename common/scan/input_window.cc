#include "common/scan/input_window.h"

#include <cstring>

namespace logsweep::common {

Status InputWindow::Fill() {
  if (size() > 0 || eof_) return OkStatus();
  begin_ = end_ = 0;
  StatusOr<size_t> n =
      source_->Read(reinterpret_cast<char*>(buffer_.data()), buffer_.size());
  if (!n.ok()) return n.status();
  end_ = *n;
  if (*n == 0) eof_ = true;
  return OkStatus();
}

Status InputWindow::Ensure(size_t n) {
  if (size() >= n || eof_) return OkStatus();
  if (begin_ > 0) {
    std::memmove(buffer_.data(), buffer_.data() + begin_, size());
    end_ -= begin_;
    begin_ = 0;
  }
  while (end_ < n && !eof_) {
    StatusOr<size_t> got = source_->Read(
        reinterpret_cast<char*>(buffer_.data() + end_), buffer_.size() - end_);
    if (!got.ok()) return got.status();
    if (*got == 0) eof_ = true;
    end_ += *got;
  }
  return OkStatus();
}

}  // namespace logsweep::common
