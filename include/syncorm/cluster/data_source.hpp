#pragma once
// A data source: one database server (or SQLite file) a cluster sends statements to, its share of
// the load, and whether it is in rotation. Health is kept in atomics so that every thread routing
// through the cluster can read it without a lock; it changes only when a source fails or recovers.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace syncorm {

namespace detail {
struct source_health;
}  // namespace detail

/// One database a cluster routes to: its connection string (a SQLite path for SQLite), its weight
/// (for `weighted` selection) and its health.
class data_source {
public:
  /// A source with the given connection string and weight.
  data_source(std::string conninfo, unsigned weight = 1) : conninfo_(std::move(conninfo)), weight_(weight) {}
  /// Same, from a string literal (so that `{"host=... port=5434", 3}` works in settings).
  data_source(const char* conninfo, unsigned weight = 1) : conninfo_(conninfo), weight_(weight) {}
  /// A copy, with the health the original has now.
  data_source(const data_source& other)
      : conninfo_(other.conninfo_),
        weight_(other.weight_),
        down_until_(other.down_until_.load(std::memory_order_relaxed)),
        failures_(other.failures_.load(std::memory_order_relaxed)) {}
  data_source& operator=(const data_source& other) {
    conninfo_ = other.conninfo_;
    weight_ = other.weight_;
    down_until_.store(other.down_until_.load(std::memory_order_relaxed), std::memory_order_relaxed);
    failures_.store(other.failures_.load(std::memory_order_relaxed), std::memory_order_relaxed);
    return *this;
  }

  /// The connection string (or SQLite path).
  [[nodiscard]] const std::string& conninfo() const noexcept { return conninfo_; }
  /// Its share of the load under `weighted` selection.
  [[nodiscard]] unsigned weight() const noexcept { return weight_; }
  /// In rotation: no failure since it last worked, or its back-off has passed, so it is tried again.
  [[nodiscard]] bool healthy() const noexcept {
    const std::int64_t until = down_until_.load(std::memory_order_relaxed);
    return until == 0 || now() >= until;
  }
  /// Connection failures in a row (0 once it works again).
  [[nodiscard]] std::uint32_t failures() const noexcept { return failures_.load(std::memory_order_relaxed); }

private:
  friend struct detail::source_health;
  static std::int64_t now() noexcept {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }

  std::string conninfo_;
  unsigned weight_ = 1;
  std::atomic<std::int64_t> down_until_{0};  // steady clock, milliseconds; 0: up
  std::atomic<std::uint32_t> failures_{0};
};

namespace detail {

/// Marks sources down and up. A failed source leaves rotation for a back-off that doubles with each
/// failure in a row (first_backoff, 2x, 4x, ... up to max_backoff); it rejoins when it works again.
struct source_health {
  static void failed(data_source& s, std::chrono::milliseconds first_backoff, std::chrono::milliseconds max_backoff) noexcept {
    const std::uint32_t failures = s.failures_.fetch_add(1, std::memory_order_relaxed) + 1;
    std::int64_t backoff = first_backoff.count();
    for (std::uint32_t i = 1; i < failures && backoff < max_backoff.count(); ++i) backoff *= 2;
    if (backoff > max_backoff.count()) backoff = max_backoff.count();
    s.down_until_.store(data_source::now() + (backoff > 0 ? backoff : 1), std::memory_order_relaxed);
  }
  static void worked(data_source& s) noexcept {
    if (s.down_until_.load(std::memory_order_relaxed) == 0) return;  // the common case: one load
    s.failures_.store(0, std::memory_order_relaxed);
    s.down_until_.store(0, std::memory_order_relaxed);
  }
};

}  // namespace detail
}  // namespace syncorm
