// Instruction counts behind the zero-overhead claims, which noise does not move: each case runs
// one operation `ops` times in a steady state (statements prepared, caches warm), and only that
// loop is counted when run under callgrind:
//
//   valgrind --tool=callgrind --collect-atstart=no syncorm_instruction_counts <case> <variant> <ops>
//
// (CALLGRIND_TOGGLE_COLLECT around the loop; outside valgrind the macros do nothing, and the program
// just runs). benchmarks/results.py runs every case and variant and reports instructions per
// operation of each variant against its case's baseline. `--list` prints "<case> <variant> <role>"
// lines, role baseline or variant, so that the script finds new cases by itself; `--all <ops>` runs
// every case once (the smoke test).
//
// Cases (SQLite; claims in README):
//   hooks_insert, hooks_update   an empty hooks<T> {} against no hooks (claim: the same work), and
//                                trivial hooks for information
//   cluster_find                 find through a cluster with one read source against a plain
//                                database on the same WAL file (claim: no more than a lease)
//   sqlite_find, sqlite_insert, sqlite_update   syncorm against the raw C API, for information
//   sync_header                  tx.insert of a model without sync_traits, compiled in a translation unit
//                                that includes <syncorm/sync.hpp> (and has synced models) against one
//                                that does not (claim: a model without sync_traits costs the same)
//   sync_insert_autocommit       an autocommit insert with sync_traits against without, for information

#include <syncorm/cluster.hpp>
#include <syncorm/sqlite.hpp>
#include <syncorm/sync.hpp>

#include <sqlite3.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "hooks_models.hpp"
#include "instruction_counts.hpp"
#include "raw_sqlite.hpp"
#include "sqlite_workload.hpp"

namespace {

struct raw_table {
  static constexpr std::string_view table = "order";
};
using Order = syncorm_bench::order_row<raw_table>;

struct unsynced_table {
  static constexpr std::string_view table = "unsynced_order";
};
struct synced_table {
  static constexpr std::string_view table = "synced_order";
};
/// For the sync_header case: same length as instruction_counts_no_sync.cpp's table name.
struct with_sync_header_table {
  static constexpr std::string_view table = "order_b";
};
using UnsyncedOrder = syncorm_bench::order_row<unsynced_table>;
using SyncedOrder = syncorm_bench::order_row<synced_table>;
using UnsyncedWithSyncHeader = syncorm_bench::order_row<with_sync_header_table>;

}  // namespace

template <>
struct syncorm::sync_traits<SyncedOrder> {
  static constexpr std::string_view topic = "orders";
};

namespace {

namespace raw = syncorm_bench::raw_sqlite;
using namespace syncorm_bench::hooks_models;

using syncorm_bench::checksum;
using syncorm_bench::measured;
using syncorm_bench::syncorm_insert;

/// Rows loaded before a find or an update case (the ids it walks through).
constexpr std::int64_t loaded_rows = 10'000;

// ---- one row per op, in one transaction: syncorm's tx.insert / tx.update on any model --------------

template <class Row>
void syncorm_update(std::int64_t ops) {
  auto db = syncorm_bench::loaded_database<Row>(loaded_rows);
  auto rows = db.template select<Row>();
  db.transaction([&](auto& tx) {
    measured(ops, [&](std::int64_t i) {
      Row& o = rows[static_cast<std::size_t>(i % loaded_rows)];
      o.status ^= 1;
      checksum += static_cast<std::int64_t>(tx.update(o));
    });
  });
}

template <class Database>
void syncorm_find(Database& db, std::int64_t ops) {
  measured(ops, [&](std::int64_t i) {
    if (auto o = db.template find<Order>(i % loaded_rows + 1)) checksum += o->status;
  });
}

// ---- the raw C API on the same work ------------------------------------------------------------------

void raw_insert(std::int64_t ops) {
  auto db = syncorm_bench::open_database<Order>();
  raw::statements s{db.native_handle()};
  auto rows = syncorm_bench::make_orders<Order>(ops + 100);
  raw::exec(s.db, "BEGIN IMMEDIATE");
  measured(ops, [&](std::int64_t i) { s.insert_one(rows[static_cast<std::size_t>(i)]); });
  raw::exec(s.db, "COMMIT");
  checksum += rows.back().id;
}

void raw_update(std::int64_t ops) {
  auto db = syncorm_bench::loaded_database<Order>(loaded_rows);
  auto rows = db.select<Order>();
  raw::statements s{db.native_handle()};
  raw::exec(s.db, "BEGIN IMMEDIATE");
  measured(ops, [&](std::int64_t i) {
    Order& o = rows[static_cast<std::size_t>(i % loaded_rows)];
    o.status ^= 1;
    s.update_one(o);
  });
  raw::exec(s.db, "COMMIT");
}

void raw_find(std::int64_t ops) {
  auto db = syncorm_bench::loaded_database<Order>(loaded_rows);
  raw::statements s{db.native_handle()};
  measured(ops, [&](std::int64_t i) {
    if (auto o = s.find_one<Order>(i % loaded_rows + 1)) checksum += o->status;
  });
}

void plain_find(std::int64_t ops) {
  auto db = syncorm_bench::loaded_database<Order>(loaded_rows);
  syncorm_find(db, ops);
}

// ---- routing: a WAL file read through a plain read-only database or through a cluster --------------

/// A WAL-mode file holding loaded_rows orders, removed when the process ends.
struct wal_file {
  std::filesystem::path path =
      std::filesystem::temp_directory_path() / ("syncorm-instructions-" + std::to_string(::getpid()) + ".db");
  wal_file() {
    syncorm::sqlite::database db{path.string()};
    db.create_table<Order>();
    auto rows = syncorm_bench::make_orders<Order>(loaded_rows);
    db.insert_many(rows);
  }
  ~wal_file() {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path.string() + suffix);
  }
};

