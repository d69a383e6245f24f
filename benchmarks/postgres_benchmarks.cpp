// syncorm vs raw libpq on the same workloads, schema and server. The raw side is libpq done the
// fastest correct way per workload: binary parameters and results through prepared statements, and
// for the bulk insert a binary COPY after reserving the ids (so every row's id is known, as
// insert_many guarantees). A round trip costs tens of microseconds here, so the per-row workloads
// measure round trips on both sides; the bulk insert is where the protocol choice matters, and a
// second pairing compares it with one prepared INSERT per row.

#include <syncorm/postgres.hpp>

#include <benchmark/benchmark.h>
#include <libpq-fe.h>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "interleaved_pairs.hpp"
#include "throwaway_servers.hpp"
#include "workload.hpp"

namespace {

/// The raw statements below name its table.
struct postgres_workload {
  static constexpr std::string_view table = "order";
};
using Order = syncorm_bench::order_row<postgres_workload>;
using syncorm_bench::row_count;

std::vector<Order> make_orders(std::int64_t n) { return syncorm_bench::make_orders<Order>(n); }

/// A database with an empty orders table, created by syncorm for both sides.
syncorm::postgres::database open_database() {
  syncorm::postgres::database db{syncorm_bench::postgres_conninfo()};
  db.drop_table<Order>();
  db.create_table<Order>();
  return db;
}

syncorm::postgres::database loaded_database(std::int64_t count = row_count()) {
  auto db = open_database();
  auto rows = make_orders(count);
  db.insert_many(rows);
  db.execute(R"(ANALYZE "order")");
  return db;
}

void truncate(syncorm::postgres::database& db) { db.execute(R"(TRUNCATE "order" RESTART IDENTITY)"); }

// ---- raw libpq ---------------------------------------------------------------------------------------

constexpr unsigned int int4_oid = 23, int8_oid = 20, float8_oid = 701, text_oid = 25;

struct raw_connection {
  PGconn* handle;
  raw_connection() : handle(PQconnectdb(syncorm_bench::postgres_conninfo().c_str())) {
    if (PQstatus(handle) != CONNECTION_OK) throw std::runtime_error(PQerrorMessage(handle));
  }
  ~raw_connection() { PQfinish(handle); }
  raw_connection(const raw_connection&) = delete;
  raw_connection& operator=(const raw_connection&) = delete;

  void exec(const char* sql) const {
    PGresult* r = PQexec(handle, sql);
    const auto status = PQresultStatus(r);
    PQclear(r);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) throw std::runtime_error(PQerrorMessage(handle));
  }
  std::set<std::size_t> multirow_sizes;  // batch sizes prepared by raw_insert_multirow

  void prepare(const char* name, const char* sql, int count, const unsigned int* types) const {
    PGresult* r = PQprepare(handle, name, sql, count, types);
    const bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
    if (!ok) throw std::runtime_error(PQerrorMessage(handle));
  }
};

template <class U>
void put_big_endian(char* out, U v) {
  if constexpr (sizeof(U) == 8) v = __builtin_bswap64(v);
  else if constexpr (sizeof(U) == 4) v = __builtin_bswap32(v);
  else if constexpr (sizeof(U) == 2) v = __builtin_bswap16(v);
  std::memcpy(out, &v, sizeof v);
}
template <class U>
U get_big_endian(const char* in) {
  U v;
  std::memcpy(&v, in, sizeof v);
  if constexpr (sizeof(U) == 8) return __builtin_bswap64(v);
  else if constexpr (sizeof(U) == 4) return __builtin_bswap32(v);
  else return __builtin_bswap16(v);
}

