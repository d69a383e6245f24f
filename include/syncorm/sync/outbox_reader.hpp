#pragma once
// What every reader of a producer's outbox does, written once: read the events after a position,
// record how far it has got (syncorm_outbox_readers, which retention reads), and wait for the next
// commit. outbox_source (a consumer reading the outbox directly) and amqp::relay (publishing it to
// RabbitMQ) are both such readers.

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <stop_token>
#include <string_view>
#include <vector>

#include "../core/chrono.hpp"
#include "../core/session.hpp"
#include "capture.hpp"
#include "source.hpp"
#include "tables.hpp"

namespace syncorm::detail {

/// Creates the outbox and the readers' table in `producer` if they are absent.
template <class Database>
void create_outbox_tables(Database& producer) {
  using dialect = dialect_of<Database>;
  session_access::create_if_absent<compiled<create_outbox_shape, dialect>>(producer);
  session_access::create_if_absent<compiled<create_readers_shape, dialect>>(producer);
}

/// Appends to `out` up to `max` events of `producer`'s outbox after `position`, oldest first, each
/// carrying `source` as its source.
template <class Database>
void read_outbox(Database& producer, std::string_view source, std::int64_t position, std::size_t max,
                 std::vector<raw_event>& out) {
  using dialect = dialect_of<Database>;
  auto column = [](auto& q, int index, auto& value) { read_field(q, index, value, outbox_table, "outbox column"); };
  session_access::run<compiled<read_outbox_shape, dialect>>(producer, [&](auto& q) {
    q.bind(position);
    q.bind(static_cast<std::int64_t>(max));
    while (q.next()) {
      raw_event& e = out.emplace_back();
      e.source = source;
      column(q, 0, e.position);
      column(q, 1, e.id);
      column(q, 2, e.topic);
      column(q, 3, e.aggregate_id);
      column(q, 4, e.type);
      column(q, 5, e.payload);
    }
    return 0;
  });
}

/// The position `reader` has recorded in `producer`'s readers table (0: none yet).
template <class Database>
std::int64_t reader_position(Database& producer, std::string_view reader) {
  using dialect = dialect_of<Database>;
  return session_access::run<compiled<reader_position_shape, dialect>>(producer, [&](auto& q) {
    q.bind(reader);
    std::int64_t recorded = 0;
    if (q.next()) read_field(q, 0, recorded, readers_table, "position");
    return recorded;
  });
}

/// Records that `reader` has passed `position` (never moves a recorded position back).
template <class Database>
void record_reader(Database& producer, std::string_view reader, std::int64_t position) {
  using dialect = dialect_of<Database>;
  session_access::run<compiled<record_reader_shape, dialect>>(producer, [&](auto& q) {
    q.bind(reader);
    q.bind(position);
    return q.finish();
  });
}

/// Wakes readers waiting in this process when a commit here wrote outbox rows (see
/// outbox_commits in capture.hpp). One per process, made by the first reader that waits.
class outbox_signal {
public:
  static outbox_signal& instance() {
    // Never destroyed: a commit on another thread may still wake readers while the process exits.
    static outbox_signal& signal = *new outbox_signal;
    return signal;
  }

  [[nodiscard]] static std::uint64_t commits() noexcept { return outbox_commits::count.load(); }

  /// Waits until a commit after `seen`, `timeout`, or a stop request.
  void wait(std::uint64_t seen, std::chrono::nanoseconds timeout, std::stop_token stop) {
    std::unique_lock lock{mutex_};
    changed_.wait_for(lock, stop, timeout, [&] { return commits() != seen; });
  }

private:
  outbox_signal() noexcept { outbox_commits::wake.store(&wake_waiters); }

  /// Taking the mutex between the count's increment and the notification is what keeps a waiter
  /// that has just found the count unchanged from missing it: it holds the mutex until it waits.
  static void wake_waiters() noexcept {
    outbox_signal& s = instance();
    try {
      const std::lock_guard lock{s.mutex_};
    } catch (...) {
      return;  // a reader misses a wake-up and finds the events at its next poll
    }
    s.changed_.notify_all();
  }

  std::mutex mutex_;
  std::condition_variable_any changed_;
};

/// Waits for commits to a producer's outbox: PostgreSQL's LISTEN (writers NOTIFY when they
/// commit); on SQLite, a commit in this process signals at once and one in another process changes
/// `PRAGMA data_version`, looked at every `poll_interval`.
class outbox_waiter {
public:
  /// A waiter that polls SQLite's data_version every `poll_interval`.
  explicit outbox_waiter(std::chrono::milliseconds poll_interval) : poll_interval_(poll_interval) {}

  /// Returns when `producer` may have committed more events, `timeout` passes or `stop` is asked.
  template <class Database>
  void wait(Database& producer, std::stop_token stop, std::chrono::milliseconds timeout) {
    auto& connection = session_access::connection(producer);
    if constexpr (requires { connection.data_version(); }) {
      outbox_signal& signal = outbox_signal::instance();
      const auto deadline = std::chrono::steady_clock::now() + timeout;
      while (!stop.stop_requested()) {
        const std::uint64_t seen = signal.commits();
        const std::int64_t version = connection.data_version();
        if (version != data_version_) {
          data_version_ = version;
          return;
        }
        const auto left = deadline - std::chrono::steady_clock::now();
        if (left <= std::chrono::steady_clock::duration::zero()) return;
        signal.wait(seen, left < poll_interval_ ? left : poll_interval_, stop);
        if (signal.commits() != seen) return;
      }
    } else {
      connection.wait_for_notification("syncorm_outbox", timeout, stop);
    }
  }

private:
  std::chrono::milliseconds poll_interval_;
  std::int64_t data_version_ = 0;
};

}  // namespace syncorm::detail
