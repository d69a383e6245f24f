#pragma once
// How SQLite spells what the dialect-neutral statement shapes need.

#include <sqlite3.h>

#include <cstddef>
#include <string>
#include <string_view>

#include "../core/field_types.hpp"

namespace syncorm::detail::sqlite {

struct dialect {
  static constexpr std::string_view name = "sqlite";

  /// Anonymous `?` placeholders number themselves in order of appearance.
  template <class Text>
  static constexpr void append_placeholder(Text& out, std::size_t) { out += '?'; }

  /// STRICT tables (SQLite >= 3.37) only know these four storage types; they make SQLite refuse a
  /// value of the wrong type from any writer, as PostgreSQL does.
  static constexpr std::string_view column_type(value_kind kind) {
    switch (kind) {
      case value_kind::real:
      case value_kind::double_precision: return "REAL";
      case value_kind::text: return "TEXT";
      case value_kind::blob: return "BLOB";
      default: return "INTEGER";  // integers, booleans (0/1), timestamps (microseconds since 1970)
    }
  }

  /// AUTOINCREMENT so an id is never reused after a delete: ids travel to other applications in
  /// sync events, and PostgreSQL identities never reuse either.
  static constexpr std::string_view generated_key_column(value_kind) {
    return "INTEGER PRIMARY KEY AUTOINCREMENT";
  }
  /// A model with model_traits<T>::may_reuse_ids: the plain rowid alias. SQLite then picks max(id)+1,
  /// so the id of a deleted last row comes back; it saves the sqlite_sequence read and write that
  /// AUTOINCREMENT adds to every insert. The outbox never uses this (its ids are stream positions).
  static constexpr std::string_view reusable_key_column(value_kind) { return "INTEGER PRIMARY KEY"; }

#if SQLITE_VERSION_NUMBER >= 3037000
  static constexpr std::string_view table_options = " STRICT";
#else
  static constexpr std::string_view table_options = "";
#endif

  /// sqlite3_last_insert_rowid() is cheaper than stepping a RETURNING row.
  static constexpr bool insert_returns_key = false;
  /// SQLite has no OFFSET without LIMIT; -1 means no limit.
  static constexpr std::string_view offset_without_limit = " LIMIT -1";
  /// The write transaction (BEGIN IMMEDIATE) already locks the database.
  static constexpr std::string_view lock_rows = "";
  /// The outbox's event ids and payloads are text (STRICT tables know no other types).
  static constexpr std::string_view uuid_type = "TEXT";
  static constexpr std::string_view json_type = "TEXT";
  /// An upsert cannot say whether it inserted; the session looks the key up first.
  static constexpr bool upsert_reports_insertion = false;
  static constexpr std::string_view upsert_returns_insertion = "";
};

}  // namespace syncorm::detail::sqlite
