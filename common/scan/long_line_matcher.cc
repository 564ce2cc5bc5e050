#include "common/scan/long_line_matcher.h"

#include <algorithm>
#include <cstring>

namespace logsweep::common {
namespace {

// Python's bytes.split() whitespace, as LineMatcher ('\n' never reaches
// here).
inline bool IsSpace(char c) {
  return c == ' ' || static_cast<unsigned char>(c - '\t') <= '\r' - '\t';
}

}  // namespace

LongLineMatcher::LongLineMatcher(const Query& query, size_t max_key_bytes)
    : query_(query),
      max_key_bytes_(max_key_bytes),
      last_field_(std::max(query.key_field, query.match_field)) {
  Reset();
}

void LongLineMatcher::Reset() {
  field_ = 0;
  in_field_ = false;
  enough_fields_ = false;
  past_last_field_ = false;
  key_.clear();
  key_too_long_ = false;
  match_length_ = 0;
  match_equal_ = true;
  holds_value_ = query_.match_value.empty();
  tail_.clear();
}

void LongLineMatcher::Feed(const char* p, size_t n) {
  const std::string& value = query_.match_value;
  // Whether the line holds the value matters only while it may turn out
  // to have too few fields.
  if (!enough_fields_ && !holds_value_) {
    const size_t keep = value.size() - 1;
    // An occurrence across the previous piece and this one.
    std::string seam = tail_;
    seam.append(p, std::min(n, keep));
    holds_value_ = seam.find(value) != std::string::npos ||
                   std::string_view(p, n).find(value) != std::string::npos;
    if (n >= keep) {
      tail_.assign(p + n - keep, keep);
    } else {
      tail_.append(p, n);
      tail_.erase(0, tail_.size() - std::min(tail_.size(), keep));
    }
  }
  size_t i = 0;
  while (i < n && !past_last_field_) {
    if (!in_field_) {
      while (i < n && IsSpace(p[i])) ++i;
      if (i == n) break;
      in_field_ = true;
      if (field_ == last_field_) enough_fields_ = true;
    }
    size_t j = i;
    while (j < n && !IsSpace(p[j])) ++j;
    const size_t len = j - i;
    if (field_ == query_.key_field && !key_too_long_) {
      if (key_.size() + len > max_key_bytes_) {
        key_.append(p + i, max_key_bytes_ - key_.size());
        key_too_long_ = true;
      } else {
        key_.append(p + i, len);
      }
    }
    if (field_ == query_.match_field && match_equal_) {
      match_equal_ = match_length_ + len <= value.size() &&
                     std::memcmp(p + i, value.data() + match_length_, len) == 0;
      match_length_ += len;
    }
    i = j;
    if (j < n) {  // the field ended at a separator
      in_field_ = false;
      if (field_ == last_field_) {
        past_last_field_ = true;  // the rest of the line cannot matter
      } else {
        ++field_;
      }
    }
  }
}

LongLineMatcher::Verdict LongLineMatcher::Finish() const {
  Verdict v{LineMatcher::LineKind::kNoMatch, holds_value_, false, {}};
  if (!enough_fields_) {
    v.kind = LineMatcher::LineKind::kMalformed;
  } else if (match_equal_ && match_length_ == query_.match_value.size()) {
    v.kind = LineMatcher::LineKind::kMatch;
    v.key = key_;
    v.key_too_long = key_too_long_;
  }
  return v;
}

}  // namespace logsweep::common
