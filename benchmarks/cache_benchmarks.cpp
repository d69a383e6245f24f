// What the cache saves: find<T>(id) of one row answered from the memory level, against the same
// find on the database (SQLite :memory:, and PostgreSQL on loopback, where a find is a round trip);
// a find answered by Redis (the memory level too small to hold the keys cycled through); and a
// miss (memory only: the database read, the guard's check, the store and an eviction).
// One find per iteration, cycling through 1000 keys, so the times are per find.
//
// second_delete_after is 0 here: with the default, a row just inserted is not cached for 3 s (the
// guard's window), and the benchmarks would measure refused fills. The hit path does not depend on it.

#include <syncorm/cache.hpp>
#include <syncorm/postgres.hpp>
#include <syncorm/sqlite.hpp>
#if SYNCORM_BENCH_REDIS
#include <syncorm/redis.hpp>
#endif

#include <benchmark/benchmark.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unistd.h>

#include "throwaway_servers.hpp"
#include "workload.hpp"

namespace {

struct cached_table {
  static constexpr std::string_view table = "cached_order";
};
using Order = syncorm_bench::order_row<cached_table>;

}  // namespace

template <>
struct syncorm::cache_traits<Order> {
  static constexpr auto ttl = std::chrono::minutes{10};
};

namespace {

constexpr std::int64_t keys = 1000;

syncorm::cache_settings memory_only(std::size_t max_entries) {
  return syncorm::cache_settings{.max_entries = max_entries, .second_delete_after = std::chrono::milliseconds{0}};
}

/// A fresh PostgreSQL schema's conninfo.
std::string postgres_schema() {
  static std::atomic<int> counter{0};
  const std::string schema = "bench_cache_" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
  syncorm::postgres::database admin{syncorm_bench::postgres_conninfo()};
  admin.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
  admin.execute("CREATE SCHEMA " + schema);
  return syncorm_bench::postgres_conninfo() + " options='-c search_path=" + schema + "'";
}

template <class Database>
void load(Database& db) {
  db.template drop_table<Order>();
  db.template create_table<Order>();
  auto rows = syncorm_bench::make_orders<Order>(keys);
  db.insert_many(rows);
}

/// Finds the rows with ids 1..keys in turn, one per iteration; checks each was found.
template <class Database>
void find_cycling(benchmark::State& state, Database& db) {
  std::int64_t id = 0;
  double total = 0;
  for (auto _ : state) {
    id = id % keys + 1;
    const std::optional<Order> o = db.template find<Order>(id);
    if (!o) throw std::runtime_error("a row is missing");
    total += o->amount;
  }
  benchmark::DoNotOptimize(total);
  state.SetItemsProcessed(state.iterations());
}

template <class Database>
void report_counters(benchmark::State& state, const Database& db) {
  const syncorm::cache_stats s = db.cache_stats();
  state.counters["memory_hits"] = static_cast<double>(s.memory_hits);
  state.counters["redis_hits"] = static_cast<double>(s.redis_hits);
  state.counters["misses"] = static_cast<double>(s.misses);
}

// ---- SQLite :memory: ------------------------------------------------------------------------------

void sqlite_plain(benchmark::State& state) {
  syncorm::sqlite::database db{":memory:"};
  load(db);
  find_cycling(state, db);
}

void sqlite_memory_hit(benchmark::State& state) {
  syncorm::cached<syncorm::sqlite::database> db{":memory:", memory_only(100'000)};
  load(db);
  for (std::int64_t id = 1; id <= keys; ++id) (void)db.find<Order>(id);  // filled
  find_cycling(state, db);
  report_counters(state, db);
}

void sqlite_miss(benchmark::State& state) {
  syncorm::cached<syncorm::sqlite::database> db{":memory:", memory_only(16)};  // holds 16 of the 1000
  load(db);
  find_cycling(state, db);
  report_counters(state, db);
}

// ---- PostgreSQL (and Redis) -------------------------------------------------------------------------

void postgres_plain(benchmark::State& state) {
  syncorm::postgres::database db{postgres_schema()};
  load(db);
  find_cycling(state, db);
}

void postgres_memory_hit(benchmark::State& state) {
  syncorm::cached<syncorm::postgres::database> db{postgres_schema(), memory_only(100'000)};
  load(db);
  for (std::int64_t id = 1; id <= keys; ++id) (void)db.find<Order>(id);
  find_cycling(state, db);
  report_counters(state, db);
}

void postgres_miss(benchmark::State& state) {
  syncorm::cached<syncorm::postgres::database> db{postgres_schema(), memory_only(16)};
  load(db);
  find_cycling(state, db);
  report_counters(state, db);
}

#if SYNCORM_BENCH_REDIS
void postgres_redis_hit(benchmark::State& state) {
  syncorm::cache_settings settings = memory_only(16);  // the memory level misses nearly every find
  settings.redis = syncorm_bench::redis_url();
  syncorm::cached<syncorm::postgres::database> db{postgres_schema(), settings};
  load(db);
  for (std::int64_t id = 1; id <= keys; ++id) (void)db.find<Order>(id);  // in Redis now
  find_cycling(state, db);
  report_counters(state, db);
  if (db.cache_stats().misses > static_cast<std::uint64_t>(keys)) state.SkipWithError("finds went to the database");
}
#endif

}  // namespace

BENCHMARK(sqlite_plain)->Name("cache/find_one_sqlite_memory/baseline");
BENCHMARK(sqlite_memory_hit)->Name("cache/find_one_sqlite_memory/memory_hit");
BENCHMARK(sqlite_miss)->Name("cache/find_one_sqlite_memory/miss");
BENCHMARK(postgres_plain)->Name("cache/find_one_postgres/baseline")->UseRealTime();
BENCHMARK(postgres_memory_hit)->Name("cache/find_one_postgres/memory_hit")->UseRealTime();
BENCHMARK(postgres_miss)->Name("cache/find_one_postgres/miss")->UseRealTime();
#if SYNCORM_BENCH_REDIS
BENCHMARK(postgres_redis_hit)->Name("cache/find_one_postgres/redis_hit")->UseRealTime();
#endif
