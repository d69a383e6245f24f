#pragma once
// Event ids: UUID version 7 (RFC 9562), time-ordered so that ids written together sit together in
// an index, with 74 random bits from the thread's generator (core/random.hpp).

#include <cstdint>
#include <string>

#include "../core/chrono.hpp"
#include "../core/random.hpp"

namespace syncorm::detail {

/// A new UUIDv7 in canonical form, "0193b2a4-7c1e-7d2a-9f3b-5c8e1a2b3c4d".
inline std::string new_event_id() {
  fast_random& random = thread_random();
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
