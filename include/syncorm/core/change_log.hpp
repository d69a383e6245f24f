#pragma once
// Captured changes: the outbox rows a transaction owes. A write of a model with sync_traits leaves
// one here (what goes in it, the payload JSON and the event id, is the sync feature's business:
// <syncorm/sync.hpp>); the backend writes them all at COMMIT, inside the same transaction, into the
// outbox table whose statements are below. The core only carries them.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "../event.hpp"
#include "field_types.hpp"

namespace syncorm {

/// Specialise (an empty body is enough) to make every write of T emit sync events; the members it
/// may have are described in <syncorm/sync.hpp>. Declared only, so that a specialisation is what
/// opts a model in.
template <class T>
struct sync_traits;

}  // namespace syncorm

namespace syncorm::detail {

/// A model whose writes are captured into the outbox: sync_traits<T> is specialised.
template <class T>
concept synced_model = requires { sizeof(syncorm::sync_traits<T>); };

/// Defined by the sync feature for synced models, with
/// `static captured_change capture(change kind, const T& row)`.
template <class T>
struct change_capture;

template <class T>
concept capture_available = requires { sizeof(change_capture<T>); };

/// One outbox row waiting for COMMIT.
struct captured_change {
  std::string event_id;      ///< a UUID, in its canonical text form
  std::string_view topic;    ///< aggregatetype; static storage
  std::string aggregate_id;  ///< the row's primary key, as text
  change kind;               ///< written as `type`
  std::string payload;       ///< the row as a JSON object
  wire_time created_at;      ///< when it was captured, UTC
};

/// The outbox rows of the open transaction, in the order their writes ran.
struct change_buffer {
  std::vector<captured_change> pending;
  /// Called after a COMMIT that wrote outbox rows, to wake readers in this process at once (set by
  /// the sync feature when it captures; a plain function pointer, called once per commit).
  void (*committed)() noexcept = nullptr;

  /// After a successful COMMIT: the rows are written; tell the readers.
  void commit_done() noexcept {
    if (pending.empty()) return;
    pending.clear();
    if (committed != nullptr) committed();
  }
};

/// The outbox table, with Debezium's outbox event router column names (id, aggregatetype,
/// aggregateid, type, payload) plus the commit-order position and the capture time.
inline constexpr std::string_view outbox_table = "syncorm_outbox";

/// CREATE TABLE IF NOT EXISTS syncorm_outbox (...), in any dialect.
struct create_outbox_shape {
  static constexpr std::string_view table = outbox_table;
  template <class Dialect, class Writer>
  static constexpr void render(Writer& w) {
    w << "CREATE TABLE IF NOT EXISTS ";
    w.identifier(outbox_table);
    w << " (";
    w.identifier("position");
    w << " " << Dialect::generated_key_column(value_kind::big_integer) << ", ";
    w.identifier("id");
    w << " " << Dialect::uuid_type << " NOT NULL, ";
    for (std::string_view column : {"aggregatetype", "aggregateid", "type"}) {
      w.identifier(column);
      w << " " << Dialect::column_type(value_kind::text) << " NOT NULL, ";
    }
    w.identifier("payload");
    w << " " << Dialect::json_type << " NOT NULL, ";
    w.identifier("created_at");
    w << " " << Dialect::column_type(value_kind::timestamp) << " NOT NULL)";
    w << Dialect::table_options;
  }
};

/// INSERT INTO syncorm_outbox (id, aggregatetype, aggregateid, type, payload, created_at) VALUES
/// (...): the position is assigned by the database.
struct insert_outbox_shape {
  static constexpr std::string_view table = outbox_table;
  template <class Dialect, class Writer>
  static constexpr void render(Writer& w) {
    w << "INSERT INTO ";
    w.identifier(outbox_table);
    w << " (";
    w.identifier("id");
    w << ", ";
    w.identifier("aggregatetype");
    w << ", ";
    w.identifier("aggregateid");
    w << ", ";
    w.identifier("type");
    w << ", ";
    w.identifier("payload");
    w << ", ";
    w.identifier("created_at");
    w << ") VALUES (CAST(";
    w.parameter(value_kind::text, "id");
    w << " AS " << Dialect::uuid_type << "), ";
    w.parameter(value_kind::text, "aggregatetype");
    w << ", ";
    w.parameter(value_kind::text, "aggregateid");
    w << ", ";
    w.parameter(value_kind::text, "type");
    w << ", CAST(";
    w.parameter(value_kind::text, "payload");
    w << " AS " << Dialect::json_type << "), ";
    w.parameter(value_kind::timestamp, "created_at");
    w << ")";
  }
};

/// Binds one captured change to insert_outbox_shape's parameters.
template <class Binder>
void bind_captured_change(Binder& b, const captured_change& c) {
  b.bind(std::string_view{c.event_id});
  b.bind(c.topic);
  b.bind(std::string_view{c.aggregate_id});
  b.bind(to_string(c.kind));
  b.bind(std::string_view{c.payload});
  b.bind(c.created_at);
}

}  // namespace syncorm::detail
