#pragma once
// syncorm::redis_sticky_store: the router's sticky store kept in this process's memory and in
// Redis, so that a session's next request, served by another instance of the application, still
// reads its own writes without carrying a token. Use it as
// syncorm::sticky_store<syncorm::redis_sticky_store>, with cluster_settings::shared_sticky_store =
// "redis://host:port".
//
// In Redis a session is a hash syncorm:sticky:<key> {source, until, wal} expiring with the state;
// remember() merges into it with a script (the later deadline with its source, the larger WAL
// position), so that two instances writing for one session at once lose neither. When Redis cannot
// be reached the memory part answers alone, and nothing throws.

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "../cluster/sticky_store.hpp"
#include "client.hpp"

namespace syncorm {

namespace detail::redis {

/// ARGV: key, source, until (Unix ms), wal (20 digits, so that strings compare as numbers), expires (Unix ms).
inline constexpr std::string_view sticky_merge_script = R"lua(
local k = 'syncorm:sticky:' .. ARGV[1]
if tonumber(ARGV[3]) > tonumber(redis.call('HGET', k, 'until') or '0') then
  redis.call('HSET', k, 'until', ARGV[3], 'source', ARGV[2])
end
if ARGV[4] > (redis.call('HGET', k, 'wal') or '00000000000000000000') then
  redis.call('HSET', k, 'wal', ARGV[4])
end
if redis.call('PTTL', k) < 0 then
  redis.call('PEXPIREAT', k, ARGV[5])
else
  redis.call('PEXPIREAT', k, ARGV[5], 'GT')
end
return 1
)lua";

}  // namespace detail::redis

/// A sticky store in this process and in Redis (see above).
class redis_sticky_store {
public:
  /// `capacity` sessions in memory; Redis at `url` ("redis://host:port").
  redis_sticky_store(std::size_t capacity, std::string_view url)
      : local_(capacity), redis_(detail::redis::endpoint::parse(url)) {}

  /// Remembers `state` for `key` until `expires` (Unix ms), here and in Redis.
  void remember(std::string_view key, const read_your_writes_state& state, std::int64_t expires) {
    local_.remember(key, state, expires);
    std::string wal = std::to_string(state.wal_position);
    wal.insert(0, 20 - wal.size(), '0');
    const std::lock_guard lock{mutex_};
    (void)redis_.command({"EVAL", detail::redis::sticky_merge_script, "0", key, std::to_string(state.write_source),
                          std::to_string(state.sticky_until), wal, std::to_string(expires)});
  }

  /// The state of `key`: what this process remembers, merged with what Redis has.
  std::optional<read_your_writes_state> recall(std::string_view key) {
    std::optional<read_your_writes_state> state = local_.recall(key);
    std::optional<detail::redis::reply> r;
    {
      const std::lock_guard lock{mutex_};
      r = redis_.command({"HMGET", "syncorm:sticky:" + std::string(key), "source", "until", "wal"});
    }
    if (!r || r->get()->type != REDIS_REPLY_ARRAY || r->get()->elements != 3) return state;
    const redisReply* const* fields = r->get()->element;
    if (fields[1]->type != REDIS_REPLY_STRING) return state;  // Redis has nothing for the key
    read_your_writes_state shared;
    auto parse = [](const redisReply* field, auto& out) {
      if (field->type == REDIS_REPLY_STRING) std::from_chars(field->str, field->str + field->len, out);
    };
    parse(fields[0], shared.write_source);
    parse(fields[1], shared.sticky_until);
    parse(fields[2], shared.wal_position);
    if (!state) return shared;
    state->merge(shared);
    return state;
  }

private:
  in_process_sticky_store local_;
  std::mutex mutex_;
  detail::redis::connection redis_;
};

static_assert(sticky_store_policy<redis_sticky_store>);

}  // namespace syncorm
