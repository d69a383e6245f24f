// Data fidelity, checked against an independent reader and writer on both backends: the raw
// sqlite3 C API, and libpq in text format (so PostgreSQL's own output and input functions, not
// syncorm's binary codec). Every field type's edge values are written by syncorm (insert,
// insert_many, update, update_where) and must be stored exactly as the peer reads them, or be
// refused with a type_error naming table and column and nothing written; values the peer writes
// must be read by syncorm exactly, or refused the same way.

#include <doctest/doctest.h>

#include <bit>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "support/backends.hpp"
#include "support/models.hpp"

using syncorm::col;
using syncorm::where;
using test_models::Priority;
using time_point = std::chrono::system_clock::time_point;

namespace {

/// Every supported field type, plain and optional.
struct Sample {
  std::int64_t id = 0;
  std::int8_t i8 = 0;
  std::int16_t i16 = 0;
  std::int32_t i32 = 0;
  std::int64_t i64 = 0;
  std::uint8_t u8 = 0;
  std::uint16_t u16 = 0;
  std::uint32_t u32 = 0;
  Priority level = Priority::normal;
  bool flag = false;
  float f32 = 0;
  double f64 = 0;
  std::string text;
  std::vector<std::byte> bytes;
  time_point when{};
  std::optional<std::int8_t> maybe_i8;
  std::optional<std::int16_t> maybe_i16;
  std::optional<std::int32_t> maybe_i32;
  std::optional<std::int64_t> maybe_i64;
  std::optional<std::uint8_t> maybe_u8;
  std::optional<std::uint16_t> maybe_u16;
  std::optional<std::uint32_t> maybe_u32;
  std::optional<Priority> maybe_level;
  std::optional<bool> maybe_flag;
  std::optional<float> maybe_f32;
  std::optional<double> maybe_f64;
  std::optional<std::string> maybe_text;
  std::optional<std::vector<std::byte>> maybe_bytes;
  std::optional<time_point> maybe_when;
};

template <class L>
using limits = std::numeric_limits<L>;

using syncorm::detail::is_optional;
using syncorm::detail::unwrap_optional_t;

/// Equal, with floating point compared bit for bit (so -0.0 differs from +0.0) and NaN equal to NaN.
template <class V>
bool same_value(const V& a, const V& b) {
  if constexpr (is_optional<V>::value) {
    return a.has_value() == b.has_value() && (!a || same_value(*a, *b));
  } else if constexpr (std::is_floating_point_v<V>) {
    if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
    return std::memcmp(&a, &b, sizeof a) == 0;
  } else {
    return a == b;
  }
}

template <class Enum>
constexpr auto underlying(Enum e) {
  return static_cast<std::underlying_type_t<Enum>>(e);
}

std::vector<std::byte> bytes_of(std::initializer_list<int> values) {
  std::vector<std::byte> out;
  for (int v : values) out.push_back(static_cast<std::byte>(v));
  return out;
}

std::string hex(std::string_view bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (const char c : bytes) {
    const auto b = static_cast<unsigned char>(c);
    out += digits[b >> 4];
    out += digits[b & 15];
  }
  return out;
}

std::string hex(const std::vector<std::byte>& bytes) {
  return hex(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

std::string sql_quoted(std::string_view text) {
  std::string out = "'";
  for (const char c : text) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

std::int64_t microseconds_of(time_point t) {
  return std::chrono::floor<std::chrono::microseconds>(t).time_since_epoch().count();
}

time_point at_microseconds(std::int64_t us) { return time_point{std::chrono::microseconds{us}}; }

/// The earliest and latest whole microseconds a time_point holds (int64 nanoseconds).
constexpr std::int64_t earliest_us = -9'223'372'036'854'775;
constexpr std::int64_t latest_us = 9'223'372'036'854'775;

/// PostgreSQL's text output of a timestamptz in a session with TimeZone UTC and DateStyle ISO:
/// "2262-04-11 23:47:16.854775+00", the fraction without trailing zeros. Written here with the
/// standard calendar, independently of syncorm's formatter.
std::string postgres_timestamp_text(time_point t) {
  using namespace std::chrono;
  const auto us = floor<microseconds>(t);
  const auto day = floor<days>(us);
  const year_month_day date{day};
  const hh_mm_ss time{us - day};
  char text[64];
  std::snprintf(text, sizeof text, "%04d-%02u-%02u %02d:%02d:%02d", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                static_cast<int>(time.hours().count()), static_cast<int>(time.minutes().count()),
                static_cast<int>(time.seconds().count()));
  std::string out = text;
  if (const auto fraction = time.subseconds().count(); fraction != 0) {
    std::snprintf(text, sizeof text, ".%06d", static_cast<int>(fraction));
    std::string digits = text;
    while (digits.back() == '0') digits.pop_back();
    out += digits;
  }
  return out + "+00";
}

/// A value as the peer writes it: SQL text for each backend, or for SQLite a REAL bound through
/// sqlite3_bind_double (exact, where SQLite's own parsing of decimal text might not be). A backend
/// with nothing to write is skipped.
struct written {
  std::optional<std::string> sqlite;
  std::optional<std::string> postgres;
  std::optional<double> sqlite_real = std::nullopt;
};

written both(const std::string& sql) { return {sql, sql}; }

/// For float and double columns: bound as a double on SQLite, a quoted literal on PostgreSQL.
written real(double value, const std::string& postgres_literal) {
  return {std::nullopt, sql_quoted(postgres_literal), value};
}

/// The literal a column gets when it is not the one under test.
template <class F>
std::string default_literal(bool postgres) {
  using V = unwrap_optional_t<F>;
  if constexpr (is_optional<F>::value) return "NULL";
  else if constexpr (std::is_same_v<V, std::string>) return "''";
  else if constexpr (std::is_same_v<V, std::vector<std::byte>>) return postgres ? "''" : "x''";
  else if constexpr (std::is_same_v<V, time_point>) return postgres ? "'1970-01-01 00:00:00+00'" : "0";
  else return postgres ? "'0'" : "0";  // numbers, enums, booleans
}

/// INSERT INTO sample with `literal` for `column` and defaults for every other column but id.
std::string insert_sql(std::string_view column, std::string_view literal, bool postgres) {
  std::string names;
  std::string values;
  syncorm::detail::for_each_field_index<Sample>([&](auto i) {
    constexpr std::string_view name = syncorm::detail::field_name_v<Sample, i>;
    if constexpr (name != "id") {
      if (!names.empty()) {
        names += ", ";
        values += ", ";
      }
      names += "\"" + std::string(name) + "\"";
      values += name == column ? std::string(literal)
                               : default_literal<syncorm::detail::field_type<Sample, i>>(postgres);
    }
  });
  return "INSERT INTO sample (" + names + ") VALUES (" + values + ")";
}

// ---- the independent peers ----------------------------------------------------------------------

/// The raw sqlite3 C API on a connection of its own to the same database file.
class sqlite_peer {
public:
  explicit sqlite_peer(const syncorm::sqlite::database& orm) {
    REQUIRE(sqlite3_open_v2(sqlite3_db_filename(orm.native_handle(), "main"), &db_, SQLITE_OPEN_READWRITE,
                            nullptr) == SQLITE_OK);
  }
  sqlite_peer(const sqlite_peer&) = delete;
  sqlite_peer& operator=(const sqlite_peer&) = delete;
  ~sqlite_peer() { sqlite3_close_v2(db_); }

  static constexpr bool is_postgres = false;

  void execute(const std::string& sql) {
    char* message = nullptr;
    const int code = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message);
    const std::string text = message != nullptr ? message : "";
    sqlite3_free(message);
    REQUIRE_MESSAGE(code == SQLITE_OK, sql << ": " << text);
  }

  /// Inserts a row holding `value` in `column`; its id, or nothing when SQLite has no way to write it.
  std::optional<std::int64_t> insert(std::string_view column, const written& value) {
    if (value.sqlite) {
      execute(insert_sql(column, *value.sqlite, false));
      return sqlite3_last_insert_rowid(db_);
    }
    if (!value.sqlite_real) return std::nullopt;
    execute(insert_sql(column, "0", false));
    const std::int64_t id = sqlite3_last_insert_rowid(db_);
    const std::string sql = "UPDATE sample SET \"" + std::string(column) + "\" = ?1 WHERE id = ?2";
    sqlite3_stmt* statement = nullptr;
    REQUIRE(sqlite3_prepare_v2(db_, sql.c_str(), -1, &statement, nullptr) == SQLITE_OK);
    sqlite3_bind_double(statement, 1, *value.sqlite_real);
    sqlite3_bind_int64(statement, 2, id);
    const int code = sqlite3_step(statement);
    sqlite3_finalize(statement);
    REQUIRE_MESSAGE(code == SQLITE_DONE, sqlite3_errmsg(db_));
    return id;
  }

  /// Checks what `column` of row `id` holds, as the C API reads it, against `expected`.
  template <class F>
  void check_stored(std::string_view column, std::int64_t id, const F& expected) {
    const std::string sql = "SELECT \"" + std::string(column) + "\" FROM sample WHERE id = " + std::to_string(id);
    sqlite3_stmt* statement = nullptr;
    REQUIRE(sqlite3_prepare_v2(db_, sql.c_str(), -1, &statement, nullptr) == SQLITE_OK);
    REQUIRE(sqlite3_step(statement) == SQLITE_ROW);
    check_cell(statement, expected);
    sqlite3_finalize(statement);
  }

private:
  template <class F>
  static void check_cell(sqlite3_stmt* s, const F& expected) {
    const int type = sqlite3_column_type(s, 0);
    if constexpr (is_optional<F>::value) {
      if (!expected) CHECK(type == SQLITE_NULL);
      else check_cell(s, *expected);
    } else if constexpr (std::is_floating_point_v<F>) {
      REQUIRE(type == SQLITE_FLOAT);
      CHECK(same_value(sqlite3_column_double(s, 0), static_cast<double>(expected)));
    } else if constexpr (std::is_same_v<F, std::string>) {
      REQUIRE(type == SQLITE_TEXT);
      const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
      CHECK(hex(std::string_view(text, static_cast<std::size_t>(sqlite3_column_bytes(s, 0)))) == hex(expected));
    } else if constexpr (std::is_same_v<F, std::vector<std::byte>>) {
      REQUIRE(type == SQLITE_BLOB);
      const auto* bytes = static_cast<const char*>(sqlite3_column_blob(s, 0));
      CHECK(hex(std::string_view(bytes, static_cast<std::size_t>(sqlite3_column_bytes(s, 0)))) == hex(expected));
    } else {
      REQUIRE(type == SQLITE_INTEGER);
      const std::int64_t stored = sqlite3_column_int64(s, 0);
      if constexpr (std::is_same_v<F, time_point>) CHECK(stored == microseconds_of(expected));
      else if constexpr (std::is_enum_v<F>) CHECK(stored == static_cast<std::int64_t>(underlying(expected)));
      else CHECK(stored == static_cast<std::int64_t>(expected));
    }
  }

  sqlite3* db_ = nullptr;
};

/// libpq on a connection of its own to the same schema, in text format: what PostgreSQL's own
/// output functions print, and its input functions parse.
class postgres_peer {
public:
  explicit postgres_peer(syncorm::postgres::database& orm) {
    PGresult* schema = PQexec(orm.native_handle(), "SELECT current_schema()");
    const std::string conninfo =
        test_support::postgres_conninfo() + " options='-c search_path=" + PQgetvalue(schema, 0, 0) + "'";
    PQclear(schema);
    connection_ = PQconnectdb(conninfo.c_str());
    REQUIRE(PQstatus(connection_) == CONNECTION_OK);
    execute("SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; SET client_encoding = 'UTF8'; "
            "SET extra_float_digits = 1");
  }
  postgres_peer(const postgres_peer&) = delete;
  postgres_peer& operator=(const postgres_peer&) = delete;
  ~postgres_peer() { PQfinish(connection_); }

  static constexpr bool is_postgres = true;

  void execute(const std::string& sql) {
    PGresult* result = PQexec(connection_, sql.c_str());
    const ExecStatusType status = PQresultStatus(result);
    const std::string message = PQresultErrorMessage(result);
    PQclear(result);
    REQUIRE_MESSAGE((status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK), sql << ": " << message);
  }

  std::optional<std::int64_t> insert(std::string_view column, const written& value) {
    if (!value.postgres) return std::nullopt;
    const std::string sql = insert_sql(column, *value.postgres, true) + " RETURNING id";
    PGresult* result = PQexec(connection_, sql.c_str());
    const bool ok = PQresultStatus(result) == PGRES_TUPLES_OK;
    const std::string message = PQresultErrorMessage(result);
    const std::int64_t id = ok ? std::strtoll(PQgetvalue(result, 0, 0), nullptr, 10) : 0;
    PQclear(result);
    REQUIRE_MESSAGE(ok, sql << ": " << message);
    return id;
  }

  template <class F>
  void check_stored(std::string_view column, std::int64_t id, const F& expected) {
    const std::string sql = "SELECT \"" + std::string(column) + "\" FROM sample WHERE id = " + std::to_string(id);
    PGresult* result = PQexec(connection_, sql.c_str());
    REQUIRE(PQresultStatus(result) == PGRES_TUPLES_OK);
    REQUIRE(PQntuples(result) == 1);
    const bool null = PQgetisnull(result, 0, 0) != 0;
    const std::string text(PQgetvalue(result, 0, 0), static_cast<std::size_t>(PQgetlength(result, 0, 0)));
    PQclear(result);
    check_text(null, text, expected);
  }

private:
  template <class F>
  static void check_text(bool null, const std::string& text, const F& expected) {
    CAPTURE(text);
    if constexpr (is_optional<F>::value) {
      if (!expected) CHECK(null);
      else check_text(null, text, *expected);
      return;
    } else {
      REQUIRE_FALSE(null);
      if constexpr (std::is_same_v<F, bool>) {
        CHECK(text == (expected ? "t" : "f"));
      } else if constexpr (std::is_same_v<F, float>) {
        char* end = nullptr;
        const float parsed = std::strtof(text.c_str(), &end);
        CHECK(end == text.c_str() + text.size());
        CHECK(same_value(parsed, expected));
      } else if constexpr (std::is_same_v<F, double>) {
        char* end = nullptr;
        const double parsed = std::strtod(text.c_str(), &end);
        CHECK(end == text.c_str() + text.size());
        CHECK(same_value(parsed, expected));
      } else if constexpr (std::is_same_v<F, std::string>) {
        CHECK(hex(text) == hex(expected));
      } else if constexpr (std::is_same_v<F, std::vector<std::byte>>) {
        CHECK(text == "\\x" + hex(expected));
      } else if constexpr (std::is_same_v<F, time_point>) {
        CHECK(text == postgres_timestamp_text(expected));
      } else if constexpr (std::is_enum_v<F>) {
        CHECK(text == std::to_string(underlying(expected)));
      } else {
        CHECK(text == std::to_string(expected));
      }
    }
  }

  PGconn* connection_ = nullptr;
};

template <class Backend>
using peer_of = std::conditional_t<std::is_same_v<Backend, test_support::postgres_backend>, postgres_peer, sqlite_peer>;

template <class Database>
Database& with_sample_table(Database& db) {
  db.template create_table<Sample>();
  return db;
}

/// Whether PostgreSQL's integer and float columns are widened to what SQLite's STRICT INTEGER and
/// REAL already are (64-bit integers, doubles), so that the peer can write values that do not fit
/// the field. Only for reading: binary COPY (insert_many) needs the column types syncorm creates.
enum class columns { as_created, widened };

/// syncorm on a fresh database with the sample table, and the peer beside it.
template <class Backend>
struct fixture {
  static constexpr bool postgres = peer_of<Backend>::is_postgres;
  typename Backend::database db = Backend::open();
  peer_of<Backend> peer{with_sample_table(db)};

  explicit fixture(columns types = columns::as_created) {
    if (types == columns::widened) widen_columns();
  }

private:
  void widen_columns() {
    if constexpr (postgres) {
      std::string sql = "ALTER TABLE sample";
      const char* separator = " ";
      for (const char* name : {"i8", "i16", "i32", "u8", "u16", "u32", "level", "maybe_i8", "maybe_i16", "maybe_i32",
                               "maybe_u8", "maybe_u16", "maybe_u32", "maybe_level"}) {
        sql += separator + std::string("ALTER COLUMN \"") + name + "\" TYPE bigint";
        separator = ", ";
      }
      sql += ", ALTER COLUMN f32 TYPE double precision, ALTER COLUMN maybe_f32 TYPE double precision";
      peer.execute(sql);
    }
  }
};

/// Runs `action`, which must throw a type_error naming sample.<column> whose message (short: no
/// three-hundred-digit numbers) contains `what`.
template <class Action>
void expect_type_error(std::string_view column, std::string_view what, Action&& action) {
  try {
    action();
    FAIL("expected a type_error");
  } catch (const syncorm::type_error& e) {
    CAPTURE(e.what());
    CAPTURE(what);
    CHECK(e.table() == "sample");
    CHECK(e.column() == column);
    CHECK(std::string_view{e.what()}.find(what) != std::string_view::npos);
    CHECK(std::string_view{e.what()}.size() < 400);
  }
}

// ---- syncorm writes, the peer reads --------------------------------------------------------------

/// `value` written into the field by insert, insert_many, update and update_where is stored as
/// `stored` (what the peer reads, and what syncorm reads back).
template <auto Member, class Fixture, class V>
void written_as(Fixture& f, const V& value, const V& stored) {
  constexpr std::string_view column = syncorm::column_name<Member>;
  CAPTURE(column);
  auto check = [&](std::int64_t id) {
    f.peer.check_stored(column, id, stored);
    const auto back = f.db.template find<Sample>(id);
    REQUIRE(back);
    CHECK(same_value((*back).*Member, stored));
  };
  Sample inserted{};
  inserted.*Member = value;
  f.db.insert(inserted);
  check(inserted.id);

  std::vector<Sample> many(2);
  many[1].*Member = value;
  f.db.insert_many(many);
  check(many[1].id);

  Sample updated{};
  f.db.insert(updated);
  updated.*Member = value;
  CHECK(f.db.update(updated));
  check(updated.id);

  Sample assigned{};
  f.db.insert(assigned);
  CHECK(f.db.template update_where<Sample>(syncorm::set(col<Member>, value), where(col<&Sample::id> == assigned.id)) == 1);
  check(assigned.id);
}

template <auto Member, class Fixture, class V>
void written_exactly(Fixture& f, const V& value) {
  written_as<Member>(f, value, value);
}

/// `value` is refused by every write with a type_error naming sample.<column>, whose message
/// contains `what`; nothing is written.
template <auto Member, class Fixture, class V>
void write_refused(Fixture& f, const V& value, std::string_view what) {
  constexpr std::string_view column = syncorm::column_name<Member>;
  CAPTURE(column);
  auto expect_refusal = [&](auto&& write) { expect_type_error(column, what, write); };
  const std::int64_t before = f.db.template count<Sample>();
  Sample one{};
  one.*Member = value;
  expect_refusal([&] { f.db.insert(one); });
  std::vector<Sample> many(3);
  many[1].*Member = value;
  expect_refusal([&] { f.db.insert_many(many); });
  CHECK(many[0].id == 0);
  CHECK(f.db.template count<Sample>() == before);

  Sample row{};
  f.db.insert(row);
  Sample changed = row;
  changed.*Member = value;
  expect_refusal([&] { f.db.update(changed); });
  expect_refusal([&] {
    f.db.template update_where<Sample>(syncorm::set(col<Member>, value), where(col<&Sample::id> == row.id));
  });
  const auto unchanged = f.db.template find<Sample>(row.id);
  REQUIRE(unchanged);
  CHECK(same_value((*unchanged).*Member, row.*Member));
  f.db.remove(row);
}

// ---- the peer writes, syncorm reads ---------------------------------------------------------------

/// What the peer writes into the field's column is read by syncorm (find and select) as `expected`.
template <auto Member, class Fixture, class V>
void read_as(Fixture& f, const written& value, const V& expected) {
  constexpr std::string_view column = syncorm::column_name<Member>;
  CAPTURE(column);
  const std::string sql = f.postgres ? value.postgres.value_or("") : value.sqlite.value_or("(bound)");
  CAPTURE(sql);
  const std::optional<std::int64_t> id = f.peer.insert(column, value);
  if (!id) return;
  const auto row = f.db.template find<Sample>(*id);
  REQUIRE(row);
  CHECK(same_value((*row).*Member, expected));
  const auto rows = f.db.template select<Sample>(where(col<&Sample::id> == *id));
  REQUIRE(rows.size() == 1);
  CHECK(same_value(rows[0].*Member, expected));
}

/// What the peer writes is refused by find and select with a type_error naming sample.<column>
/// whose message contains `what`. The row is deleted afterwards, so later reads are not refused.
template <auto Member, class Fixture>
void read_refused(Fixture& f, const written& value, std::string_view what) {
  constexpr std::string_view column = syncorm::column_name<Member>;
  CAPTURE(column);
  const std::string sql = f.postgres ? value.postgres.value_or("") : value.sqlite.value_or("(bound)");
  CAPTURE(sql);
  const std::optional<std::int64_t> id = f.peer.insert(column, value);
  if (!id) return;
  expect_type_error(column, what, [&] { (void)f.db.template find<Sample>(*id); });
  expect_type_error(column, what, [&] { (void)f.db.template select<Sample>(where(col<&Sample::id> == *id)); });
  f.peer.execute("DELETE FROM sample WHERE id = " + std::to_string(*id));
}

/// Each integer field's limits round-trip; one past them is refused naming the field's C++ type.
template <auto Member, class Fixture>
void integer_field_limits(Fixture& writes, Fixture& reads, std::string_view type_name) {
  using field = std::remove_cvref_t<decltype(std::declval<Sample>().*Member)>;
  using V = unwrap_optional_t<field>;
  for (const V v : {limits<V>::min(), limits<V>::max(), V{0}, static_cast<V>(1)}) {
    written_exactly<Member>(writes, field{v});
    read_as<Member>(reads, both(std::to_string(v)), field{v});
  }
  if constexpr (sizeof(V) < 8) {
    const std::string what = "does not fit " + std::string(type_name);
    read_refused<Member>(reads, both(std::to_string(static_cast<std::int64_t>(limits<V>::min()) - 1)), what);
    read_refused<Member>(reads, both(std::to_string(static_cast<std::int64_t>(limits<V>::max()) + 1)), what);
  }
}

}  // namespace

TEST_CASE_TEMPLATE("integers of every width round-trip at their limits, and values beyond them are refused",
                   Backend, SYNCORM_TEST_BACKENDS) {
  fixture<Backend> writes;
  fixture<Backend> reads{columns::widened};
  integer_field_limits<&Sample::i8>(writes, reads, "std::int8_t");
  integer_field_limits<&Sample::i16>(writes, reads, "std::int16_t");
  integer_field_limits<&Sample::i32>(writes, reads, "std::int32_t");
  integer_field_limits<&Sample::i64>(writes, reads, "std::int64_t");
  integer_field_limits<&Sample::u8>(writes, reads, "std::uint8_t");
  integer_field_limits<&Sample::u16>(writes, reads, "std::uint16_t");
  integer_field_limits<&Sample::u32>(writes, reads, "std::uint32_t");
  integer_field_limits<&Sample::maybe_i8>(writes, reads, "std::int8_t");
  integer_field_limits<&Sample::maybe_u32>(writes, reads, "std::uint32_t");
  read_as<&Sample::maybe_i8>(reads, both("NULL"), std::optional<std::int8_t>{});
  read_as<&Sample::maybe_u32>(reads, both("NULL"), std::optional<std::uint32_t>{});
  written_exactly<&Sample::maybe_i64>(writes, std::optional<std::int64_t>{});
  // The examples: 300 into an 8-bit field, -1 into an unsigned one.
  read_refused<&Sample::i8>(reads, both("300"), "holds 300, which does not fit std::int8_t");
  read_refused<&Sample::u32>(reads, both("-1"), "holds -1, which does not fit std::uint32_t");
}

TEST_CASE_TEMPLATE("enums round-trip as their underlying integer, named or not", Backend, SYNCORM_TEST_BACKENDS) {
  fixture<Backend> writes;
  fixture<Backend> reads{columns::widened};
  for (const Priority p : {Priority::low, Priority::high, Priority{7}, Priority{limits<std::int16_t>::min()},
                           Priority{limits<std::int16_t>::max()}}) {
    written_exactly<&Sample::level>(writes, p);
    written_exactly<&Sample::maybe_level>(writes, std::optional{p});
    read_as<&Sample::level>(reads, both(std::to_string(underlying(p))), p);
  }
  // 7 names no enumerator: it is returned as is, as a static_cast would.
  read_as<&Sample::maybe_level>(reads, both("7"), std::optional{Priority{7}});
  read_refused<&Sample::level>(reads, both("32768"), "does not fit the enum's underlying type std::int16_t");
  read_refused<&Sample::maybe_level>(reads, both("-32769"), "does not fit the enum's underlying type std::int16_t");
}

TEST_CASE_TEMPLATE("booleans round-trip; an integer other than 0 or 1 in SQLite is refused", Backend,
                   SYNCORM_TEST_BACKENDS) {
  fixture<Backend> f;
  for (const bool b : {false, true}) {
    written_exactly<&Sample::flag>(f, b);
    written_exactly<&Sample::maybe_flag>(f, std::optional{b});
  }
  written_exactly<&Sample::maybe_flag>(f, std::optional<bool>{});
  read_as<&Sample::flag>(f, {"1", "true"}, true);
  read_as<&Sample::flag>(f, {"0", "false"}, false);
  read_refused<&Sample::flag>(f, {"2", std::nullopt}, "holds the integer 2, which cannot be read into bool");
  read_refused<&Sample::maybe_flag>(f, {"-1", std::nullopt}, "which cannot be read into bool");
}

TEST_CASE_TEMPLATE("floats and doubles round-trip bit for bit: extremes, denormals, infinities, NaN", Backend,
                   SYNCORM_TEST_BACKENDS) {
  fixture<Backend> f;
  auto both_types = [&](double d) {
    const auto narrow = static_cast<float>(d);
    written_exactly<&Sample::f32>(f, narrow);
    written_exactly<&Sample::f64>(f, d);
    written_exactly<&Sample::maybe_f32>(f, std::optional{narrow});
    written_exactly<&Sample::maybe_f64>(f, std::optional{d});
  };
  for (const double d : {0.0, 0.1, -2.5, 1e300, -1e-300, limits<double>::max(), limits<double>::lowest(),
                         limits<double>::min(), limits<double>::denorm_min(), limits<double>::infinity(),
                         -limits<double>::infinity()})
    written_exactly<&Sample::f64>(f, d);
  for (const float x : {0.1F, limits<float>::max(), limits<float>::lowest(), limits<float>::min(),
                        limits<float>::denorm_min(), limits<float>::infinity(), -limits<float>::infinity()})
    written_exactly<&Sample::f32>(f, x);
  both_types(1.5);
  written_exactly<&Sample::maybe_f64>(f, std::optional<double>{});

  // NaN: PostgreSQL stores it; SQLite would store NULL, so syncorm refuses it and names the column.
  const double nan = limits<double>::quiet_NaN();
  if constexpr (fixture<Backend>::postgres) {
    both_types(nan);
  } else {
    write_refused<&Sample::f64>(f, nan, "SQLite cannot store NaN");
    write_refused<&Sample::f32>(f, static_cast<float>(nan), "SQLite cannot store NaN");
    write_refused<&Sample::maybe_f64>(f, std::optional{nan}, "SQLite cannot store NaN");
  }

  // Written by the peer.
  read_as<&Sample::f64>(f, real(0.1, "0.1"), 0.1);
  read_as<&Sample::f64>(f, real(limits<double>::max(), "1.7976931348623157e308"), limits<double>::max());
  read_as<&Sample::f64>(f, real(limits<double>::denorm_min(), "4.9406564584124654e-324"), limits<double>::denorm_min());
  read_as<&Sample::f64>(f, real(limits<double>::infinity(), "Infinity"), limits<double>::infinity());
  read_as<&Sample::f64>(f, real(-limits<double>::infinity(), "-Infinity"), -limits<double>::infinity());
  read_as<&Sample::f64>(f, {std::nullopt, "'NaN'"}, nan);
  // The C API binds NaN as NULL: SQLite has no NaN.
  read_as<&Sample::maybe_f64>(f, {std::nullopt, std::nullopt, nan}, std::optional<double>{});
}

TEST_CASE_TEMPLATE("a double read into a float field: rounded to nearest, refused when it overflows or underflows",
                   Backend, SYNCORM_TEST_BACKENDS) {
  fixture<Backend> f{columns::widened};  // f32 is a double column on both backends
  read_as<&Sample::f32>(f, real(0.1, "0.1"), 0.1F);  // 0.100000001490116..., the nearest float
  read_as<&Sample::f32>(f, real(3.4028235e38, "3.4028235e38"), limits<float>::max());  // FLT_MAX as printed
  read_as<&Sample::f32>(f, real(static_cast<double>(limits<float>::max()), "3.4028234663852886e38"), limits<float>::max());
  read_as<&Sample::f32>(f, real(1.401298464324817e-45, "1.401298464324817e-45"), limits<float>::denorm_min());
  read_as<&Sample::f32>(f, real(-limits<double>::infinity(), "-Infinity"), -limits<float>::infinity());
  read_as<&Sample::f32>(f, {std::nullopt, "'NaN'"}, limits<float>::quiet_NaN());
  read_refused<&Sample::f32>(f, real(3.5e38, "3.5e38"), "holds 3.5e+38, which does not fit float: it would become infinite");
  read_refused<&Sample::f32>(f, real(1e300, "1e300"), "holds 1e+300, which does not fit float: it would become infinite");
  read_refused<&Sample::f32>(f, real(-1e300, "-1e300"), "holds -1e+300");
  read_refused<&Sample::f32>(f, real(1e-50, "1e-50"), "holds 1e-50, which does not fit float: it would become zero");
  read_refused<&Sample::maybe_f32>(f, real(1e-50, "1e-50"), "it would become zero");
}

TEST_CASE_TEMPLATE("-0.0 keeps its sign on PostgreSQL; SQLite stores it as +0.0", Backend, SYNCORM_TEST_BACKENDS) {
  fixture<Backend> f;
  // SQLite keeps a REAL with no fractional part as an integer, and -0 as an integer is 0.
  const double stored_double = fixture<Backend>::postgres ? -0.0 : 0.0;
  const float stored_float = fixture<Backend>::postgres ? -0.0F : 0.0F;
  written_as<&Sample::f64>(f, -0.0, stored_double);
  written_as<&Sample::f32>(f, -0.0F, stored_float);
  written_as<&Sample::maybe_f64>(f, std::optional{-0.0}, std::optional{stored_double});
  read_as<&Sample::f64>(f, real(-0.0, "-0"), stored_double);
}

TEST_CASE_TEMPLATE("text round-trips byte for byte; what PostgreSQL cannot store is refused naming the column",
                   Backend, SYNCORM_TEST_BACKENDS) {
  fixture<Backend> f;
  const std::vector<std::string> storable{"",
                                          "O'Brien",
                                          "\"double\" quotes",
                                          "'; DROP TABLE sample; --",
                                          "back\\slash \\x00",
                                          "percent % and under_score",
                                          "\xF0\x9F\x9A\x80 four-byte UTF-8, \xC3\xA9t\xC3\xA9",
                                          "line\nbreak\r\ttab",
                                          std::string(100'000, 'x')};
  for (const std::string& s : storable) {
    written_exactly<&Sample::text>(f, s);
    written_exactly<&Sample::maybe_text>(f, std::optional{s});
    read_as<&Sample::text>(f, {"CAST(x'" + hex(s) + "' AS TEXT)", sql_quoted(s)}, s);
  }
  written_exactly<&Sample::maybe_text>(f, std::optional<std::string>{});
  const std::vector<std::string> only_sqlite{std::string("embedded\0nul", 12), std::string("\0", 1),
                                             "\xFF\xFE invalid UTF-8 \xC3\x28", "\xED\xA0\x80 surrogate"};
  for (const std::string& s : only_sqlite) {
    if constexpr (fixture<Backend>::postgres) {
      write_refused<&Sample::text>(f, s, "invalid byte sequence");
      write_refused<&Sample::maybe_text>(f, std::optional{s}, "invalid byte sequence");
    } else {
      written_exactly<&Sample::text>(f, s);
      written_exactly<&Sample::maybe_text>(f, std::optional{s});
      read_as<&Sample::text>(f, {"CAST(x'" + hex(s) + "' AS TEXT)", std::nullopt}, s);
    }
  }
}

TEST_CASE_TEMPLATE("bytes round-trip exactly, the empty blob included", Backend, SYNCORM_TEST_BACKENDS) {
  fixture<Backend> f;
  std::vector<std::byte> every_byte;
  for (int b = 0; b < 256; ++b) every_byte.push_back(static_cast<std::byte>(b));
  for (const auto& b : {std::vector<std::byte>{}, bytes_of({0}), bytes_of({0, 255, 0}), every_byte}) {
    written_exactly<&Sample::bytes>(f, b);
    written_exactly<&Sample::maybe_bytes>(f, std::optional{b});
    read_as<&Sample::bytes>(f, {"x'" + hex(b) + "'", "'\\x" + hex(b) + "'"}, b);
  }
  written_exactly<&Sample::maybe_bytes>(f, std::optional<std::vector<std::byte>>{});
}

TEST_CASE_TEMPLATE("time points round-trip to the microsecond; instants a time_point cannot hold are refused",
                   Backend, SYNCORM_TEST_BACKENDS) {
  fixture<Backend> f;
  const std::string cannot_hold = "which a std::chrono::system_clock::time_point cannot hold (it holds "
                                  "1677-09-21T00:12:43.145225Z to 2262-04-11T23:47:16.854775Z)";

  // Written by syncorm: floored to the microsecond, at and inside the limits.
  for (const std::int64_t us : {std::int64_t{0}, std::int64_t{-1}, std::int64_t{1'700'000'000'123'456},
                                earliest_us, latest_us}) {
    written_exactly<&Sample::when>(f, at_microseconds(us));
    written_exactly<&Sample::maybe_when>(f, std::optional{at_microseconds(us)});
  }
  written_as<&Sample::when>(f, time_point{std::chrono::nanoseconds{-1}}, at_microseconds(-1));
  written_as<&Sample::when>(f, time_point::max(), at_microseconds(latest_us));
  written_exactly<&Sample::maybe_when>(f, std::optional<time_point>{});
  // time_point::min() floors to a microsecond before the earliest a time_point holds: not written.
  write_refused<&Sample::when>(f, time_point::min(), "1677-09-21T00:12:43.145224Z");
  write_refused<&Sample::maybe_when>(f, std::optional{time_point::min()}, cannot_hold);

  // Written by the peer: SQLite stores microseconds since 1970, PostgreSQL timestamptz literals.
  read_as<&Sample::when>(f, {"0", "'1970-01-01 00:00:00+00'"}, time_point{});
  read_as<&Sample::when>(f, {std::to_string(earliest_us), "'1677-09-21 00:12:43.145225+00'"}, at_microseconds(earliest_us));
  read_as<&Sample::when>(f, {std::to_string(latest_us), "'2262-04-11 23:47:16.854775+00'"}, at_microseconds(latest_us));
  read_as<&Sample::maybe_when>(f, {"-1", "'1969-12-31 23:59:59.999999+00'"}, std::optional{at_microseconds(-1)});
  read_refused<&Sample::when>(f, {std::to_string(earliest_us - 1), "'1677-09-21 00:12:43.145224+00'"},
                              "holds 1677-09-21T00:12:43.145224Z, " + cannot_hold);
  read_refused<&Sample::when>(f, {std::to_string(latest_us + 1), "'2262-04-11 23:47:16.854776+00'"},
                              "holds 2262-04-11T23:47:16.854776Z, " + cannot_hold);
  read_refused<&Sample::when>(f, {"10000000000000000", "'2286-11-20 17:46:40+00'"}, "holds 2286-11-20T17:46:40Z, ");
  read_refused<&Sample::when>(f, {"32503680000000000", "'3000-01-01 00:00:00+00'"}, "holds 3000-01-01T00:00:00Z, ");
  read_refused<&Sample::maybe_when>(f, {"-30610224000000000", "'1000-01-01 00:00:00+00'"}, "holds 1000-01-01T00:00:00Z, ");
  read_refused<&Sample::when>(f, {std::to_string(limits<std::int64_t>::max()), std::nullopt}, "holds 294247-01-10T04:00:54.775807Z, " + cannot_hold);
  read_refused<&Sample::when>(f, {std::to_string(limits<std::int64_t>::min()), std::nullopt}, cannot_hold);
  read_refused<&Sample::when>(f, {std::nullopt, "'infinity'"}, "holds the timestamptz infinity, " + cannot_hold);
  read_refused<&Sample::when>(f, {std::nullopt, "'-infinity'"}, "holds the timestamptz -infinity, " + cannot_hold);
  // PostgreSQL's last instants do not fit 64-bit microseconds since 1970: still refused, by date.
  read_refused<&Sample::when>(f, {std::nullopt, "'294276-12-31 23:59:59.999999+00'"},
                              "holds the timestamptz 294276-12-31T23:59:59.999999Z, " + cannot_hold);
  read_refused<&Sample::when>(f, {std::nullopt, "'4714-11-24 00:00:00+00 BC'"}, cannot_hold);
}