/// The five order columns of a binary result row.
void raw_read_order(const PGresult* r, int row, Order& o) {
  o.id = static_cast<std::int64_t>(get_big_endian<std::uint64_t>(PQgetvalue(r, row, 0)));
  o.customer.assign(PQgetvalue(r, row, 1), static_cast<std::size_t>(PQgetlength(r, row, 1)));
  o.amount = std::bit_cast<double>(get_big_endian<std::uint64_t>(PQgetvalue(r, row, 2)));
  o.status = static_cast<std::int32_t>(get_big_endian<std::uint32_t>(PQgetvalue(r, row, 3)));
  if (PQgetisnull(r, row, 4) != 0) o.note.reset();
  else o.note.emplace(PQgetvalue(r, row, 4), static_cast<std::size_t>(PQgetlength(r, row, 4)));
}

/// Parameters of the four non-key columns, in binary; `scratch` holds the fixed-width values.
struct order_parameters {
  const char* values[5];
  int lengths[5];
  int formats[5] = {1, 1, 1, 1, 1};
  char scratch[24];
  void set(const Order& o) {
    values[0] = o.customer.data();
    lengths[0] = static_cast<int>(o.customer.size());
    put_big_endian(scratch, std::bit_cast<std::uint64_t>(o.amount));
    values[1] = scratch;
    lengths[1] = 8;
    put_big_endian(scratch + 8, static_cast<std::uint32_t>(o.status));
    values[2] = scratch + 8;
    lengths[2] = 4;
    values[3] = o.note ? o.note->data() : nullptr;
    lengths[3] = o.note ? static_cast<int>(o.note->size()) : 0;
  }
  void set_key(std::int64_t id) {
    put_big_endian(scratch + 16, static_cast<std::uint64_t>(id));
    values[4] = scratch + 16;
    lengths[4] = 8;
  }
};

/// Binary COPY, the fastest way libpq has to load rows: ids reserved first, then one stream.
void raw_copy_insert(const raw_connection& c, std::vector<Order>& rows) {
  c.exec("BEGIN");
  const std::string reserve = R"(SELECT nextval('order_id_seq') FROM generate_series(1, )" + std::to_string(rows.size()) + ")";
  PGresult* ids = PQexecParams(c.handle, reserve.c_str(), 0, nullptr, nullptr, nullptr, nullptr, 1);
  for (std::size_t i = 0; i < rows.size(); ++i)
    rows[i].id = static_cast<std::int64_t>(get_big_endian<std::uint64_t>(PQgetvalue(ids, static_cast<int>(i), 0)));
  PQclear(ids);
  PGresult* started = PQexec(c.handle, R"(COPY "order" ("id", "customer", "amount", "status", "note") FROM STDIN (FORMAT binary))");
  if (PQresultStatus(started) != PGRES_COPY_IN) throw std::runtime_error(PQerrorMessage(c.handle));
  PQclear(started);
  std::string buffer("PGCOPY\n\377\r\n\0", 11);
  buffer.append(8, '\0');
  char bytes[8];
  auto put32 = [&](std::int32_t v) { put_big_endian(bytes, static_cast<std::uint32_t>(v)); buffer.append(bytes, 4); };
  for (const Order& o : rows) {
    put_big_endian(bytes, std::uint16_t{5});
    buffer.append(bytes, 2);
    put32(8);
    put_big_endian(bytes, static_cast<std::uint64_t>(o.id));
    buffer.append(bytes, 8);
    put32(static_cast<std::int32_t>(o.customer.size()));
    buffer.append(o.customer);
    put32(8);
    put_big_endian(bytes, std::bit_cast<std::uint64_t>(o.amount));
    buffer.append(bytes, 8);
    put32(4);
    put32(o.status);
    if (o.note) {
      put32(static_cast<std::int32_t>(o.note->size()));
      buffer.append(*o.note);
    } else {
      put32(-1);
    }
    if (buffer.size() >= (1 << 20)) {
      PQputCopyData(c.handle, buffer.data(), static_cast<int>(buffer.size()));
      buffer.clear();
    }
  }
  put_big_endian(bytes, static_cast<std::uint16_t>(-1));
  buffer.append(bytes, 2);
  PQputCopyData(c.handle, buffer.data(), static_cast<int>(buffer.size()));
  PQputCopyEnd(c.handle, nullptr);
  while (PGresult* r = PQgetResult(c.handle)) {
    const bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
    if (!ok) throw std::runtime_error(PQerrorMessage(c.handle));
  }
  c.exec("COMMIT");
}

