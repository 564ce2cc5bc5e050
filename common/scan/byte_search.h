#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace logsweep::common {

// Number of '\n' bytes in [p, p + n). SIMD where the target has it: no
// call per line, about one vector compare per 16 bytes.
uint64_t CountNewlines(const char* p, size_t n);

// Finds a fixed byte string in buffers, by a SIMD filter on its first and
// last byte and a memcmp on the few positions where both agree. Immutable
// after construction, so one finder may be shared by threads.
class SubstringFinder {
 public:
  explicit SubstringFinder(std::string needle);

  // The first occurrence of the needle that lies wholly inside [p, end), or
  // nullptr. An empty needle is found at `p`.
  const char* Find(const char* p, const char* end) const;

  // Find, and adds to `*newlines` the number of '\n' bytes in [p, result),
  // or in [p, end) when there is no occurrence. One pass over the text.
  const char* FindCountingNewlines(const char* p, const char* end,
                                   uint64_t* newlines) const;

 private:
  std::string needle_;
  bool use_avx2_ = false;  // the CPU has AVX2 (x86-64 builds only)
};

// Finds where any of a few byte strings occurs, in one pass: a SIMD filter
// on each needle's bytes 0, 1 and n - 1, OR'ed over the needles, and a
// memcmp on the few positions it lets through (the paths of a `--path a
// --path b` query). Without AVX2, each needle is searched with a
// SubstringFinder over 4 KiB windows. Immutable after construction, so one
// finder may be shared by threads.
class MultiSubstringFinder {
 public:
  // Most needles searched in one pass; a query with more values splits
  // every line instead (line_matcher.h).
  static constexpr size_t kMaxNeedles = 8;

  // `needles`: 1 to kMaxNeedles strings, none empty (asserted).
  explicit MultiSubstringFinder(std::vector<std::string> needles);

  // The first position in [p, end) at which some needle starts and lies
  // wholly inside [p, end), or nullptr; adds to `*newlines` the number of
  // '\n' bytes in [p, result), or in [p, end) when there is none.
  const char* FindCountingNewlines(const char* p, const char* end,
                                   uint64_t* newlines) const;

  // FindCountingNewlines without the count.
  const char* Find(const char* p, const char* end) const;

  // Whether `text` holds any of the needles.
  bool FoundIn(std::string_view text) const {
    return Find(text.data(), text.data() + text.size()) != nullptr;
  }

 private:
  const char* FindScalar(const char* p, const char* end) const;

  std::vector<std::string> needles_;
  std::vector<SubstringFinder> finders_;  // one per needle
  size_t max_len_ = 0;
  bool use_avx2_ = false;  // the CPU has AVX2 (x86-64 builds only)
};

}  // namespace logsweep::common
