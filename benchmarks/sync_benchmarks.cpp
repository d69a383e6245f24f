// Sync events: what capturing them costs the writer, how long one takes from the producer's commit
// to the consumer's, how many one subscriber applies per second, and what the commit-order lock
// costs PostgreSQL writers. Issue 9's targets are in README ("Sync events" under Benchmarks).
//
//  - insert cost: a model with sync_traits against an identical model without ("baseline"), one
//    autocommit insert per row (the case the targets name), and tx.insert in a loop for information;
//    also both models inserted in turn ("interleaved"), for a ratio that holds on a busy machine;
//  - latency: the producer inserts one row, then waits until the consumer's handler has written a
//    receipt for it and committed (the receipt's after_commit hook reads CLOCK_MONOTONIC, which is
//    system-wide, so two processes can compare it); one event at a time, so the figure is unloaded
//    latency. Reported as the benchmark's time (the mean) and p50/p90/p99 counters, in microseconds;
//  - throughput: a backlog of events in the producer's outbox, applied by one subscriber;
//  - the commit-order lock: 8 writer threads, each on its own connection, updating random rows in
//    small transactions, synced model against unsynced ("baseline"); and one writer alternating
//    between the two, for what a synced transaction costs with no lock to wait for.

#include <syncorm/postgres.hpp>
#include <syncorm/sqlite.hpp>
#include <syncorm/sync.hpp>

#include <benchmark/benchmark.h>
#include <libpq-fe.h>
#include <poll.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <filesystem>
#include <mutex>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "interleaved_pairs.hpp"
#include "throwaway_servers.hpp"
#include "workload.hpp"

