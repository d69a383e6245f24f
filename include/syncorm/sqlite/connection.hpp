#pragma once
// One SQLite connection: opening it, the per-connection statement cache, running statements
// (cursor), transaction control, and translating SQLite's errors into syncorm's.

#include <sqlite3.h>

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "../error.hpp"
#include "../core/change_log.hpp"
#include "../core/chrono.hpp"
#include "../core/field_types.hpp"
#include "../core/floating_point.hpp"
#include "../core/growing_array.hpp"
#include "../core/row_io.hpp"
#include "../core/session.hpp"
#include "../core/statement_cache.hpp"
#include "dialect.hpp"

namespace syncorm::sqlite {

/// How SQLite syncs to disk: `full` survives power loss; `normal` (with WAL) survives a crash of
/// the process but may lose the last commits on power loss; `off` is for throwaway data.
enum class synchronous_mode { off, normal, full };

/// Settings for opening a SQLite database.
struct options {
  /// How long a statement waits for another connection's lock before failing with "locked".
  std::chrono::milliseconds busy_timeout{5000};
  /// Durability of commits; see synchronous_mode.
  synchronous_mode synchronous = synchronous_mode::full;
  /// Write-ahead logging (readers do not block the writer); ignored for in-memory databases.
  bool write_ahead_log = true;
  /// Opens the file read-only (SQLITE_OPEN_READONLY): every write fails. The file must exist; a
  /// cluster's read connections are opened so.
  bool read_only = false;
};

}  // namespace syncorm::sqlite

namespace syncorm::detail::sqlite {

/// Where SQLite's error text says the error is: views into the text.
struct message_location {
  std::string_view table;
  std::string_view column;
};

/// "UNIQUE constraint failed: users.email" -> {"users", "email"}; also "... column users.email".
[[gnu::cold]] inline message_location table_and_column_from_message(std::string_view message) {
  std::size_t start = message.find("failed: ");
  if (start != std::string_view::npos) start += 8;
  else if ((start = message.find(" column ")) != std::string_view::npos) start += 8;
  else return {};
  std::string_view subject = message.substr(start);
  subject = subject.substr(0, subject.find_first_of(", "));
  const std::size_t dot = subject.find('.');
  if (dot == std::string_view::npos) return {{}, subject};
  return {subject.substr(0, dot), subject.substr(dot + 1)};
}

/// Throws the syncorm error for SQLite result code `code`, naming the table and the column (from
/// SQLite's message, or else `parameter_column`: the one whose parameter was being bound).
[[noreturn, gnu::cold, gnu::noinline]] inline void throw_sqlite_error(sqlite3* db, int code, std::string_view table,
                                                                      std::string_view parameter_column = {}) {
  // Valid until the next call on `db`; copied into the exception's message before that.
  const std::string_view message = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(code);
  const int primary = code & 0xff;
  if (primary == SQLITE_CANTOPEN || primary == SQLITE_NOTADB)
    throw_error<connection_error>({"syncorm: cannot use the SQLite database: ", message}, table);
#ifdef SQLITE_CONSTRAINT_DATATYPE
  const bool wrong_type = code == SQLITE_CONSTRAINT_DATATYPE || primary == SQLITE_MISMATCH;
  const bool constraint = primary == SQLITE_CONSTRAINT && code != SQLITE_CONSTRAINT_DATATYPE;
#else
  const bool wrong_type = primary == SQLITE_MISMATCH;
  const bool constraint = primary == SQLITE_CONSTRAINT;
#endif
  const auto [message_table, message_column] = table_and_column_from_message(message);
  const std::string_view column = message_column.empty() ? parameter_column : message_column;
  const std::string_view named_table = message_table.empty() ? table : message_table;
  // " on table.column", " on table" or nothing, as far as they are known.
  const std::string_view on = named_table.empty() && column.empty() ? "" : " on ";
  const std::string_view dot = column.empty() ? "" : ".";
  const std::string text = join({"syncorm: ", wrong_type ? "wrong type" : constraint ? "constraint violated" : "SQLite error",
                                 on, named_table, dot, column, ": ", message});
  // A violated constraint names the table SQLite reports; other errors the statement's table.
  const bool from_message = constraint || (wrong_type && primary == SQLITE_CONSTRAINT);
  std::string error_table{from_message ? named_table : table};
  if (wrong_type) throw type_error(text, std::move(error_table), std::string(column));
  if (constraint) throw constraint_error(text, std::move(error_table), std::string(column));
  throw error(text, std::move(error_table), std::string(column));
}

/// A prepared statement running once: binds parameters in order, steps, reads the current row.
/// Resetting it on destruction returns it to the connection's cache ready for the next call.
class cursor {
public:
  /// `parameters`: the compiled statement's, so that a value refused while binding names its
  /// column (none for statements without parameters).
  cursor(sqlite3_stmt* statement, sqlite3* db, std::string_view table,
         const parameter_info* parameters = nullptr) noexcept
      : statement_(statement), db_(db), table_(table), parameters_(parameters) {}
  cursor(const cursor&) = delete;
  cursor& operator=(const cursor&) = delete;
  ~cursor() { sqlite3_reset(statement_); }

