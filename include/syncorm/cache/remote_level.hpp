#pragma once
// The second, shared level (Redis, <syncorm/redis.hpp>), as the cache sees it: a handful of calls
// on rows as text. The level lives in an optional library the cache header cannot name, so it is
// reached through plain function pointers set by <syncorm/redis.hpp> when it is included; each
// call is a network round trip, beside which the indirection costs nothing. The memory level's hit
// path never goes through here.

#include "../core/chrono.hpp"
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "../sync/payload_members.hpp"
#include "memory_level.hpp"

namespace syncorm::detail {

/// What a call on the shared level came to.
enum class remote_status {
  hit,          ///< get: the row is there
  absent,       ///< get: it is not
  stored,       ///< store: kept
  refused,      ///< store: the guard refused it (a write of the key or its table is recent)
  unavailable,  ///< the server cannot be reached: the caller goes on without it
};

/// A shared level: `self` and the calls on it. Default-constructed: none.
struct remote_level {
  void* self = nullptr;  ///< the level; null: none
  /// Reads the row at `k` into `value`.
  remote_status (*get)(void* self, cache_key_view k, std::string& value) = nullptr;
  /// Stores `value` at `k` for `ttl`, atomically refused when the key or its table was written within
  /// the guard window (on any process sharing the server), when `guard` is on.
  remote_status (*store)(void* self, cache_key_view k, std::string_view value, std::chrono::milliseconds ttl,
                         bool guard) = nullptr;
  /// Deletes `k` (key empty: the table), marks it written, and tells the other processes; while the
  /// server is down the delete is kept and sent when it is back. Never throws.
  void (*invalidate)(void* self, cache_key_view k) noexcept = nullptr;
  /// Parses a row's text (JSON, the sync payload format) into its members; throws
  /// malformed_payload. The level brings the parser, so a file using the cache without Redis
  /// compiles none.
  std::vector<payload_member> (*parse)(std::string_view text, const payload_context& where,
                                       std::size_t expected_members) = nullptr;
  /// Stops and frees the level.
  void (*destroy)(void* self) noexcept = nullptr;

  /// Whether there is a level.
  explicit operator bool() const noexcept { return self != nullptr; }
};

/// Makes a shared level for a URL; receives deletes from other processes into `memory`.
using remote_level_factory = remote_level (*)(const std::string& url, std::chrono::milliseconds window,
                                              memory_level& memory, cache_counters& counters);

/// The factory <syncorm/redis.hpp> registers when it is included (null: not included).
inline remote_level_factory& redis_level_factory() noexcept {
  static remote_level_factory factory = nullptr;
  return factory;
}

}  // namespace syncorm::detail
