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

std::vector<std::string> Literals(const Query& query,
                                  const QueryPredicates* predicates) {
  if (predicates != nullptr) return predicates->literals();
  if (query.match_value.empty()) return {};
  return {query.match_value};
}

size_t Longest(const std::vector<std::string>& literals) {
  size_t n = 0;
  for (const std::string& l : literals) n = std::max(n, l.size());
  return n;
}

}  // namespace

LongLineMatcher::LongLineMatcher(const Query& query, size_t max_key_bytes)
    : query_(query),
      owned_predicates_(query.IsHeadline()
                            ? nullptr
                            : std::make_unique<QueryPredicates>(query)),
      predicates_(owned_predicates_.get()),
      literals_(Literals(query, predicates_)),
      longest_literal_(Longest(literals_)),
      max_key_bytes_(max_key_bytes),
      last_field_(predicates_ ? predicates_->last_field()
                              : std::max(query.key_field, query.match_field)) {
  Reset();
}

LongLineMatcher::LongLineMatcher(const LineMatcher& matcher,
                                 size_t max_key_bytes)
    : query_(matcher.query()),
      // The headline question with --count: the matcher's fast path has no
      // predicates, but a long line is split here for its time.
      owned_predicates_(matcher.predicates() == nullptr && query_.count
                            ? std::make_unique<QueryPredicates>(query_)
                            : nullptr),
      predicates_(matcher.predicates() != nullptr ? matcher.predicates()
                                                  : owned_predicates_.get()),
      literals_(Literals(query_, predicates_)),
      longest_literal_(Longest(literals_)),
      max_key_bytes_(max_key_bytes),
      last_field_(predicates_
                      ? predicates_->last_field()
                      : std::max(query_.key_field, query_.match_field)) {
  Reset();
}

LongLineMatcher::~LongLineMatcher() = default;

void LongLineMatcher::Reset() {
  field_ = 0;
  in_field_ = false;
  enough_fields_ = false;
  past_last_field_ = false;
  key_.clear();
  key_too_long_ = false;
  match_length_ = 0;
  match_equal_ = true;
  holds_value_ = literals_.empty();
  tail_.clear();
  if (predicates_ != nullptr) {
    fields_.resize(last_field_ + 2);
    for (std::string& f : fields_) f.clear();
    wanted_.assign(last_field_ + 2, false);
    cut_.assign(last_field_ + 2, false);
    wanted_[query_.key_field] = wanted_[query_.match_field] = true;
    if (!query_.methods.empty()) wanted_[query_.method_field] = true;
    if (!query_.statuses.empty()) wanted_[query_.status_field] = true;
    if (query_.HasTime() || query_.count) {
      wanted_[query_.time_field] = wanted_[query_.time_field + 1] = true;
    }
    method_has_quote_ = false;
  }
}

void LongLineMatcher::Feed(const char* p, size_t n) {
  // Whether the line holds a literal matters only while it may turn out
  // to have too few fields.
  if (!enough_fields_ && !holds_value_) {
    const size_t keep = longest_literal_ - 1;
    // An occurrence across the previous piece and this one.
    std::string seam = tail_;
    seam.append(p, std::min(n, keep));
    for (const std::string& value : literals_) {
      holds_value_ = holds_value_ || seam.find(value) != std::string::npos ||
                     std::string_view(p, n).find(value) != std::string::npos;
    }
    if (n >= keep) {
      tail_.assign(p + n - keep, keep);
    } else {
      tail_.append(p, n);
      tail_.erase(0, tail_.size() - std::min(tail_.size(), keep));
    }
  }
  if (predicates_ != nullptr) {
    FeedGeneral(p, n);
    return;
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
      const std::string& value = query_.match_value;  // the headline's
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

void LongLineMatcher::FeedGeneral(const char* p, size_t n) {
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
    if (wanted_[field_]) {
      std::string& f = fields_[field_];
      const size_t room = max_key_bytes_ - f.size();
      if (len > room) {
        cut_[field_] = true;
        // A quote past the cut still makes the method unreadable.
        if (field_ == query_.method_field &&
            std::memchr(p + i + room, '"', len - room) != nullptr) {
          method_has_quote_ = true;
        }
      }
      f.append(p + i, std::min(len, room));
    }
    i = j;
    if (j < n) {  // the field ended at a separator
      in_field_ = false;
      if (field_ == last_field_) {
        past_last_field_ = true;
      } else {
        ++field_;
      }
    }
  }
}

LongLineMatcher::Verdict LongLineMatcher::FinishGeneral() const {
  Verdict v{LineMatcher::LineKind::kNoMatch,
            holds_value_,
            false,
            {},
            false,
            std::nullopt};
  if (!enough_fields_) {
    v.kind = LineMatcher::LineKind::kMalformed;
    return v;
  }
  if (cut_[query_.match_field]) {
    // Exact values and the prefix are decided by the bytes kept, unless one
    // is as long as what is kept; a pattern needs the whole path.
    bool needs_all = !query_.path_regex.empty() ||
                     query_.path_prefix.size() > max_key_bytes_ ||
                     query_.match_value.size() >= max_key_bytes_;
    for (const std::string& value : query_.more_values) {
      needs_all = needs_all || value.size() >= max_key_bytes_;
    }
    if (needs_all) {
      v.path_too_long = true;
      return v;
    }
  }
  std::string_view views[kMaxQueryField + 2];
  for (uint32_t f = 0; f <= last_field_; ++f) views[f] = fields_[f];
  std::string unreadable_method;
  if (!query_.methods.empty() && cut_[query_.method_field] &&
      method_has_quote_) {
    unreadable_method = "\"\"";  // a quote inside: unreadable, as the whole
    views[query_.method_field] = unreadable_method;
  }
  switch (predicates_->Evaluate(views)) {
    case QueryPredicates::Verdict::kMatch:
      v.kind = LineMatcher::LineKind::kMatch;
      v.key = fields_[query_.key_field];
      v.key_too_long = cut_[query_.key_field];
      if (int64_t t = 0;
          query_.count && ParseLogTime(views[query_.time_field],
                                       views[query_.time_field + 1], &t)) {
        v.time = t;
      }
      break;
    case QueryPredicates::Verdict::kNoMatch:
      break;
    case QueryPredicates::Verdict::kUnreadableMethod:
      v.kind = LineMatcher::LineKind::kUnreadableMethod;
      break;
    case QueryPredicates::Verdict::kUnreadableStatus:
      v.kind = LineMatcher::LineKind::kUnreadableStatus;
      break;
    case QueryPredicates::Verdict::kUnreadableTime:
      v.kind = LineMatcher::LineKind::kUnreadableTime;
      break;
  }
  return v;
}

LongLineMatcher::Verdict LongLineMatcher::Finish() const {
  if (predicates_ != nullptr) return FinishGeneral();
  Verdict v{LineMatcher::LineKind::kNoMatch,
            holds_value_,
            false,
            {},
            false,
            std::nullopt};
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
