#pragma once
// The in-process cache level: rows by (table, key), bounded (least recently used entries go first),
// each with its expiry, and the stale-fill guard's per-key versions.
//
// Stale-fill guard: every delete bumps a version clock and marks the key "recently written" for a
// window. A fill (a row read from below, on a miss) notes the clock when it starts; it is stored
// only if, when it is stored, neither its key nor its table was deleted since it started, and no
// write of either is more recent than the window, and the fill took less than the window. The
// window (second_delete_after) stands for the longest replication lag the cache allows for: a read
// from a replica that is behind a write by less than the window is never stored.
//
// Sharded by key hash so that threads hitting different keys rarely share a lock.

#include <time.h>

#include <array>
#include <atomic>
#include "../core/chrono.hpp"
#include <cstddef>
#include <cstdint>
#include <deque>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

namespace syncorm::detail {

/// The clock of guard windows.
using cache_clock = std::chrono::steady_clock;

/// The clock of expiries: the same monotonic time, read at the kernel's tick (CLOCK_MONOTONIC_COARSE,
/// a few ms of resolution) where there is one, since a hit reads it and a TTL needs no finer grain.
struct expiry_clock {
  static cache_clock::time_point now() noexcept {
#if defined(CLOCK_MONOTONIC_COARSE)
    timespec t{};
    ::clock_gettime(CLOCK_MONOTONIC_COARSE, &t);
    return cache_clock::time_point{std::chrono::seconds{t.tv_sec} + std::chrono::nanoseconds{t.tv_nsec}};
#else
    return cache_clock::now();
#endif
  }
};

/// A row's place in the cache: its table and its primary key as text.
struct cache_key_view {
  std::string_view table;
  std::string_view key;
  friend bool operator==(const cache_key_view&, const cache_key_view&) = default;
};

/// An owned cache_key_view.
struct cache_key {
  std::string table;
  std::string key;
  [[nodiscard]] cache_key_view view() const noexcept { return {table, key}; }
};

/// Hashes and compares owned and viewed keys alike, so lookups build no string. FNV-1a: keys are a
/// table name and a few digits, for which it is several times cheaper than std::hash's.
struct cache_key_hash {
  using is_transparent = void;
  static constexpr std::uint64_t fnv(std::string_view text, std::uint64_t h = 0xcbf29ce484222325ULL) noexcept {
    for (const char c : text) h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
    return h;
  }
  std::size_t operator()(cache_key_view k) const noexcept {
    const std::uint64_t h = fnv(k.key, fnv(k.table) ^ 0x1f);  // 0x1f: "ab"+"c" and "a"+"bc" differ
    return static_cast<std::size_t>(h ^ (h >> 29));           // the shard index takes the low bits
  }
  std::size_t operator()(const cache_key& k) const noexcept { return (*this)(k.view()); }
};
/// Compares owned and viewed keys alike.
struct cache_key_equal {
  using is_transparent = void;
  static cache_key_view view(const cache_key& k) noexcept { return k.view(); }
  static cache_key_view view(cache_key_view k) noexcept { return k; }
  template <class A, class B>
  bool operator()(const A& a, const B& b) const noexcept {
    return view(a) == view(b);
  }
};

/// What a fill remembers from its start, to be checked when it is stored.
struct fill_ticket {
  std::uint64_t clock = 0;
  cache_clock::time_point started{};
};

/// The counters cache_stats() reports; atomics so that they are read without the cache's locks.
struct cache_counters {
  std::atomic<std::uint64_t> memory_hits{0};
  std::atomic<std::uint64_t> redis_hits{0};
  std::atomic<std::uint64_t> misses{0};
  std::atomic<std::uint64_t> refused_fills{0};
  std::atomic<std::uint64_t> evictions{0};
  std::atomic<std::uint64_t> redis_errors{0};

  static void add(std::atomic<std::uint64_t>& counter) noexcept { counter.fetch_add(1, std::memory_order_relaxed); }
};

/// The in-process level (see above). Thread-safe.
class memory_level {
public:
  /// `max_entries` rows at most (split evenly among the shards: at least one a shard, so never
  /// fewer than 16 in all); `window` as above; `guard` false turns the guard off (to show
  /// what it prevents).
  memory_level(std::size_t max_entries, cache_clock::duration window, bool guard, cache_counters& counters)
      : per_shard_(max_entries / shard_count > 1 ? max_entries / shard_count : 1),
        window_(window),
        retention_(window > std::chrono::seconds{1} ? window : std::chrono::seconds{1}),
        guard_(guard),
        counters_(counters) {}

  /// The cached row of type T at `k`, if any and not expired.
  template <class T>
  std::optional<T> get(cache_key_view k) {
    shard& s = shard_of(k);
    const std::lock_guard lock{s.mutex};
    const auto found = s.entries.find(k);
    if (found == s.entries.end()) return std::nullopt;
    entry& e = *found->second;
    if (e.expires <= expiry_clock::now()) {
      s.lru.erase(found->second);
      s.entries.erase(found);
      return std::nullopt;
    }
    s.lru.splice(s.lru.begin(), s.lru, found->second);  // most recently used first
    return std::optional<T>{*static_cast<const T*>(e.value.get())};
  }

  /// The start of a fill of `k`.
  [[nodiscard]] fill_ticket begin_fill() const noexcept {
    return {clock_.load(std::memory_order_acquire), cache_clock::now()};
  }

