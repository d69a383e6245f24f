#pragma once
// Written keys: which rows of cached models a transaction wrote, so that a cache in front of the
// database can drop them at once and again after COMMIT. A write of a model with cache_traits tells
// the cache feature (<syncorm/cache.hpp>) the row's key as the statement runs, and leaves the key
// here; the outermost COMMIT hands the keys over once more (a reader may have cached the old row
// between the statement and the COMMIT). A rollback drops them: the old rows are still right.
// The core only carries the keys; what "drop" means is the cache feature's business.

#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "static_text.hpp"

namespace syncorm {

/// Specialise to cache find<T>(id) in syncorm::cached (<syncorm/cache.hpp>), with
/// `static constexpr auto ttl = std::chrono::seconds{30};`. Declared only, so that a
/// specialisation is what opts a model in.
template <class T>
struct cache_traits;

}  // namespace syncorm

namespace syncorm::detail {

/// A model whose find<T>(id) may be cached: cache_traits<T> is specialised.
template <class T>
concept cached_model = requires { sizeof(syncorm::cache_traits<T>); };

/// Defined by the cache feature for cached models, with
/// `static void deliver(std::string_view key, bool committed) noexcept` (key empty: every row).
template <class T>
struct written_key_sink;

template <class T>
concept written_key_sink_available = requires { sizeof(written_key_sink<T>); };

/// A primary key as text, as the outbox (aggregateid), the cache and written keys spell it, in a
/// buffer of its own: an integer key costs no allocation and no <charconv>.
struct primary_key_text {
  char digits[24];
  std::string_view text;
  template <class Key>
  explicit primary_key_text(const Key& key) noexcept {
    if constexpr (std::is_integral_v<Key>) {
      text_writer out{digits};
      if constexpr (std::is_signed_v<Key>) append_signed_decimal(out, key);
      else append_decimal(out, key);
      text = std::string_view(digits, out.length);
    } else {
      text = std::string_view{key};
    }
  }
  primary_key_text(const primary_key_text&) = delete;
  primary_key_text& operator=(const primary_key_text&) = delete;
};

/// One written key waiting for COMMIT, with where to deliver it then.
struct written_key {
  void (*deliver)(std::string_view key, bool committed) noexcept;
  std::string key;  ///< the primary key as text; empty: every row of the model (a bulk write)
};

/// The written keys of the open transaction.
struct written_keys {
  std::vector<written_key> pending;

  /// After a successful COMMIT: every key once more, now that the new rows are visible.
  void commit_done() noexcept {
    for (const written_key& w : pending) w.deliver(w.key, true);
    pending.clear();
  }
};

}  // namespace syncorm::detail
