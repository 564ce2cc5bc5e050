#pragma once

#include <cstdint>

namespace logsweep::bench {

// splitmix64's finalizer.
inline uint64_t Mix(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// splitmix64: the benchmark inputs and the generated corpus depend only on
// their seeds. Its output is fixed by its definition, unlike the
// std::*_distribution adaptors, whose results differ between standard
// libraries. Value type; not thread-safe.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t Next() { return Mix(state_ += 0x9e3779b97f4a7c15ULL); }
  // Uniform in [0, n) for n <= 2^32, via multiply-shift (bias < 2^-32).
  uint32_t Below(uint64_t n) {
    return static_cast<uint32_t>(((Next() >> 32) * n) >> 32);
  }
  // True with probability ppm / 10^6.
  bool Chance(uint32_t ppm) { return Below(1000000) < ppm; }

 private:
  uint64_t state_;
};

}  // namespace logsweep::bench
