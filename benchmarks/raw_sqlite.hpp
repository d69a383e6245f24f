#pragma once
// The raw sqlite3 C API side of the SQLite workloads, done the fastest correct way: statements
// prepared once, then bind / step / reset, text bound SQLITE_STATIC, results read into the same
// struct. Shared by the timed benchmarks and the instruction-count drivers. The statements name the
// table "order".

#include <benchmark/benchmark.h>
#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace syncorm_bench::raw_sqlite {

inline void check(int code, sqlite3* db) {
  if (code != SQLITE_OK && code != SQLITE_DONE && code != SQLITE_ROW) throw std::runtime_error(sqlite3_errmsg(db));
}

/// A prepared statement, finalized on destruction.
struct statement {
  sqlite3_stmt* handle = nullptr;
  statement(sqlite3* db, const char* sql) { check(sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &handle, nullptr), db); }
  ~statement() { sqlite3_finalize(handle); }
  statement(const statement&) = delete;
  statement& operator=(const statement&) = delete;
};

inline void exec(sqlite3* db, const char* sql) { check(sqlite3_exec(db, sql, nullptr, nullptr, nullptr), db); }

template <class Order>
void bind_order(sqlite3_stmt* s, const Order& o) {
  sqlite3_bind_text(s, 1, o.customer.data(), static_cast<int>(o.customer.size()), SQLITE_STATIC);
  sqlite3_bind_double(s, 2, o.amount);
  sqlite3_bind_int(s, 3, o.status);
  if (o.note) sqlite3_bind_text(s, 4, o.note->data(), static_cast<int>(o.note->size()), SQLITE_STATIC);
  else sqlite3_bind_null(s, 4);
}

template <class Order>
void read_order(sqlite3_stmt* s, Order& o) {
  o.id = sqlite3_column_int64(s, 0);
  o.customer.assign(reinterpret_cast<const char*>(sqlite3_column_text(s, 1)),
                    static_cast<std::size_t>(sqlite3_column_bytes(s, 1)));
  o.amount = sqlite3_column_double(s, 2);
  o.status = sqlite3_column_int(s, 3);
  if (sqlite3_column_type(s, 4) == SQLITE_NULL) {
    o.note.reset();
  } else {
    o.note.emplace(reinterpret_cast<const char*>(sqlite3_column_text(s, 4)),
                   static_cast<std::size_t>(sqlite3_column_bytes(s, 4)));
  }
}

constexpr const char* insert_sql =
    R"(INSERT INTO "order" ("customer", "amount", "status", "note") VALUES (?, ?, ?, ?))";
constexpr const char* find_sql =
    R"(SELECT "id", "customer", "amount", "status", "note" FROM "order" WHERE "id" = ?)";
constexpr const char* where_sql =
    R"(SELECT "id", "customer", "amount", "status", "note" FROM "order" WHERE "status" = ?)";
constexpr const char* update_sql =
    R"(UPDATE "order" SET "customer" = ?, "amount" = ?, "status" = ?, "note" = ? WHERE "id" = ?)";

/// The statements of the workloads, prepared once on one connection.
struct statements {
  sqlite3* db;
  statement insert{db, insert_sql};
  statement find{db, find_sql};
  statement where{db, where_sql};
  statement update{db, update_sql};

  /// One row inserted (the caller holds the transaction); its id read back.
  template <class Order>
  void insert_one(Order& o) {
    bind_order(insert.handle, o);
    check(sqlite3_step(insert.handle), db);
    o.id = sqlite3_last_insert_rowid(db);
    sqlite3_reset(insert.handle);
  }

  /// `rows` inserted in one transaction.
  template <class Order>
  void insert_all(std::vector<Order>& rows) {
    exec(db, "BEGIN IMMEDIATE");
    for (Order& o : rows) insert_one(o);
    exec(db, "COMMIT");
  }

  /// The row with this id, if any, read into a struct.
  template <class Order>
  std::optional<Order> find_one(std::int64_t id) {
    sqlite3_bind_int64(find.handle, 1, id);
    std::optional<Order> found;
    if (sqlite3_step(find.handle) == SQLITE_ROW) read_order(find.handle, found.emplace());
    sqlite3_reset(find.handle);
    return found;
  }

  /// The rows whose status is `status`.
  template <class Order>
  std::vector<Order> select_status(int status) {
    std::vector<Order> rows;
    sqlite3_bind_int(where.handle, 1, status);
    while (sqlite3_step(where.handle) == SQLITE_ROW) read_order(where.handle, rows.emplace_back());
    sqlite3_reset(where.handle);
    return rows;
  }

  /// One row updated by primary key (the caller holds the transaction).
  template <class Order>
  void update_one(const Order& o) {
    bind_order(update.handle, o);
    sqlite3_bind_int64(update.handle, 5, o.id);
    check(sqlite3_step(update.handle), db);
    benchmark::DoNotOptimize(sqlite3_changes(db));
    sqlite3_reset(update.handle);
  }
};

}  // namespace syncorm_bench::raw_sqlite
