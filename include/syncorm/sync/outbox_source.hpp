#pragma once
// syncorm::outbox_source: a subscriber reads the producer's outbox table directly, through a
// database object connected to the producer's database (the embedded default: two SQLite files, or
// two PostgreSQL databases).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "../core/chrono.hpp"
#include "../core/session.hpp"
#include "outbox_reader.hpp"
#include "source.hpp"

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
  static_assert(!requires { typename Database::backend; },
                "syncorm::outbox_source reads through one connection that it keeps (it LISTENs on it): "
                "give it a database object connected to the producer, not a cluster");

public:
  /// A source reading `producer`'s outbox (creating it and the readers' table if absent).
  outbox_source(Database& producer, std::string_view name, outbox_source_settings settings = {})
      : db_(producer), name_(name), settings_(settings), waiter_(settings.poll_interval) {
    detail::create_outbox_tables(db_);
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
      detail::read_outbox(db_, name_, *after_, max, buffer_);
      if (!buffer_.empty()) after_ = buffer_.back().position;
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
    detail::record_reader(db_, consumer_, consumed_position_);
    recorded_position_ = consumed_position_;
    progress_recorded_ = std::chrono::steady_clock::now();
  }

  /// Waits until the producer may have committed more events, `timeout` passes or `stop` is asked.
  void wait(std::stop_token stop, std::chrono::milliseconds timeout) { waiter_.wait(db_, stop, timeout); }

private:
  void bind_consumer(std::string_view consumer) {
    if (consumer_.empty()) consumer_ = consumer;
    else if (consumer_ != consumer)
      throw error("syncorm: outbox_source '" + name_ + "' already serves consumer '" + consumer_ +
                  "'; give each subscriber a source of its own");
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
  detail::outbox_waiter waiter_;
};

}  // namespace syncorm