  void bind(std::int64_t v) { check_bind(sqlite3_bind_int64(statement_, ++index_, v)); }
  void bind(std::int32_t v) { bind(std::int64_t{v}); }
  void bind(std::int16_t v) { bind(std::int64_t{v}); }
  void bind(double v) {
    // SQLite stores NaN as NULL: refuse it rather than lose the value.
    if (is_nan(v)) [[unlikely]] {
      const std::string_view column = parameter_column(index_);
      throw_error<type_error>({"syncorm: SQLite cannot store NaN (it would become NULL), given for ", table_,
                               column.empty() ? "" : ".", column, "; nothing was written"},
                              table_, column);
    }
    check_bind(sqlite3_bind_double(statement_, ++index_, v));
  }
  void bind(float v) { bind(static_cast<double>(v)); }
  void bind(bool v) { bind(std::int64_t{v ? 1 : 0}); }
  void bind(wire_time v) { bind(std::int64_t{v.time_since_epoch().count()}); }
  void bind(std::string_view v) {
    // SQLITE_STATIC: the text outlives the step that reads it. A null pointer would bind NULL.
    check_bind(sqlite3_bind_text64(statement_, ++index_, v.data() != nullptr ? v.data() : "", v.size(),
                                   SQLITE_STATIC, SQLITE_UTF8));
  }
  void bind(blob_view v) {
    if (v.empty()) check_bind(sqlite3_bind_zeroblob(statement_, ++index_, 0));  // not NULL: an empty blob
    else check_bind(sqlite3_bind_blob64(statement_, ++index_, v.data(), v.size(), SQLITE_STATIC));
  }
  void bind_null(value_kind) { check_bind(sqlite3_bind_null(statement_, ++index_)); }

  /// Steps to the next row; false when there is none.
  bool next() {
    const int code = sqlite3_step(statement_);
    if (code == SQLITE_ROW) return true;
    if (code == SQLITE_DONE) [[likely]] return false;
    throw_sqlite_error(db_, code, table_);
  }

  /// Runs to completion; returns the number of rows changed.
  std::int64_t finish() {
    int code = 0;
    while ((code = sqlite3_step(statement_)) == SQLITE_ROW) {
    }
    if (code != SQLITE_DONE) [[unlikely]] throw_sqlite_error(db_, code, table_);
#if SQLITE_VERSION_NUMBER >= 3037000
    return sqlite3_changes64(db_);
#else
    return sqlite3_changes(db_);
#endif
  }

  // Each read takes the column's value once and asks it for its type and content: one pass through
  // SQLite's column bookkeeping instead of two (sqlite3_column_type, then sqlite3_column_int64).
  // The connection is opened NOMUTEX, where protected and unprotected values are the same thing.

