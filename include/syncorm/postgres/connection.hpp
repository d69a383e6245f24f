#pragma once
// One PostgreSQL connection through libpq: connecting and reconnecting, named prepared statements
// cached per connection, running statements with binary parameters and results (cursor),
// transaction control, and translating SQLSTATEs into syncorm's errors.

#include <libpq-fe.h>

#include <bit>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "../error.hpp"
#include "../core/chrono.hpp"
#include "../core/field_types.hpp"
#include "../core/row_io.hpp"
#include "../core/session.hpp"
#include "../core/statement_cache.hpp"
#include "copy.hpp"
#include "dialect.hpp"
#include "wire.hpp"

namespace syncorm::postgres {

/// Settings for connecting to PostgreSQL.
struct options {
  /// Sent as application_name, visible in pg_stat_activity.
  std::string application_name = "syncorm";
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

/// Whether the server said it was shutting the session down: the statement was not run, so it
/// is safe to run it again on a new connection.
inline bool server_terminated_session(const char* sqlstate) {
  return sqlstate != nullptr && std::string_view{sqlstate}.starts_with("57P0");
}

/// Throws the syncorm error for a failed result (or, without one, the connection's last error).
[[noreturn]] inline void throw_postgres_error(PGconn* connection, const PGresult* result, std::string_view table) {
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
  const std::string subject = table_name.empty() ? "" : " on " + table_name + (column.empty() ? "" : "." + column);

  if (PQstatus(connection) == CONNECTION_BAD || sqlstate.starts_with("08") || sqlstate.starts_with("57P0"))
    throw connection_error("syncorm: PostgreSQL connection failed" + subject + ": " + message, table_name, column);
  if (sqlstate.starts_with("23"))
    throw constraint_error("syncorm: constraint violated" + subject + ": " + message, table_name, column,
                           field(PG_DIAG_CONSTRAINT_NAME));
  if (sqlstate.starts_with("22") || sqlstate == "42804")
    throw type_error("syncorm: wrong type" + subject + ": " + message, table_name, column);
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

  read_status read(int column, std::int64_t& out) const noexcept {
    const char* v = value(column);
    if (v == nullptr) return read_status::null;
    switch (statement_.column_types[static_cast<std::size_t>(column)]) {
      case oid::int8: out = static_cast<std::int64_t>(load_big_endian<std::uint64_t>(v)); return read_status::value;
      case oid::int4: out = static_cast<std::int32_t>(load_big_endian<std::uint32_t>(v)); return read_status::value;
      case oid::int2: out = static_cast<std::int16_t>(load_big_endian<std::uint16_t>(v)); return read_status::value;
      default: return read_status::mismatch;
    }
  }
  read_status read(int column, double& out) const noexcept {
    const char* v = value(column);
    if (v == nullptr) return read_status::null;
    switch (statement_.column_types[static_cast<std::size_t>(column)]) {
      case oid::float8: out = std::bit_cast<double>(load_big_endian<std::uint64_t>(v)); return read_status::value;
      case oid::float4:
        out = static_cast<double>(std::bit_cast<float>(load_big_endian<std::uint32_t>(v)));
        return read_status::value;
      default: {
        std::int64_t integer = 0;
        const read_status s = read(column, integer);
        if (s == read_status::value) out = static_cast<double>(integer);
        return s;
      }
    }
  }
  read_status read(int column, bool& out) const noexcept {
    const char* v = value(column);
    if (v == nullptr) return read_status::null;
    if (statement_.column_types[static_cast<std::size_t>(column)] != oid::boolean) return read_status::mismatch;
    out = *v != 0;
    return read_status::value;
  }
  read_status read(int column, wire_time& out) const noexcept {
    const char* v = value(column);
    if (v == nullptr) return read_status::null;
    const oid type = statement_.column_types[static_cast<std::size_t>(column)];
    if (type != oid::timestamptz && type != oid::timestamp) return read_status::mismatch;
    const auto since_2000 = static_cast<std::int64_t>(load_big_endian<std::uint64_t>(v));
    // ±infinity are stored as the extreme int64 values; no time_point can hold them.
    if (since_2000 == std::numeric_limits<std::int64_t>::max() ||
        since_2000 == std::numeric_limits<std::int64_t>::min())
      return read_status::mismatch;
    out = wire_time{std::chrono::microseconds{since_2000 + postgres_epoch_offset_us}};
    return read_status::value;
  }
  read_status read(int column, std::string_view& out) const noexcept {
    const char* v = value(column);
    if (v == nullptr) return read_status::null;
    switch (statement_.column_types[static_cast<std::size_t>(column)]) {
      case oid::text:
      case oid::varchar:
      case oid::bpchar:
      case oid::name: out = std::string_view(v, length(column)); return read_status::value;
      default: return read_status::mismatch;
    }
  }
  read_status read(int column, blob_view& out) const noexcept {
    const char* v = value(column);
    if (v == nullptr) return read_status::null;
    if (statement_.column_types[static_cast<std::size_t>(column)] != oid::bytea) return read_status::mismatch;
    out = blob_view(reinterpret_cast<const std::byte*>(v), length(column));
    return read_status::value;
  }

  /// The column's type as PostgreSQL names it, for error messages.
  std::string describe(int column) const {
    return "a value of type oid " +
           std::to_string(static_cast<unsigned>(statement_.column_types[static_cast<std::size_t>(column)])) +
           " (see pg_type)";
  }

private:
  template <class Fixed>
  void bind_fixed(Fixed v) {
    char* slot = statement_.scratch.data() + 8 * next_;
    statement_.values[next_] = slot;
    statement_.lengths[next_] = encode(slot, v);
    ++next_;
  }
  void bind_bytes(const char* data, std::size_t size) {
    if (size > static_cast<std::size_t>(std::numeric_limits<int>::max()))
      throw error("syncorm: a value of " + std::to_string(size) + " bytes is larger than PostgreSQL accepts",
                  std::string(statement_.table));
    statement_.values[next_] = data != nullptr ? data : "";
    statement_.lengths[next_] = static_cast<int>(size);
    ++next_;
  }

  const char* value(int column) const noexcept {
    if (PQgetisnull(result_.get(), row_, column) != 0) return nullptr;
    return PQgetvalue(result_.get(), row_, column);
  }
  std::size_t length(int column) const noexcept {
    return static_cast<std::size_t>(PQgetlength(result_.get(), row_, column));
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

  /// The statement for `Compiled`, prepared on this connection if it is not yet: the hot path.
  template <class Compiled>
  cursor start() {
    prepared_statement& statement = *statements_.template get<Compiled>([] {
      auto* s = new prepared_statement;
      s->name = "syncorm_" + std::to_string(statement_slot<Compiled>());
      s->sql = Compiled::sql;
      s->parameter_count = static_cast<int>(Compiled::parameter_count);
      for (std::size_t i = 0; i < Compiled::parameter_count; ++i)
        s->types.push_back(static_cast<unsigned int>(oid_of(Compiled::parameter_kinds[i])));
      s->read_only = Compiled::read_only;
      s->table = Compiled::table;
      s->values.resize(Compiled::parameter_count);
      s->lengths.resize(Compiled::parameter_count);
      s->formats.assign(Compiled::parameter_count, 1);  // every parameter in binary
      s->scratch.resize(8 * Compiled::parameter_count);
      return s;
    });
    return cursor{*this, statement};
  }

  /// Runs SQL text without parameters (DDL; several statements allowed), without caching it.
  void execute(std::string_view sql) {
    sequence_names_.clear();  // DDL may have dropped or renamed a table
    run_simple(std::string(sql), false);
  }

  void begin() { run_simple("BEGIN", true); }
  void commit() {
    const result_handle done = run_simple("COMMIT", false);
    // COMMIT of a transaction the server already aborted answers ROLLBACK instead of failing.
    if (std::string_view{PQcmdStatus(done.get())} != "COMMIT")
      throw error("syncorm: PostgreSQL rolled the transaction back instead of committing it");
  }
  void rollback() {
    if (PQstatus(handle_) == CONNECTION_OK) run_simple("ROLLBACK", false);
  }
  void savepoint(int depth) { run_simple("SAVEPOINT syncorm_" + std::to_string(depth), false); }
  void release_savepoint(int depth) { run_simple("RELEASE SAVEPOINT syncorm_" + std::to_string(depth), false); }
  void rollback_to_savepoint(int depth) {
    run_simple("ROLLBACK TO SAVEPOINT syncorm_" + std::to_string(depth), false);
    release_savepoint(depth);
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
    if (PQresultStatus(done.get()) != PGRES_COMMAND_OK) throw_postgres_error(handle_, done.get(), table);
  }

private:
  friend class cursor;

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
    ++generation_;  // statements prepared on an earlier session are gone
  }

  /// A new session on the same connection string: only ever between transactions.
  void reconnect() {
    PQreset(handle_);
    check_connected();
  }

  /// Before a statement: a connection known dead is replaced, unless a transaction was open on it.
  void ensure_open() {
    if (PQstatus(handle_) == CONNECTION_OK) [[likely]] return;
    if (state_.depth > 0)
      throw connection_error("syncorm: the PostgreSQL connection was lost inside a transaction, which the server "
                             "rolled back: " + trimmed(PQerrorMessage(handle_)));
    reconnect();
  }

  /// Runs `attempt` (which returns a result and says whether the statement reached the server).
  /// If the connection turns out to be dead outside a transaction, reconnects and tries once more,
  /// but only when that cannot apply anything twice: the statement was never sent, it changes
  /// nothing, or the server announced it was terminating the session before running it.
  template <class Attempt>
  result_handle with_reconnect(Attempt&& attempt, bool repeatable, std::string_view table) {
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
    throw_postgres_error(handle_, result.get(), table);
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
    return with_reconnect(attempt, statement.read_only, statement.table);
  }

  result_handle prepare(const prepared_statement& statement) {
    return result_handle{PQprepare(handle_, statement.name.c_str(), statement.sql.data(), statement.parameter_count,
                                   statement.types.data())};
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
  bool terminated_by_server_ = false;
  std::unique_ptr<prepared_statement> reserve_keys_;
  std::map<std::string, std::string, std::less<>> sequence_names_;
  statement_cache<prepared_statement*, delete_prepared> statements_;
  transaction_state state_;
};

inline void cursor::run() {
  result_ = owner_.run_prepared(statement_);
  rows_ = PQntuples(result_.get());
  const int fields = PQnfields(result_.get());
  statement_.column_types.resize(static_cast<std::size_t>(fields));
  for (int i = 0; i < fields; ++i)
    statement_.column_types[static_cast<std::size_t>(i)] = static_cast<oid>(PQftype(result_.get(), i));
}

}  // namespace syncorm::detail::postgres
