#pragma once
// The workload the benchmarks share: rows shaped like the design document's order (five columns),
// how many of them, and the syncorm side of the insert and update workloads, written once for any
// model of that shape so that different models are measured doing exactly the same thing.

#include <syncorm/sqlite.hpp>

#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace syncorm_bench {

/// A five-column row shaped like an order. Each `Variant` is a distinct model of the same shape,
/// with its own table (`Variant::table`) and its own hooks, if any.
template <class Variant>
struct order_row {
  std::int64_t id = 0;
  std::string customer;
  double amount = 0;
  int status = 0;
  std::optional<std::string> note;
};

}  // namespace syncorm_bench

template <class Variant>
struct syncorm::model_traits<syncorm_bench::order_row<Variant>> {
  static constexpr std::string_view table = Variant::table;
};

namespace syncorm_bench {

/// Rows per workload; SYNCORM_BENCH_ROWS shrinks it for a quick smoke run.
inline std::int64_t row_count() {
  static const std::int64_t rows = [] {
    const char* configured = std::getenv("SYNCORM_BENCH_ROWS");
    return configured != nullptr ? std::atoll(configured) : 100'000;
  }();
  return rows;
}

/// `n` new rows of `Row`, a model with an order's fields (customer, amount, status, note).
template <class Row>
std::vector<Row> make_orders(std::int64_t n) {
  std::vector<Row> rows;
  rows.reserve(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) {
    rows.push_back({.customer = "customer " + std::to_string(i % 1000),
                    .amount = static_cast<double>(i) * 0.5,
                    .status = static_cast<int>(i % 4),
                    .note = i % 3 == 0 ? std::optional<std::string>("gift wrap") : std::nullopt});
  }
  return rows;
}

/// A fresh in-memory database with Row's table, created by syncorm for every side.
template <class Row>
syncorm::sqlite::database open_database() {
  syncorm::sqlite::database db{":memory:"};
  db.template create_table<Row>();
  return db;
}

/// A fresh in-memory database holding row_count() rows of Row.
template <class Row>
syncorm::sqlite::database loaded_database() {
  auto db = open_database<Row>();
  auto rows = make_orders<Row>(row_count());
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
  auto rows = db.template select<Row>();
  for (auto _ : state) {
    db.transaction([&](auto& tx) {
      for (Row& o : rows) {
        o.status ^= 1;
        benchmark::DoNotOptimize(tx.update(o));
      }
    });
  }
  state.SetItemsProcessed(state.iterations() * row_count());
}

}  // namespace syncorm_bench
