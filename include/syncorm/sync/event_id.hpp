#pragma once
// Event ids: UUID version 7 (RFC 9562), time-ordered so that ids written together sit together in
// an index, with 74 random bits from a per-thread generator seeded by the operating system.

#include <sys/random.h>

#include <chrono>
#include <cstdint>
#include <cstring>
#include <string>

#include "../error.hpp"

namespace syncorm::detail {

/// xoshiro256** (Blackman and Vigna): fast, and plenty for ids that only need to be unique.
class id_random {
public:
  id_random() {
    std::size_t filled = 0;
    auto* bytes = reinterpret_cast<unsigned char*>(state_);
    while (filled < sizeof state_) {
      const ssize_t got = ::getrandom(bytes + filled, sizeof state_ - filled, 0);
      if (got < 0) throw error("syncorm: the operating system gave no random bytes for event ids");
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

private:
  static constexpr std::uint64_t rotate(std::uint64_t x, int k) noexcept { return (x << k) | (x >> (64 - k)); }
  std::uint64_t state_[4];
};

/// A new UUIDv7 in canonical form, "0193b2a4-7c1e-7d2a-9f3b-5c8e1a2b3c4d".
inline std::string new_event_id() {
  thread_local id_random random;
  const auto millis = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count());
  const std::uint64_t bits = random.next();
  // 48 bits of Unix milliseconds, version 7, 12 random bits; variant 10, 62 random bits.
  const std::uint64_t high = (millis << 16) | 0x7000 | (bits & 0x0FFF);
  const std::uint64_t low = (random.next() & 0x3FFF'FFFF'FFFF'FFFF) | 0x8000'0000'0000'0000;
  static constexpr char hex[] = "0123456789abcdef";
  std::string out(36, '-');
  std::size_t at = 0;
  auto put = [&](std::uint64_t word, int from_nibble, int to_nibble) {
    for (int n = from_nibble; n < to_nibble; ++n) {
      if (at == 8 || at == 13 || at == 18 || at == 23) ++at;
      out[at++] = hex[(word >> (60 - 4 * n)) & 0xF];
    }
  };
  put(high, 0, 16);
  put(low, 0, 16);
  return out;
}

}  // namespace syncorm::detail
