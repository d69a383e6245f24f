#pragma once
// The tables sync keeps besides the producer's outbox, and every statement on them, in any dialect:
//   consumer database: syncorm_consumer_offsets (consumer, source, position): how far a consumer
//     has applied each source; syncorm_parked_events: events a consumer gave up on, with the error;
//   producer database: syncorm_outbox_readers (reader, position): how far each reader of the outbox
//     has got, which is what retention deletes up to.

#include <cstddef>
#include <string_view>

#include "../core/change_log.hpp"
#include "../core/field_types.hpp"

namespace syncorm::detail {

inline constexpr std::string_view offsets_table = "syncorm_consumer_offsets";
inline constexpr std::string_view parked_table = "syncorm_parked_events";
inline constexpr std::string_view readers_table = "syncorm_outbox_readers";

/// A column of a sync table: its name and kind.
struct sync_column {
  std::string_view name;
  value_kind kind;
};

/// CREATE TABLE IF NOT EXISTS `table` (columns, PRIMARY KEY (the first `key_columns` columns)).
template <class Dialect, class Writer, std::size_t N>
constexpr void render_sync_table(Writer& w, std::string_view table, const sync_column (&columns)[N],
                                 std::size_t key_columns) {
  w << "CREATE TABLE IF NOT EXISTS ";
  w.identifier(table);
  w << " (";
  for (const sync_column& c : columns) {
    w.identifier(c.name);
    w << " " << Dialect::column_type(c.kind) << " NOT NULL, ";
  }
  w << "PRIMARY KEY (";
  for (std::size_t i = 0; i < key_columns; ++i) {
    if (i != 0) w << ", ";
    w.identifier(columns[i].name);
  }
  w << "))" << Dialect::table_options;
}

/// "a" = ? AND "b" = ? ... over the first `count` columns.
template <class Writer, std::size_t N>
constexpr void render_key_match(Writer& w, const sync_column (&columns)[N], std::size_t count) {
  for (std::size_t i = 0; i < count; ++i) {
    w << (i == 0 ? " WHERE " : " AND ");
    w.identifier(columns[i].name);
    w << " = ";
    w.parameter(columns[i].kind, columns[i].name);
  }
}

/// INSERT INTO `table` (every column) VALUES (...) ON CONFLICT (key) DO UPDATE SET the others.
template <class Writer, std::size_t N>
constexpr void render_sync_upsert(Writer& w, std::string_view table, const sync_column (&columns)[N],
                                  std::size_t key_columns) {
  w << "INSERT INTO ";
  w.identifier(table);
  w << " (";
  for (std::size_t i = 0; i < N; ++i) {
    if (i != 0) w << ", ";
    w.identifier(columns[i].name);
  }
  w << ") VALUES (";
  for (std::size_t i = 0; i < N; ++i) {
    if (i != 0) w << ", ";
    w.parameter(columns[i].kind, columns[i].name);
  }
  w << ") ON CONFLICT (";
  for (std::size_t i = 0; i < key_columns; ++i) {
    if (i != 0) w << ", ";
    w.identifier(columns[i].name);
  }
  w << ") DO UPDATE SET ";
  for (std::size_t i = key_columns; i < N; ++i) {
    if (i != key_columns) w << ", ";
    w.identifier(columns[i].name);
    w << " = excluded.";
    w.identifier(columns[i].name);
  }
}

// ---- consumer offsets ---------------------------------------------------------------------------

inline constexpr sync_column offset_columns[] = {
    {"consumer", value_kind::text}, {"source", value_kind::text}, {"position", value_kind::big_integer}};

struct create_offsets_shape {
  static constexpr std::string_view table = offsets_table;
  template <class Dialect, class Writer>
  static constexpr void render(Writer& w) { render_sync_table<Dialect>(w, table, offset_columns, 2); }
};

/// The stored position of (consumer, source), locked for the batch's transaction where the dialect
/// can: two subscribers with the same name then take turns instead of applying an event twice.
struct read_offset_shape {
  static constexpr std::string_view table = offsets_table;
  template <class Dialect, class Writer>
  static constexpr void render(Writer& w) {
    w << "SELECT ";
    w.identifier("position");
    w << " FROM ";
    w.identifier(table);
    render_key_match(w, offset_columns, 2);
    w << Dialect::lock_rows;
  }
};

struct write_offset_shape {
  static constexpr std::string_view table = offsets_table;
  template <class Dialect, class Writer>
  static constexpr void render(Writer& w) { render_sync_upsert(w, table, offset_columns, 2); }
};

// ---- parked events ------------------------------------------------------------------------------

inline constexpr sync_column parked_columns[] = {
    {"consumer", value_kind::text},      {"source", value_kind::text},  {"position", value_kind::big_integer},
    {"id", value_kind::text},            {"aggregatetype", value_kind::text},
    {"aggregateid", value_kind::text},   {"type", value_kind::text},    {"payload", value_kind::text},
    {"error", value_kind::text},         {"attempts", value_kind::integer},
    {"parked_at", value_kind::timestamp}};

struct create_parked_shape {
  static constexpr std::string_view table = parked_table;
  template <class Dialect, class Writer>
  static constexpr void render(Writer& w) { render_sync_table<Dialect>(w, table, parked_columns, 3); }
};

struct park_shape {
  static constexpr std::string_view table = parked_table;
  template <class Dialect, class Writer>
  static constexpr void render(Writer& w) { render_sync_upsert(w, table, parked_columns, 3); }
};

/// A consumer's parked events, oldest first within each source.
struct list_parked_shape {
  static constexpr std::string_view table = parked_table;
  static constexpr bool read_only = true;
  template <class Dialect, class Writer>
  static constexpr void render(Writer& w) {
    w << "SELECT ";
    for (std::size_t i = 1; i < 10; ++i) {
      if (i != 1) w << ", ";
      w.identifier(parked_columns[i].name);
    }
    w << " FROM ";
    w.identifier(table);
    render_key_match(w, parked_columns, 1);
    w << " ORDER BY ";
    w.identifier("source");
    w << ", ";
    w.identifier("position");
  }
};

struct unpark_shape {
  static constexpr std::string_view table = parked_table;
  template <class Dialect, class Writer>
  static constexpr void render(Writer& w) {
    w << "DELETE FROM ";
    w.identifier(table);
    render_key_match(w, parked_columns, 3);
  }
};

// ---- the producer's outbox, as its readers see it -----------------------------------------------

/// Events after a position, in position order: id and payload as text on every dialect.
struct read_outbox_shape {
  static constexpr std::string_view table = outbox_table;
  static constexpr bool read_only = true;
  template <class Dialect, class Writer>
  static constexpr void render(Writer& w) {
    w << "SELECT ";
    w.identifier("position");
    w << ", CAST(";
    w.identifier("id");
    w << " AS " << Dialect::column_type(value_kind::text) << "), ";
    w.identifier("aggregatetype");
    w << ", ";
    w.identifier("aggregateid");
    w << ", ";
    w.identifier("type");
    w << ", CAST(";
    w.identifier("payload");
    w << " AS " << Dialect::column_type(value_kind::text) << ") FROM ";
    w.identifier(table);
    w << " WHERE ";
    w.identifier("position");
    w << " > ";
    w.parameter(value_kind::big_integer, "position");
    w << " ORDER BY ";
    w.identifier("position");
    w << " LIMIT ";
    w.parameter(value_kind::big_integer, {});
  }
};

inline constexpr sync_column reader_columns[] = {{"reader", value_kind::text}, {"position", value_kind::big_integer}};

struct create_readers_shape {
  static constexpr std::string_view table = readers_table;
  template <class Dialect, class Writer>
  static constexpr void render(Writer& w) { render_sync_table<Dialect>(w, table, reader_columns, 1); }
};

/// Records a reader's position; never moves it back (two processes of one consumer may race).
struct record_reader_shape {
  static constexpr std::string_view table = readers_table;
  template <class Dialect, class Writer>
  static constexpr void render(Writer& w) {
    render_sync_upsert(w, table, reader_columns, 1);
    w << " WHERE ";
    w.identifier(table);
    w << ".";
    w.identifier("position");
    w << " < excluded.";
    w.identifier("position");
  }
};

struct reader_position_shape {
  static constexpr std::string_view table = readers_table;
  static constexpr bool read_only = true;
  template <class Dialect, class Writer>
  static constexpr void render(Writer& w) {
    w << "SELECT ";
    w.identifier("position");
    w << " FROM ";
    w.identifier(table);
    render_key_match(w, reader_columns, 1);
  }
};

/// The newest event's position (NULL when the outbox is empty).
struct latest_position_shape {
  static constexpr std::string_view table = outbox_table;
  static constexpr bool read_only = true;
  template <class Dialect, class Writer>
  static constexpr void render(Writer& w) {
    w << "SELECT MAX(";
    w.identifier("position");
    w << ") FROM ";
    w.identifier(table);
  }
};

/// Deletes outbox rows at or below a position.
struct prune_outbox_shape {
  static constexpr std::string_view table = outbox_table;
  template <class Dialect, class Writer>
  static constexpr void render(Writer& w) {
    w << "DELETE FROM ";
    w.identifier(table);
    w << " WHERE ";
    w.identifier("position");
    w << " <= ";
    w.parameter(value_kind::big_integer, "position");
  }
};

}  // namespace syncorm::detail
