#pragma once
// syncorm::subscriber: applies events from a source to the consumer's database, exactly once in
// effect. Each batch is one transaction of the consumer's database holding the handlers' writes and
// the consumer's new position per source, so a crash anywhere either keeps both or neither; events
// at or below the stored position are dropped, so a source may deliver twice without harm.

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <mutex>
#include <optional>
#include <span>
#include <stop_token>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "../core/chrono.hpp"
#include "../core/session.hpp"
#include "../error.hpp"
#include "handlers.hpp"
#include "source.hpp"
#include "tables.hpp"

namespace syncorm {

/// Settings of a subscriber.
struct subscriber_settings {
  /// Events applied per consumer transaction.
  std::size_t batch_size = 500;
  /// Tries of an event whose handler throws before it is parked (then skipped).
  int max_attempts = 5;
  /// Wait before the second try; doubled for each further try, up to max_retry_delay.
  std::chrono::milliseconds first_retry_delay{10};
  /// Longest wait between tries (also the longest back-off of run() while a database is down).
  std::chrono::milliseconds max_retry_delay{2000};
  /// How long run() waits for a wake-up before looking for events anyway.
  std::chrono::milliseconds idle_wait{1000};
};

/// What a subscriber has done since it was made.
struct subscriber_stats {
  std::uint64_t applied = 0;     ///< events a handler applied (committed)
  std::uint64_t duplicates = 0;  ///< events dropped because the stored position was already past them
  std::uint64_t skipped = 0;     ///< events of a topic no handler takes
  std::uint64_t parked = 0;      ///< events given up on (see replay_parked)
  std::uint64_t retries = 0;     ///< failed tries that were scheduled to run again
  std::uint64_t replayed = 0;    ///< parked events applied by replay_parked
};

namespace detail {

/// Whether no two handlers share a topic (true when some argument is not a handler: that is
/// reported on its own).
template <class... Handlers>
consteval bool distinct_topics() {
  if constexpr ((event_handler<Handlers> && ...)) {
    constexpr std::string_view topics[] = {Handlers::topic..., {}};
    for (std::size_t i = 0; i < sizeof...(Handlers); ++i)
      for (std::size_t j = i + 1; j < sizeof...(Handlers); ++j)
        if (topics[i] == topics[j]) return false;
  }
  return true;
}

/// A handler threw while applying the event at `index` of a batch.
struct handler_failure {
  std::size_t index;
  std::string message;
};

}  // namespace detail

/// Applies events to `Database` (the consumer's) with a compile-time list of handlers, made by
/// syncorm::on<T>(...) and syncorm::mirror<T>(). `consumer` names it: its positions and parked
/// events live under that name in the consumer's database.
template <class Database, class... Handlers>
class subscriber {
  static_assert((detail::event_handler<Handlers> && ...),
                "syncorm::subscriber takes handlers made by syncorm::on<T>(callable) and syncorm::mirror<T>()");
  static_assert(detail::distinct_topics<Handlers...>(),
                "syncorm::subscriber: two handlers take the same topic; give each topic one handler");

public:
  /// The transaction handlers receive.
  using transaction_type = typename Database::transaction_type;

  /// A subscriber with default settings (creates its tables in `db` if absent).
  subscriber(Database& db, std::string_view consumer, Handlers... handlers)
      : subscriber(db, consumer, subscriber_settings{}, std::move(handlers)...) {}

  /// A subscriber with the given settings.
  subscriber(Database& db, std::string_view consumer, subscriber_settings settings, Handlers... handlers)
      : db_(db), name_(consumer), settings_(settings), handlers_(std::move(handlers)...) {
    if (name_.empty()) throw error("syncorm: a subscriber needs a non-empty consumer name");
    if (settings_.batch_size == 0) settings_.batch_size = 1;
    detail::on_primary(db_, [](auto& primary) {
      detail::session_access::create_if_absent<detail::compiled<detail::create_offsets_shape, dialect>>(primary);
      detail::session_access::create_if_absent<detail::compiled<detail::create_parked_shape, dialect>>(primary);
    });
  }

  subscriber(const subscriber&) = delete;
  subscriber& operator=(const subscriber&) = delete;

  /// The consumer name.
  [[nodiscard]] std::string_view name() const noexcept { return name_; }

