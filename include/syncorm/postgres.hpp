#pragma once
// The PostgreSQL backend: syncorm::postgres::database, over libpq.
//
//   syncorm::postgres::database pg{"host=/tmp port=5432 dbname=shop"};
//   pg.create_table<Order>();
//   pg.insert(order);
//
// Parameters and results travel in PostgreSQL's binary format; every statement is prepared once
// per connection. insert_many streams rows with COPY. A database object is one connection: use it
// from one thread at a time. After the server restarts, the next call reconnects; a statement is
// repeated on the new connection only when it cannot have taken effect (a read, or a write the
// server refused because it was shutting down).

#include <libpq-fe.h>

#include <string_view>
#include <utility>

#include "postgres/connection.hpp"
#include "core/session.hpp"
#include "syncorm.hpp"

namespace syncorm::postgres {

/// The transaction handed to transaction() callbacks and to hooks on a PostgreSQL database.
using transaction = syncorm::basic_transaction<detail::postgres::connection>;

/// A connection to a PostgreSQL database, with every syncorm operation on it.
class database : public syncorm::detail::basic_database<detail::postgres::connection> {
public:
  /// The settings a connection is opened with.
  using options = syncorm::postgres::options;

  /// Connects with a libpq connection string ("host=... port=... dbname=..." or a postgresql://
  /// URI); throws connection_error with libpq's message on failure.
  explicit database(std::string_view conninfo, const options& settings = {})
      : basic_database(std::in_place, conninfo, settings) {}

  /// The underlying libpq connection, for what syncorm does not cover. Do not close it.
  [[nodiscard]] PGconn* native_handle() const noexcept { return connection().native_handle(); }
};

}  // namespace syncorm::postgres
