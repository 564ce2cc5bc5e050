#include "common/scan/byte_search.h"

#include <algorithm>
#include <cassert>
#include <cstring>
#include <utility>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define LOGSWEEP_HAVE_AVX2_DISPATCH 1
#elif defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace logsweep::common {

#ifdef LOGSWEEP_HAVE_AVX2_DISPATCH
namespace {

bool HaveAvx2() {
  static const bool have = [] {
    __builtin_cpu_init();  // may run before libgcc's own initialiser
    return __builtin_cpu_supports("avx2") != 0;
  }();
  return have;
}

// CountNewlines' loop with 32-byte registers; advances `p` to where fewer
// than 128 bytes remain.
__attribute__((target("avx2"))) uint64_t CountNewlinesAvx2(const char*& p,
                                                           const char* end) {
  const __m256i newline = _mm256_set1_epi8('\n');
  const __m256i zero = _mm256_setzero_si256();
  uint64_t count = 0;
  while (end - p >= 128) {
    // Each 128-byte step adds at most 4 to a byte lane.
    size_t steps = std::min<size_t>(static_cast<size_t>(end - p) / 128, 63);
    __m256i acc = zero;
    for (; steps > 0; --steps, p += 128) {
      for (int i = 0; i < 4; ++i) {
        __m256i v =
            _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 32 * i));
        acc = _mm256_sub_epi8(acc, _mm256_cmpeq_epi8(v, newline));
      }
    }
    const __m256i sums = _mm256_sad_epu8(acc, zero);
    count += static_cast<uint64_t>(_mm256_extract_epi64(sums, 0)) +
             static_cast<uint64_t>(_mm256_extract_epi64(sums, 1)) +
             static_cast<uint64_t>(_mm256_extract_epi64(sums, 2)) +
             static_cast<uint64_t>(_mm256_extract_epi64(sums, 3));
  }
  return count;
}

}  // namespace
#endif

uint64_t CountNewlines(const char* p, size_t n) {
  const char* const end = p + n;
  uint64_t count = 0;
#ifdef LOGSWEEP_HAVE_AVX2_DISPATCH
  if (HaveAvx2()) count += CountNewlinesAvx2(p, end);
#endif
#ifdef __SSE2__
  const __m128i newline = _mm_set1_epi8('\n');
  const __m128i zero = _mm_setzero_si128();
  while (end - p >= 64) {
    // Each 64-byte step adds at most 4 to a byte lane: 63 steps fit in a
    // byte before the lanes are summed.
    size_t steps = std::min<size_t>(static_cast<size_t>(end - p) / 64, 63);
    __m128i acc = zero;
    for (; steps > 0; --steps, p += 64) {
      for (int i = 0; i < 4; ++i) {
        __m128i v =
            _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * i));
        acc = _mm_sub_epi8(acc, _mm_cmpeq_epi8(v, newline));  // -1 per '\n'
      }
    }
    const __m128i sums = _mm_sad_epu8(acc, zero);
    count += static_cast<uint64_t>(_mm_cvtsi128_si64(sums)) +
             static_cast<uint64_t>(
                 _mm_cvtsi128_si64(_mm_unpackhi_epi64(sums, sums)));
  }
#endif
  return count + static_cast<uint64_t>(std::count(p, end, '\n'));
}

