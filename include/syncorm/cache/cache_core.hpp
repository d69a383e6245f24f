#pragma once
// What every syncorm::cached has whatever it is in front of: the memory level, the shared level
// if any, the counters, the double delete's timer; and the process-wide list of live caches that
// writes of cached models are delivered to (a write on any connection of the process, a
// transaction's, a hook's or a subscriber's included, reaches every cache).

#include "../core/chrono.hpp"
#include <cstddef>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "../error.hpp"
#include "delete_timer.hpp"
#include "memory_level.hpp"
#include "remote_level.hpp"

namespace syncorm {

/// How a cache is set up.
struct cache_settings {
  /// Rows the memory level holds at most; the least recently used go first.
  std::size_t max_entries = 100'000;
  /// The double delete's delay, and the stale-fill guard's window: how long after a write a fill
  /// of its key is not stored (set it above the longest replication lag). 0: no third delete.
  std::chrono::milliseconds second_delete_after{3000};
  /// "redis://host:port" for the shared level (needs <syncorm/redis.hpp>); empty: memory only.
  std::string redis{};
  /// The stale-fill guard; off only to show what it prevents.
  bool stale_fill_guard = true;
};

/// The cache's counters, as plain integers.
struct cache_stats {
  std::uint64_t memory_hits = 0;    ///< finds answered by the memory level
  std::uint64_t redis_hits = 0;     ///< finds answered by Redis
  std::uint64_t misses = 0;         ///< finds that read the database
  std::uint64_t refused_fills = 0;  ///< rows read on a miss that the guard did not store
  std::uint64_t evictions = 0;      ///< rows pushed out of the memory level by its size bound
  std::uint64_t redis_errors = 0;   ///< calls on Redis that failed (it was down): the database answered
};

}  // namespace syncorm

namespace syncorm::detail {

class cache_core;

/// The live caches of the process.
class cache_registry {
public:
  /// The process's registry.
  static cache_registry& instance() {
    static cache_registry registry;
    return registry;
  }
  /// A cache starts hearing of writes.
  void add(cache_core* cache) {
    const std::unique_lock lock{mutex_};
    caches_.push_back(cache);
  }
  /// A cache stops hearing of writes (returns once no delivery to it is under way).
  void remove(cache_core* cache) {
    const std::unique_lock lock{mutex_};
    std::erase(caches_, cache);
  }
  /// Delivers a write of `k` to every cache.
  inline void written(cache_key_view k, bool committed) noexcept;

private:
  std::shared_mutex mutex_;
  std::vector<cache_core*> caches_;
};

/// The state of one syncorm::cached, whatever Db is.
class cache_core {
public:
  /// Sets up the levels and the timer, and registers for writes; throws if `.redis` is set and the
  /// Redis level is not in the program.
  explicit cache_core(const cache_settings& settings)
      : settings_(settings),
        memory(settings.max_entries, settings.second_delete_after, settings.stale_fill_guard, counters),
        timer_(timer_deleter{this}) {
    if (!settings.redis.empty()) {
      const remote_level_factory factory = redis_level_factory();
      if (factory == nullptr)
        throw error("syncorm: cache_settings::redis is set, but <syncorm/redis.hpp> is not included (and "
                    "syncorm::redis not linked) in this program");
      remote = factory(settings.redis, settings.second_delete_after, memory, counters);
    }
    cache_registry::instance().add(this);
  }
  ~cache_core() {
    cache_registry::instance().remove(this);
    timer_.stop();
    if (remote) remote.destroy(remote.self);
  }
  cache_core(const cache_core&) = delete;
  cache_core& operator=(const cache_core&) = delete;

  /// A write of `k`: deleted now; if committed, deleted again after the delay.
  void written(cache_key_view k, bool committed) noexcept {
    drop(k);
    if (committed && settings_.second_delete_after.count() > 0) {
      try {
        timer_.schedule(cache_clock::now() + settings_.second_delete_after, k);
      } catch (...) {  // out of memory: the guard still refuses stale fills within its window
      }
    }
  }

  /// Deletes `k` from both levels.
  void drop(cache_key_view k) noexcept {
    try {
      memory.invalidate(k);
    } catch (...) {  // out of memory for the version: drop everything rather than risk a stale row
      try {
        memory.clear();
      } catch (...) {
      }
    }
    if (remote) remote.invalidate(remote.self, k);
  }

  /// The counters now.
  [[nodiscard]] cache_stats stats() const noexcept {
    auto load = [](const std::atomic<std::uint64_t>& c) { return c.load(std::memory_order_relaxed); };
    return {load(counters.memory_hits), load(counters.redis_hits),    load(counters.misses),
            load(counters.refused_fills), load(counters.evictions), load(counters.redis_errors)};
  }

  [[nodiscard]] const cache_settings& settings() const noexcept { return settings_; }

  /// Deletes waiting for the timer.
  [[nodiscard]] std::size_t pending_deletes() { return timer_.pending_count(); }

private:
  struct timer_deleter {
    cache_core* core;
    void operator()(cache_key_view k) const noexcept { core->drop(k); }
  };

  cache_settings settings_;

public:
  cache_counters counters;  ///< read by stats(), added to by the levels
  memory_level memory;      ///< the first level
  remote_level remote;      ///< the second level, if any

private:
  delete_timer<timer_deleter> timer_;  // last: stopped before what it calls goes away
};

inline void cache_registry::written(cache_key_view k, bool committed) noexcept {
  const std::shared_lock lock{mutex_};
  for (cache_core* cache : caches_) cache->written(k, committed);
}

}  // namespace syncorm::detail
