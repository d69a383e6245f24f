#pragma once
// Prepared statements cached per connection. Each compiled statement type gets a process-wide slot
// number the first time it runs, so a lookup is an index into a vector: no hashing, no string
// comparison, no re-parsing of SQL.

#include <cstddef>
#include <utility>

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
  ~statement_cache() {
    clear();
    delete[] entries_;
  }

  /// The prepared statement for `Compiled`, calling `prepare()` the first time on this connection.
  template <class Compiled, class Prepare>
  Handle& get(Prepare&& prepare) {
    const std::size_t slot = statement_slot<Compiled>();
    if (slot >= capacity_) [[unlikely]]
      grow(slot + 1);
    entry& e = entries_[slot];
    if (e.sql != Compiled::sql.data()) [[unlikely]] {
      if (e.sql != nullptr) release_(e.handle);
      e.sql = nullptr;
      e.handle = prepare();
      e.sql = Compiled::sql.data();
    }
    return e.handle;
  }

  /// Frees every statement (on close, or when the connection was replaced).
  void clear() noexcept {
    for (std::size_t i = 0; i < capacity_; ++i) {
      if (entries_[i].sql != nullptr) release_(entries_[i].handle);
      entries_[i].sql = nullptr;
    }
  }

private:
  struct entry {
    const char* sql = nullptr;
    Handle handle{};
  };

  // A plain array of plain entries rather than a std::vector: each std::vector type costs every
  // translation unit that uses it dozens of member functions to compile (about 50 here), and
  // this array only ever grows.
  void grow(std::size_t needed) {
    const std::size_t capacity = needed > 2 * capacity_ ? needed : 2 * capacity_;
    entry* larger = new entry[capacity];
    for (std::size_t i = 0; i < capacity_; ++i) larger[i] = entries_[i];
    delete[] entries_;
    entries_ = larger;
    capacity_ = capacity;
  }

  entry* entries_ = nullptr;
  std::size_t capacity_ = 0;
  [[no_unique_address]] Release release_;
};

}  // namespace syncorm::detail
