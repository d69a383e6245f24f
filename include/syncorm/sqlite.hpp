#pragma once
// The SQLite backend: syncorm::sqlite::database, the embedded default.
//
//   syncorm::sqlite::database db{"shop.db"};   // or ":memory:", or a "file:" URI
//   db.create_table<Order>();
//   db.insert(order);
//
// A database object is one connection: use it from one thread at a time (one per thread, or a
// cluster). Files are opened in WAL mode with foreign keys on and case-sensitive LIKE.

#include <sqlite3.h>

#include <string_view>
#include <utility>

#include "core/session.hpp"
#include "sqlite/connection.hpp"
#include "syncorm.hpp"

namespace syncorm::sqlite {

/// The transaction handed to transaction() callbacks and to hooks on a SQLite database.
using transaction = syncorm::basic_transaction<detail::sqlite::connection>;

/// A SQLite database file (or ":memory:"), with every syncorm operation on it.
class database : public syncorm::detail::basic_database<detail::sqlite::connection> {
public:
  /// The settings a connection is opened with.
  using options = syncorm::sqlite::options;

  /// Opens (creating if needed) the database at `path`; throws connection_error on failure.
  explicit database(std::string_view path, const options& settings = {})
      : basic_database(std::in_place, path, settings) {}

  /// The underlying sqlite3 handle, for what syncorm does not cover. Do not close it.
  [[nodiscard]] sqlite3* native_handle() const noexcept { return connection().native_handle(); }
};

}  // namespace syncorm::sqlite
