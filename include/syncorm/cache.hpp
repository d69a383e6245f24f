#pragma once
// syncorm::cached: a cache of find<T>(id) in front of a database or a cluster, for models with
// cache_traits. Two levels: this process's memory, then (optionally) Redis shared by every process,
// then the database; a miss fills them on the way back. Every other call goes to the database as is.
//
//   template <> struct syncorm::cache_traits<Order> { static constexpr auto ttl = std::chrono::seconds{30}; };
//   syncorm::cached<shop> db{cluster_settings, syncorm::cache_settings{.max_entries = 100'000,
//                            .second_delete_after = std::chrono::seconds{3}, .redis = "redis://127.0.0.1:6379"}};
//   db.find<Order>(id);
//
// Invalidation: a write of a cached model, on any connection of the process (through the cache, a
// plain database, a transaction, a hook, a sync subscriber), deletes the row from every cache of the
// process at once, again after its transaction commits, and again after second_delete_after (the
// double delete); with Redis, deletes also reach the other processes (pub/sub). A fill that raced
// with a write is not stored (the stale-fill guard: cache/memory_level.hpp, and README "Cache" for
// exactly what it guarantees).

#include "core/chrono.hpp"
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "cache/cache_core.hpp"
#include "cache/memory_level.hpp"
#include "core/field_types.hpp"
#include "core/written_keys.hpp"
#include "reflect.hpp"
#include "sync/payload_members.hpp"
#include "sync/payload_writer.hpp"

namespace syncorm::detail {

/// Delivers the writes of a cached model to every cache of the process.
template <cached_model T>
struct written_key_sink<T> {
  static void deliver(std::string_view key, bool committed) noexcept {
    cache_registry::instance().written(cache_key_view{table_name_v<T>, key}, committed);
  }
};

template <class T>
inline constexpr bool cache_ttl_declared = requires {
  std::chrono::duration_cast<cache_clock::duration>(syncorm::cache_traits<T>::ttl);
};

/// Says, naming T, that cache_traits<T> lacks a usable ttl. Its `ok` stays usable after the
/// assertion fails, so cache_ttl below adds no error of its own (clang would, were the assertion
/// in the class that holds the value).
template <class T>
struct cache_ttl_check {
  static_assert(cache_ttl_declared<T>,
                "syncorm: cache_traits<T> needs `static constexpr auto ttl = std::chrono::seconds{...};`");
  static constexpr bool ok = true;
};

/// How long a row of T stays cached: cache_traits<T>::ttl, a std::chrono::duration.
template <class T>
inline constexpr cache_clock::duration cache_ttl = [] {
  if constexpr (cache_ttl_check<T>::ok && cache_ttl_declared<T>)
    return std::chrono::duration_cast<cache_clock::duration>(syncorm::cache_traits<T>::ttl);
  else return cache_clock::duration{};
}();

}  // namespace syncorm::detail

namespace syncorm {

/// `Db` (a database or a cluster) with find<T>(id) cached for models with cache_traits. Everything
/// else is Db's own. Thread-safe as far as Db is (the cache itself is).
template <class Db>
class cached : public Db {
public:
  /// Db built from `db_argument` (what Db's constructor takes), with a cache set up by `settings`.
  template <class DbArgument>
  cached(DbArgument&& db_argument, cache_settings settings)
      : Db(std::forward<DbArgument>(db_argument)), core_(settings) {}
  /// Db built from two arguments (a path and its options, for instance).
  template <class First, class Second>
  cached(First&& first, Second&& second, cache_settings settings)
      : Db(std::forward<First>(first), std::forward<Second>(second)), core_(settings) {}

  cached(const cached&) = delete;
  cached& operator=(const cached&) = delete;

  /// The row of T whose id is `key`: from memory, else Redis, else Db (then cached on the way back,
  /// unless the guard refuses it). Models without cache_traits: Db's find.
  template <class T, class Key>
  std::optional<T> find(const Key& key) {
    if constexpr (!detail::cached_model<T>) {
      return Db::template find<T>(key);
    } else {
      const detail::primary_key_text text{key};
      const detail::cache_key_view k{detail::table_name_v<T>, text.text};
      if (std::optional<T> hit = core_.memory.template get<T>(k)) {
        detail::cache_counters::add(core_.counters.memory_hits);
        return hit;
      }
      const detail::fill_ticket ticket = core_.memory.begin_fill();
      constexpr auto ttl = detail::cache_ttl<T>;
      bool remote_up = static_cast<bool>(core_.remote);
      if (remote_up) {
        std::string value;
        const detail::remote_status got = core_.remote.get(core_.remote.self, k, value);
        if (got == detail::remote_status::hit) {
          std::optional<T> row;
          try {
            const detail::payload_context where{"cache", detail::table_name_v<T>};
            row = detail::decode_members<T>(core_.remote.parse(value, where, detail::field_count<T>), where);
          } catch (const type_error&) {  // written by another version of the model: read the database
          }
          if (row) {
            detail::cache_counters::add(core_.counters.redis_hits);
            core_.memory.store(k, ticket, *row, ttl);
            return row;
          }
        } else if (got == detail::remote_status::unavailable) {
          detail::cache_counters::add(core_.counters.redis_errors);
          remote_up = false;
        }
      }
      detail::cache_counters::add(core_.counters.misses);
      std::optional<T> row = Db::template find<T>(key);
      if (!row) return row;  // absence is not cached
      if (!core_.memory.fill_allowed(k, ticket)) {
        detail::cache_counters::add(core_.counters.refused_fills);
        return row;
      }
      if (remote_up) {
        const detail::remote_status stored =
            core_.remote.store(core_.remote.self, k, detail::encode_payload(*row),
                               std::chrono::duration_cast<std::chrono::milliseconds>(ttl),
                               core_.settings().stale_fill_guard);
        if (stored == detail::remote_status::refused) {
          detail::cache_counters::add(core_.counters.refused_fills);
          return row;
        }
        if (stored == detail::remote_status::unavailable) detail::cache_counters::add(core_.counters.redis_errors);
      }
      core_.memory.store(k, ticket, *row, ttl);
      return row;
    }
  }

  /// The counters, read without locking the cache.
  [[nodiscard]] syncorm::cache_stats cache_stats() const noexcept { return core_.stats(); }

  /// The cache's settings.
  [[nodiscard]] const cache_settings& settings_of_cache() const noexcept { return core_.settings(); }

  /// Rows in the memory level now (for inspection and tests).
  [[nodiscard]] std::size_t memory_entries() { return core_.memory.size(); }

private:
  detail::cache_core core_;
};

}  // namespace syncorm