  /// Applies every event `source` has now, in batches; returns how many a handler applied. An event
  /// whose handler throws is retried with back-off (a later poll), then parked.
  template <event_source Source>
  std::size_t poll(Source& source) {
    std::size_t applied = 0;
    while (true) {
      if (retry_ && std::chrono::steady_clock::now() < retry_->not_before) break;
      const std::span<const raw_event> batch = source.fetch(
          settings_.batch_size, name_, [this](std::string_view source_name) { return position(source_name); });
      if (batch.empty()) break;
      bool blocked = false;
      applied += apply(source, batch, blocked);
      if (blocked) break;
    }
    return applied;
  }

  /// Applies events as they come until `stop` is requested. A database that cannot be reached is
  /// retried with back-off; nothing is lost meanwhile.
  template <event_source Source>
  void run(Source& source, std::stop_token stop) {
    std::chrono::milliseconds backoff{0};
    while (!stop.stop_requested()) {
      try {
        poll(source);
        backoff = std::chrono::milliseconds{0};
      } catch (const connection_error&) {
        backoff = backoff.count() == 0 ? settings_.first_retry_delay : backoff * 2;
        if (backoff > settings_.max_retry_delay) backoff = settings_.max_retry_delay;
        detail::sleep_unless_stopped(stop, backoff);
        continue;
      }
      if (retry_) detail::sleep_unless_stopped(stop, retry_->not_before - std::chrono::steady_clock::now());
      else source.wait(stop, settings_.idle_wait);
    }
  }

  /// Applies each parked event of this consumer again, each in its own transaction; one that
  /// applies is removed from the parked table, one that fails stays with its new error. Returns
  /// how many applied. A parked event is applied as it is, even if newer events about the same row
  /// were applied since (for a mirror, that is an older copy of the row).
  std::size_t replay_parked() {
    std::vector<std::pair<raw_event, std::int32_t>> parked;
    detail::on_primary(db_, [&](auto& db) {
      return detail::session_access::run<detail::compiled<detail::list_parked_shape, dialect>>(db, [&](auto& q) {
        q.bind(std::string_view{name_});
        while (q.next()) {
          auto& [e, attempts] = parked.emplace_back();
          detail::read_field(q, 0, e.source, detail::parked_table, "source");
          detail::read_field(q, 1, e.position, detail::parked_table, "position");
          detail::read_field(q, 2, e.id, detail::parked_table, "id");
          detail::read_field(q, 3, e.topic, detail::parked_table, "aggregatetype");
          detail::read_field(q, 4, e.aggregate_id, detail::parked_table, "aggregateid");
          detail::read_field(q, 5, e.type, detail::parked_table, "type");
          detail::read_field(q, 6, e.payload, detail::parked_table, "payload");
          detail::read_field(q, 8, attempts, detail::parked_table, "attempts");
        }
        return 0;
      });
    });
    std::size_t replayed = 0;
    // Not a structured binding: the lambdas below capture these, which clang before 16 refuses.
    for (const auto& entry : parked) {
      const auto& e = entry.first;
      const auto& attempts = entry.second;
      std::string failure;
      try {
        db_.transaction([&](transaction_type& tx) {
          try {
            if (!dispatch(e, tx)) detail::throw_error<error>({"syncorm: no handler takes topic '", e.topic, "'"});
          } catch (const connection_error&) {
            throw;
          } catch (const std::exception& x) {
            failure = x.what();
            throw;
          }
          unpark(tx, e);
        });
        ++replayed;
        count(stats_.replayed);
      } catch (...) {
        if (failure.empty()) throw;
        db_.transaction([&](transaction_type& tx) { park(tx, e, failure, attempts + 1); });
      }
    }
    return replayed;
  }

  /// The position this consumer has applied `source` up to (0: nothing yet).
  std::int64_t position(std::string_view source) {
    return detail::on_primary(db_, [&](auto& db) {
      return detail::session_access::run<detail::compiled<detail::read_offset_shape, dialect>>(
          db, [&](auto& q) { return read_position(q, source); });
    });
  }

  /// Counters, readable from another thread while run() works.
  [[nodiscard]] subscriber_stats stats() const noexcept {
    return {stats_.applied.load(std::memory_order_relaxed), stats_.duplicates.load(std::memory_order_relaxed),
            stats_.skipped.load(std::memory_order_relaxed), stats_.parked.load(std::memory_order_relaxed),
            stats_.retries.load(std::memory_order_relaxed), stats_.replayed.load(std::memory_order_relaxed)};
  }

private:
  using dialect = detail::dialect_of<Database>;

