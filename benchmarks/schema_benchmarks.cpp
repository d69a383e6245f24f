// What SQLite's AUTOINCREMENT costs an insert: the default key (INTEGER PRIMARY KEY AUTOINCREMENT,
// ids never reused; SQLite reads and writes its sqlite_sequence row on every insert) against a
// model with model_traits<T>::may_reuse_ids (a plain rowid alias). Interleaved pairs on one
// connection, so the ratio holds on a busy machine:
//  - one autocommit insert per operation, and 100 inserts in one transaction per operation;
//  - on :memory: (SQLite's own CPU time), on a WAL file with syncorm's default synchronous = full
//    (what an application pays, commit fsync included: on a slow disk the fsync is all there is to
//    see), and on a WAL file with synchronous = normal (no fsync per commit: the file's own writes).

#include <syncorm/sqlite.hpp>

#include <benchmark/benchmark.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <system_error>

#include "interleaved_pairs.hpp"
#include "workload.hpp"

namespace schema_bench {

/// The default: ids never reused (AUTOINCREMENT on SQLite).
struct CountedOrder {
  std::int64_t id = 0;
  std::string customer;
  double amount = 0;
  int status = 0;
  std::optional<std::string> note;
};

/// The same, allowed to reuse ids (a plain rowid key on SQLite).
struct RowidOrder {
  std::int64_t id = 0;
  std::string customer;
  double amount = 0;
  int status = 0;
  std::optional<std::string> note;
};

}  // namespace schema_bench

template <>
struct syncorm::model_traits<schema_bench::RowidOrder> {
  static constexpr bool may_reuse_ids = true;
};

namespace {

using schema_bench::CountedOrder;
using schema_bench::RowidOrder;
using database = syncorm::sqlite::database;

/// SQLite :memory:.
struct memory {
  static database open() { return database{":memory:"}; }
};

/// A new file's path in this process's directory, which is removed when the process exits normally.
std::string fresh_file() {
  static const struct directory {
    std::filesystem::path path =
        std::filesystem::temp_directory_path() / ("syncorm-bench-schema-" + std::to_string(::getpid()));
    directory() { std::filesystem::create_directories(path); }
    ~directory() {
      std::error_code ignored;
      std::filesystem::remove_all(path, ignored);
    }
  } dir;
  static int files = 0;
  return (dir.path / ("run" + std::to_string(files++) + ".db")).string();
}

/// A new WAL file with synchronous = `Mode` (full is syncorm's default).
template <syncorm::sqlite::synchronous_mode Mode>
struct file {
  static database open() { return database{fresh_file(), {.synchronous = Mode}}; }
};

/// Rows of `table`, counted with the sqlite3 C API.
std::int64_t count_rows(database& db, const char* table) {
  sqlite3_stmt* statement = nullptr;
  const std::string sql = std::string("SELECT count(*) FROM \"") + table + "\"";
  if (sqlite3_prepare_v2(db.native_handle(), sql.c_str(), -1, &statement, nullptr) != SQLITE_OK) return -1;
  const std::int64_t count = sqlite3_step(statement) == SQLITE_ROW ? sqlite3_column_int64(statement, 0) : -1;
  sqlite3_finalize(statement);
  return count;
}

/// `Batch` inserts per operation (1: autocommit; more: in one transaction), AUTOINCREMENT model as
/// the baseline, may_reuse_ids model as the variant.
template <class Site, int Batch>
void insert_pairs(benchmark::State& state) {
  auto db = Site::open();
  db.template create_table<CountedOrder>();
  db.template create_table<RowidOrder>();
  CountedOrder counted = syncorm_bench::make_orders<CountedOrder>(1).front();
  RowidOrder rowid = syncorm_bench::make_orders<RowidOrder>(1).front();
  auto insert = [&](auto& row) {
    if constexpr (Batch == 1) {
      row.id = 0;
      db.insert(row);
    } else {
      db.transaction([&](auto& tx) {
        for (int i = 0; i < Batch; ++i) {
          row.id = 0;
          tx.insert(row);
        }
      });
    }
  };
  syncorm_bench::interleaved_pairs(state, "may_reuse_ids / AUTOINCREMENT", Batch, [&] { insert(counted); }, [&] { insert(rowid); });
  const auto expected = static_cast<std::int64_t>(state.iterations()) * Batch;
  if (count_rows(db, "counted_order") != expected || count_rows(db, "rowid_order") != expected)
    state.SkipWithError("the rows are not all there");
}

using file_full = file<syncorm::sqlite::synchronous_mode::full>;
using file_normal = file<syncorm::sqlite::synchronous_mode::normal>;

}  // namespace

SYNCORM_PAIRS_BENCHMARK((insert_pairs<memory, 1>), "schema/autoincrement_insert_autocommit_sqlite_memory/pairs");
SYNCORM_PAIRS_BENCHMARK((insert_pairs<memory, 100>), "schema/autoincrement_insert_100_in_transaction_sqlite_memory/pairs");
SYNCORM_PAIRS_BENCHMARK((insert_pairs<file_full, 1>), "schema/autoincrement_insert_autocommit_sqlite_file/pairs", 200);
SYNCORM_PAIRS_BENCHMARK((insert_pairs<file_full, 100>), "schema/autoincrement_insert_100_in_transaction_sqlite_file/pairs", 200);
SYNCORM_PAIRS_BENCHMARK((insert_pairs<file_normal, 1>), "schema/autoincrement_insert_autocommit_sqlite_file_synchronous_normal/pairs");
SYNCORM_PAIRS_BENCHMARK((insert_pairs<file_normal, 100>), "schema/autoincrement_insert_100_in_transaction_sqlite_file_synchronous_normal/pairs");
