#pragma once
// Prepared statements cached per connection. Each compiled statement type gets a process-wide slot
// number the first time it runs, so a lookup is an index into an array: no hashing, no string
// comparison, no re-parsing of SQL.

#include <cstddef>
#include <utility>

#include "growing_array.hpp"

// GCC and clang have the atomic increment built in; <atomic> would cost every user's translation
// unit its parsing for this one counter.
#if !defined(__GNUC__)
#include <atomic>
#endif

namespace syncorm::detail {

inline std::size_t allocate_statement_slot() noexcept {
#if defined(__GNUC__)
  static std::size_t next = 0;
  return __atomic_fetch_add(&next, std::size_t{1}, __ATOMIC_RELAXED);
#else
  static std::atomic<std::size_t> next{0};
  return next.fetch_add(1, std::memory_order_relaxed);
#endif
}

/// The slot of a compiled statement type (a function-local static: initialised on first use, so
/// it is safe from static-initialisation order).
template <class Compiled>
std::size_t statement_slot() noexcept {
  static const std::size_t slot = allocate_statement_slot();
  return slot;
}

/// Slot-indexed cache of prepared statements of type `Handle`; `Release` frees one handle.
/// The entry also remembers the SQL text's address: if two copies of the library in different
/// shared objects ever hand out the same slot, the mismatch is seen and the statement re-prepared
/// instead of running the wrong SQL.
template <class Handle, class Release>
class statement_cache {
public:
  explicit statement_cache(Release release = {}) : release_(std::move(release)) {}
  statement_cache(const statement_cache&) = delete;
  statement_cache& operator=(const statement_cache&) = delete;
  ~statement_cache() { clear(); }

  /// The statement cached in `slot` for the SQL text at `sql`, or null.
  Handle* find(std::size_t slot, const char* sql) noexcept {
    if (slot >= entries_.size() || entries_[slot].sql != sql) [[unlikely]]
      return nullptr;
    return &entries_[slot].handle;
  }

  /// Caches `handle`, prepared from `sql`, in `slot` (freeing what the slot held). Owns `handle`
  /// from the call on: if the cache cannot grow, the handle is freed before the exception leaves.
  Handle& store(std::size_t slot, const char* sql, Handle handle) {
    try {
      entries_.grow_to(slot + 1);
    } catch (...) {
      release_(handle);
      throw;
    }
    entry& e = entries_[slot];
    if (e.sql != nullptr) release_(e.handle);
    e.handle = handle;
    e.sql = sql;
    return e.handle;
  }

  /// Frees every statement (on close, or when the connection was replaced).
  void clear() noexcept {
    for (entry& e : entries_) {
      if (e.sql != nullptr) release_(e.handle);
      e.sql = nullptr;
    }
  }

private:
  struct entry {
    const char* sql = nullptr;
    Handle handle{};
  };
  growing_array<entry> entries_;
  [[no_unique_address]] Release release_;
};

}  // namespace syncorm::detail