  struct atomic_stats {
    std::atomic<std::uint64_t> applied{0}, duplicates{0}, skipped{0}, parked{0}, retries{0}, replayed{0};
  };
  struct batch_counts {
    std::uint64_t applied = 0, duplicates = 0, skipped = 0, parked = 0;
  };
  /// The event being retried: where it is, how often it failed, when it may run again.
  struct retry_state {
    std::string source;
    std::int64_t position;
    int attempts;
    std::chrono::steady_clock::time_point not_before;
  };
  /// A source's stored position as a batch reads and advances it.
  struct source_position {
    std::string_view source;
    std::int64_t stored;
    std::int64_t current;
  };

  /// Turns deferred writes off again when a batch's handlers are done (the COMMIT reads what is
  /// still unanswered).
  struct deferral_scope {
    transaction_type& tx;
    bool on;
    bool& deferred_any;
    ~deferral_scope() {
      if (on) deferred_any = detail::session_access::stop_deferring(tx) > 0;
    }
  };

  static void count(std::atomic<std::uint64_t>& counter, std::uint64_t n = 1) noexcept {
    counter.fetch_add(n, std::memory_order_relaxed);
  }

  /// Applies a batch in one transaction. A handler failure rolls it back and counts as one try of
  /// that event; the events before it are then applied on their own, and the failing one waits for
  /// its retry (sets `blocked`) or, after max_attempts tries, is parked and the stream goes on.
  ///
  /// Where the backend can (PostgreSQL), a mirror's copies go out without waiting for each answer
  /// (connection::defer_writes): their failure then shows at a later statement or at COMMIT, not
  /// at the event that caused it, so after any failure the batch runs again with every write
  /// waiting for its answer, which tells the right event.
  template <class Source>
  std::size_t apply(Source& source, std::span<const raw_event> batch, bool& blocked) {
    std::size_t end = batch.size();
    std::optional<detail::handler_failure> failed_event;
    std::size_t applied = 0;
    bool may_defer = true;
    while (end > 0) {
      batch_counts counts;
      std::optional<detail::handler_failure> failed;
      bool deferred = false;  // some write of this try was deferred
      try {
        db_.transaction([&](transaction_type& tx) {
          const deferral_scope deferring{tx, may_defer && detail::session_access::start_deferring(tx), deferred};
          apply_events(tx, batch.first(end), counts, failed);
        });
      } catch (...) {
        if (deferred) {
          may_defer = false;
          continue;
        }
        if (!failed) throw;  // not a handler's doing (the database, the offsets): the caller sees it
        note_failure(batch[failed->index]);
        end = failed->index;
        failed_event = std::move(failed);
        continue;
      }
      source.consumed(end, name_);
      if (retry_ && !failed_event) retry_.reset();  // the event that failed before went through
      count(stats_.applied, counts.applied);
      count(stats_.duplicates, counts.duplicates);
      count(stats_.skipped, counts.skipped);
      count(stats_.parked, counts.parked);
      applied = static_cast<std::size_t>(counts.applied);
      break;
    }
    if (failed_event) blocked = !park_if_exhausted(source, batch[failed_event->index], failed_event->message);
    return applied;
  }

  void apply_events(transaction_type& tx, std::span<const raw_event> events, batch_counts& counts,
                    std::optional<detail::handler_failure>& failed) {
    std::vector<source_position> positions;
    for (std::size_t i = 0; i < events.size(); ++i) {
      const raw_event& e = events[i];
      const bool in_order = e.position > 0;  // a malformed event may have no place in the order
      if (in_order) {
        source_position& at = position_of(tx, positions, e.source);
        if (e.position <= at.current) {
          ++counts.duplicates;
          continue;
        }
        at.current = e.position;
      }
      if (!e.malformed.empty() || !in_order) {  // retrying cannot mend it: park it at once
        park(tx, e, e.malformed.empty() ? "syncorm: the event has no position above zero" : e.malformed, 1);
        ++counts.parked;
        continue;
      }
      try {
        if (dispatch(e, tx)) ++counts.applied;
        else ++counts.skipped;
      } catch (const detail::malformed_payload& bad) {
        park(tx, e, bad.what(), 1);  // retrying cannot mend it: park it at once
        ++counts.parked;
      } catch (const connection_error&) {
        throw;
      } catch (const std::exception& x) {
        failed = detail::handler_failure{i, x.what()};
        throw;
      } catch (...) {
        failed = detail::handler_failure{i, "a handler threw an exception that is not a std::exception"};
        throw;
      }
    }
    for (const source_position& at : positions)
      if (at.current != at.stored) write_position(tx, at.source, at.current);
  }

