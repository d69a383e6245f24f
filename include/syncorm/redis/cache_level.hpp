#pragma once
// The cache's Redis level. Rows are JSON text (the sync payload format) under
// syncorm:cache:v:<generation>:<table>:<table generation>:<key>, with the model's TTL. Each call
// is one Lua script, so that what it reads and what it writes are one atomic step on the server:
//
//  - get: the row under the current generations.
//  - store: refused if the key or its table was written within the guard window (their write
//    markers exist), else SET with the TTL. As a script, no write can land between the check and
//    the SET: the guard holds across every process sharing the server.
//  - invalidate: DEL the row (or INCR the table's generation: every row of it is gone at once),
//    set the write marker for the window, PUBLISH the delete for the other processes' memory.
//
// The key names are built inside the scripts, so this needs a single Redis server (not Redis
// Cluster). Other processes' deletes reach this process's memory level through
// invalidations.hpp. While the server is down: reads go to the database (counted as redis_errors),
// deletes are kept and sent once it is back.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include "../cache/memory_level.hpp"
#include "../cache/remote_level.hpp"
#include "../sync/payload_reader.hpp"
#include "client.hpp"
#include "invalidations.hpp"

namespace syncorm::detail::redis {

/// ARGV: table, key.
inline constexpr std::string_view get_script = R"lua(
local g = redis.call('GET', 'syncorm:cache:gen') or '0'
local t = redis.call('GET', 'syncorm:cache:t:' .. ARGV[1]) or '0'
return redis.call('GET', 'syncorm:cache:v:' .. g .. ':' .. ARGV[1] .. ':' .. t .. ':' .. ARGV[2])
)lua";

/// ARGV: table, key, value, ttl (ms), guard ('1' or '0'). Returns 1 stored, 0 refused.
inline constexpr std::string_view store_script = R"lua(
if ARGV[5] == '1' and (redis.call('EXISTS', 'syncorm:cache:w:' .. ARGV[1] .. ':' .. ARGV[2]) == 1 or
                       redis.call('EXISTS', 'syncorm:cache:w:' .. ARGV[1]) == 1) then
  return 0
end
local g = redis.call('GET', 'syncorm:cache:gen') or '0'
local t = redis.call('GET', 'syncorm:cache:t:' .. ARGV[1]) or '0'
redis.call('SET', 'syncorm:cache:v:' .. g .. ':' .. ARGV[1] .. ':' .. t .. ':' .. ARGV[2], ARGV[3], 'PX', ARGV[4])
return 1
)lua";

/// ARGV: table, key ('' : the table; '*': everything), window (ms), message. Returns 1.
inline constexpr std::string_view invalidate_script = R"lua(
if ARGV[2] == '*' then
  redis.call('INCR', 'syncorm:cache:gen')
elseif ARGV[2] == '' then
  redis.call('INCR', 'syncorm:cache:t:' .. ARGV[1])
  redis.call('SET', 'syncorm:cache:w:' .. ARGV[1], '1', 'PX', ARGV[3])
else
  local g = redis.call('GET', 'syncorm:cache:gen') or '0'
  local t = redis.call('GET', 'syncorm:cache:t:' .. ARGV[1]) or '0'
  redis.call('DEL', 'syncorm:cache:v:' .. g .. ':' .. ARGV[1] .. ':' .. t .. ':' .. ARGV[2])
  local w = 'syncorm:cache:w:' .. ARGV[1] .. ':' .. ARGV[2]
  redis.call('INCR', w)
  redis.call('PEXPIRE', w, ARGV[3])
end
redis.call('PUBLISH', 'syncorm:cache:invalidate', ARGV[4])
return 1
)lua";

/// The Redis level (see above). Thread-safe: one command connection under a lock, one subscriber
/// connection on a thread of its own.
class cache_level {
public:
  /// Connects lazily to `url`; starts the subscriber thread.
  cache_level(const std::string& url, std::chrono::milliseconds window, memory_level& memory, cache_counters& counters)
      : where_(endpoint::parse(url)),
        tag_(new_level_tag()),
        window_ms_(std::to_string(std::max<std::int64_t>(window.count(), 1))),
        counters_(counters),
        commands_(where_),
        listener_(where_, tag_, memory) {}
  cache_level(const cache_level&) = delete;
  cache_level& operator=(const cache_level&) = delete;
  ~cache_level() = default;