#ifdef LOGSWEEP_HAVE_AVX2_DISPATCH
namespace {

// Bit i set when the needle's bytes 0, 1 and n - 1 are at at[i], at[i + 1]
// and at[i + n - 1], for i in 0..31; `v0` holds the 32 bytes at `at`.
__attribute__((target("avx2"))) inline uint32_t Candidates32(
    __m256i v0, const char* at, size_t n, __m256i b0, __m256i b1, __m256i bl) {
  const __m256i m = _mm256_and_si256(
      _mm256_and_si256(
          _mm256_cmpeq_epi8(v0, b0),
          _mm256_cmpeq_epi8(
              _mm256_loadu_si256(reinterpret_cast<const __m256i*>(at + 1)),
              b1)),
      _mm256_cmpeq_epi8(
          _mm256_loadu_si256(reinterpret_cast<const __m256i*>(at + n - 1)),
          bl));
  return static_cast<uint32_t>(_mm256_movemask_epi8(m));
}

__attribute__((target("avx2"))) inline uint32_t Newlines32(__m256i v) {
  return static_cast<uint32_t>(
      _mm256_movemask_epi8(_mm256_cmpeq_epi8(v, _mm256_set1_epi8('\n'))));
}

// SubstringFinder's vector loop with 32-byte registers, for CPUs that have
// AVX2 (chosen at run time; the build targets plain x86-64). Filters on the
// needle's bytes 0, 1 and n - 1 (n >= 3), so that memcmp runs about once
// per few lines. With kCount, also adds the newlines before the result to
// *newlines from the same loads, so the text is read once. Returns the
// first occurrence, or the position from which fewer than n - 1 + 64 bytes
// remain (searched by the caller).
template <bool kCount>
__attribute__((target("avx2,popcnt"))) const char* FindAvx2(
    const char* p, const char* end, const char* needle, size_t n, bool* found,
    uint64_t* newlines) {
  const __m256i b0 = _mm256_set1_epi8(needle[0]);
  const __m256i b1 = _mm256_set1_epi8(needle[1]);
  const __m256i bl = _mm256_set1_epi8(needle[n - 1]);
  uint64_t count = 0;
  while (static_cast<size_t>(end - p) >= n - 1 + 64) {
    const __m256i lo = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
    const __m256i hi =
        _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 32));
    uint64_t mask =
        Candidates32(lo, p, n, b0, b1, bl) |
        (static_cast<uint64_t>(Candidates32(hi, p + 32, n, b0, b1, bl)) << 32);
    uint64_t lines = 0;
    if (kCount) {
      lines = Newlines32(lo) | (static_cast<uint64_t>(Newlines32(hi)) << 32);
    }
    while (mask != 0) {
      const int bit = __builtin_ctzll(mask);
      if (std::memcmp(p + bit + 2, needle + 2, n - 3) == 0) {
        if (kCount) {
          *newlines += count + static_cast<uint64_t>(__builtin_popcountll(
                                   lines & ((uint64_t{1} << bit) - 1)));
        }
        *found = true;
        return p + bit;
      }
      mask &= mask - 1;
    }
    if (kCount) count += static_cast<uint64_t>(__builtin_popcountll(lines));
    p += 64;
  }
  if (kCount) *newlines += count;
  *found = false;
  return p;
}

}  // namespace
#endif

SubstringFinder::SubstringFinder(std::string needle)
    : needle_(std::move(needle)) {
#ifdef LOGSWEEP_HAVE_AVX2_DISPATCH
  use_avx2_ = HaveAvx2();
#endif
}

const char* SubstringFinder::Find(const char* p, const char* end) const {
  const size_t n = needle_.size();
  if (n == 0) return p;
  if (static_cast<size_t>(end - p) < n) return nullptr;
  if (n == 1) {
    return static_cast<const char*>(
        std::memchr(p, needle_[0], static_cast<size_t>(end - p)));
  }
#ifdef LOGSWEEP_HAVE_AVX2_DISPATCH
  if (use_avx2_ && n >= 3) {
    bool found = false;
    p = FindAvx2<false>(p, end, needle_.data(), n, &found, nullptr);
    if (found) return p;
  }
#endif
#ifdef __SSE2__
  // A position is a candidate when the needle's first byte is there and its
  // last byte n - 1 further on; only candidates are compared in full. Both
  // 32-byte loads stay inside [p, end).
  const __m128i first = _mm_set1_epi8(needle_[0]);
  const __m128i last = _mm_set1_epi8(needle_[n - 1]);
  const char* const rest = needle_.data() + 1;
  while (static_cast<size_t>(end - p) >= n - 1 + 32) {
    const auto* a = reinterpret_cast<const __m128i*>(p);
    const auto* b = reinterpret_cast<const __m128i*>(p + n - 1);
    const __m128i lo = _mm_and_si128(_mm_cmpeq_epi8(_mm_loadu_si128(a), first),
                                     _mm_cmpeq_epi8(_mm_loadu_si128(b), last));
    const __m128i hi =
        _mm_and_si128(_mm_cmpeq_epi8(_mm_loadu_si128(a + 1), first),
                      _mm_cmpeq_epi8(_mm_loadu_si128(b + 1), last));
    uint32_t mask = static_cast<uint32_t>(_mm_movemask_epi8(lo)) |
                    (static_cast<uint32_t>(_mm_movemask_epi8(hi)) << 16);
    while (mask != 0) {
      const char* at = p + __builtin_ctz(mask);
      if (std::memcmp(at + 1, rest, n - 2) == 0) return at;
      mask &= mask - 1;
    }
    p += 32;
  }
#endif
  return static_cast<const char*>(
      ::memmem(p, static_cast<size_t>(end - p), needle_.data(), n));
}

