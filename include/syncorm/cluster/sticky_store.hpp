#pragma once
// Read-your-writes state, and where a cluster keeps it between a session's requests. A session
// that wrote remembers which write source it wrote to and until when its reads should go there
// (sticky_window), or the WAL position its writes reached (wal_position). The state travels as a
// token between processes; within a process a store keeps it by session key. The store is a policy,
// so that a store shared between processes (Redis) can take the in-process one's place.

#include <chrono>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace syncorm {

/// What a session needs to read its own writes.
struct read_your_writes_state {
  std::uint32_t write_source = 0;   ///< index of the write source it last wrote to
  std::int64_t sticky_until = 0;    ///< sticky_window: Unix time in ms until which its reads go there
  std::uint64_t wal_position = 0;   ///< wal_position: the PostgreSQL WAL position its writes reached

  /// Keeps the later of two states' deadlines and positions (the newer write source).
  void merge(const read_your_writes_state& other) noexcept {
    if (other.sticky_until > sticky_until) {
      sticky_until = other.sticky_until;
      write_source = other.write_source;
    }
    if (other.wal_position > wal_position) wal_position = other.wal_position;
  }
};

/// Unix time in milliseconds: comparable between processes, unlike the steady clock.
inline std::int64_t unix_milliseconds() noexcept {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

/// A store shared between processes: built from a capacity (of its in-process part) and the
/// address of what it shares through (cluster_settings::shared_sticky_store, e.g. a Redis URL).
template <class S>
concept shared_sticky_store = std::constructible_from<S, std::size_t, std::string_view>;

/// What a sticky store must offer: remember a key's state until a Unix time (ms), and recall it;
/// built from a capacity, or from a capacity and an address (shared_sticky_store).
template <class S>
concept sticky_store_policy = requires(S& store, std::string_view key, const read_your_writes_state& state,
                                       std::int64_t expires) {
  store.remember(key, state, expires);
  { store.recall(key) } -> std::same_as<std::optional<read_your_writes_state>>;
} && (std::constructible_from<S, std::size_t> || shared_sticky_store<S>);

/// The default store: in this process's memory, bounded (the oldest entries go first when it is
/// full) and expiring (an entry is gone once its time has passed).
class in_process_sticky_store {
public:
  /// A store holding at most `capacity` keys.
  explicit in_process_sticky_store(std::size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}

  /// Remembers `state` for `key` until `expires` (Unix ms), merged with what the key already has.
  void remember(std::string_view key, const read_your_writes_state& state, std::int64_t expires) {
    const std::lock_guard lock{mutex_};
    const std::int64_t now = unix_milliseconds();
    while (!order_.empty() && (entries_.size() >= capacity_ || entries_.at(order_.front()).expires <= now)) {
      entries_.erase(order_.front());
      order_.pop_front();
    }
    auto found = entries_.find(std::string(key));
    if (found == entries_.end()) {
      order_.emplace_back(key);
      entries_.emplace(order_.back(), entry{state, expires, std::prev(order_.end())});
      return;
    }
    entry& e = found->second;
    if (e.expires <= now) e.state = {};
    e.state.merge(state);
    if (expires > e.expires) e.expires = expires;
    order_.splice(order_.end(), order_, e.position);  // most recently written last
  }

  /// The state remembered for `key`, unless it has expired.
  std::optional<read_your_writes_state> recall(std::string_view key) {
    const std::lock_guard lock{mutex_};
    const auto found = entries_.find(std::string(key));
    if (found == entries_.end() || found->second.expires <= unix_milliseconds()) return std::nullopt;
    return found->second.state;
  }

  /// How many keys it holds (expired ones included until they are pushed out).
  std::size_t size() {
    const std::lock_guard lock{mutex_};
    return entries_.size();
  }

private:
  struct entry {
    read_your_writes_state state;
    std::int64_t expires;
    std::list<std::string>::iterator position;
  };
  std::size_t capacity_;
  std::mutex mutex_;
  std::list<std::string> order_;  // keys, least recently written first
  std::unordered_map<std::string, entry> entries_;
};

static_assert(sticky_store_policy<in_process_sticky_store>);

}  // namespace syncorm