  read_status read(int column, std::int64_t& out) const noexcept {
    sqlite3_value* v = sqlite3_column_value(statement_, column);
    switch (sqlite3_value_type(v)) {
      case SQLITE_INTEGER: out = sqlite3_value_int64(v); return read_status::value;
      case SQLITE_NULL: return read_status::null;
      default: return read_status::mismatch;
    }
  }
  read_status read(int column, double& out) const noexcept {
    sqlite3_value* v = sqlite3_column_value(statement_, column);
    switch (sqlite3_value_type(v)) {
      case SQLITE_FLOAT:
      case SQLITE_INTEGER: out = sqlite3_value_double(v); return read_status::value;
      case SQLITE_NULL: return read_status::null;
      default: return read_status::mismatch;
    }
  }
  read_status read(int column, bool& out) const noexcept {
    std::int64_t raw = 0;
    const read_status s = read(column, raw);
    if (s != read_status::value) return s;
    if (raw != 0 && raw != 1) return read_status::mismatch;
    out = raw == 1;
    return s;
  }
  read_status read(int column, wire_time& out) const noexcept {
    std::int64_t raw = 0;
    const read_status s = read(column, raw);
    if (s == read_status::value) out = wire_time{std::chrono::microseconds{raw}};
    return s;
  }
  read_status read(int column, std::string_view& out) const noexcept {
    sqlite3_value* v = sqlite3_column_value(statement_, column);
    switch (sqlite3_value_type(v)) {
      case SQLITE_TEXT: {
        // Text first, then its length, as SQLite documents; the length keeps embedded NULs.
        const auto* text = reinterpret_cast<const char*>(sqlite3_value_text(v));
        out = std::string_view(text, static_cast<std::size_t>(sqlite3_value_bytes(v)));
        return read_status::value;
      }
      case SQLITE_NULL: return read_status::null;
      default: return read_status::mismatch;
    }
  }
  read_status read(int column, blob_view& out) const noexcept {
    sqlite3_value* v = sqlite3_column_value(statement_, column);
    switch (sqlite3_value_type(v)) {
      case SQLITE_BLOB: {
        const auto* bytes = static_cast<const std::byte*>(sqlite3_value_blob(v));
        out = blob_view(bytes, static_cast<std::size_t>(sqlite3_value_bytes(v)));
        return read_status::value;
      }
      case SQLITE_NULL: return read_status::null;
      default: return read_status::mismatch;
    }
  }

  /// The stored type of a column of the current row, for error messages.
  std::string describe(int column) const {
    switch (sqlite3_column_type(statement_, column)) {
      case SQLITE_INTEGER: return join({"the integer ", sqlite3_column_int64(statement_, column)});
      case SQLITE_FLOAT: return join({"the real ", shortest_text(sqlite3_column_double(statement_, column))});
      case SQLITE_TEXT: return "text";
      case SQLITE_BLOB: return "a blob";
      default: return "NULL";
    }
  }

private:
  /// The column of parameter `index` (counted from 0), or empty when unknown.
  std::string_view parameter_column(int index) const noexcept {
    return parameters_ != nullptr ? parameters_[index].column : std::string_view{};
  }
  /// After binding parameter index_ (counted from 1).
  void check_bind(int code) const {
    if (code != SQLITE_OK) [[unlikely]] throw_sqlite_error(db_, code, table_, parameter_column(index_ - 1));
  }