/// One prepared INSERT ... RETURNING id per row: the way bulk insert must beat by 10x.
void raw_insert_per_row(const raw_connection& c, std::vector<Order>& rows) {
  c.exec("BEGIN");
  order_parameters p;
  for (Order& o : rows) {
    p.set(o);
    PGresult* r = PQexecPrepared(c.handle, "insert", 4, p.values, p.lengths, p.formats, 1);
    o.id = static_cast<std::int64_t>(get_big_endian<std::uint64_t>(PQgetvalue(r, 0, 0)));
    PQclear(r);
  }
  c.exec("COMMIT");
}

constexpr unsigned int insert_types[] = {text_oid, float8_oid, int4_oid, text_oid};

/// Pipeline mode: every prepared INSERT ... RETURNING id sent without waiting for the previous one,
/// results read a chunk at a time (a bounded amount in flight, so neither side blocks on a full
/// socket). Saves the round trips, not the per-statement work on the server.
void raw_insert_pipelined(const raw_connection& c, std::vector<Order>& rows) {
  c.exec("BEGIN");
  if (PQenterPipelineMode(c.handle) != 1) throw std::runtime_error("cannot enter pipeline mode");
  constexpr std::size_t chunk = 1000;
  std::vector<order_parameters> parameters(chunk);
  for (std::size_t first = 0; first < rows.size(); first += chunk) {
    const std::size_t n = std::min(chunk, rows.size() - first);
    for (std::size_t i = 0; i < n; ++i) {
      order_parameters& p = parameters[i];
      p.set(rows[first + i]);
      if (PQsendQueryPrepared(c.handle, "insert", 4, p.values, p.lengths, p.formats, 1) != 1)
        throw std::runtime_error(PQerrorMessage(c.handle));
    }
    PQpipelineSync(c.handle);
    for (std::size_t i = 0; i < n; ++i) {
      PGresult* r = PQgetResult(c.handle);
      rows[first + i].id = static_cast<std::int64_t>(get_big_endian<std::uint64_t>(PQgetvalue(r, 0, 0)));
      PQclear(r);
      PQclear(PQgetResult(c.handle));  // the NULL that ends each query's results
    }
    PQclear(PQgetResult(c.handle));  // PGRES_PIPELINE_SYNC
  }
  PQexitPipelineMode(c.handle);
  c.exec("COMMIT");
}

/// Multi-row VALUES: one prepared INSERT of up to 1,000 rows (4,000 parameters) RETURNING id.
void raw_insert_multirow(raw_connection& c, std::vector<Order>& rows) {
  constexpr std::size_t batch = 1000;
  auto statement_for = [&](std::size_t n) {
    const std::string name = "insert_" + std::to_string(n);
    if (c.multirow_sizes.insert(n).second) {
      std::string sql = R"(INSERT INTO "order" ("customer", "amount", "status", "note") VALUES )";
      std::vector<unsigned int> types;
      for (std::size_t i = 0; i < n; ++i) {
        sql += (i == 0 ? "(" : ", (") + std::string("$") + std::to_string(4 * i + 1) + ", $" + std::to_string(4 * i + 2) +
               ", $" + std::to_string(4 * i + 3) + ", $" + std::to_string(4 * i + 4) + ")";
        types.insert(types.end(), std::begin(insert_types), std::end(insert_types));
      }
      sql += R"( RETURNING "id")";
      c.prepare(name.c_str(), sql.c_str(), static_cast<int>(types.size()), types.data());
    }
    return name;
  };
  c.exec("BEGIN");
  std::vector<order_parameters> parameters(batch);
  std::vector<const char*> values;
  std::vector<int> lengths, formats;
  for (std::size_t first = 0; first < rows.size(); first += batch) {
    const std::size_t n = std::min(batch, rows.size() - first);
    values.clear();
    lengths.clear();
    formats.assign(4 * n, 1);
    for (std::size_t i = 0; i < n; ++i) {
      parameters[i].set(rows[first + i]);
      values.insert(values.end(), parameters[i].values, parameters[i].values + 4);
      lengths.insert(lengths.end(), parameters[i].lengths, parameters[i].lengths + 4);
    }
    const std::string name = statement_for(n);
    PGresult* r = PQexecPrepared(c.handle, name.c_str(), static_cast<int>(4 * n), values.data(), lengths.data(),
                                 formats.data(), 1);
    for (std::size_t i = 0; i < n; ++i)
      rows[first + i].id =
          static_cast<std::int64_t>(get_big_endian<std::uint64_t>(PQgetvalue(r, static_cast<int>(i), 0)));
    PQclear(r);
  }
  c.exec("COMMIT");
}

