#pragma once
// One PostgreSQL connection through libpq: connecting and reconnecting, named prepared statements
// cached per connection, running statements with binary parameters and results (cursor),
// transaction control, and translating SQLSTATEs into syncorm's errors.

#include <libpq-fe.h>
#include <poll.h>

#include <bit>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "../error.hpp"
#include "../core/change_log.hpp"
#include "../core/chrono.hpp"
#include "../core/field_types.hpp"
#include "../core/row_io.hpp"
#include "../core/session.hpp"
#include "../core/statement_cache.hpp"
#include "copy.hpp"
#include "dialect.hpp"
#include "outbox.hpp"
#include "wire.hpp"

namespace syncorm::postgres {

/// Settings for connecting to PostgreSQL.
struct options {
  /// Sent as application_name, visible in pg_stat_activity.
  std::string application_name = "syncorm";
  /// Every transaction of the session is read-only (default_transaction_read_only): a write fails
  /// on this connection whatever server it reaches. A cluster's read connections are opened so.
  bool read_only = false;
};

}  // namespace syncorm::postgres

namespace syncorm::detail::postgres {

inline std::string trimmed(const char* text) {
  std::string s = text != nullptr ? text : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

/// "Key (email)=(a@example.com) already exists." -> "email".
inline std::string column_from_key_detail(std::string_view detail) {
  const std::size_t open = detail.find("Key (");
  if (open == std::string_view::npos) return {};
  const std::size_t close = detail.find(')', open);
  if (close == std::string_view::npos) return {};
  std::string column{detail.substr(open + 5, close - open - 5)};
  if (column.size() >= 2 && column.front() == '"' && column.back() == '"') column = column.substr(1, column.size() - 2);
  return column;
}

/// The column a value error is about, from the error's context line: "unnamed portal parameter $3"
/// names the statement's third parameter, whose column the compiled statement recorded, and
/// "COPY t, line 2, column c" (insert_many) names it outright. Empty when neither says.
inline std::string column_from_context(std::string_view context, std::span<const parameter_info> parameters) {
  if (const std::size_t at = context.find("parameter $"); at != std::string_view::npos) {
    std::size_t number = 0;
    for (std::size_t i = at + 11; i < context.size() && context[i] >= '0' && context[i] <= '9'; ++i)
      number = number * 10 + static_cast<std::size_t>(context[i] - '0');
    if (number >= 1 && number <= parameters.size()) return std::string(parameters[number - 1].column);
    return {};
  }
  if (context.starts_with("COPY ")) {
    if (const std::size_t at = context.find(", column "); at != std::string_view::npos) {
      const std::string_view column = context.substr(at + 9);
      return std::string(column.substr(0, column.find(':')));
    }
  }
  return {};
}

/// Whether the server said it was shutting the session down: the statement was not run, so it
/// is safe to run it again on a new connection.
inline bool server_terminated_session(const char* sqlstate) {
  return sqlstate != nullptr && std::string_view{sqlstate}.starts_with("57P0");
}

/// Throws the syncorm error for a failed result (or, without one, the connection's last error).
/// `parameters` are the failed statement's, so an error about a parameter's value names its column.
[[noreturn]] inline void throw_postgres_error(PGconn* connection, const PGresult* result, std::string_view table,
                                              std::span<const parameter_info> parameters = {}) {
  auto field = [&](int code) -> std::string {
    const char* value = result != nullptr ? PQresultErrorField(result, code) : nullptr;
    return value != nullptr ? value : "";
  };
  const std::string sqlstate = field(PG_DIAG_SQLSTATE);
  std::string message = result != nullptr ? trimmed(PQresultErrorMessage(result)) : "";
  if (message.empty()) message = trimmed(PQerrorMessage(connection));
  std::string table_name = field(PG_DIAG_TABLE_NAME);
  if (table_name.empty()) table_name = std::string(table);
  std::string column = field(PG_DIAG_COLUMN_NAME);
  if (column.empty()) column = column_from_key_detail(field(PG_DIAG_MESSAGE_DETAIL));
  if (column.empty()) column = column_from_context(field(PG_DIAG_CONTEXT), parameters);
  const std::string subject = table_name.empty() ? "" : " on " + table_name + (column.empty() ? "" : "." + column);

  if (PQstatus(connection) == CONNECTION_BAD || sqlstate.starts_with("08") || sqlstate.starts_with("57P0"))
    throw connection_error("syncorm: PostgreSQL connection failed" + subject + ": " + message, table_name, column);
  if (sqlstate.starts_with("23"))
    throw constraint_error("syncorm: constraint violated" + subject + ": " + message, table_name, column,
                           field(PG_DIAG_CONSTRAINT_NAME));
  if (sqlstate.starts_with("22"))
    throw type_error("syncorm: PostgreSQL refused the value" + subject + ": " + message, table_name, column);
  if (sqlstate == "42804") throw type_error("syncorm: wrong type" + subject + ": " + message, table_name, column);
  throw error("syncorm: PostgreSQL error" + subject + ": " + message, table_name, column);
}

struct clear_result {
  void operator()(PGresult* r) const noexcept { PQclear(r); }
};
using result_handle = std::unique_ptr<PGresult, clear_result>;

/// A statement prepared on the server under a name, with the buffers its executions reuse so a
/// call allocates nothing of its own.
struct prepared_statement {
  std::string name;
  std::string_view sql;  // frozen, NUL-terminated
  std::vector<unsigned int> types;  // parameter type OIDs; 0 lets the server infer one
  int parameter_count = 0;
  bool read_only = false;
  std::string_view table;
  std::span<const parameter_info> parameters;  // the columns errors name (static storage)
  std::uint64_t generation = 0;  // the connection generation it exists on (0: none yet)

  std::vector<const char*> values;
  std::vector<int> lengths;
  std::vector<int> formats;
  std::vector<char> scratch;  // 8 bytes per parameter for fixed-width values
  std::vector<oid> column_types;
};

struct delete_prepared {
  void operator()(prepared_statement* s) const noexcept { delete s; }
};

class connection;

/// One execution of a prepared statement: binds parameters in order, runs it in one round trip
/// (binary in, binary out), then walks the rows of the result.
class cursor {
public:
  cursor(connection& owner, prepared_statement& statement) noexcept : owner_(owner), statement_(statement) {}
  cursor(const cursor&) = delete;
  cursor& operator=(const cursor&) = delete;
  ~cursor() = default;

  void bind(std::int16_t v) { bind_fixed(v); }
  void bind(std::int32_t v) { bind_fixed(v); }
  void bind(std::int64_t v) { bind_fixed(v); }
  void bind(float v) { bind_fixed(v); }
  void bind(double v) { bind_fixed(v); }
  void bind(bool v) { bind_fixed(v); }
  void bind(wire_time v) { bind_fixed(v); }
  void bind(std::string_view v) { bind_bytes(v.data(), v.size()); }
  void bind(blob_view v) { bind_bytes(reinterpret_cast<const char*>(v.data()), v.size()); }
  void bind_null(value_kind) {
    statement_.values[next_] = nullptr;
    statement_.lengths[next_] = 0;
    ++next_;
  }

  /// Runs the statement on first call; then steps to the next row; false when there is none.
  bool next() {
    if (!result_) run();
    return ++row_ < rows_;
  }

  /// Runs the statement; returns the number of rows it changed.
  std::int64_t finish() {
    if (!result_) run();
    return std::strtoll(PQcmdTuples(result_.get()), nullptr, 10);
  }

  /// Runs the statement, or, while the connection defers writes (connection::defer_writes), sends
  /// it without waiting for the answer, which is read before the next statement that is not
  /// deferred or the COMMIT. For writes whose count and rows nobody reads.
  void finish_later();

  // Each read decodes the column's bytes with the pure decoders of wire.hpp.
  read_status read(int column, std::int64_t& out) const noexcept { return decode(value(column), out); }
  read_status read(int column, double& out) const noexcept { return decode(value(column), out); }
  read_status read(int column, bool& out) const noexcept { return decode(value(column), out); }
  read_status read(int column, wire_time& out) const noexcept { return decode(value(column), out); }
  read_status read(int column, std::string_view& out) const noexcept { return decode(value(column), out); }
  read_status read(int column, blob_view& out) const noexcept { return decode(value(column), out); }

  /// The column's value as PostgreSQL names its type, for error messages.
  std::string describe(int column) const { return postgres::describe(value(column)); }

private:
  template <class Fixed>
  void bind_fixed(Fixed v) {
    char* slot = statement_.scratch.data() + 8 * next_;
    statement_.values[next_] = slot;
    statement_.lengths[next_] = encode(slot, v);
    ++next_;
  }
  void bind_bytes(const char* data, std::size_t size) {
    if (size > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
      const std::string column{next_ < statement_.parameters.size() ? statement_.parameters[next_].column : ""};
      throw error("syncorm: a value of " + std::to_string(size) + " bytes for " + std::string(statement_.table) +
                      (column.empty() ? "" : "." + column) + " is larger than PostgreSQL accepts",
                  std::string(statement_.table), column);
    }
    statement_.values[next_] = data != nullptr ? data : "";
    statement_.lengths[next_] = static_cast<int>(size);
    ++next_;
  }

  binary_value value(int column) const noexcept {
    const oid type = statement_.column_types[static_cast<std::size_t>(column)];
    const int length = PQgetlength(result_.get(), row_, column);
    // NULL has length 0 too; asking only then keeps a value at two libpq calls.
    if (length == 0 && PQgetisnull(result_.get(), row_, column) != 0) return {type, nullptr, 0};
    return {type, PQgetvalue(result_.get(), row_, column), static_cast<std::size_t>(length)};
  }

  void run();

  connection& owner_;
  prepared_statement& statement_;
  std::size_t next_ = 0;
  result_handle result_;
  int row_ = -1;
  int rows_ = 0;
};

/// An open libpq connection and everything cached on it.
class connection {
public:
  using dialect = postgres::dialect;

  connection(std::string_view conninfo, const syncorm::postgres::options& settings)
      : conninfo_(conninfo), settings_(settings) {
    open();
  }
  connection(const connection&) = delete;
  connection& operator=(const connection&) = delete;
  ~connection() = default;

  transaction_state& state() noexcept { return state_; }
  PGconn* native_handle() const noexcept { return handle_; }

  /// While on, statements run with cursor::finish_later inside a transaction go out in pipeline
  /// mode without waiting for their answers (one round trip for many, where each would cost one);
  /// the answers are read before any other statement and before COMMIT, and the first failure is
  /// thrown then, from that later call. A subscriber turns it on for a batch's copies.
  /// Returns how many statements were deferred since it was last turned on.
  std::size_t defer_writes(bool on) noexcept {
    defer_writes_ = on;
    if (on) deferred_since_on_ = 0;
    return deferred_since_on_;
  }

  /// The statement for `Compiled`, prepared on this connection if it is not yet: the hot path.
  template <class Compiled>
  cursor start() {
    return cursor{*this, statement_for<Compiled>()};
  }

  /// The cached statement record for `Compiled` (prepared on the server on first execution).
  template <class Compiled>
  prepared_statement& statement_for() {
    static constexpr statement_definition definition{Compiled::sql, Compiled::parameters, Compiled::parameter_count,
                                                     Compiled::read_only, Compiled::table};
    return cached_statement(statement_slot<Compiled>(), definition);
  }

  /// Runs SQL text without parameters (DDL; several statements allowed), without caching it.
  void execute(std::string_view sql) {
    sequence_names_.clear();  // DDL may have dropped or renamed a table
    run_simple(std::string(sql), false);
  }

  void begin() { run_simple("BEGIN", true); }

  /// COMMIT. A transaction with outbox rows writes them first, under a transaction-scoped advisory
  /// lock that it holds until the COMMIT is visible: transactions with sync events therefore take
  /// their positions in commit order, so a reader of `position > last` never skips one that commits
  /// late. Lock, NOTIFY, rows and COMMIT go out together in pipeline mode: one round trip.
  void commit() {
    if (state_.changes.pending.empty()) check_committed(run_simple("COMMIT", false).get());
    else commit_with_outbox();
  }
  void rollback() {
    read_deferred(false);  // their failure is what is being rolled back
    if (PQstatus(handle_) == CONNECTION_OK) run_simple("ROLLBACK", false);
  }
  void savepoint(int depth) { run_simple("SAVEPOINT syncorm_" + std::to_string(depth), false); }
  void release_savepoint(int depth) { run_simple("RELEASE SAVEPOINT syncorm_" + std::to_string(depth), false); }
  void rollback_to_savepoint(int depth) {
    run_simple("ROLLBACK TO SAVEPOINT syncorm_" + std::to_string(depth), false);
    release_savepoint(depth);
  }

  /// LISTENs on `channel` (once per session) and waits up to `timeout` for a notification on it,
  /// checking `stop` (a std::stop_token) every few milliseconds. True when one arrived, or when the
  /// session is new and may have missed some: either way the caller should look for what changed.
  template <class StopToken>
  bool wait_for_notification(std::string_view channel, std::chrono::milliseconds timeout, const StopToken& stop) {
    ensure_open();
    if (listening_generation_ != generation_) {
      std::string listen = "LISTEN ";
      append_identifier(listen, channel);
      run_simple(listen, true);
      listening_generation_ = generation_;
      return true;
    }
    using clock = std::chrono::steady_clock;
    const auto deadline = clock::now() + timeout;
    constexpr std::chrono::milliseconds stop_check{20};
    while (!stop.stop_requested()) {
      if (take_notifications()) return true;
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now());
      if (left.count() <= 0) return false;
      pollfd socket{PQsocket(handle_), POLLIN, 0};
      const int ready = ::poll(&socket, 1, static_cast<int>((left < stop_check ? left : stop_check).count()) + 1);
      if (ready > 0 && PQconsumeInput(handle_) == 0) return true;  // lost: the next statement reconnects
    }
    return false;
  }

  /// Outside a transaction: inserts a synced row and its outbox row in one statement, one round
  /// trip (the session builds `event`; its payload's id is replaced by the key the row gets).
  template <class T>
  void insert_with_event(T& row, const captured_change& event) {
    cursor q = start<compiled<insert_with_event_shape<T>, dialect>>();
    bind_fields(q, row, inserted_fields<T>);
    q.bind(std::string_view{event.event_id});
    q.bind(event.topic);
    q.bind(std::string_view{event.payload});
    q.bind(event.created_at);
    if (!q.next()) throw error("syncorm: INSERT returned no key", std::string(table_name_v<T>));
    if constexpr (has_generated_key<T>) read_field(q, 0, row.id, table_name_v<T>, "id");
  }

  /// insert_many without hooks: ids reserved in one round trip, rows streamed with binary COPY.
  /// Runs inside the caller's transaction scope, which restores the ids if anything fails.
  template <class T, class Range>
  void insert_rows(Range& rows) {
    constexpr std::string_view table = table_name_v<T>;
    if constexpr (has_generated_key<T>) reserve_keys<T>(rows);
    ensure_open();
    const result_handle started{PQexec(handle_, compiled<copy_shape<T>, dialect>::sql.data())};
    if (PQresultStatus(started.get()) != PGRES_COPY_IN) throw_postgres_error(handle_, started.get(), table);
    copy_encoder encoder;
    try {
      for (const T& row : rows) {
        encoder.begin_row(field_count<T>);
        bind_fields(encoder, row, every_field);
        if (encoder.buffer().size() >= copy_chunk_bytes) send_copy_data(encoder.buffer(), table);
      }
      encoder.end();
      send_copy_data(encoder.buffer(), table);
    } catch (...) {
      PQputCopyEnd(handle_, "syncorm: insert_many stopped by an error in the application");
      finish_command();
      throw;
    }
    if (PQputCopyEnd(handle_, nullptr) != 1) throw_postgres_error(handle_, nullptr, table);
    const result_handle done = finish_command();
    if (PQresultStatus(done.get()) != PGRES_COMMAND_OK) throw_copy_error<T>(done.get());
  }

private:
  /// What a compiled statement type says about itself, for cached_statement.
  struct statement_definition {
    std::string_view sql;
    const parameter_info* parameters;
    std::size_t parameter_count;
    bool read_only;
    std::string_view table;
  };

  /// The statement record cached in `slot`, made from `definition` on first use. One out-of-line
  /// copy serves every statement type, so an operation's code holds only the call.
  [[gnu::noinline]] prepared_statement& cached_statement(std::size_t slot, const statement_definition& definition) {
    if (prepared_statement** cached = statements_.find(slot, definition.sql.data())) [[likely]]
      return **cached;
    auto s = std::make_unique<prepared_statement>();  // freed if filling it in runs out of memory
    s->name = "syncorm_" + std::to_string(slot);
    s->sql = definition.sql;
    s->parameter_count = static_cast<int>(definition.parameter_count);
    for (std::size_t i = 0; i < definition.parameter_count; ++i)
      s->types.push_back(static_cast<unsigned int>(oid_of(definition.parameters[i].kind)));
    s->parameters = {definition.parameters, definition.parameter_count};
    s->read_only = definition.read_only;
    s->table = definition.table;
    s->values.resize(definition.parameter_count);
    s->lengths.resize(definition.parameter_count);
    s->formats.assign(definition.parameter_count, 1);  // every parameter in binary
    s->scratch.resize(8 * definition.parameter_count);
    return *statements_.store(slot, definition.sql.data(), s.release());  // the cache owns it from here
  }

  friend class cursor;

  // COMMIT of a transaction the server already aborted answers ROLLBACK instead of failing.
  static void check_committed(const PGresult* done) {
    if (std::string_view{PQcmdStatus(const_cast<PGresult*>(done))} != "COMMIT")
      throw error("syncorm: PostgreSQL rolled the transaction back instead of committing it");
  }

  /// Statements sent before the pipeline waits for their results: the server's replies to many
  /// more could fill the socket buffers both ways and stall both ends.
  static constexpr std::size_t pipeline_batch = 1000;

  void commit_with_outbox() {
    ensure_open();
    prepared_statement& insert = statement_for<compiled<insert_outbox_shape, dialect>>();
    prepare_once(insert);
    if (PQenterPipelineMode(handle_) != 1) throw_postgres_error(handle_, nullptr, outbox_table);
    pipeline_results results{handle_};
    results.expect(PQsendQueryParams(handle_, outbox_lock_and_notify.data(), 0, nullptr, nullptr, nullptr, nullptr, 1));
    for (const captured_change& change : state_.changes.pending) {
      {
        cursor binder{*this, insert};
        bind_captured_change(binder, change);
      }
      results.expect(PQsendQueryPrepared(handle_, insert.name.c_str(), insert.parameter_count, insert.values.data(),
                                         insert.lengths.data(), insert.formats.data(), 1));
      if (results.outstanding() >= pipeline_batch) results.sync_and_read();
    }
    results.expect(PQsendQueryParams(handle_, "COMMIT", 0, nullptr, nullptr, nullptr, nullptr, 1));
    const result_handle done = results.sync_and_read();
    results.leave_pipeline_mode();
    check_committed(done.get());
  }

  /// Reads what a pipeline answered, statement by statement, up to each sync point; keeps the
  /// first failure and throws it once the pipeline has been read to its end, so the connection is
  /// left usable (the server aborted the transaction; the caller rolls it back).
  class pipeline_results {
  public:
    explicit pipeline_results(PGconn* connection, std::string_view table = outbox_table,
                              std::size_t outstanding = 0) noexcept
        : connection_(connection), table_(table), outstanding_(outstanding) {}
    pipeline_results(const pipeline_results&) = delete;
    pipeline_results& operator=(const pipeline_results&) = delete;
    ~pipeline_results() {
      if (PQpipelineStatus(connection_) != PQ_PIPELINE_OFF && PQstatus(connection_) == CONNECTION_OK) {
        try {
          if (outstanding_ > 0) sync_and_read();
        } catch (...) {
        }
        PQexitPipelineMode(connection_);
      }
    }

    void expect(int sent) {
      if (sent != 1) throw_postgres_error(connection_, nullptr, table_);
      ++outstanding_;
    }
    [[nodiscard]] std::size_t outstanding() const noexcept { return outstanding_; }

    /// Sends a sync point and reads every result up to it; returns the last statement's result.
    result_handle sync_and_read() {
      if (PQpipelineSync(connection_) != 1) throw_postgres_error(connection_, nullptr, table_);
      result_handle last;
      for (; outstanding_ > 0; --outstanding_) {
        result_handle r{PQgetResult(connection_)};
        if (!r) throw_postgres_error(connection_, nullptr, table_);  // the connection is gone
        const ExecStatusType status = PQresultStatus(r.get());
        if (status == PGRES_FATAL_ERROR && !failure_) failure_ = std::move(r);
        else last = std::move(r);
        while (PGresult* end_of_statement = PQgetResult(connection_)) PQclear(end_of_statement);
      }
      const result_handle sync{PQgetResult(connection_)};
      if (PQresultStatus(sync.get()) != PGRES_PIPELINE_SYNC) throw_postgres_error(connection_, sync.get(), table_);
      if (failure_) throw_postgres_error(connection_, failure_.get(), table_);
      return last;
    }

    void leave_pipeline_mode() {
      if (PQexitPipelineMode(connection_) != 1) throw_postgres_error(connection_, nullptr, table_);
    }

  private:
    PGconn* connection_;
    std::string_view table_;
    std::size_t outstanding_ = 0;
    result_handle failure_;
  };


  /// A failed COPY. Binary COPY carries each value in the exact binary form of the type syncorm
  /// creates for its field, so a column of another type in an existing table (a bigint where
  /// syncorm creates SMALLINT) fails with a protocol error or a binary format error that names the
  /// column; the session itself is fine. Said as what it is, rather than as a lost connection.
  template <class T>
  [[noreturn]] void throw_copy_error(const PGresult* result) {
    constexpr std::string_view table = table_name_v<T>;
    const char* state = PQresultErrorField(result, PG_DIAG_SQLSTATE);
    const std::string_view sqlstate = state != nullptr ? state : "";
    const char* context = PQresultErrorField(result, PG_DIAG_CONTEXT);
    const std::string column = column_from_context(context != nullptr ? context : "", {});
    if ((sqlstate == "08P01" || sqlstate == "22P03") && PQstatus(handle_) == CONNECTION_OK && !column.empty()) {
      std::string_view expected;
      for_each_field_index<T>([&](auto i) {
        if (field_name_v<T, i> == column) expected = dialect::column_type(kind_of_field<field_type<T, i>>);
      });
      throw type_error("syncorm: insert_many cannot COPY into " + std::string(table) + "." + column +
                           ": binary COPY needs the column to have the type syncorm creates for its field (" +
                           std::string(expected) + "), and this table's does not: " +
                           trimmed(PQresultErrorMessage(result)),
                       std::string(table), column);
    }
    throw_postgres_error(handle_, result, table);
  }

  /// COPY data goes out in pieces of about this size: large enough to keep the socket busy,
  /// small enough not to hold a whole batch in memory twice.
  static constexpr std::size_t copy_chunk_bytes = 1 << 20;

  template <class T, class Range>
  void reserve_keys(Range& rows) {
    constexpr std::string_view table = table_name_v<T>;
    std::int64_t count = 0;
    for ([[maybe_unused]] const T& row : rows) ++count;
    try {
      cursor q{*this, reserve_keys_statement()};
      q.bind(std::string_view{sequence_of(table)});  // text: resolved to the sequence once, at bind
      q.bind(count);
      for (T& row : rows) {
        std::int64_t key = 0;
        if (!q.next() || q.read(0, key) != read_status::value)
          throw error("syncorm: PostgreSQL did not reserve ids for " + std::string(table), std::string(table));
        assign_generated_key(row, key);
      }
    } catch (...) {
      sequence_names_.erase(std::string(table));  // perhaps stale: look it up again next time
      throw;
    }
  }

  /// SELECT nextval($1) FROM generate_series(1, $2), with $1 a regclass sent as text: the server
  /// resolves the sequence's name once per call, not once per id (6x faster on 100,000 ids than
  /// nextval(pg_get_serial_sequence(...)) per row).
  prepared_statement& reserve_keys_statement() {
    if (!reserve_keys_) {
      reserve_keys_ = std::make_unique<prepared_statement>();
      prepared_statement& s = *reserve_keys_;
      s.name = "syncorm_reserve_keys";
      s.sql = "SELECT nextval($1) FROM generate_series(1, $2)";
      s.types = {0, static_cast<unsigned int>(oid::int8)};  // 0: the server infers regclass
      s.parameter_count = 2;
      s.read_only = true;  // repeating it only skips ids, which identities may do anyway
      s.values.resize(2);
      s.lengths.resize(2);
      s.formats = {0, 1};
      s.scratch.resize(16);
    }
    return *reserve_keys_;
  }

  /// The identity sequence of `table`'s id column, cached per connection by table name.
  const std::string& sequence_of(std::string_view table) {
    const auto known = sequence_names_.find(table);
    if (known != sequence_names_.end()) return known->second;
    std::string quoted;
    append_identifier(quoted, table);
    const char* values[] = {quoted.c_str()};
    const result_handle result = with_reconnect(
        [&](bool& sent) {
          sent = true;
          return result_handle{PQexecParams(handle_, "SELECT pg_get_serial_sequence($1, 'id')", 1, nullptr, values,
                                            nullptr, nullptr, 0)};
        },
        true, table);
    if (PQntuples(result.get()) != 1 || PQgetisnull(result.get(), 0, 0) != 0)
      throw error("syncorm: " + std::string(table) + ".id has no identity sequence, so insert_many cannot reserve ids",
                  std::string(table), "id");
    return sequence_names_.emplace(std::string(table), PQgetvalue(result.get(), 0, 0)).first->second;
  }

  void send_copy_data(std::string& buffer, std::string_view table) {
    if (PQputCopyData(handle_, buffer.data(), static_cast<int>(buffer.size())) != 1)
      throw_postgres_error(handle_, nullptr, table);
    buffer.clear();
  }

  /// The command's result, after reading everything up to the end of the command.
  result_handle finish_command() {
    result_handle first{PQgetResult(handle_)};
    while (PGresult* more = PQgetResult(handle_)) PQclear(more);
    return first;
  }

  void open() {
    const char* keywords[] = {"dbname", "client_encoding", "application_name", nullptr};
    const char* values[] = {conninfo_.c_str(), "UTF8", settings_.application_name.c_str(), nullptr};
    // expand_dbname: the first value is a whole connection string; the settings after it win.
    // Owned from here on: a failed connection must be finished too, or it leaks.
    owned_.reset(PQconnectdbParams(keywords, values, 1));
    handle_ = owned_.get();
    check_connected();
  }

  void check_connected() {
    if (handle_ == nullptr) throw connection_error("syncorm: cannot connect to PostgreSQL: out of memory");
    if (PQstatus(handle_) != CONNECTION_OK)
      throw connection_error("syncorm: cannot connect to PostgreSQL: " + trimmed(PQerrorMessage(handle_)));
    // Notices ("relation already exists, skipping") would go to stderr by default; the receiver
    // keeps only the one that tells a restart apart.
    PQsetNoticeReceiver(handle_, &connection::receive_notice, this);
    const char* integer_datetimes = PQparameterStatus(handle_, "integer_datetimes");
    if (integer_datetimes == nullptr || std::string_view{integer_datetimes} != "on")
      throw connection_error("syncorm: the PostgreSQL server must use integer datetimes");
    // A `timestamp` (without time zone) column created outside syncorm stores wall time in the
    // session's time zone: in UTC, time_points round-trip through it exactly, whatever the server's
    // or database's default zone (America/New_York would shift every value by hours).
    const char* zone = PQparameterStatus(handle_, "TimeZone");
    if (zone == nullptr || (std::string_view{zone} != "UTC" && std::string_view{zone} != "Etc/UTC")) {
      const result_handle set{PQexec(handle_, "SET TimeZone = 'UTC'")};
      if (PQresultStatus(set.get()) != PGRES_COMMAND_OK)
        throw connection_error("syncorm: cannot set the PostgreSQL session's TimeZone to UTC: " +
                               trimmed(PQresultErrorMessage(set.get())));
    }
    ++generation_;  // statements prepared on an earlier session are gone
    if (settings_.read_only) {
      // A session setting, so set again on every new session (not a connection option, which
      // would replace an `options` the connection string may give).
      const result_handle set{PQexec(handle_, "SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")};
      if (PQresultStatus(set.get()) != PGRES_COMMAND_OK)
        throw connection_error("syncorm: cannot make the PostgreSQL session read-only: " +
                               trimmed(PQresultErrorMessage(set.get())));
    }
  }

  /// A new session on the same connection string: only ever between transactions.
  void reconnect() {
    PQreset(handle_);
    check_connected();
  }

  /// Before a statement: a connection known dead is replaced, unless a transaction was open on it.
  void ensure_open() {
    if (deferred_ != 0) [[unlikely]] read_deferred(true);
    if (PQstatus(handle_) == CONNECTION_OK) [[likely]] return;
    if (state_.depth > 0)
      throw connection_error("syncorm: the PostgreSQL connection was lost inside a transaction, which the server "
                             "rolled back: " + trimmed(PQerrorMessage(handle_)));
    reconnect();
  }

  /// Sends `statement` (bound) in pipeline mode without reading its answer; false when writes are
  /// not being deferred (then the caller runs it). Outside a transaction nothing is deferred: each
  /// statement is then its own transaction and its answer is its commit.
  bool send_deferred(prepared_statement& statement) {
    if (!defer_writes_ || state_.depth == 0) return false;
    if (statement.generation != generation_) {
      read_deferred(true);  // leaves pipeline mode, which prepare_once needs
      ensure_open();
      prepare_once(statement);
    }
    if (PQpipelineStatus(handle_) == PQ_PIPELINE_OFF && PQenterPipelineMode(handle_) != 1)
      throw_postgres_error(handle_, nullptr, statement.table);
    if (PQsendQueryPrepared(handle_, statement.name.c_str(), statement.parameter_count, statement.values.data(),
                            statement.lengths.data(), statement.formats.data(), 1) != 1)
      throw_postgres_error(handle_, nullptr, statement.table, statement.parameters);
    deferred_table_ = statement.table;
    ++deferred_since_on_;
    if (++deferred_ >= pipeline_batch) read_deferred(true);  // before the answers fill the socket buffers
    return true;
  }

  /// Reads the answers to the deferred statements and leaves pipeline mode. Throws the first
  /// failure when `report` (the server has then aborted the transaction).
  void read_deferred(bool report) {
    if (PQpipelineStatus(handle_) == PQ_PIPELINE_OFF) {
      deferred_ = 0;
      return;
    }
    pipeline_results results{handle_, deferred_table_, std::exchange(deferred_, 0)};
    if (!report) return;  // the destructor reads what is left and leaves pipeline mode
    results.sync_and_read();
    results.leave_pipeline_mode();
  }

  /// Runs `attempt` (which returns a result and says whether the statement reached the server).
  /// If the connection turns out to be dead outside a transaction, reconnects and tries once more,
  /// but only when that cannot apply anything twice: the statement was never sent, it changes
  /// nothing, or the server announced it was terminating the session before running it.
  template <class Attempt>
  result_handle with_reconnect(Attempt&& attempt, bool repeatable, std::string_view table,
                               std::span<const parameter_info> parameters = {}) {
    ensure_open();
    // A write outside a transaction cannot be repeated blindly, so first make sure the session did
    // not end while idle (a server restart): then nothing was sent and a new session is safe.
    if (!repeatable && state_.depth == 0 && closed_while_idle()) reconnect();
    terminated_by_server_ = false;
    bool sent = false;
    result_handle result = attempt(sent);
    if (succeeded(result)) [[likely]] return result;
    const bool safe = !sent || repeatable || terminated_by_server_ ||
                      server_terminated_session(PQresultErrorField(result.get(), PG_DIAG_SQLSTATE));
    if (PQstatus(handle_) == CONNECTION_BAD && state_.depth == 0 && safe) {
      reconnect();
      sent = false;
      result = attempt(sent);
      if (succeeded(result)) return result;
    }
    throw_postgres_error(handle_, result.get(), table, parameters);
  }

  /// Runs a prepared statement, preparing it first on this session when it is not yet.
  result_handle run_prepared(prepared_statement& statement) {
    auto attempt = [&](bool& sent) {
      if (statement.generation != generation_) {
        result_handle prepared = prepare(statement);
        if (!succeeded(prepared)) return prepared;
        statement.generation = generation_;
      }
      sent = true;
      return result_handle{PQexecPrepared(handle_, statement.name.c_str(), statement.parameter_count,
                                          statement.values.data(), statement.lengths.data(),
                                          statement.formats.data(), 1)};
    };
    return with_reconnect(attempt, statement.read_only, statement.table, statement.parameters);
  }

  /// Prepares `statement` on this session unless it is already; throws if the server refuses. Not
  /// in pipeline mode: PQprepare waits for its answer. (run_prepared does the same inside its
  /// reconnect logic, where a failure is a result to look at rather than an exception.)
  void prepare_once(prepared_statement& statement) {
    if (statement.generation == generation_) return;
    const result_handle prepared = prepare(statement);
    if (!succeeded(prepared)) throw_postgres_error(handle_, prepared.get(), statement.table);
    statement.generation = generation_;
  }

  result_handle prepare(const prepared_statement& statement) {
    return result_handle{PQprepare(handle_, statement.name.c_str(), statement.sql.data(), statement.parameter_count,
                                   statement.types.data())};
  }

  /// Drops the notifications received so far; true if there were any.
  bool take_notifications() {
    bool any = false;
    while (PGnotify* n = PQnotifies(handle_)) {
      PQfreemem(n);
      any = true;
    }
    return any;
  }

  static bool succeeded(const result_handle& result) {
    const ExecStatusType status = PQresultStatus(result.get());
    return status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK;
  }

  /// A simple-protocol statement (transaction control, DDL). `repeatable`: running it twice is
  /// harmless (BEGIN), so on a connection found dead it may be sent again on a new one.
  result_handle run_simple(const std::string& sql, bool repeatable) {
    return with_reconnect(
        [&](bool& sent) {
          sent = true;
          return result_handle{PQexec(handle_, sql.c_str())};
        },
        repeatable, {});
  }

  /// Whether the server ended this session while it sat idle. Reads, without waiting, what arrived
  /// meanwhile: a server shutting down sends a termination notice and closes the socket, and libpq
  /// only reports either when it reads them (during the next statement it would be too late to
  /// know that statement never ran).
  bool closed_while_idle() {
    if (PQconsumeInput(handle_) == 0) return true;
    (void)PQisBusy(handle_);  // parses the input; a termination notice sets terminated_by_server_
    return terminated_by_server_ || PQstatus(handle_) != CONNECTION_OK;
  }

  /// An error the server sends outside any statement (it is shutting this session down) reaches
  /// libpq as a notice; it is how a server restart is told apart from a failure mid-statement.
  static void receive_notice(void* self, const PGresult* notice) {
    if (server_terminated_session(PQresultErrorField(notice, PG_DIAG_SQLSTATE)))
      static_cast<connection*>(self)->terminated_by_server_ = true;
  }

  struct finish_connection {
    void operator()(PGconn* c) const noexcept { PQfinish(c); }
  };

  std::string conninfo_;
  syncorm::postgres::options settings_;
  std::unique_ptr<PGconn, finish_connection> owned_;
  PGconn* handle_ = nullptr;  // owned_.get(), named for the many libpq calls
  std::uint64_t generation_ = 0;
  std::uint64_t listening_generation_ = 0;  // the session generation LISTEN was sent on (0: none)
  bool terminated_by_server_ = false;
  bool defer_writes_ = false;
  std::size_t deferred_ = 0;            // statements sent in pipeline mode whose answers are unread
  std::size_t deferred_since_on_ = 0;   // statements deferred since defer_writes(true)
  std::string_view deferred_table_;     // the table a failure among them is reported on: the last one's (the
                                        // subscriber finds the failing statement by running it again)
  std::unique_ptr<prepared_statement> reserve_keys_;
  std::map<std::string, std::string, std::less<>> sequence_names_;
  statement_cache<prepared_statement*, delete_prepared> statements_;
  transaction_state state_;
};

inline void cursor::finish_later() {
  if (!owner_.send_deferred(statement_)) finish();
}

inline void cursor::run() {
  result_ = owner_.run_prepared(statement_);
  rows_ = PQntuples(result_.get());
  const int fields = PQnfields(result_.get());
  statement_.column_types.resize(static_cast<std::size_t>(fields));
  for (int i = 0; i < fields; ++i)
    statement_.column_types[static_cast<std::size_t>(i)] = static_cast<oid>(PQftype(result_.get(), i));
}

}  // namespace syncorm::detail::postgres