  /// One more failed try of `e`: schedules the next one with exponential back-off.
  void note_failure(const raw_event& e) {
    if (!retry_ || retry_->source != e.source || retry_->position != e.position)
      retry_ = retry_state{e.source, e.position, 0, {}};
    ++retry_->attempts;
    auto delay = settings_.first_retry_delay;
    for (int i = 1; i < retry_->attempts && delay < settings_.max_retry_delay; ++i) delay *= 2;
    if (delay > settings_.max_retry_delay) delay = settings_.max_retry_delay;
    retry_->not_before = std::chrono::steady_clock::now() + delay;
  }

  /// After max_attempts failed tries, parks `e` (now at the front of the source) and moves the
  /// position past it; returns whether it did, i.e. whether the stream may go on.
  template <class Source>
  bool park_if_exhausted(Source& source, const raw_event& e, const std::string& message) {
    if (retry_->attempts < settings_.max_attempts) {
      count(stats_.retries);
      return false;
    }
    const int attempts = retry_->attempts;
    db_.transaction([&](transaction_type& tx) {
      std::vector<source_position> positions;
      source_position& at = position_of(tx, positions, e.source);
      park(tx, e, message, attempts);
      if (e.position > at.current) write_position(tx, e.source, e.position);
    });
    source.consumed(1, name_);
    retry_.reset();
    count(stats_.parked);
    return true;
  }

  /// Hands the event to the handler of its topic (a fold over the compile-time list); false when
  /// no handler takes it.
  bool dispatch(const raw_event& e, transaction_type& tx) {
    bool handled = false;
    std::apply(
        [&](auto&... handler) {
          ((!handled && e.topic == handler.topic ? (handler.handle(e, tx), handled = true) : false), ...);
        },
        handlers_);
    return handled;
  }

  source_position& position_of(transaction_type& tx, std::vector<source_position>& positions, std::string_view source) {
    for (source_position& at : positions)
      if (at.source == source) return at;
    const std::int64_t stored = detail::session_access::run<detail::compiled<detail::read_offset_shape, dialect>>(
        tx, [&](auto& q) { return read_position(q, source); });
    return positions.emplace_back(source_position{source, stored, stored});
  }

  template <class Cursor>
  std::int64_t read_position(Cursor& q, std::string_view source) {
    q.bind(std::string_view{name_});
    q.bind(source);
    std::int64_t stored = 0;
    if (q.next()) detail::read_field(q, 0, stored, detail::offsets_table, "position");
    return stored;
  }

  void write_position(transaction_type& tx, std::string_view source, std::int64_t position) {
    detail::session_access::run<detail::compiled<detail::write_offset_shape, dialect>>(tx, [&](auto& q) {
      q.bind(std::string_view{name_});
      q.bind(source);
      q.bind(position);
      return q.finish();
    });
  }

  void park(transaction_type& tx, const raw_event& e, std::string_view message, std::int32_t attempts) {
    detail::session_access::run<detail::compiled<detail::park_shape, dialect>>(tx, [&](auto& q) {
      q.bind(std::string_view{name_});
      q.bind(std::string_view{e.source});
      q.bind(e.position);
      q.bind(std::string_view{e.id});
      q.bind(std::string_view{e.topic});
      q.bind(std::string_view{e.aggregate_id});
      q.bind(std::string_view{e.type});
      q.bind(std::string_view{e.payload});
      q.bind(message);
      q.bind(attempts);
      q.bind(std::chrono::floor<std::chrono::microseconds>(std::chrono::system_clock::now()));
      return q.finish();
    });
  }

  void unpark(transaction_type& tx, const raw_event& e) {
    detail::session_access::run<detail::compiled<detail::unpark_shape, dialect>>(tx, [&](auto& q) {
      q.bind(std::string_view{name_});
      q.bind(std::string_view{e.source});
      q.bind(e.position);
      return q.finish();
    });
  }

  Database& db_;
  std::string name_;
  subscriber_settings settings_;
  std::tuple<Handlers...> handlers_;
  std::optional<retry_state> retry_;
  atomic_stats stats_;
};

/// subscriber{db, "name", handlers...}
template <class Database, class... Handlers>
subscriber(Database&, std::string_view, Handlers...) -> subscriber<Database, Handlers...>;
/// subscriber{db, "name", settings, handlers...}
template <class Database, class... Handlers>
subscriber(Database&, std::string_view, subscriber_settings, Handlers...) -> subscriber<Database, Handlers...>;

}  // namespace syncorm