// ---- insert N rows in one transaction --------------------------------------------------------------

template <class Insert>
void run_insert(benchmark::State& state, Insert&& insert) {
  auto db = open_database();
  raw_connection raw;
  raw.prepare("insert", R"(INSERT INTO "order" ("customer", "amount", "status", "note") VALUES ($1, $2, $3, $4) RETURNING "id")",
              4, insert_types);
  for (auto _ : state) {
    state.PauseTiming();
    truncate(db);
    auto rows = make_orders(row_count());
    state.ResumeTiming();
    insert(db, raw, rows);  // raw is non-const: multirow remembers what it prepared
    benchmark::DoNotOptimize(rows.back().id);
  }
  state.SetItemsProcessed(state.iterations() * row_count());
}

void insert_raw_copy(benchmark::State& state) {
  run_insert(state, [](auto&, const raw_connection& raw, std::vector<Order>& rows) { raw_copy_insert(raw, rows); });
}
void insert_raw_pipelined(benchmark::State& state) {
  run_insert(state, [](auto&, const raw_connection& raw, std::vector<Order>& rows) { raw_insert_pipelined(raw, rows); });
}
void insert_raw_multirow(benchmark::State& state) {
  run_insert(state, [](auto&, raw_connection& raw, std::vector<Order>& rows) { raw_insert_multirow(raw, rows); });
}
void insert_raw_per_row(benchmark::State& state) {
  run_insert(state, [](auto&, const raw_connection& raw, std::vector<Order>& rows) { raw_insert_per_row(raw, rows); });
}
void insert_syncorm_insert_many(benchmark::State& state) {
  run_insert(state, [](syncorm::postgres::database& db, const raw_connection&, std::vector<Order>& rows) {
    db.insert_many(rows);
  });
}
void insert_syncorm_transaction_loop(benchmark::State& state) {
  run_insert(state, [](syncorm::postgres::database& db, const raw_connection&, std::vector<Order>& rows) {
    db.transaction([&](auto& tx) {
      for (Order& o : rows) tx.insert(o);
    });
  });
}

// ---- N lookups by primary key into the struct ---------------------------------------------------------

void prepare_find(const raw_connection& raw) {
  const unsigned int types[] = {int8_oid};
  raw.prepare("find", R"(SELECT "id", "customer", "amount", "status", "note" FROM "order" WHERE "id" = $1)", 1, types);
}

/// Ids first .. first + n - 1 (wrapping within 1..row_count()) looked up with the prepared "find";
/// the sum of their amounts.
double raw_find_ids(const raw_connection& raw, std::int64_t first, std::int64_t n) {
  double total = 0;
  char key[8];
  const char* values[] = {key};
  const int lengths[] = {8}, formats[] = {1};
  for (std::int64_t i = 0; i < n; ++i) {
    put_big_endian(key, static_cast<std::uint64_t>((first + i - 1) % row_count() + 1));
    PGresult* r = PQexecPrepared(raw.handle, "find", 1, values, lengths, formats, 1);
    if (PQntuples(r) == 1) {
      Order o;
      raw_read_order(r, 0, o);
      total += o.amount;
    }
    PQclear(r);
  }
  return total;
}

