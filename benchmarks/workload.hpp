#pragma once
// The data every benchmark shares: rows shaped like the design document's order (five columns),
// and how many of them. Backend-neutral; each backend's runners live beside their benchmarks.

#include <syncorm/syncorm.hpp>

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

/// Looks up ids first .. first + n - 1 (wrapping within 1..row_count()); the sum of their amounts.
template <class Row, class Database>
double find_ids(Database& db, std::int64_t first, std::int64_t n) {
  double total = 0;
  for (std::int64_t i = 0; i < n; ++i)
    if (auto o = db.template find<Row>((first + i - 1) % row_count() + 1)) total += o->amount;
  return total;
}

/// Updates rows[first .. first + n) (wrapping) in one transaction, flipping a bit of their status.
template <class Row, class Database>
void update_rows(Database& db, std::vector<Row>& rows, std::size_t first, std::size_t n) {
  db.transaction([&](auto& tx) {
    for (std::size_t i = 0; i < n; ++i) {
      Row& o = rows[(first + i) % rows.size()];
      o.status ^= 1;
      benchmark::DoNotOptimize(tx.update(o));
    }
  });
}

/// The syncorm side of "N updates by primary key": every row of `db` updated once per iteration,
/// in one transaction, on any backend.
template <class Row, class Database>
void update_every_row(benchmark::State& state, Database& db) {
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

/// The syncorm side of "N lookups by primary key": ids 1..N found, once per iteration.
template <class Row, class Database>
void find_every_row(benchmark::State& state, Database& db) {
  for (auto _ : state) {
    double total = 0;
    for (std::int64_t id = 1; id <= row_count(); ++id)
      if (auto o = db.template find<Row>(id)) total += o->amount;
    benchmark::DoNotOptimize(total);
  }
  state.SetItemsProcessed(state.iterations() * row_count());
}

/// The syncorm side of "select about a quarter of the rows by a where clause" (status == 1).
template <class Row, class Database>
void select_quarter(benchmark::State& state, Database& db) {
  using syncorm::col;
  for (auto _ : state) {
    std::vector<Row> rows = db.template select<Row>(syncorm::where(col<&Row::status> == 1));
    benchmark::DoNotOptimize(rows.data());
    state.counters["rows"] = static_cast<double>(rows.size());
  }
}

}  // namespace syncorm_bench
