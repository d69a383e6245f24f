#pragma once
// How PostgreSQL keeps the outbox in commit order, and an insert that writes its row and its outbox
// row in one statement.
//
// A sequence value is taken when a row is inserted, not when its transaction commits, so with
// concurrent writers positions would become visible out of order and a reader of `position > last`
// could skip one for ever. So outbox rows are written last, just before COMMIT, under a
// transaction-scoped advisory lock: transactions with events take their positions one at a time,
// in the order they commit (the lock is released only after the commit is visible).

#include <string_view>

#include "../core/change_log.hpp"
#include "../core/statements.hpp"

namespace syncorm::detail::postgres {

/// Takes the commit-order lock (one per database) and wakes LISTENers at COMMIT (several
/// notifications of one transaction are delivered once).
inline constexpr std::string_view outbox_lock_and_notify =
    "SELECT pg_advisory_xact_lock(8320803159894289713), pg_notify('syncorm_outbox', '')";

/// The channel outbox readers LISTEN on.
inline constexpr std::string_view outbox_channel = "syncorm_outbox";

/// WITH written AS (INSERT ... RETURNING key), event AS (INSERT INTO syncorm_outbox SELECT ... FROM
/// written, LATERAL (lock and notify)) SELECT key FROM written: an autocommit insert of a synced row
/// in one round trip. The lock is taken after the row is written (the LATERAL depends on it), as at COMMIT, so
/// lock order is the same on both paths; the payload's `id` is the key the database assigned.
template <class T>
struct insert_with_event_shape {
  static constexpr std::string_view table = table_name_v<T>;
  template <class Dialect, class Writer>
  static constexpr void render(Writer& w) {
    constexpr std::string_view key = field_name_v<T, primary_key_index<T>>;
    w << "WITH written AS (";
    render_insert<T, true>(w);
    w << "), event AS (INSERT INTO ";
    w.identifier(outbox_table);
    w << " (id, aggregatetype, aggregateid, type, payload, created_at) SELECT CAST(";
    w.parameter(value_kind::text, "id");
    w << " AS UUID), ";
    w.parameter(value_kind::text, "aggregatetype");
    w << ", CAST(written.";
    w.identifier(key);
    w << " AS TEXT), 'created', jsonb_set(CAST(";
    w.parameter(value_kind::text, "payload");
    w << " AS JSONB), '{id}', to_jsonb(written.";
    w.identifier(key);
    w << ")), ";
    w.parameter(value_kind::timestamp, "created_at");
    w << " FROM written, LATERAL (" << outbox_lock_and_notify << " WHERE written.";
    w.identifier(key);
    w << " IS NOT NULL) AS commit_order) SELECT ";
    w.identifier(key);
    w << " FROM written";
  }
};

}  // namespace syncorm::detail::postgres