void find_raw(benchmark::State& state) {
  auto db = loaded_database();
  raw_connection raw;
  prepare_find(raw);
  for (auto _ : state) benchmark::DoNotOptimize(raw_find_ids(raw, 1, row_count()));
  state.SetItemsProcessed(state.iterations() * row_count());
}

void find_syncorm(benchmark::State& state) {
  auto db = loaded_database();
  syncorm_bench::find_every_row<Order>(state, db);
}

// ---- select about a quarter of the rows by a where clause ----------------------------------------------

void prepare_where(const raw_connection& raw) {
  const unsigned int types[] = {int4_oid};
  raw.prepare("where", R"(SELECT "id", "customer", "amount", "status", "note" FROM "order" WHERE "status" = $1)", 1, types);
}

/// The rows whose status is 1, with the prepared "where".
std::vector<Order> raw_select_status_1(const raw_connection& raw) {
  char status[4];
  put_big_endian(status, std::uint32_t{1});
  const char* values[] = {status};
  const int lengths[] = {4}, formats[] = {1};
  PGresult* r = PQexecPrepared(raw.handle, "where", 1, values, lengths, formats, 1);
  const int n = PQntuples(r);
  std::vector<Order> rows;
  for (int i = 0; i < n; ++i) raw_read_order(r, i, rows.emplace_back());
  PQclear(r);
  return rows;
}

void where_raw(benchmark::State& state) {
  auto db = loaded_database();
  raw_connection raw;
  prepare_where(raw);
  for (auto _ : state) {
    std::vector<Order> rows = raw_select_status_1(raw);
    benchmark::DoNotOptimize(rows.data());
    state.counters["rows"] = static_cast<double>(rows.size());
  }
}

void where_syncorm(benchmark::State& state) {
  auto db = loaded_database();
  syncorm_bench::select_quarter<Order>(state, db);
}

// ---- N updates by primary key, in one transaction --------------------------------------------------------

void prepare_update(const raw_connection& raw) {
  const unsigned int types[] = {text_oid, float8_oid, int4_oid, text_oid, int8_oid};
  raw.prepare("update", R"(UPDATE "order" SET "customer" = $1, "amount" = $2, "status" = $3, "note" = $4 WHERE "id" = $5)",
              5, types);
}

/// rows[first .. first + n) (wrapping) updated in one transaction with the prepared "update".
void raw_update_rows(const raw_connection& raw, std::vector<Order>& rows, std::size_t first, std::size_t n) {
  order_parameters p;
  raw.exec("BEGIN");
  for (std::size_t i = 0; i < n; ++i) {
    Order& o = rows[(first + i) % rows.size()];
    o.status ^= 1;
    p.set(o);
    p.set_key(o.id);
    PGresult* r = PQexecPrepared(raw.handle, "update", 5, p.values, p.lengths, p.formats, 1);
    benchmark::DoNotOptimize(PQcmdTuples(r));
    PQclear(r);
  }
  raw.exec("COMMIT");
}

void update_raw(benchmark::State& state) {
  auto db = loaded_database();
  auto rows = db.select<Order>();
  raw_connection raw;
  prepare_update(raw);
  for (auto _ : state) raw_update_rows(raw, rows, 0, rows.size());
  state.SetItemsProcessed(state.iterations() * row_count());
}

void update_syncorm(benchmark::State& state) {
  auto db = loaded_database();
  syncorm_bench::update_every_row<Order>(state, db);
}

// ---- the same workloads as short alternating pairs -----------------------------------------------------

using syncorm_bench::chunk_rows;
using syncorm_bench::interleaved_pairs;