namespace {

/// Without sync_traits.
struct plain_variant {
  static constexpr std::string_view table = "plain_order";
};
/// The same row with sync_traits.
struct synced_variant {
  static constexpr std::string_view table = "synced_order";
};
using PlainOrder = syncorm_bench::order_row<plain_variant>;
using SyncedOrder = syncorm_bench::order_row<synced_variant>;

/// What the latency benchmarks' consumer writes for each order it receives.
struct Receipt {
  std::int64_t id = 0;
  std::int64_t order_id = 0;
};

using syncorm_bench::row_count;

std::int64_t nanoseconds_now() noexcept {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// ---- where the consumer reports what it committed -------------------------------------------------

/// One receipt committed by the consumer: which order, and when (steady_clock, nanoseconds).
struct arrival {
  std::int64_t order_id = 0;
  std::int64_t committed_at = 0;
};

/// Carries arrivals from the consumer's after_commit hook to the waiting producer: through a queue
/// when both are threads of this process, through a pipe when the consumer is another process.
/// A failed consumer posts order id -1, so that the producer stops waiting at once.
class arrival_board {
public:
  /// In the consumer process: report through this pipe's write end from now on.
  void send_through(int pipe_end) noexcept { out_ = pipe_end; }
  /// In the producer process: read arrivals from this pipe's read end (-1: the in-process queue).
  void receive_from(int pipe_end) noexcept { in_ = pipe_end; }

  /// The consumer committed a receipt for `order_id` just now.
  void record(std::int64_t order_id) {
    const arrival a{order_id, nanoseconds_now()};
    if (out_ >= 0) {
      // A short write cannot happen below PIPE_BUF bytes; a failed one shows as a missing arrival.
      [[maybe_unused]] const ssize_t written = ::write(out_, &a, sizeof a);
      return;
    }
    {
      const std::lock_guard lock{mutex_};
      queue_.push_back(a);
    }
    arrived_.notify_one();
  }

  /// The next arrival, or nullopt after `timeout` (or when the consumer process is gone).
  std::optional<arrival> next(std::chrono::milliseconds timeout) {
    if (in_ >= 0) {
      pollfd readable{in_, POLLIN, 0};
      if (::poll(&readable, 1, static_cast<int>(timeout.count())) <= 0) return std::nullopt;
      arrival a;
      if (::read(in_, &a, sizeof a) != static_cast<ssize_t>(sizeof a)) return std::nullopt;
      return a;
    }
    std::unique_lock lock{mutex_};
    if (!arrived_.wait_for(lock, timeout, [&] { return !queue_.empty(); })) return std::nullopt;
    const arrival a = queue_.front();
    queue_.pop_front();
    return a;
  }

  void clear() {
    const std::lock_guard lock{mutex_};
    queue_.clear();
  }

private:
  int out_ = -1;
  int in_ = -1;
  std::mutex mutex_;
  std::condition_variable arrived_;
  std::deque<arrival> queue_;
};

arrival_board board;

}  // namespace

template <>
struct syncorm::sync_traits<SyncedOrder> {
  static constexpr std::string_view topic = "orders";
};

template <>
struct syncorm::hooks<Receipt> {
  /// Runs once the consumer's transaction holding the receipt (and its new position) committed.
  static void after_commit(const syncorm::event<Receipt>& e) { board.record(e.row.order_id); }
};

namespace {

// ---- the databases: fresh producer and consumer per benchmark run ---------------------------------

/// Rows of `table`, counted through the backend's own C API (not through syncorm).
std::int64_t count_rows(syncorm::sqlite::database& db, const std::string& table) {
  sqlite3_stmt* statement = nullptr;
  const std::string sql = "SELECT count(*) FROM \"" + table + "\"";
  if (sqlite3_prepare_v2(db.native_handle(), sql.c_str(), -1, &statement, nullptr) != SQLITE_OK)
    throw std::runtime_error(sqlite3_errmsg(db.native_handle()));
  const std::int64_t count = sqlite3_step(statement) == SQLITE_ROW ? sqlite3_column_int64(statement, 0) : -1;
  sqlite3_finalize(statement);
  return count;
}

std::int64_t count_rows(syncorm::postgres::database& db, const std::string& table) {
  PGresult* r = PQexec(db.native_handle(), ("SELECT count(*) FROM \"" + table + "\"").c_str());
  const std::int64_t count = PQresultStatus(r) == PGRES_TUPLES_OK ? std::stoll(PQgetvalue(r, 0, 0)) : -1;
  PQclear(r);
  return count;
}

/// SQLite :memory:. The producer's outbox is read through the producer's own connection (a
/// second connection would see another, empty, database).
struct sqlite_memory {
  using database = syncorm::sqlite::database;
  static database producer() { return database{":memory:"}; }
  static std::optional<database> feed(database&) { return std::nullopt; }
  static database consumer() { return database{":memory:"}; }
};

/// This process's directory for SQLite files, removed when it exits normally.
struct scratch_directory {
  std::filesystem::path path =
      std::filesystem::temp_directory_path() / ("syncorm-bench-sync-" + std::to_string(::getpid()));
  scratch_directory() { std::filesystem::create_directories(path); }
  ~scratch_directory() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
};

/// The path of the database file `name` in the scratch directory.
std::string scratch_file(std::string_view name) {
  static const scratch_directory directory;
  return (directory.path / (std::string(name) + ".db")).string();
}

/// Two SQLite files in WAL mode, as applications run them: `Mode` is syncorm's default (full: a
/// commit waits for the disk, which may dominate) or normal (durable against a crash of the process,
/// not of the machine).
template <syncorm::sqlite::synchronous_mode Mode>
struct sqlite_files_synchronous {
  using database = syncorm::sqlite::database;
  /// Opens the file `name` (another connection, or another process's).
  static database open(std::string_view name) { return database{scratch_file(name), {.synchronous = Mode}}; }
  static database fresh(std::string_view name) {
    for (std::string_view suffix : {"", "-wal", "-shm"}) std::filesystem::remove(scratch_file(name) + std::string(suffix));
    return open(name);
  }
  static database producer() { return fresh("producer"); }
  static std::optional<database> feed(database&) { return open("producer"); }
  static database consumer() { return fresh("consumer"); }
};
using sqlite_files = sqlite_files_synchronous<syncorm::sqlite::synchronous_mode::full>;
using sqlite_files_normal = sqlite_files_synchronous<syncorm::sqlite::synchronous_mode::normal>;

/// PostgreSQL: producer and consumer in two schemas of the benchmark server, made afresh.
struct postgres_schemas {
  using database = syncorm::postgres::database;
  static std::string conninfo(std::string_view schema) {
    return syncorm_bench::postgres_conninfo() + " options='-c search_path=" + std::string(schema) + "'";
  }
  static database fresh(std::string_view schema) {
    database admin{syncorm_bench::postgres_conninfo()};
    admin.execute("DROP SCHEMA IF EXISTS " + std::string(schema) + " CASCADE; CREATE SCHEMA " + std::string(schema));
    return database{conninfo(schema)};
  }
  static database producer() { return fresh("sync_bench_producer"); }
  static std::optional<database> feed(database&) { return database{conninfo("sync_bench_producer")}; }
  static database consumer() { return fresh("sync_bench_consumer"); }
};

// ---- 1. what an insert with sync_traits costs ------------------------------------------------------

/// Whether `db` holds `expected` rows of Row and, for a synced model, as many outbox rows.
template <class Row, class Database>
bool rows_and_events_are_there(Database& db, std::int64_t expected) {
  return count_rows(db, std::string(syncorm::table_name<Row>)) == expected &&
         (!syncorm::detail::synced_model<Row> || count_rows(db, "syncorm_outbox") == expected);
}

/// One row per iteration, written by `insert(db, row)`.
template <class Site, class Row, class Insert>
void insert_one_row_per_iteration(benchmark::State& state, Insert&& insert) {
  auto db = Site::producer();
  db.template create_table<Row>();
  Row row = syncorm_bench::make_orders<Row>(1).front();
  for (auto _ : state) {
    row.id = 0;
    insert(db, row);
    benchmark::DoNotOptimize(row.id);
  }
  if (!rows_and_events_are_there<Row>(db, static_cast<std::int64_t>(state.iterations())))
    state.SkipWithError("the rows or their outbox rows are not all there");
  state.SetItemsProcessed(state.iterations());
}

/// An autocommit insert (no surrounding transaction): for a synced model on PostgreSQL one
/// statement writes the row and its outbox row; on SQLite, BEGIN, two INSERTs, COMMIT.
template <class Site, class Row>
void insert_autocommit(benchmark::State& state) {
  insert_one_row_per_iteration<Site, Row>(state, [](auto& db, Row& row) { db.insert(row); });
}

/// The row inserted in a transaction of its own: for a synced model on PostgreSQL, BEGIN, INSERT,
/// then lock, outbox row and COMMIT in one pipelined round trip: three round trips where
/// insert_autocommit takes one.
template <class Site, class Row>
void insert_in_own_transaction(benchmark::State& state) {
  insert_one_row_per_iteration<Site, Row>(state, [](auto& db, Row& row) {
    db.transaction([&](auto& tx) { tx.insert(row); });
  });
}

/// Runs `baseline()` and `synced()` in turn, alternating which goes first, each timed on its own
/// (interleaved_pairs.hpp): the median and interquartile range of the per-pair ratios hold on a busy
/// machine, where two benchmarks run seconds apart may each catch a different neighbour's build.
template <class Baseline, class Synced>
void time_pairs(benchmark::State& state, Baseline&& baseline, Synced&& synced) {
  syncorm_bench::interleaved_pairs(state, "synced / unsynced", 1, baseline, synced);
}

/// Autocommit inserts of the unsynced and the synced model in turn, on one connection.
template <class Site>
void insert_autocommit_pairs(benchmark::State& state) {
  auto db = Site::producer();
  db.template create_table<PlainOrder>();
  db.template create_table<SyncedOrder>();
  PlainOrder plain = syncorm_bench::make_orders<PlainOrder>(1).front();
  SyncedOrder synced = syncorm_bench::make_orders<SyncedOrder>(1).front();
  time_pairs(
      state,
      [&] {
        plain.id = 0;
        db.insert(plain);
      },
      [&] {
        synced.id = 0;
        db.insert(synced);
      });
  const auto inserted = static_cast<std::int64_t>(state.iterations());
  if (!rows_and_events_are_there<PlainOrder>(db, inserted) || !rows_and_events_are_there<SyncedOrder>(db, inserted))
    state.SkipWithError("the rows or their outbox rows are not all there");
}

/// Rows per transaction of insert_in_transaction.
std::int64_t rows_per_transaction() { return std::min<std::int64_t>(row_count(), 1000); }

/// rows_per_transaction() tx.insert calls in one transaction per iteration.
template <class Site, class Row>
void insert_in_transaction(benchmark::State& state) {
  auto db = Site::producer();
  db.template create_table<Row>();
  auto rows = syncorm_bench::make_orders<Row>(rows_per_transaction());
  for (auto _ : state) {
    db.transaction([&](auto& tx) {
      for (Row& o : rows) {
        o.id = 0;
        tx.insert(o);
      }
    });
    benchmark::DoNotOptimize(rows.back().id);
  }
  if (!rows_and_events_are_there<Row>(db, static_cast<std::int64_t>(state.iterations()) * rows_per_transaction()))
    state.SkipWithError("the rows or their outbox rows are not all there");
  state.SetItemsProcessed(state.iterations() * rows_per_transaction());
}

// ---- 2. end-to-end latency -----------------------------------------------------------------------

/// Latency samples per benchmark run (a few thousand; fewer in a smoke run).
std::int64_t latency_samples() { return std::clamp<std::int64_t>(row_count() / 10, 20, 3000); }

/// The consumer of the latency benchmarks: a receipt per order, written in the batch's transaction.
auto receipt_handler() {
  return syncorm::on<SyncedOrder>([](const syncorm::event<SyncedOrder>& e, auto& tx) {
    Receipt r{.order_id = e.row.id};
    tx.insert(r);
  });
}

/// The 50th, 90th and 99th percentiles and the largest of `micros`, as counters.
void put_percentiles(benchmark::State& state, std::vector<double> micros) {
  if (micros.empty()) return;
  std::sort(micros.begin(), micros.end());
  auto at = [&](double q) { return micros[std::min(micros.size() - 1, static_cast<std::size_t>(q * static_cast<double>(micros.size())))]; };
  state.counters["p50_us"] = at(0.50);
  state.counters["p90_us"] = at(0.90);
  state.counters["p99_us"] = at(0.99);
  state.counters["max_us"] = micros.back();
}

/// The producer's side: inserts an order, notes the time its commit returned, waits for the
/// consumer's receipt; a few unmeasured rounds first (statements prepared, LISTEN issued). Before
/// each round it pauses for a random 0 to 2 ms: without that, every commit would come just after the
/// consumer went back to waiting, and a polling consumer (SQLite across processes) would always
/// sleep its whole poll interval, where real commits come at any moment of it.
template <class Database>
void measure_latency(benchmark::State& state, Database& producer) {
  SyncedOrder order = syncorm_bench::make_orders<SyncedOrder>(1).front();
  std::mt19937 random(42);
  std::uniform_int_distribution<int> pause_us(0, 2000);
  auto one_round = [&]() -> std::optional<double> {
    std::this_thread::sleep_for(std::chrono::microseconds{pause_us(random)});
    order.id = 0;
    producer.insert(order);
    const std::int64_t committed = nanoseconds_now();
    const std::optional<arrival> a = board.next(std::chrono::seconds{10});
    if (!a || a->order_id != order.id) return std::nullopt;
    return static_cast<double>(a->committed_at - committed) / 1e3;
  };
  for (int i = 0; i < 20; ++i) {
    if (!one_round()) {
      state.SkipWithError("the consumer did not apply the warm-up events");
      return;
    }
  }
  std::vector<double> micros;
  micros.reserve(static_cast<std::size_t>(latency_samples()));
  for (auto _ : state) {
    const std::optional<double> latency = one_round();
    if (!latency) {
      state.SkipWithError("an event did not arrive within 10 s, or not in order");
      break;
    }
    micros.push_back(*latency);
    state.SetIterationTime(*latency / 1e6);
  }
  put_percentiles(state, std::move(micros));
}

/// Consumer in a thread of this process, with its own connections; the source waits for commits
/// with LISTEN (PostgreSQL) or the in-process signal and PRAGMA data_version (SQLite).
template <class Site>
void latency_in_process(benchmark::State& state) {
  auto producer = Site::producer();
  producer.template create_table<SyncedOrder>();
  auto feed_db = Site::feed(producer);
  auto consumer = Site::consumer();
  consumer.template create_table<Receipt>();
  board.receive_from(-1);
  board.clear();
  std::exception_ptr failure;
  {
    syncorm::subscriber sub{consumer, "latency", receipt_handler()};
    syncorm::outbox_source feed{*feed_db, "orders-db"};
    std::jthread runner([&](std::stop_token stop) {
      try {
        sub.run(feed, stop);
      } catch (...) {
        failure = std::current_exception();
        board.record(-1);
      }
    });
    measure_latency(state, producer);
  }
  if (failure) state.SkipWithError("the consumer thread failed");
}

template <class Site>
[[noreturn]] void consumer_process(int arrivals, int control) {
  board.send_through(arrivals);
  try {
    auto feed_db = Site::open("producer");
    auto consumer = Site::open("consumer");
    syncorm::subscriber sub{consumer, "latency", receipt_handler()};
    syncorm::outbox_source feed{feed_db, "orders-db"};
    std::jthread runner([&](std::stop_token stop) {
      try {
        sub.run(feed, stop);
      } catch (...) {
        ::_exit(3);  // the producer sees the pipe close
      }
    });
    char ignored = 0;
    while (::read(control, &ignored, 1) > 0) {
    }  // end of file: the producer is done
    runner.request_stop();
  } catch (...) {
    ::_exit(2);
  }
  ::_exit(0);  // not exit(): the parent's static destructors (its PostgreSQL server) are not ours
}

/// Two SQLite files, consumer in another process: its source notices the producer's commits by
/// polling PRAGMA data_version every poll_interval (1 ms by default).
template <class Site>
void latency_sqlite_two_processes(benchmark::State& state) {
  {
    auto producer = Site::producer();
    producer.template create_table<SyncedOrder>();
    auto consumer = Site::consumer();
    consumer.template create_table<Receipt>();
  }  // closed before fork: the child opens its own connections
  int arrivals[2];
  int control[2];
  if (::pipe(arrivals) != 0 || ::pipe(control) != 0) {
    state.SkipWithError("pipe() failed");
    return;
  }
  const pid_t child = ::fork();
  if (child == 0) {
    ::close(arrivals[0]);
    ::close(control[1]);
    consumer_process<Site>(arrivals[1], control[0]);
  }
  ::close(arrivals[1]);
  ::close(control[0]);
  board.receive_from(arrivals[0]);
  {
    auto producer = Site::open("producer");
    if (child > 0) measure_latency(state, producer);
    else state.SkipWithError("fork() failed");
  }
  ::close(control[1]);
  int status = 0;
  if (child > 0 && (::waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status) != 0) &&
      !state.error_occurred())
    state.SkipWithError("the consumer process failed");
  ::close(arrivals[0]);
  board.receive_from(-1);
}

// ---- 3. throughput: a backlog applied by one subscriber ---------------------------------------------

/// Events in the backlog (20,000; fewer in a smoke run).
std::int64_t backlog_events() { return std::min<std::int64_t>(row_count(), 20'000); }

/// mirror<SyncedOrder>(): an upsert per event.
struct mirror_rows {
  static auto handler() { return syncorm::mirror<SyncedOrder>(); }
  static constexpr bool keeps_rows = true;
};
/// on<SyncedOrder> doing nothing: the subscriber's own cost (fetch, decode, positions, commits).
struct ignore_rows {
  static auto handler() {
    return syncorm::on<SyncedOrder>([](const syncorm::event<SyncedOrder>& e, auto&) { benchmark::DoNotOptimize(e.row.id); });
  }
  static constexpr bool keeps_rows = false;
};

template <class Site, class Handling>
void apply_backlog(benchmark::State& state) {
  using database = typename Site::database;
  const std::int64_t events = backlog_events();
  auto producer = Site::producer();
  producer.template create_table<SyncedOrder>();
  auto rows = syncorm_bench::make_orders<SyncedOrder>(events);
  producer.insert_many(rows);
  auto feed_db = Site::feed(producer);
  database& feed_connection = feed_db ? *feed_db : producer;

  using subscriber_type = syncorm::subscriber<database, decltype(Handling::handler())>;
  std::optional<database> consumer;
  std::optional<subscriber_type> sub;
  std::optional<syncorm::outbox_source<database>> feed;
  for (auto _ : state) {
    state.PauseTiming();
    feed.reset();
    sub.reset();
    consumer.reset();
    consumer.emplace(Site::consumer());
    if constexpr (Handling::keeps_rows) consumer->template create_table<SyncedOrder>();
    sub.emplace(*consumer, "throughput", Handling::handler());
    feed.emplace(feed_connection, "orders-db");
    state.ResumeTiming();
    const std::size_t applied = sub->poll(*feed);
    if (static_cast<std::int64_t>(applied) != events) {
      state.SkipWithError("the subscriber did not apply every event");
      break;
    }
  }
  if (Handling::keeps_rows && !state.error_occurred() && count_rows(*consumer, std::string(syncorm::table_name<SyncedOrder>)) != events)
    state.SkipWithError("the mirror does not hold every row");
  state.SetItemsProcessed(state.iterations() * events);
}

// ---- 4. the commit-order lock with 8 writers (PostgreSQL) --------------------------------------------

/// Transactions per writer per iteration.
int transactions_per_writer() { return static_cast<int>(std::clamp<std::int64_t>(row_count() / 500, 10, 200)); }

/// Each iteration: `writer_count` threads, each on its own connection, each running
/// transactions_per_writer() transactions that update one random row of 1,000 by key. Compared
/// with one_writer_pairs, the ratio adds the time commits wait for each other's lock.
template <class Row, int writer_count>
void concurrent_writers(benchmark::State& state) {
  using database = syncorm::postgres::database;
  constexpr std::int64_t table_rows = 1000;
  auto db = postgres_schemas::producer();
  db.create_table<Row>();
  auto loaded = syncorm_bench::make_orders<Row>(table_rows);
  db.insert_many(loaded);
  std::vector<database> writers;
  writers.reserve(writer_count);
  for (int w = 0; w < writer_count; ++w) writers.emplace_back(postgres_schemas::conninfo("sync_bench_producer"));
  std::atomic<bool> failed{false};
  std::uint32_t round = 0;
  for (auto _ : state) {
    ++round;
    {
      std::vector<std::jthread> threads;
      for (int w = 0; w < writer_count; ++w) {
        threads.emplace_back([&, w] {
          std::mt19937 random(round * static_cast<std::uint32_t>(writer_count) + static_cast<std::uint32_t>(w));
          std::uniform_int_distribution<std::size_t> pick(0, loaded.size() - 1);
          try {
            for (int i = 0; i < transactions_per_writer(); ++i) {
              Row row = loaded[pick(random)];
              row.amount = static_cast<double>(i);
              writers[static_cast<std::size_t>(w)].transaction([&](auto& tx) { tx.update(row); });
            }
          } catch (...) {
            failed = true;
          }
        });
      }
    }
    if (failed) {
      state.SkipWithError("a writer failed");
      break;
    }
  }
  const std::int64_t commits = static_cast<std::int64_t>(state.iterations()) * writer_count * transactions_per_writer();
  if (syncorm::detail::synced_model<Row> && !state.error_occurred() && count_rows(db, "syncorm_outbox") != table_rows + commits)
    state.SkipWithError("the outbox does not hold one row per update");
  state.SetItemsProcessed(commits);
}

/// One writer: small transactions updating a random row of the unsynced and of the synced model in
/// turn. Their ratio is what a synced transaction adds on its own (its outbox row, the lock, the
/// NOTIFY), with no other writer to wait for.
void one_writer_pairs(benchmark::State& state) {
  constexpr std::int64_t table_rows = 1000;
  auto db = postgres_schemas::producer();
  db.create_table<PlainOrder>();
  db.create_table<SyncedOrder>();
  auto plain_rows = syncorm_bench::make_orders<PlainOrder>(table_rows);
  auto synced_rows = syncorm_bench::make_orders<SyncedOrder>(table_rows);
  db.insert_many(plain_rows);
  db.insert_many(synced_rows);
  std::mt19937 random(7);
  std::uniform_int_distribution<std::size_t> pick(0, table_rows - 1);
  double amount = 0;
  time_pairs(
      state,
      [&] {
        PlainOrder& row = plain_rows[pick(random)];
        row.amount = ++amount;
        db.transaction([&](auto& tx) { tx.update(row); });
      },
      [&] {
        SyncedOrder& row = synced_rows[pick(random)];
        row.amount = ++amount;
        db.transaction([&](auto& tx) { tx.update(row); });
      });
  if (count_rows(db, "syncorm_outbox") != table_rows + static_cast<std::int64_t>(state.iterations()))
    state.SkipWithError("the outbox does not hold one row per update");
}

}  // namespace

BENCHMARK(insert_autocommit<sqlite_memory, PlainOrder>)->Name("sync/insert_autocommit_sqlite_memory/baseline")->UseRealTime();
BENCHMARK(insert_autocommit<sqlite_memory, SyncedOrder>)->Name("sync/insert_autocommit_sqlite_memory/synced")->UseRealTime();
BENCHMARK(insert_autocommit<postgres_schemas, PlainOrder>)->Name("sync/insert_autocommit_postgres/baseline")->UseRealTime();
BENCHMARK(insert_autocommit<postgres_schemas, SyncedOrder>)->Name("sync/insert_autocommit_postgres/synced")->UseRealTime();
BENCHMARK(insert_autocommit_pairs<sqlite_memory>)->Name("sync/insert_autocommit_sqlite_memory_interleaved/pairs")->Repetitions(1)->UseRealTime();
BENCHMARK(insert_autocommit_pairs<postgres_schemas>)->Name("sync/insert_autocommit_postgres_interleaved/pairs")->Repetitions(1)->UseRealTime();
BENCHMARK(insert_in_own_transaction<postgres_schemas, SyncedOrder>)->Name("sync/insert_autocommit_postgres/synced_in_own_transaction")->UseRealTime();
BENCHMARK(insert_in_transaction<sqlite_memory, PlainOrder>)->Name("sync/insert_1000_in_one_transaction_sqlite_memory/baseline")->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK(insert_in_transaction<sqlite_memory, SyncedOrder>)->Name("sync/insert_1000_in_one_transaction_sqlite_memory/synced")->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK(insert_in_transaction<postgres_schemas, PlainOrder>)->Name("sync/insert_1000_in_one_transaction_postgres/baseline")->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(insert_in_transaction<postgres_schemas, SyncedOrder>)->Name("sync/insert_1000_in_one_transaction_postgres/synced")->Unit(benchmark::kMillisecond)->UseRealTime();

BENCHMARK(latency_in_process<postgres_schemas>)->Name("sync/latency_postgres_listen_notify/consumer_thread")
    ->Iterations(latency_samples())->UseManualTime()->Unit(benchmark::kMicrosecond);
BENCHMARK(latency_in_process<sqlite_files>)->Name("sync/latency_sqlite_two_files/consumer_thread")
    ->Iterations(latency_samples())->UseManualTime()->Unit(benchmark::kMicrosecond);
BENCHMARK(latency_sqlite_two_processes<sqlite_files>)->Name("sync/latency_sqlite_two_files/consumer_process")
    ->Iterations(latency_samples())->UseManualTime()->Unit(benchmark::kMicrosecond);
BENCHMARK(latency_in_process<sqlite_files_normal>)->Name("sync/latency_sqlite_two_files/consumer_thread_synchronous_normal")
    ->Iterations(latency_samples())->UseManualTime()->Unit(benchmark::kMicrosecond);
BENCHMARK(latency_sqlite_two_processes<sqlite_files_normal>)->Name("sync/latency_sqlite_two_files/consumer_process_synchronous_normal")
    ->Iterations(latency_samples())->UseManualTime()->Unit(benchmark::kMicrosecond);

BENCHMARK(apply_backlog<sqlite_files, mirror_rows>)->Name("sync/apply_backlog_sqlite_files/mirror")->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(apply_backlog<sqlite_files, ignore_rows>)->Name("sync/apply_backlog_sqlite_files/ignore")->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(apply_backlog<sqlite_files_normal, mirror_rows>)->Name("sync/apply_backlog_sqlite_files/mirror_synchronous_normal")->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(apply_backlog<sqlite_memory, mirror_rows>)->Name("sync/apply_backlog_sqlite_memory/mirror")->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(apply_backlog<sqlite_memory, ignore_rows>)->Name("sync/apply_backlog_sqlite_memory/ignore")->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(apply_backlog<postgres_schemas, mirror_rows>)->Name("sync/apply_backlog_postgres/mirror")->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(apply_backlog<postgres_schemas, ignore_rows>)->Name("sync/apply_backlog_postgres/ignore")->Unit(benchmark::kMillisecond)->UseRealTime();

BENCHMARK(one_writer_pairs)->Name("sync/commit_order_lock_1_writer_postgres/pairs")->Repetitions(1)->UseRealTime();
BENCHMARK(concurrent_writers<PlainOrder, 8>)->Name("sync/commit_order_lock_8_writers_postgres/baseline")->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(concurrent_writers<SyncedOrder, 8>)->Name("sync/commit_order_lock_8_writers_postgres/synced")->Unit(benchmark::kMillisecond)->UseRealTime();