  sqlite3_stmt* statement_;
  sqlite3* db_;
  std::string_view table_;
  const parameter_info* parameters_;
  int index_ = 0;
};

struct finalize_statement {
  void operator()(sqlite3_stmt* statement) const noexcept { sqlite3_finalize(statement); }
};

/// Finalizes a statement prepared for one run when its scope ends, by exception or not (a
/// std::unique_ptr would cost every user <memory>).
struct finalize_on_exit {
  sqlite3_stmt* statement;
  explicit finalize_on_exit(sqlite3_stmt* prepared) noexcept : statement(prepared) {}
  finalize_on_exit(const finalize_on_exit&) = delete;
  finalize_on_exit& operator=(const finalize_on_exit&) = delete;
  ~finalize_on_exit() { sqlite3_finalize(statement); }
};

/// Fixed transaction-control statements, cached like any other statement.
struct begin_statement {
  static constexpr std::string_view sql = "BEGIN IMMEDIATE";  // take the write lock up front: no
                                                              // deadlock upgrading a read lock
  static constexpr std::string_view table = {};
};
struct commit_statement {
  static constexpr std::string_view sql = "COMMIT";
  static constexpr std::string_view table = {};
};
struct rollback_statement {
  static constexpr std::string_view sql = "ROLLBACK";
  static constexpr std::string_view table = {};
};
struct data_version_statement {
  static constexpr std::string_view sql = "PRAGMA data_version";
  static constexpr std::string_view table = {};
};

/// An open SQLite database handle and everything cached on it.
class connection {
public:
  using dialect = sqlite::dialect;

  connection(std::string_view path, const syncorm::sqlite::options& settings) : path_(path) {
    const int flags = (settings.read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
                      SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI;
    const int code = sqlite3_open_v2(path_.c_str(), &db_, flags, nullptr);
    if (code != SQLITE_OK) fail_to_open(db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(code));
    try {
      sqlite3_extended_result_codes(db_, 1);
      sqlite3_busy_timeout(db_, static_cast<int>(settings.busy_timeout.count()));
      using syncorm::sqlite::synchronous_mode;
      // Foreign keys are off by default in SQLite; LIKE is case-insensitive by default, which
      // PostgreSQL's is not: both set so the backends agree.
      const std::string_view pragmas[] = {
          "PRAGMA foreign_keys = ON",
          "PRAGMA case_sensitive_like = ON",
          // The journal mode is the file's; a read-only connection finds it as the writer set it.
          settings.write_ahead_log && !settings.read_only ? "PRAGMA journal_mode = WAL" : "",
          settings.synchronous == synchronous_mode::off      ? "PRAGMA synchronous = OFF"
          : settings.synchronous == synchronous_mode::normal ? "PRAGMA synchronous = NORMAL"
                                                             : "PRAGMA synchronous = FULL"};
      // One call of execute(), which the compiler would otherwise expand once per pragma.
      for (const std::string_view pragma : pragmas) execute(pragma);
    } catch (const error& e) {
      fail_to_open(e.what());
    }
  }

  connection(const connection&) = delete;
  connection& operator=(const connection&) = delete;

  ~connection() {
    statements_.clear();
    for (const auto& level : savepoints_)
      for (sqlite3_stmt* s : level) sqlite3_finalize(s);
    sqlite3_close_v2(db_);
  }

  transaction_state& state() noexcept { return state_; }
  sqlite3* native_handle() const noexcept { return db_; }

  /// The cached prepared statement for `Compiled`, ready to bind: the hot path.
  template <class Compiled>
  cursor start() {
    const parameter_info* parameters = nullptr;
    if constexpr (requires { Compiled::parameters; }) parameters = Compiled::parameters;
    return cursor{cached_statement(statement_slot<Compiled>(), Compiled::sql), db_, Compiled::table, parameters};
  }

  /// Runs SQL text (one or more statements, no parameters), without caching it.
  void execute(std::string_view sql) {
    while (!sql.empty()) {
      sqlite3_stmt* statement = nullptr;
      const char* tail = nullptr;
      const int code = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &statement, &tail);
      if (code != SQLITE_OK) throw_sqlite_error(db_, code, {});
      sql.remove_prefix(static_cast<std::size_t>(tail - sql.data()));
      if (statement == nullptr) continue;  // whitespace or a comment
      const finalize_on_exit owned{statement};
      cursor{statement, db_, {}}.finish();  // the cursor resets before `owned` finalizes
    }
  }

