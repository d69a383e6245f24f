// syncorm vs the raw sqlite3 C API on the same workloads, same schema, same :memory: connection
// settings. The raw side is the fastest correct use of the C API: statements prepared once, then
// bind / step / reset, text bound SQLITE_STATIC, results read into the same struct.
//
// On a file database, system calls hide any ORM overhead, so ratios are taken on :memory:.

#include <syncorm/sqlite.hpp>

#include <benchmark/benchmark.h>
#include <sqlite3.h>

#include <cstdint>
#include <cstdlib>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "sqlite_workload.hpp"

namespace {

/// The raw statements below name its table.
struct sqlite_workload {
  static constexpr std::string_view table = "order";
};
using Order = syncorm_bench::order_row<sqlite_workload>;

using syncorm_bench::loaded_database;
using syncorm_bench::open_database;
using syncorm_bench::row_count;
using syncorm_bench::run_insert;

// ---- the raw C API -------------------------------------------------------------------------------

void check(int code, sqlite3* db) {
  if (code != SQLITE_OK && code != SQLITE_DONE && code != SQLITE_ROW) throw std::runtime_error(sqlite3_errmsg(db));
}

struct raw_statement {
  sqlite3_stmt* handle = nullptr;
  raw_statement(sqlite3* db, const char* sql) { check(sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &handle, nullptr), db); }
  ~raw_statement() { sqlite3_finalize(handle); }
  raw_statement(const raw_statement&) = delete;
  raw_statement& operator=(const raw_statement&) = delete;
};

void raw_exec(sqlite3* db, const char* sql) { check(sqlite3_exec(db, sql, nullptr, nullptr, nullptr), db); }

void raw_bind_order(sqlite3_stmt* s, const Order& o) {
  sqlite3_bind_text(s, 1, o.customer.data(), static_cast<int>(o.customer.size()), SQLITE_STATIC);
  sqlite3_bind_double(s, 2, o.amount);
  sqlite3_bind_int(s, 3, o.status);
  if (o.note) sqlite3_bind_text(s, 4, o.note->data(), static_cast<int>(o.note->size()), SQLITE_STATIC);
  else sqlite3_bind_null(s, 4);
}

void raw_read_order(sqlite3_stmt* s, Order& o) {
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

// ---- insert N rows in one transaction ------------------------------------------------------------

void insert_raw(benchmark::State& state) {
  run_insert<Order>(state, [](syncorm::sqlite::database& db, std::vector<Order>& rows) {
    sqlite3* h = db.native_handle();
    raw_statement insert{h, insert_sql};
    raw_exec(h, "BEGIN IMMEDIATE");
    for (Order& o : rows) {
      raw_bind_order(insert.handle, o);
      check(sqlite3_step(insert.handle), h);
      o.id = sqlite3_last_insert_rowid(h);
      sqlite3_reset(insert.handle);
    }
    raw_exec(h, "COMMIT");
  });
}

void insert_syncorm_insert_many(benchmark::State& state) {
  run_insert<Order>(state, [](syncorm::sqlite::database& db, std::vector<Order>& rows) { db.insert_many(rows); });
}

// ---- N lookups by primary key into the struct -------------------------------------------------------

void find_raw(benchmark::State& state) {
  auto db = loaded_database<Order>();
  sqlite3* h = db.native_handle();
  raw_statement find{h, find_sql};
  for (auto _ : state) {
    double total = 0;
    for (std::int64_t id = 1; id <= row_count(); ++id) {
      sqlite3_bind_int64(find.handle, 1, id);
      if (sqlite3_step(find.handle) == SQLITE_ROW) {
        Order o;
        raw_read_order(find.handle, o);
        total += o.amount;
      }
      sqlite3_reset(find.handle);
    }
    benchmark::DoNotOptimize(total);
  }
  state.SetItemsProcessed(state.iterations() * row_count());
}

void find_syncorm(benchmark::State& state) {
  auto db = loaded_database<Order>();
  syncorm_bench::find_every_row<Order>(state, db);
}

// ---- select about a quarter of the rows by a where clause -------------------------------------------

void where_raw(benchmark::State& state) {
  auto db = loaded_database<Order>();
  sqlite3* h = db.native_handle();
  raw_statement select{h, where_sql};
  for (auto _ : state) {
    std::vector<Order> rows;
    sqlite3_bind_int(select.handle, 1, 1);
    while (sqlite3_step(select.handle) == SQLITE_ROW) raw_read_order(select.handle, rows.emplace_back());
    sqlite3_reset(select.handle);
    benchmark::DoNotOptimize(rows.data());
    state.counters["rows"] = static_cast<double>(rows.size());
  }
}

void where_syncorm(benchmark::State& state) {
  auto db = loaded_database<Order>();
  syncorm_bench::select_quarter<Order>(state, db);
}

// ---- N updates by primary key --------------------------------------------------------------------------

void update_raw(benchmark::State& state) {
  auto db = loaded_database<Order>();
  auto rows = db.select<Order>();
  sqlite3* h = db.native_handle();
  raw_statement update{h, update_sql};
  for (auto _ : state) {
    raw_exec(h, "BEGIN IMMEDIATE");
    for (Order& o : rows) {
      o.status ^= 1;
      raw_bind_order(update.handle, o);
      sqlite3_bind_int64(update.handle, 5, o.id);
      check(sqlite3_step(update.handle), h);
      benchmark::DoNotOptimize(sqlite3_changes(h));
      sqlite3_reset(update.handle);
    }
    raw_exec(h, "COMMIT");
  }
  state.SetItemsProcessed(state.iterations() * row_count());
}

}  // namespace

BENCHMARK(insert_raw)->Name("sqlite/insert_rows_in_one_transaction/raw")->Unit(benchmark::kMillisecond);
BENCHMARK(insert_syncorm_insert_many)->Name("sqlite/insert_rows_in_one_transaction/syncorm_insert_many")->Unit(benchmark::kMillisecond);
BENCHMARK(syncorm_bench::insert_in_one_transaction<Order>)->Name("sqlite/insert_rows_in_one_transaction/syncorm_insert_loop")->Unit(benchmark::kMillisecond);
BENCHMARK(find_raw)->Name("sqlite/find_by_primary_key/raw")->Unit(benchmark::kMillisecond);
BENCHMARK(find_syncorm)->Name("sqlite/find_by_primary_key/syncorm")->Unit(benchmark::kMillisecond);
BENCHMARK(where_raw)->Name("sqlite/select_quarter_by_where/raw")->Unit(benchmark::kMillisecond);
BENCHMARK(where_syncorm)->Name("sqlite/select_quarter_by_where/syncorm")->Unit(benchmark::kMillisecond);
BENCHMARK(update_raw)->Name("sqlite/update_by_primary_key/raw")->Unit(benchmark::kMillisecond);
BENCHMARK(syncorm_bench::update_by_primary_key<Order>)->Name("sqlite/update_by_primary_key/syncorm")->Unit(benchmark::kMillisecond);