void wal_plain_find(std::int64_t ops) {
  const wal_file file;
  syncorm::sqlite::database db{file.path.string(), syncorm::sqlite::options{.read_only = true}};
  syncorm_find(db, ops);
}

void wal_cluster_find(std::int64_t ops) {
  const wal_file file;
  syncorm::cluster<syncorm::sqlite::database> db{syncorm::cluster_settings{.writes = {file.path.string()}, .pool_size = 1}};
  syncorm_find(db, ops);
}

// ---- sync: an autocommit insert with and without sync_traits ------------------------------------------

template <class Row>
void autocommit_insert(std::int64_t ops) {
  auto db = syncorm_bench::open_database<Row>();
  Row row = syncorm_bench::make_orders<Row>(1).front();
  measured(ops, [&](std::int64_t) {
    row.id = 0;
    db.insert(row);
  });
  checksum += row.id;
}

struct case_entry {
  const char* name;
  const char* variant;
  const char* role;  // "baseline" or "variant"
  void (*run)(std::int64_t ops);
};

constexpr case_entry cases[] = {
    {"hooks_insert", "no_hooks", "baseline", syncorm_insert<PlainOrder>},
    {"hooks_insert", "empty_hooks_trait", "variant", syncorm_insert<EmptyHooksOrder>},
    {"hooks_insert", "trivial_hooks", "variant", syncorm_insert<HookedOrder>},
    {"hooks_update", "no_hooks", "baseline", syncorm_update<PlainOrder>},
    {"hooks_update", "empty_hooks_trait", "variant", syncorm_update<EmptyHooksOrder>},
    {"hooks_update", "trivial_hooks", "variant", syncorm_update<HookedOrder>},
    {"cluster_find", "plain_database", "baseline", wal_plain_find},
    {"cluster_find", "one_read_source", "variant", wal_cluster_find},
    {"sqlite_find", "raw", "baseline", raw_find},
    {"sqlite_find", "syncorm", "variant", plain_find},
    {"sqlite_insert", "raw", "baseline", raw_insert},
    {"sqlite_insert", "syncorm", "variant", syncorm_insert<Order>},
    {"sqlite_update", "raw", "baseline", raw_update},
    {"sqlite_update", "syncorm", "variant", syncorm_update<Order>},
    {"sync_header", "without_sync_hpp", "baseline", syncorm_bench::insert_without_sync_header},
    {"sync_header", "with_sync_hpp", "variant", syncorm_insert<UnsyncedWithSyncHeader>},
    {"sync_insert_autocommit", "unsynced", "baseline", autocommit_insert<UnsyncedOrder>},
    {"sync_insert_autocommit", "synced", "variant", autocommit_insert<SyncedOrder>},
};

}  // namespace

int main(int argc, char** argv) {
  if (argc == 2 && std::string_view(argv[1]) == "--list") {
    for (const case_entry& c : cases) std::printf("%s %s %s\n", c.name, c.variant, c.role);
    return 0;
  }
  if (argc == 3 && std::string_view(argv[1]) == "--all") {  // every case, natively: the smoke test
    for (const case_entry& c : cases) {
      try {
        c.run(std::atoll(argv[2]));
      } catch (const std::exception& e) {
        std::fprintf(stderr, "%s %s: %s\n", c.name, c.variant, e.what());
        return 1;
      }
    }
    std::printf("all cases ran, checksum=%lld\n", static_cast<long long>(checksum));
    return 0;
  }
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s --list | --all <ops> | <case> <variant> <ops>\n", argv[0]);
    return 2;
  }
  const std::int64_t ops = std::atoll(argv[3]);
  for (const case_entry& c : cases) {
    if (std::string_view(argv[1]) != c.name || std::string_view(argv[2]) != c.variant) continue;
    try {
      c.run(ops);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "%s %s: %s\n", c.name, c.variant, e.what());
      return 1;
    }
    std::printf("%s %s ops=%lld checksum=%lld\n", c.name, c.variant, static_cast<long long>(ops),
                static_cast<long long>(checksum));
    return 0;
  }
  std::fprintf(stderr, "no case %s %s (see --list)\n", argv[1], argv[2]);
  return 2;
}