  /// Whether a fill that started with `ticket` may still be stored (see the guard above).
  [[nodiscard]] bool fill_allowed(cache_key_view k, const fill_ticket& ticket) {
    if (!guard_) return true;
    const auto now = cache_clock::now();
    if (now - ticket.started >= retention_) return false;  // its key's version may have been forgotten
    {
      shard& s = shard_of(k);
      const std::lock_guard lock{s.mutex};
      if (!slot_allows(s.versions, k, ticket, now)) return false;
    }
    const std::lock_guard lock{tables_mutex_};
    return slot_allows(tables_, cache_key_view{k.table, {}}, ticket, now);
  }

  /// Stores `row` at `k` until `ttl` from now, unless the guard refuses it (then false, counted).
  template <class T>
  bool store(cache_key_view k, const fill_ticket& ticket, const T& row, cache_clock::duration ttl) {
    if (!fill_allowed(k, ticket)) {
      cache_counters::add(counters_.refused_fills);
      return false;
    }
    std::shared_ptr<const void> value = std::make_shared<const T>(row);
    shard& s = shard_of(k);
    const std::lock_guard lock{s.mutex};
    // Checked again under the shard's lock: a delete between the check and here bumped the key.
    if (guard_ && !slot_allows(s.versions, k, ticket, cache_clock::now())) {
      cache_counters::add(counters_.refused_fills);
      return false;
    }
    const auto found = s.entries.find(k);
    if (found != s.entries.end()) {
      found->second->value = std::move(value);
      found->second->expires = expiry_clock::now() + ttl;
      s.lru.splice(s.lru.begin(), s.lru, found->second);
      return true;
    }
    s.lru.push_front(entry{cache_key{std::string(k.table), std::string(k.key)}, std::move(value),
                           expiry_clock::now() + ttl});
    s.entries.emplace(s.lru.front().key, s.lru.begin());
    while (s.entries.size() > per_shard_) {
      s.entries.erase(s.lru.back().key);
      s.lru.pop_back();
      cache_counters::add(counters_.evictions);
    }
    return true;
  }

  /// Drops `k` (key empty: every row of the table) and bumps its version, so that fills under way
  /// are not stored; marks it recently written for the window.
  void invalidate(cache_key_view k) {
    const std::uint64_t version = clock_.fetch_add(1, std::memory_order_acq_rel) + 1;
    const auto now = cache_clock::now();
    if (k.key.empty()) {
      {
        const std::lock_guard lock{tables_mutex_};
        mark(tables_, tables_order_, k, version, now);
      }
      for (shard& s : shards_) {
        const std::lock_guard lock{s.mutex};
        for (auto it = s.lru.begin(); it != s.lru.end();) {
          if (it->key.table == k.table) {
            s.entries.erase(it->key);
            it = s.lru.erase(it);
          } else {
            ++it;
          }
        }
      }
      return;
    }
    shard& s = shard_of(k);
    const std::lock_guard lock{s.mutex};
    if (const auto found = s.entries.find(k); found != s.entries.end()) {
      s.lru.erase(found->second);
      s.entries.erase(found);
    }
    mark(s.versions, s.order, k, version, now);
  }

  /// Drops every row (the guard's versions stay).
  void clear() {
    clock_.fetch_add(1, std::memory_order_acq_rel);
    for (shard& s : shards_) {
      const std::lock_guard lock{s.mutex};
      s.entries.clear();
      s.lru.clear();
    }
  }

  /// How many rows it holds.
  [[nodiscard]] std::size_t size() {
    std::size_t n = 0;
    for (shard& s : shards_) {
      const std::lock_guard lock{s.mutex};
      n += s.entries.size();
    }
    return n;
  }

private:
  struct entry {
    cache_key key;
    std::shared_ptr<const void> value;  // a const T, T known to the caller of get<T>
    cache_clock::time_point expires;
  };
  using lru_list = std::list<entry>;
  struct version_slot {
    std::uint64_t version = 0;
    cache_clock::time_point hot_until{};
  };
  using version_map = std::unordered_map<cache_key, version_slot, cache_key_hash, cache_key_equal>;
  /// Keys in the order they were marked, to forget versions once nothing can need them.
  using version_order = std::deque<std::pair<cache_clock::time_point, cache_key>>;
  struct shard {
    std::mutex mutex;
    lru_list lru;  // most recently used first
    std::unordered_map<cache_key, lru_list::iterator, cache_key_hash, cache_key_equal> entries;
    version_map versions;
    version_order order;
  };
  static constexpr std::size_t shard_count = 16;

  shard& shard_of(cache_key_view k) noexcept { return shards_[cache_key_hash{}(k) % shard_count]; }

  bool slot_allows(const version_map& versions, cache_key_view k, const fill_ticket& ticket,
                   cache_clock::time_point now) const {
    const auto found = versions.find(k);
    if (found == versions.end()) return true;
    return found->second.version <= ticket.clock && now >= found->second.hot_until;
  }

  void mark(version_map& versions, version_order& order, cache_key_view k, std::uint64_t version,
            cache_clock::time_point now) {
    // A version older than the retention is no longer needed: a fill that started before it is
    // refused for taking that long.
    while (!order.empty() && order.front().first + retention_ < now) {
      const auto found = versions.find(order.front().second.view());
      if (found != versions.end() && found->second.hot_until + retention_ < now) versions.erase(found);
      order.pop_front();
    }
    cache_key owned{std::string(k.table), std::string(k.key)};
    versions[owned] = version_slot{version, now + window_};
    order.emplace_back(now, std::move(owned));
  }

  std::array<shard, shard_count> shards_;
  std::size_t per_shard_;
  cache_clock::duration window_;
  cache_clock::duration retention_;
  bool guard_;
  cache_counters& counters_;
  std::atomic<std::uint64_t> clock_{0};
  std::mutex tables_mutex_;
  version_map tables_;
  version_order tables_order_;
};

}  // namespace syncorm::detail