/// Pairs of inserts of `n` rows in one transaction into the same table: `baseline` against `variant`
/// (each called with the syncorm database, the raw connection and its own rows); the table is
/// truncated (untimed) before it outgrows row_count() rows.
template <class Baseline, class Variant>
void insert_pairs(benchmark::State& state, const char* label, std::int64_t n, Baseline&& baseline, Variant&& variant) {
  auto db = open_database();
  raw_connection raw;
  raw.prepare("insert", R"(INSERT INTO "order" ("customer", "amount", "status", "note") VALUES ($1, $2, $3, $4) RETURNING "id")",
              4, insert_types);
  auto base_rows = make_orders(n);
  auto variant_rows = make_orders(n);
  std::int64_t held = 0;
  interleaved_pairs(
      state, label, static_cast<double>(n), [&] { baseline(db, raw, base_rows); }, [&] { variant(db, raw, variant_rows); },
      [&] {
        if (held + 2 * n > 2 * row_count()) {
          truncate(db);
          held = 0;
        }
        held += 2 * n;
        for (auto* rows : {&base_rows, &variant_rows})
          for (Order& o : *rows) o.id = 0;
      });
}

auto syncorm_insert_many = [](syncorm::postgres::database& db, raw_connection&, std::vector<Order>& rows) { db.insert_many(rows); };
auto copy = [](syncorm::postgres::database&, raw_connection& raw, std::vector<Order>& rows) { raw_copy_insert(raw, rows); };

/// Rows per call of the bulk insert pairs: enough for the protocols' per-statement costs to be spread.
std::int64_t bulk_rows() { return chunk_rows(1000); }

void insert_many_pairs(benchmark::State& state) {
  insert_pairs(state, "syncorm insert_many / raw binary COPY", bulk_rows(), copy, syncorm_insert_many);
}
void insert_many_vs_per_row_pairs(benchmark::State& state) {
  insert_pairs(state, "syncorm insert_many / raw INSERT per row", chunk_rows(200),
               [](auto&, raw_connection& raw, std::vector<Order>& rows) { raw_insert_per_row(raw, rows); },
               syncorm_insert_many);
}
void pipeline_vs_copy_pairs(benchmark::State& state) {
  insert_pairs(state, "raw pipeline mode / raw binary COPY", bulk_rows(), copy,
               [](auto&, raw_connection& raw, std::vector<Order>& rows) { raw_insert_pipelined(raw, rows); });
}
void multirow_vs_copy_pairs(benchmark::State& state) {
  insert_pairs(state, "raw multi-row VALUES / raw binary COPY", bulk_rows(), copy,
               [](auto&, raw_connection& raw, std::vector<Order>& rows) { raw_insert_multirow(raw, rows); });
}

/// Lookups per pair side on PostgreSQL: each is a round trip (50 to 200 µs here).
std::int64_t round_trips_per_call() { return chunk_rows(20); }

void find_pairs(benchmark::State& state) {
  auto db = loaded_database();
  raw_connection raw;
  prepare_find(raw);
  const std::int64_t n = round_trips_per_call();
  std::int64_t first = 1;
  interleaved_pairs(
      state, "syncorm find / raw libpq", static_cast<double>(n),
      [&] { benchmark::DoNotOptimize(raw_find_ids(raw, first, n)); },
      [&] { benchmark::DoNotOptimize(syncorm_bench::find_ids<Order>(db, first, n)); },
      [&] { first = (first + n - 1) % row_count() + 1; });
}

/// A quarter of a table of 4 x chunk_rows() rows, so that one select is short too.
void where_pairs(benchmark::State& state) {
  auto db = loaded_database(4 * chunk_rows());
  raw_connection raw;
  prepare_where(raw);
  using syncorm::col;
  interleaved_pairs(
      state, "syncorm select / raw libpq", static_cast<double>(chunk_rows()),
      [&] { benchmark::DoNotOptimize(raw_select_status_1(raw).data()); },
      [&] { benchmark::DoNotOptimize(db.select<Order>(syncorm::where(col<&Order::status> == 1)).data()); });
}

