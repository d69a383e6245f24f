#pragma once
// An independent reader and writer: SQL run through the backends' own C APIs on a syncorm
// database's connection, with results as the database prints them (text), never through syncorm's
// binding or decoding. What crosses a boundary is checked with it, so that a bug symmetric in
// syncorm's writing and reading cannot hide.

#include <doctest/doctest.h>
#include <libpq-fe.h>
#include <sqlite3.h>

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <syncorm/postgres.hpp>
#include <syncorm/sqlite.hpp>

namespace test_support {

/// One result row; NULL is nullopt.
using text_row = std::vector<std::optional<std::string>>;

/// Runs `sql` (no parameters) and returns every row as text.
inline std::vector<text_row> raw_query(syncorm::sqlite::database& db, const std::string& sql) {
  sqlite3_stmt* statement = nullptr;
  if (sqlite3_prepare_v2(db.native_handle(), sql.c_str(), -1, &statement, nullptr) != SQLITE_OK)
    throw std::runtime_error("sqlite3: " + std::string(sqlite3_errmsg(db.native_handle())) + " in " + sql);
  std::vector<text_row> rows;
  int code = 0;
  while ((code = sqlite3_step(statement)) == SQLITE_ROW) {
    text_row& row = rows.emplace_back();
    for (int i = 0; i < sqlite3_column_count(statement); ++i) {
      if (sqlite3_column_type(statement, i) == SQLITE_NULL) {
        row.emplace_back();
      } else {
        const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(statement, i));
        row.emplace_back(std::string(text, static_cast<std::size_t>(sqlite3_column_bytes(statement, i))));
      }
    }
  }
  const std::string error = code == SQLITE_DONE ? "" : sqlite3_errmsg(db.native_handle());
  sqlite3_finalize(statement);
  if (!error.empty()) throw std::runtime_error("sqlite3: " + error + " in " + sql);
  return rows;
}

inline std::vector<text_row> raw_query(syncorm::postgres::database& db, const std::string& sql) {
  PGresult* result = PQexec(db.native_handle(), sql.c_str());
  const ExecStatusType status = PQresultStatus(result);
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
    const std::string error = PQresultErrorMessage(result);
    PQclear(result);
    throw std::runtime_error("libpq: " + error + " in " + sql);
  }
  std::vector<text_row> rows;
  for (int r = 0; r < PQntuples(result); ++r) {
    text_row& row = rows.emplace_back();
    for (int c = 0; c < PQnfields(result); ++c) {
      if (PQgetisnull(result, r, c) != 0) row.emplace_back();
      else row.emplace_back(std::string(PQgetvalue(result, r, c), static_cast<std::size_t>(PQgetlength(result, r, c))));
    }
  }
  PQclear(result);
  return rows;
}

/// The single value a query returns.
template <class Database>
std::optional<std::string> raw_value(Database& db, const std::string& sql) {
  const auto rows = raw_query(db, sql);
  REQUIRE(rows.size() == 1);
  REQUIRE(rows[0].size() == 1);
  return rows[0][0];
}

/// `text` as an SQL string literal (quotes doubled); for test data only, never for syncorm's SQL.
inline std::string sql_literal(const std::string& text) {
  std::string out = "'";
  for (const char c : text) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

}  // namespace test_support