const char* SubstringFinder::FindCountingNewlines(const char* p,
                                                  const char* end,
                                                  uint64_t* newlines) const {
#ifdef LOGSWEEP_HAVE_AVX2_DISPATCH
  const size_t n = needle_.size();
  if (use_avx2_ && n >= 3) {
    bool found = false;
    p = FindAvx2<true>(p, end, needle_.data(), n, &found, newlines);
    if (found) return p;
  }
#endif
  const char* hit = Find(p, end);
  *newlines += CountNewlines(p, static_cast<size_t>((hit ? hit : end) - p));
  return hit;
}

#ifdef LOGSWEEP_HAVE_AVX2_DISPATCH
namespace {

// MultiSubstringFinder's vector loop: FindAvx2 with one filter per needle
// (its bytes 0, min(1, n - 1) and n - 1), OR'ed, and the needles compared
// in full where the filter lets a position through. The loads at p and
// p + 1 are shared by the needles, and so is the compare on byte 0 when
// they all start with the same byte (paths start with '/'). K, the number
// of needles, is a template argument so that the filters stay in
// registers. Returns the first occurrence, or the position from which
// fewer than max(max_len, 2) - 1 + 64 bytes remain (searched by the
// caller).
template <bool kCount, size_t K>
__attribute__((target("avx2,popcnt"))) const char* MultiFindAvx2(
    const char* p, const char* end, const std::vector<std::string>& needles,
    size_t max_len, bool* found, uint64_t* newlines) {
  __m256i b0[K], b1[K], bl[K];
  size_t last[K];
  bool same_first = true;
  for (size_t i = 0; i < K; ++i) {
    const std::string& n = needles[i];
    b0[i] = _mm256_set1_epi8(n[0]);
    b1[i] = _mm256_set1_epi8(n[n.size() > 1 ? 1 : 0]);
    bl[i] = _mm256_set1_epi8(n.back());
    last[i] = n.size() - 1;
    same_first = same_first && n[0] == needles[0][0];
  }
  const size_t reach = std::max<size_t>(max_len, 2) - 1 + 64;
  uint64_t count = 0;
  while (static_cast<size_t>(end - p) >= reach) {
    const __m256i lo = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
    const __m256i hi =
        _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 32));
    const __m256i lo1 =
        _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 1));
    const __m256i hi1 =
        _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 33));
    const __m256i first_lo = _mm256_cmpeq_epi8(lo, b0[0]);
    const __m256i first_hi = _mm256_cmpeq_epi8(hi, b0[0]);
    __m256i any_lo = _mm256_setzero_si256();
    __m256i any_hi = _mm256_setzero_si256();
    for (size_t i = 0; i < K; ++i) {
      const __m256i at_last_lo =
          _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + last[i]));
      const __m256i at_last_hi = _mm256_loadu_si256(
          reinterpret_cast<const __m256i*>(p + 32 + last[i]));
      const __m256i f_lo = same_first ? first_lo : _mm256_cmpeq_epi8(lo, b0[i]);
      const __m256i f_hi = same_first ? first_hi : _mm256_cmpeq_epi8(hi, b0[i]);
      any_lo = _mm256_or_si256(
          any_lo,
          _mm256_and_si256(
              _mm256_and_si256(
                  f_lo, _mm256_cmpeq_epi8(last[i] > 0 ? lo1 : lo, b1[i])),
              _mm256_cmpeq_epi8(at_last_lo, bl[i])));
      any_hi = _mm256_or_si256(
          any_hi,
          _mm256_and_si256(
              _mm256_and_si256(
                  f_hi, _mm256_cmpeq_epi8(last[i] > 0 ? hi1 : hi, b1[i])),
              _mm256_cmpeq_epi8(at_last_hi, bl[i])));
    }
    uint64_t any = static_cast<uint32_t>(_mm256_movemask_epi8(any_lo)) |
                   (static_cast<uint64_t>(
                        static_cast<uint32_t>(_mm256_movemask_epi8(any_hi)))
                    << 32);
    uint64_t lines = 0;
    if (kCount) {
      lines = Newlines32(lo) | (static_cast<uint64_t>(Newlines32(hi)) << 32);
    }
    while (any != 0) {
      const int bit = __builtin_ctzll(any);
      for (size_t i = 0; i < K; ++i) {
        if (std::memcmp(p + bit, needles[i].data(), last[i] + 1) == 0) {
          if (kCount) {
            *newlines += count + static_cast<uint64_t>(__builtin_popcountll(
                                     lines & ((uint64_t{1} << bit) - 1)));
          }
          *found = true;
          return p + bit;
        }
      }
      any &= any - 1;
    }
    if (kCount) count += static_cast<uint64_t>(__builtin_popcountll(lines));
    p += 64;
  }
  if (kCount) *newlines += count;
  *found = false;
  return p;
}

