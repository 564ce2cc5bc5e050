#include "common/byte_search.h"

#include <algorithm>
#include <cstring>
#include <utility>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define LOGSWEEP_HAVE_AVX2_DISPATCH 1
#elif defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace logsweep::common {

uint64_t CountNewlines(const char* p, size_t n) {
  const char* const end = p + n;
  uint64_t count = 0;
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
// and at[i + n - 1], for i in 0..31.
__attribute__((target("avx2"))) inline uint32_t Candidates32(
    const char* at, size_t n, __m256i b0, __m256i b1, __m256i bl) {
  const __m256i m = _mm256_and_si256(
      _mm256_and_si256(
          _mm256_cmpeq_epi8(
              _mm256_loadu_si256(reinterpret_cast<const __m256i*>(at)), b0),
          _mm256_cmpeq_epi8(
              _mm256_loadu_si256(reinterpret_cast<const __m256i*>(at + 1)),
              b1)),
      _mm256_cmpeq_epi8(
          _mm256_loadu_si256(reinterpret_cast<const __m256i*>(at + n - 1)),
          bl));
  return static_cast<uint32_t>(_mm256_movemask_epi8(m));
}

// SubstringFinder::Find's vector loop with 32-byte registers, for CPUs that
// have AVX2 (chosen at run time; the build targets plain x86-64). Filters on
// the needle's bytes 0, 1 and n - 1 (n >= 3), so that memcmp runs about
// once per few lines. Returns the first occurrence, or the position from
// which fewer than n - 1 + 64 bytes remain (searched by the caller).
__attribute__((target("avx2"))) const char* FindAvx2(const char* p,
                                                     const char* end,
                                                     const char* needle,
                                                     size_t n, bool* found) {
  const __m256i b0 = _mm256_set1_epi8(needle[0]);
  const __m256i b1 = _mm256_set1_epi8(needle[1]);
  const __m256i bl = _mm256_set1_epi8(needle[n - 1]);
  while (static_cast<size_t>(end - p) >= n - 1 + 64) {
    uint64_t mask =
        Candidates32(p, n, b0, b1, bl) |
        (static_cast<uint64_t>(Candidates32(p + 32, n, b0, b1, bl)) << 32);
    while (mask != 0) {
      const char* at = p + __builtin_ctzll(mask);
      if (std::memcmp(at + 2, needle + 2, n - 3) == 0) {
        *found = true;
        return at;
      }
      mask &= mask - 1;
    }
    p += 64;
  }
  *found = false;
  return p;
}

}  // namespace
#endif

SubstringFinder::SubstringFinder(std::string needle)
    : needle_(std::move(needle)) {
#ifdef LOGSWEEP_HAVE_AVX2_DISPATCH
  use_avx2_ = __builtin_cpu_supports("avx2");
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
    p = FindAvx2(p, end, needle_.data(), n, &found);
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

}  // namespace logsweep::common
