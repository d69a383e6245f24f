#pragma once
// syncorm::outbox_source: a subscriber reads the producer's outbox table directly, through a
// database object connected to the producer's database (the embedded default: two SQLite files, or
// two PostgreSQL databases).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "../core/session.hpp"
#include "capture.hpp"
#include "source.hpp"
#include "tables.hpp"

namespace syncorm {

/// Settings of an outbox_source.
struct outbox_source_settings {
  /// How often a waiting SQLite source looks for commits by other processes (`PRAGMA data_version`,
  /// a few microseconds). Commits in this process wake it at once; PostgreSQL's LISTEN wakes it at
  /// once too, and otherwise it looks again after the subscriber's idle_wait.
  std::chrono::milliseconds poll_interval{1};
  /// How often the consumer's position is recorded in the producer's database (for retention).
  std::chrono::milliseconds progress_interval{1000};
};

/// Reads the outbox of the database `producer` is connected to. `name` names that producer in the
/// consumers' offsets, so it must stay the same for the same producer database. One source serves
/// one subscriber.
template <class Database>
class outbox_source {
public:
  /// A source reading `producer`'s outbox (creating it and the readers' table if absent).
  outbox_source(Database& producer, std::string_view name, outbox_source_settings settings = {})
      : db_(producer), name_(name), settings_(settings) {
    using dialect = detail::dialect_of<Database>;
    detail::session_access::create_if_absent<detail::compiled<detail::create_outbox_shape, dialect>>(db_);
    detail::session_access::create_if_absent<detail::compiled<detail::create_readers_shape, dialect>>(db_);
  }

  /// The name this source's events carry as their source.
  [[nodiscard]] std::string_view name() const noexcept { return name_; }

  /// Up to `max` events after what `consumer` has committed, oldest first; the ones fetched before
  /// and not yet consumed come first.
  template <stored_position_lookup Lookup>
  std::span<const raw_event> fetch(std::size_t max, std::string_view consumer, Lookup&& stored_position) {
    bind_consumer(consumer);
    if (next_ == buffer_.size()) {
      buffer_.clear();
      next_ = 0;
      if (!after_) after_ = stored_position(std::string_view{name_});
      read_after(*after_, max);
    }
    const std::size_t available = buffer_.size() - next_;
    return std::span<const raw_event>(buffer_).subspan(next_, available < max ? available : max);
  }

  /// The first `count` fetched events are committed by `consumer`.
  void consumed(std::size_t count, std::string_view consumer) {
    bind_consumer(consumer);
    if (count == 0) return;
    next_ += count;
    consumed_position_ = buffer_[next_ - 1].position;
    const auto now = std::chrono::steady_clock::now();
    if (now - progress_recorded_ >= settings_.progress_interval) record_progress();
  }

  /// Records how far the consumer has got in the producer's readers table now (retention deletes
  /// up to the lowest position of the readers it is given). Also done every progress_interval.
  void record_progress() {
    if (consumer_.empty() || consumed_position_ <= recorded_position_) return;
    using dialect = detail::dialect_of<Database>;
    detail::session_access::run<detail::compiled<detail::record_reader_shape, dialect>>(db_, [&](auto& q) {
      q.bind(std::string_view{consumer_});
      q.bind(consumed_position_);
      return q.finish();
    });
    recorded_position_ = consumed_position_;
    progress_recorded_ = std::chrono::steady_clock::now();
  }

  /// Waits until the producer may have committed more events, `timeout` passes or `stop` is asked.
  void wait(std::stop_token stop, std::chrono::milliseconds timeout) {
    auto& connection = detail::session_access::connection(db_);
    if constexpr (requires { connection.data_version(); }) {
      // Another process's commit changes data_version; a commit in this process signals at once.
      detail::outbox_signal& signal = detail::outbox_signal::instance();
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
        signal.wait(seen, left < settings_.poll_interval ? left : settings_.poll_interval, stop);
        if (signal.commits() != seen) return;
      }
    } else {
      connection.wait_for_notification("syncorm_outbox", timeout, stop);
    }
  }

private:
  void bind_consumer(std::string_view consumer) {
    if (consumer_.empty()) consumer_ = consumer;
    else if (consumer_ != consumer)
      throw error("syncorm: outbox_source '" + name_ + "' already serves consumer '" + consumer_ +
                  "'; give each subscriber a source of its own");
  }

  void read_after(std::int64_t position, std::size_t max) {
    using dialect = detail::dialect_of<Database>;
    detail::session_access::run<detail::compiled<detail::read_outbox_shape, dialect>>(db_, [&](auto& q) {
      q.bind(position);
      q.bind(static_cast<std::int64_t>(max));
      while (q.next()) {
        raw_event& e = buffer_.emplace_back();
        e.source = name_;
        read_column(q, 0, e.position);
        read_column(q, 1, e.id);
        read_column(q, 2, e.topic);
        read_column(q, 3, e.aggregate_id);
        read_column(q, 4, e.type);
        read_column(q, 5, e.payload);
      }
      return 0;
    });
    if (!buffer_.empty()) after_ = buffer_.back().position;
  }

  template <class Cursor, class Value>
  static void read_column(Cursor& q, int column, Value& out) {
    detail::read_field(q, column, out, detail::outbox_table, "outbox column");
  }

  Database& db_;
  std::string name_;
  outbox_source_settings settings_;
  std::string consumer_;
  std::vector<raw_event> buffer_;
  std::size_t next_ = 0;
  std::optional<std::int64_t> after_;
  std::int64_t consumed_position_ = 0;
  std::int64_t recorded_position_ = 0;
  std::chrono::steady_clock::time_point progress_recorded_{};
  std::int64_t data_version_ = 0;
};

}  // namespace syncorm
