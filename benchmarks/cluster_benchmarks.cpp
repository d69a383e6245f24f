// What routing costs: a lookup by primary key through a cluster with one read source (pool lease,
// selection policy, health check, intent check) against the same lookup on a plain database object.
// SQLite file in WAL mode, as a cluster uses it, warm: the read connections are read-only
// connections to the same file.

#include <syncorm/cluster.hpp>
#include <syncorm/sqlite.hpp>

#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>
#include <string_view>
#include <unistd.h>

#include "interleaved_pairs.hpp"
#include "workload.hpp"

namespace {

struct routed_table {
  static constexpr std::string_view table = "routed_order";
};
using Order = syncorm_bench::order_row<routed_table>;

/// A WAL-mode file holding row_count() orders, made once per process.
const std::string& loaded_file() {
  static const std::string path = [] {
    const auto file = std::filesystem::temp_directory_path() / ("syncorm-bench-cluster-" + std::to_string(::getpid()) + ".db");
    std::filesystem::remove(file);
    syncorm::sqlite::database db{file.string()};
    db.create_table<Order>();
    auto rows = syncorm_bench::make_orders<Order>(syncorm_bench::row_count());
    db.insert_many(rows);
    static struct remover {
      std::filesystem::path path;
      ~remover() {
        for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path.string() + suffix);
      }
    } cleanup{file};
    return file.string();
  }();
  return path;
}

void plain_database(benchmark::State& state) {
  syncorm::sqlite::database db{loaded_file(), syncorm::sqlite::options{.read_only = true}};
  syncorm_bench::find_every_row<Order>(state, db);
}

void through_cluster(benchmark::State& state) {
  syncorm::cluster<syncorm::sqlite::database> db{syncorm::cluster_settings{.writes = {loaded_file()}, .pool_size = 1}};
  syncorm_bench::find_every_row<Order>(state, db);
}

/// Short alternating pairs of chunk_rows() lookups: the cluster against the plain database, the same ids.
void find_pairs(benchmark::State& state) {
  syncorm::sqlite::database plain{loaded_file(), syncorm::sqlite::options{.read_only = true}};
  syncorm::cluster<syncorm::sqlite::database> routed{syncorm::cluster_settings{.writes = {loaded_file()}, .pool_size = 1}};
  const std::int64_t n = syncorm_bench::chunk_rows();
  std::int64_t first = 1;
  syncorm_bench::interleaved_pairs(
      state, "cluster, one read source / plain database", static_cast<double>(n),
      [&] { benchmark::DoNotOptimize(syncorm_bench::find_ids<Order>(plain, first, n)); },
      [&] { benchmark::DoNotOptimize(syncorm_bench::find_ids<Order>(routed, first, n)); },
      [&] { first = (first + n - 1) % syncorm_bench::row_count() + 1; });
}

}  // namespace

BENCHMARK(plain_database)->Name("cluster/find_by_key_sqlite_wal/baseline")->Unit(benchmark::kMillisecond);
BENCHMARK(through_cluster)->Name("cluster/find_by_key_sqlite_wal/one_read_source")->Unit(benchmark::kMillisecond);
SYNCORM_PAIRS_BENCHMARK(find_pairs, "cluster/find_by_key_sqlite_wal/pairs");