// MultiFindAvx2 for needles.size() (1 to kMaxNeedles) needles.
template <bool kCount>
const char* MultiFindAvx2Any(const char* p, const char* end,
                             const std::vector<std::string>& needles,
                             size_t max_len, bool* found, uint64_t* newlines) {
  static_assert(MultiSubstringFinder::kMaxNeedles == 8);
  switch (needles.size()) {
    case 1:
      return MultiFindAvx2<kCount, 1>(p, end, needles, max_len, found,
                                      newlines);
    case 2:
      return MultiFindAvx2<kCount, 2>(p, end, needles, max_len, found,
                                      newlines);
    case 3:
      return MultiFindAvx2<kCount, 3>(p, end, needles, max_len, found,
                                      newlines);
    case 4:
      return MultiFindAvx2<kCount, 4>(p, end, needles, max_len, found,
                                      newlines);
    case 5:
      return MultiFindAvx2<kCount, 5>(p, end, needles, max_len, found,
                                      newlines);
    case 6:
      return MultiFindAvx2<kCount, 6>(p, end, needles, max_len, found,
                                      newlines);
    case 7:
      return MultiFindAvx2<kCount, 7>(p, end, needles, max_len, found,
                                      newlines);
    default:
      return MultiFindAvx2<kCount, 8>(p, end, needles, max_len, found,
                                      newlines);
  }
}

}  // namespace
#endif

MultiSubstringFinder::MultiSubstringFinder(std::vector<std::string> needles)
    : needles_(std::move(needles)) {
  assert(!needles_.empty() && needles_.size() <= kMaxNeedles &&
         "MultiSubstringFinder takes 1 to kMaxNeedles needles");
  for (const std::string& n : needles_) {
    assert(!n.empty() && "MultiSubstringFinder needles are not empty");
    finders_.emplace_back(n);
    max_len_ = std::max(max_len_, n.size());
  }
#ifdef LOGSWEEP_HAVE_AVX2_DISPATCH
  use_avx2_ = HaveAvx2();
#endif
}

const char* MultiSubstringFinder::FindScalar(const char* p,
                                             const char* end) const {
  // Each needle is searched in windows of 4 KiB starts, so that a needle
  // that occurs late (or never) is not searched past an earlier hit of
  // another one more than once per window.
  constexpr size_t kWindow = 4096;
  while (p < end) {
    const size_t starts =
        std::min<size_t>(kWindow, static_cast<size_t>(end - p));
    const char* const window_end =
        p + std::min(static_cast<size_t>(end - p), starts + max_len_ - 1);
    const char* best = nullptr;
    for (const SubstringFinder& f : finders_) {
      // Past `best`, only an occurrence that starts before it matters.
      const char* bound = best != nullptr
                              ? std::min(window_end, best + max_len_ - 1)
                              : window_end;
      const char* hit = f.Find(p, bound);
      if (hit != nullptr && (best == nullptr || hit < best)) best = hit;
    }
    if (best != nullptr) return best;
    p += starts;
  }
  return nullptr;
}

const char* MultiSubstringFinder::Find(const char* p, const char* end) const {
#ifdef LOGSWEEP_HAVE_AVX2_DISPATCH
  if (use_avx2_) {
    bool found = false;
    p = MultiFindAvx2Any<false>(p, end, needles_, max_len_, &found, nullptr);
    if (found) return p;
  }
#endif
  return FindScalar(p, end);
}

const char* MultiSubstringFinder::FindCountingNewlines(
    const char* p, const char* end, uint64_t* newlines) const {
#ifdef LOGSWEEP_HAVE_AVX2_DISPATCH
  if (use_avx2_) {
    bool found = false;
    p = MultiFindAvx2Any<true>(p, end, needles_, max_len_, &found, newlines);
    if (found) return p;
  }
#endif
  const char* hit = FindScalar(p, end);
  *newlines += CountNewlines(p, static_cast<size_t>((hit ? hit : end) - p));
  return hit;
}

}  // namespace logsweep::common
