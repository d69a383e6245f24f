#pragma once
// A fast random generator for what needs spread, not secrecy: event ids' random bits, and a
// cluster's random choice of data source. xoshiro256** (Blackman and Vigna), seeded by the
// operating system, one per thread.

#include <sys/random.h>

#include <cstddef>
#include <cstdint>

#include "../error.hpp"

namespace syncorm::detail {

class fast_random {
public:
  fast_random() {
    std::size_t filled = 0;
    auto* bytes = reinterpret_cast<unsigned char*>(state_);
    while (filled < sizeof state_) {
      const ssize_t got = ::getrandom(bytes + filled, sizeof state_ - filled, 0);
      if (got < 0) throw error("syncorm: the operating system gave no random bytes");
      filled += static_cast<std::size_t>(got);
    }
    if ((state_[0] | state_[1] | state_[2] | state_[3]) == 0) state_[0] = 1;  // the one bad state
  }

  std::uint64_t next() noexcept {
    const std::uint64_t result = rotate(state_[1] * 5, 7) * 9;
    const std::uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = rotate(state_[3], 45);
    return result;
  }

  /// A number in [0, bound), for 0 < bound < 2^32 (multiply and shift: no division).
  std::uint32_t below(std::uint32_t bound) noexcept {
    return static_cast<std::uint32_t>(((next() >> 32) * bound) >> 32);
  }

private:
  static constexpr std::uint64_t rotate(std::uint64_t x, int k) noexcept { return (x << k) | (x >> (64 - k)); }
  std::uint64_t state_[4];
};

/// This thread's generator.
inline fast_random& thread_random() {
  thread_local fast_random random;
  return random;
}

}  // namespace syncorm::detail
