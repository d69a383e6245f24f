#pragma once
// Sync events: the reason syncorm exists. Writes of a model with sync_traits emit one event per
// changed row through a transactional outbox; a subscriber in another application applies them to
// its own database exactly once in effect, in commit order.
//
//   template <> struct syncorm::sync_traits<Order> { static constexpr std::string_view topic = "orders"; };
//   orders_db.create_table<Order>();        // also creates the outbox table
//   orders_db.insert(order);                // the outbox row commits with the order
//
//   syncorm::subscriber sub{shipments_db, "shipments",
//       syncorm::on<Order>([](const syncorm::event<Order>& e, auto& tx) { ... }),
//       syncorm::mirror<Customer>()};
//   syncorm::outbox_source feed{orders_feed_db, "orders-db"};
//   sub.poll(feed);                         // or sub.run(feed, stop_token)
//
// Specialising syncorm::sync_traits<T> (declared in the core, so that writes can see it) is what opts
// a model in; its one optional member is `static constexpr std::string_view topic` (the events'
// aggregatetype; default: the table name). The file that writes a synced model must include this
// header, or just <syncorm/sync_producer.hpp>, the producer side alone (a lighter include). README,
// "Sync events", documents the guarantees, the outbox table and the payload format.

#include <cstdint>
#include <initializer_list>
#include <limits>
#include <optional>
#include <string_view>

#include "core/change_log.hpp"
#include "core/session.hpp"
#include "sync/handlers.hpp"
#include "sync/outbox_reader.hpp"
#include "sync/outbox_source.hpp"
#include "sync/source.hpp"
#include "sync/subscriber.hpp"
#include "sync/tables.hpp"
#include "sync_producer.hpp"

namespace syncorm {

/// The position of the newest event in `producer`'s outbox (0 when it has none yet; the outbox
/// table must exist). With subscriber::position(source), how far a consumer lags behind.
template <class Database>
std::int64_t latest_position(Database& producer) {
  using dialect = detail::dialect_of<Database>;
  return detail::on_primary(producer, [&](auto& db) {
    return detail::session_access::run<detail::compiled<detail::latest_position_shape, dialect>>(db, [&](auto& q) {
      std::optional<std::int64_t> latest;
      if (q.next()) detail::read_field(q, 0, latest, detail::outbox_table, "position");
      return latest.value_or(0);
    });
  });
}

/// Deletes the outbox rows of `producer` that every named reader (consumer names, an amqp::relay's
/// reader name) has passed, as recorded in syncorm_outbox_readers. A reader that has never recorded
/// a position holds everything back. Returns how many rows were deleted.
template <class Database>
std::int64_t prune_outbox(Database& producer, std::initializer_list<std::string_view> readers) {
  using dialect = detail::dialect_of<Database>;
  return detail::on_primary(producer, [&](auto& db) -> std::int64_t {
    detail::session_access::create_if_absent<detail::compiled<detail::create_readers_shape, dialect>>(db);
    std::int64_t passed_by_all = std::numeric_limits<std::int64_t>::max();
    for (std::string_view reader : readers) {
      const std::int64_t position = detail::reader_position(db, reader);
      if (position < passed_by_all) passed_by_all = position;
    }
    if (readers.size() == 0 || passed_by_all <= 0) return 0;
    return detail::session_access::run<detail::compiled<detail::prune_outbox_shape, dialect>>(db, [&](auto& q) {
      q.bind(passed_by_all);
      return q.finish();
    });
  });
}

}  // namespace syncorm
