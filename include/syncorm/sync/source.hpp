#pragma once
// What a subscriber reads events from. A source hands out events in its commit order, in batches,
// and is told when the consumer has committed some of them; how it gets them (the producer's
// outbox table, a message queue) is its own business.

#include <concepts>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <span>
#include <stop_token>
#include <string>
#include <string_view>
#include <type_traits>

#include "../core/chrono.hpp"

namespace syncorm {

/// One event as a source delivers it, before it is decoded into its model.
struct raw_event {
  std::string source;        ///< the producer whose commit order `position` belongs to
  std::int64_t position = 0; ///< its place in that order (above zero; see `malformed`)
  std::string id;            ///< event id (UUID)
  std::string topic;         ///< aggregatetype: picks the handler
  std::string aggregate_id;  ///< the row's primary key, as text
  std::string type;          ///< "created", "updated" or "destroyed"
  std::string payload;       ///< the row, as JSON
  /// Why the source could not read this event as one (empty: it could), e.g. a message without a
  /// usable position. The subscriber parks it at once with this text as the error. With a position
  /// above zero it takes its place in the source's order like any event; a source that could not
  /// find one gives zero or below, a key of its own making under which it is parked, and then it
  /// moves no stored position.
  std::string malformed;
};

/// Answers a source's question "how far has this consumer got in source `name`?".
template <class F>
concept stored_position_lookup = std::is_invocable_r_v<std::int64_t, F&, std::string_view>;

namespace detail {
/// A stand-in lookup, for checking the source concept.
struct any_stored_position {
  std::int64_t operator()(std::string_view) const noexcept { return 0; }
};

/// Sleeps for `how_long` or until `stop` is asked: the back-off of run() loops.
inline void sleep_unless_stopped(std::stop_token stop, std::chrono::steady_clock::duration how_long) {
  if (how_long <= std::chrono::steady_clock::duration::zero()) return;
  std::mutex mutex;
  std::condition_variable_any never_notified;
  std::unique_lock lock{mutex};
  never_notified.wait_for(lock, stop, how_long, [] { return false; });
}
}  // namespace detail

/// A source of events for syncorm::subscriber:
///  - fetch(max, consumer, lookup): up to `max` events not yet committed by the consumer, in order;
///    the same events again until they are consumed (a failed batch is retried from them);
///  - consumed(count, consumer): the first `count` fetched events are committed: drop them;
///  - wait(stop, timeout): block until more events may be there, `timeout` passes or stop is asked.
template <class S>
concept event_source = requires(S& s, std::size_t count, std::string_view consumer,
                                detail::any_stored_position lookup, std::stop_token stop,
                                std::chrono::milliseconds timeout) {
  { s.fetch(count, consumer, lookup) } -> std::convertible_to<std::span<const raw_event>>;
  s.consumed(count, consumer);
  s.wait(stop, timeout);
};

}  // namespace syncorm