  /// The row at `k` (remote_level::get).
  remote_status get(cache_key_view k, std::string& value) {
    const std::lock_guard lock{mutex_};
    if (!ready()) return remote_status::unavailable;
    auto r = commands_.command({"EVAL", get_script, "0", k.table, k.key});
    if (!r || r->is_error()) return failed(r.has_value());
    if (r->is_nil()) return remote_status::absent;
    value.assign(r->text());
    return remote_status::hit;
  }

  /// Stores the row at `k` unless the guard refuses (remote_level::store).
  remote_status store(cache_key_view k, std::string_view value, std::chrono::milliseconds ttl, bool guard) {
    const std::lock_guard lock{mutex_};
    if (!ready()) return remote_status::unavailable;
    const std::string ttl_ms = std::to_string(std::max<std::int64_t>(ttl.count(), 1));
    auto r = commands_.command({"EVAL", store_script, "0", k.table, k.key, value, ttl_ms, guard ? "1" : "0"});
    if (!r || r->is_error()) return failed(r.has_value());
    return r->integer() == 1 ? remote_status::stored : remote_status::refused;
  }

  /// Deletes `k` everywhere, or keeps the delete for later (remote_level::invalidate).
  void invalidate(cache_key_view k) noexcept {
    try {
      const std::lock_guard lock{mutex_};
      if (!ready() || !send_invalidation(k)) keep(k);
    } catch (...) {  // out of memory: the TTL is what is left
    }
  }

  /// Deletes waiting for the server (for tests).
  [[nodiscard]] std::size_t pending() {
    const std::lock_guard lock{mutex_};
    return pending_.size() + (lost_ ? 1 : 0);
  }

private:
  struct key_hash {
    std::size_t operator()(const cache_key& k) const noexcept { return cache_key_hash{}(k.view()); }
  };
  struct key_equal {
    bool operator()(const cache_key& a, const cache_key& b) const noexcept { return a.view() == b.view(); }
  };
  static constexpr std::size_t max_pending = 100'000;

  /// Whether the command connection is up, sending what was kept while it was not.
  bool ready() {
    const bool was_open = commands_.is_open();
    if (!commands_.open()) return false;
    if (!was_open && (lost_ || !pending_.empty())) {
      if (lost_ && !send_invalidation(cache_key_view{"", "*"})) return false;
      lost_ = false;
      for (auto it = pending_.begin(); it != pending_.end();) {
        if (!send_invalidation(it->view())) return false;
        it = pending_.erase(it);
      }
    }
    return true;
  }

  bool send_invalidation(cache_key_view k) {
    std::string message = tag_;
    message.append("\n").append(k.table).append("\n").append(k.key);
    auto r = commands_.command({"EVAL", invalidate_script, "0", k.table, k.key, window_ms_, message});
    return r && !r->is_error();
  }

  void keep(cache_key_view k) {
    if (pending_.size() >= max_pending) {
      lost_ = true;  // too many: everything goes when the server is back
      pending_.clear();
      return;
    }
    pending_.insert(cache_key{std::string(k.table), std::string(k.key)});
  }

  remote_status failed(bool error_reply) {
    cache_counters::add(counters_.redis_errors);
    if (error_reply) commands_.close();  // a script error: start again from a clean connection
    return remote_status::unavailable;
  }

  endpoint where_;
  std::string tag_;
  std::string window_ms_;
  cache_counters& counters_;
  std::mutex mutex_;  // the command connection and the kept deletes
  connection commands_;
  std::unordered_set<cache_key, key_hash, key_equal> pending_;
  bool lost_ = false;
  invalidation_listener listener_;  // last: its thread starts once everything else exists
};

/// The remote_level the cache calls.
inline remote_level make_cache_level(const std::string& url, std::chrono::milliseconds window, memory_level& memory,
                                     cache_counters& counters) {
  auto* level = new cache_level(url, window, memory, counters);
  remote_level r;
  r.self = level;
  r.get = [](void* self, cache_key_view k, std::string& value) { return static_cast<cache_level*>(self)->get(k, value); };
  r.store = [](void* self, cache_key_view k, std::string_view value, std::chrono::milliseconds ttl, bool guard) {
    return static_cast<cache_level*>(self)->store(k, value, ttl, guard);
  };
  r.parse = &parse_payload;
  r.invalidate = [](void* self, cache_key_view k) noexcept { static_cast<cache_level*>(self)->invalidate(k); };
  r.destroy = [](void* self) noexcept { delete static_cast<cache_level*>(self); };
  return r;
}

}  // namespace syncorm::detail::redis