  void begin() { start<begin_statement>().finish(); }
  /// COMMIT, writing the transaction's outbox rows first. SQLite runs one writer at a time, so the
  /// positions it assigns them are already in commit order.
  void commit() {
    for (const captured_change& change : state_.changes.pending) {
      cursor q = start<compiled<insert_outbox_shape, dialect>>();
      bind_captured_change(q, change);
      q.finish();
    }
    start<commit_statement>().finish();
  }
  void rollback() {
    // SQLite rolls back by itself on some errors (a full disk, an I/O error); then there is
    // nothing left to roll back.
    if (sqlite3_get_autocommit(db_) == 0) start<rollback_statement>().finish();
  }
  void savepoint(int depth) { run_savepoint(depth, 0); }
  void release_savepoint(int depth) { run_savepoint(depth, 1); }
  void rollback_to_savepoint(int depth) {
    run_savepoint(depth, 2);
    run_savepoint(depth, 1);  // ROLLBACK TO keeps the savepoint open; release it too
  }

  std::int64_t last_insert_key() const noexcept { return sqlite3_last_insert_rowid(db_); }

  /// Changes whenever another connection (of this process or another) commits to the database: a
  /// cheap way to notice new outbox rows without reading the table.
  std::int64_t data_version() {
    cursor q = start<data_version_statement>();
    std::int64_t version = 0;
    if (!q.next() || q.read(0, version) != read_status::value)
      throw_error<error>({"syncorm: PRAGMA data_version returned no value"});
    return version;
  }

private:
  /// Closes the handle and throws connection_error naming the file and `reason`.
  [[noreturn, gnu::cold, gnu::noinline]] void fail_to_open(std::string_view reason) {
    // Joined before closing: `reason` may be the handle's own error text.
    const std::string message = join({"syncorm: cannot open SQLite database '", path_, "': ", reason});
    sqlite3_close_v2(db_);
    throw connection_error(message);
  }

  /// The statement cached in `slot`, prepared from `sql` on first use. One out-of-line copy for
  /// every statement type: the lookup is an index, and a copy of it in each operation would only
  /// lengthen users' builds.
  [[gnu::noinline]] sqlite3_stmt* cached_statement(std::size_t slot, std::string_view sql) {
    sqlite3_stmt* const* cached = statements_.find(slot, sql.data());
    return cached != nullptr ? *cached : statements_.store(slot, sql.data(), prepare(sql));
  }

  sqlite3_stmt* prepare(std::string_view sql) {
    sqlite3_stmt* statement = nullptr;
    // The text's NUL is counted: SQLite then need not copy it. PERSISTENT: it is reused for the
    // life of the connection.
    const int code = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size() + 1),
                                        SQLITE_PREPARE_PERSISTENT, &statement, nullptr);
    if (code != SQLITE_OK) throw_sqlite_error(db_, code, {});
    return statement;
  }

  /// Savepoint statements for each nesting depth: 0 SAVEPOINT, 1 RELEASE, 2 ROLLBACK TO.
  void run_savepoint(int depth, int which) {
    const auto level = static_cast<std::size_t>(depth);
    savepoints_.grow_to(level + 1);
    sqlite3_stmt*& statement = savepoints_[level][static_cast<std::size_t>(which)];
    if (statement == nullptr) {
      static constexpr std::array<std::string_view, 3> verbs{"SAVEPOINT", "RELEASE", "ROLLBACK TO"};
      const std::string sql = join({verbs[static_cast<std::size_t>(which)], " syncorm_", depth});
      statement = prepare(std::string_view{sql.c_str(), sql.size()});
    }
    cursor{statement, db_, {}}.finish();
  }

  std::string path_;
  sqlite3* db_ = nullptr;
  statement_cache<sqlite3_stmt*, finalize_statement> statements_;
  growing_array<std::array<sqlite3_stmt*, 3>> savepoints_;  // by depth: SAVEPOINT, RELEASE, ROLLBACK TO
  transaction_state state_;
};

}  // namespace syncorm::detail::sqlite
