// syncorm vs the raw sqlite3 C API on the same workloads, same schema, same :memory: connection
// settings. The raw side (raw_sqlite.hpp) is the fastest correct use of the C API.
//
// On a file database, system calls hide any ORM overhead, so ratios are taken on :memory:.
// Two forms of each workload: one long benchmark per side (row_count() rows, the console's ratio
// table), and "pairs": many short syncorm/raw pairs timed alternately (interleaved_pairs.hpp),
// whose median ratio and interquartile range README's table reports.

#include <syncorm/sqlite.hpp>

#include <benchmark/benchmark.h>
#include <sqlite3.h>

#include <cstdint>
#include <string_view>
#include <vector>

#include "interleaved_pairs.hpp"
#include "raw_sqlite.hpp"
#include "sqlite_workload.hpp"

namespace {

/// The raw statements name its table.
struct sqlite_workload {
  static constexpr std::string_view table = "order";
};
using Order = syncorm_bench::order_row<sqlite_workload>;

using syncorm_bench::chunk_rows;
using syncorm_bench::interleaved_pairs;
using syncorm_bench::loaded_database;
using syncorm_bench::open_database;
using syncorm_bench::row_count;
using syncorm_bench::run_insert;
namespace raw = syncorm_bench::raw_sqlite;

// ---- insert N rows in one transaction ------------------------------------------------------------

void insert_raw(benchmark::State& state) {
  run_insert<Order>(state, [](syncorm::sqlite::database& db, std::vector<Order>& rows) {
    raw::statements{db.native_handle()}.insert_all(rows);
  });
}

void insert_syncorm_insert_many(benchmark::State& state) {
  run_insert<Order>(state, [](syncorm::sqlite::database& db, std::vector<Order>& rows) { db.insert_many(rows); });
}

// ---- N lookups by primary key into the struct -------------------------------------------------------

void find_raw(benchmark::State& state) {
  auto db = loaded_database<Order>();
  raw::statements raw{db.native_handle()};
  for (auto _ : state) {
    double total = 0;
    for (std::int64_t id = 1; id <= row_count(); ++id)
      if (auto o = raw.find_one<Order>(id)) total += o->amount;
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
  raw::statements raw{db.native_handle()};
  for (auto _ : state) {
    std::vector<Order> rows = raw.select_status<Order>(1);
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
  raw::statements raw{db.native_handle()};
  for (auto _ : state) {
    raw::exec(raw.db, "BEGIN IMMEDIATE");
    for (Order& o : rows) {
      o.status ^= 1;
      raw.update_one(o);
    }
    raw::exec(raw.db, "COMMIT");
  }
  state.SetItemsProcessed(state.iterations() * row_count());
}

// ---- the same workloads as short alternating pairs, each side on a database of its own ---------------

/// chunk_rows() rows inserted in one transaction per call, `syncorm_insert` against the raw loop;
/// both tables are emptied (untimed) before they outgrow row_count() rows.
template <class SyncormInsert>
void insert_pairs(benchmark::State& state, SyncormInsert&& syncorm_insert, const char* label) {
  auto raw_db = open_database<Order>();
  auto orm_db = open_database<Order>();
  raw::statements raw{raw_db.native_handle()};
  auto raw_rows = syncorm_bench::make_orders<Order>(chunk_rows());
  auto orm_rows = raw_rows;
  std::int64_t held = 0;
  interleaved_pairs(
      state, label, static_cast<double>(chunk_rows()), [&] { raw.insert_all(raw_rows); },
      [&] { syncorm_insert(orm_db, orm_rows); },
      [&] {
        if (held + chunk_rows() > row_count()) {
          for (auto* db : {&raw_db, &orm_db}) raw::exec(db->native_handle(), R"(DELETE FROM "order")");
          held = 0;
        }
        held += chunk_rows();
        for (auto* rows : {&raw_rows, &orm_rows})
          for (Order& o : *rows) o.id = 0;
      });
}

void insert_many_pairs(benchmark::State& state) {
  insert_pairs(state, [](auto& db, std::vector<Order>& rows) { db.insert_many(rows); }, "syncorm insert_many / raw");
}

void insert_loop_pairs(benchmark::State& state) {
  insert_pairs(
      state,
      [](auto& db, std::vector<Order>& rows) {
        db.transaction([&](auto& tx) {
          for (Order& o : rows) tx.insert(o);
        });
      },
      "syncorm tx.insert loop / raw");
}

void find_pairs(benchmark::State& state) {
  auto raw_db = loaded_database<Order>();
  auto orm_db = loaded_database<Order>();
  raw::statements raw{raw_db.native_handle()};
  std::int64_t first = 1;
  interleaved_pairs(
      state, "syncorm find / raw", static_cast<double>(chunk_rows()),
      [&] {
        double total = 0;
        for (std::int64_t i = 0; i < chunk_rows(); ++i)
          if (auto o = raw.find_one<Order>((first + i - 1) % row_count() + 1)) total += o->amount;
        benchmark::DoNotOptimize(total);
      },
      [&] { benchmark::DoNotOptimize(syncorm_bench::find_ids<Order>(orm_db, first, chunk_rows())); },
      [&] { first = (first + chunk_rows() - 1) % row_count() + 1; });
}

/// A quarter of a table of 4 x chunk_rows() rows, so that one select is short too.
void where_pairs(benchmark::State& state) {
  auto raw_db = loaded_database<Order>(4 * chunk_rows());
  auto orm_db = loaded_database<Order>(4 * chunk_rows());
  raw::statements raw{raw_db.native_handle()};
  using syncorm::col;
  interleaved_pairs(
      state, "syncorm select / raw", static_cast<double>(chunk_rows()),
      [&] { benchmark::DoNotOptimize(raw.select_status<Order>(1).data()); },
      [&] { benchmark::DoNotOptimize(orm_db.select<Order>(syncorm::where(col<&Order::status> == 1)).data()); });
}

void update_pairs(benchmark::State& state) {
  auto raw_db = loaded_database<Order>();
  auto orm_db = loaded_database<Order>();
  auto raw_rows = raw_db.select<Order>();
  auto orm_rows = orm_db.select<Order>();
  raw::statements raw{raw_db.native_handle()};
  std::size_t first = 0;
  const auto n = static_cast<std::size_t>(chunk_rows());
  interleaved_pairs(
      state, "syncorm update / raw", static_cast<double>(n),
      [&] {
        raw::exec(raw.db, "BEGIN IMMEDIATE");
        for (std::size_t i = 0; i < n; ++i) {
          Order& o = raw_rows[(first + i) % raw_rows.size()];
          o.status ^= 1;
          raw.update_one(o);
        }
        raw::exec(raw.db, "COMMIT");
      },
      [&] { syncorm_bench::update_rows(orm_db, orm_rows, first, n); }, [&] { first = (first + n) % raw_rows.size(); });
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

SYNCORM_PAIRS_BENCHMARK(insert_many_pairs, "sqlite/insert_rows_in_one_transaction/pairs_insert_many");
SYNCORM_PAIRS_BENCHMARK(insert_loop_pairs, "sqlite/insert_rows_in_one_transaction/pairs_insert_loop");
SYNCORM_PAIRS_BENCHMARK(find_pairs, "sqlite/find_by_primary_key/pairs");
SYNCORM_PAIRS_BENCHMARK(where_pairs, "sqlite/select_quarter_by_where/pairs");
SYNCORM_PAIRS_BENCHMARK(update_pairs, "sqlite/update_by_primary_key/pairs");
