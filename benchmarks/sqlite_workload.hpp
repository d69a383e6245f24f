#pragma once
// The syncorm side of the SQLite insert and update workloads, written once for any model shaped
// like an order, so that different models (with and without hooks) do exactly the same work.

#include <syncorm/sqlite.hpp>

#include <benchmark/benchmark.h>

#include <optional>
#include <vector>

#include "workload.hpp"

namespace syncorm_bench {

/// A fresh in-memory database with Row's table, created by syncorm for every side.
template <class Row>
syncorm::sqlite::database open_database() {
  syncorm::sqlite::database db{":memory:"};
  db.template create_table<Row>();
  return db;
}

/// A fresh in-memory database holding `rows` (by default row_count()) rows of Row.
template <class Row>
syncorm::sqlite::database loaded_database(std::int64_t count = row_count()) {
  auto db = open_database<Row>();
  auto rows = make_orders<Row>(count);
  db.insert_many(rows);
  return db;
}

/// Times `insert(db, rows)` of row_count() new rows into an empty database, made untimed.
template <class Row, class Insert>
void run_insert(benchmark::State& state, Insert&& insert) {
  std::optional<syncorm::sqlite::database> db;
  for (auto _ : state) {
    state.PauseTiming();
    db.reset();  // destroy the previous iteration's database outside the timed region
    db.emplace(open_database<Row>());
    auto rows = make_orders<Row>(row_count());
    state.ResumeTiming();
    insert(*db, rows);
    benchmark::DoNotOptimize(rows.back().id);
  }
  state.SetItemsProcessed(state.iterations() * row_count());
}

/// row_count() inserts, one `tx.insert` each, in one transaction.
template <class Row>
void insert_in_one_transaction(benchmark::State& state) {
  run_insert<Row>(state, [](syncorm::sqlite::database& db, std::vector<Row>& rows) {
    db.transaction([&](auto& tx) {
      for (Row& o : rows) tx.insert(o);
    });
  });
}

/// row_count() updates by primary key, in one transaction per iteration.
template <class Row>
void update_by_primary_key(benchmark::State& state) {
  auto db = loaded_database<Row>();
  update_every_row<Row>(state, db);
}

}  // namespace syncorm_bench