/// Each side updates rows of its own (the first and the second half of the table): two updates of
/// one row moments apart would make the second wait on or clean up after the first, depending on
/// which side went first.
void update_pairs(benchmark::State& state) {
  auto db = loaded_database();
  auto raw_rows = db.select<Order>();
  const auto half = static_cast<std::ptrdiff_t>(raw_rows.size() / 2);
  std::vector<Order> orm_rows(raw_rows.begin() + half, raw_rows.end());
  raw_rows.resize(static_cast<std::size_t>(half));
  raw_connection raw;
  prepare_update(raw);
  const auto n = static_cast<std::size_t>(round_trips_per_call());
  std::size_t first = 0;
  interleaved_pairs(
      state, "syncorm update / raw libpq", static_cast<double>(n), [&] { raw_update_rows(raw, raw_rows, first, n); },
      [&] { syncorm_bench::update_rows(db, orm_rows, first, n); }, [&] { first = (first + n) % raw_rows.size(); });
}

}  // namespace

BENCHMARK(insert_raw_copy)->Name("postgres/insert_rows_in_one_transaction/raw")->Unit(benchmark::kMillisecond);
BENCHMARK(insert_syncorm_insert_many)->Name("postgres/insert_rows_in_one_transaction/syncorm_insert_many")->Unit(benchmark::kMillisecond);
// Why insert_many uses COPY: the other bulk protocols libpq offers, done raw, on the same rows.
BENCHMARK(insert_raw_pipelined)->Name("postgres/insert_rows_in_one_transaction/raw_pipeline_mode")->Unit(benchmark::kMillisecond);
BENCHMARK(insert_raw_multirow)->Name("postgres/insert_rows_in_one_transaction/raw_multirow_values")->Unit(benchmark::kMillisecond);
BENCHMARK(insert_raw_per_row)->Name("postgres/insert_rows_bulk_vs_one_insert_per_row/raw")->Unit(benchmark::kMillisecond);
BENCHMARK(insert_syncorm_insert_many)->Name("postgres/insert_rows_bulk_vs_one_insert_per_row/syncorm_insert_many")->Unit(benchmark::kMillisecond);
BENCHMARK(insert_syncorm_transaction_loop)->Name("postgres/insert_rows_bulk_vs_one_insert_per_row/syncorm_insert_loop")->Unit(benchmark::kMillisecond);
BENCHMARK(find_raw)->Name("postgres/find_by_primary_key/raw")->Unit(benchmark::kMillisecond);
BENCHMARK(find_syncorm)->Name("postgres/find_by_primary_key/syncorm")->Unit(benchmark::kMillisecond);
BENCHMARK(where_raw)->Name("postgres/select_quarter_by_where/raw")->Unit(benchmark::kMillisecond);
BENCHMARK(where_syncorm)->Name("postgres/select_quarter_by_where/syncorm")->Unit(benchmark::kMillisecond);
BENCHMARK(update_raw)->Name("postgres/update_by_primary_key/raw")->Unit(benchmark::kMillisecond);
BENCHMARK(update_syncorm)->Name("postgres/update_by_primary_key/syncorm")->Unit(benchmark::kMillisecond);

SYNCORM_PAIRS_BENCHMARK(insert_many_pairs, "postgres/insert_rows_in_one_transaction/pairs_insert_many", 200);
SYNCORM_PAIRS_BENCHMARK(insert_many_vs_per_row_pairs, "postgres/insert_rows_bulk_vs_one_insert_per_row/pairs_insert_many", 200);
SYNCORM_PAIRS_BENCHMARK(pipeline_vs_copy_pairs, "postgres/insert_rows_in_one_transaction/pairs_raw_pipeline_mode", 200);
SYNCORM_PAIRS_BENCHMARK(multirow_vs_copy_pairs, "postgres/insert_rows_in_one_transaction/pairs_raw_multirow_values", 200);
SYNCORM_PAIRS_BENCHMARK(find_pairs, "postgres/find_by_primary_key/pairs");
SYNCORM_PAIRS_BENCHMARK(where_pairs, "postgres/select_quarter_by_where/pairs");
SYNCORM_PAIRS_BENCHMARK(update_pairs, "postgres/update_by_primary_key/pairs");
