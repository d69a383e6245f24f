#pragma once
// The backends every backend-independent suite runs against. A suite is written once as
// TEST_CASE_TEMPLATE(..., Backend, test_support::backends) and so cannot drift between backends.

#include <syncorm/postgres.hpp>
#include <syncorm/sqlite.hpp>

#include <doctest/doctest.h>

#include "servers.hpp"

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <unistd.h>
#include <vector>

namespace test_support {

/// A directory for this test process's files, removed when the process exits normally.
inline const std::filesystem::path& scratch_directory() {
  static const std::filesystem::path directory = [] {
    std::filesystem::path base = std::filesystem::temp_directory_path();
    if (const char* configured = std::getenv("SYNCORM_TEST_SCRATCH")) base = configured;
    auto dir = base / ("syncorm-tests-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    static struct remover {
      std::filesystem::path path;
      ~remover() {
        std::error_code ignored;
        std::filesystem::remove_all(path, ignored);
      }
    } cleanup{dir};
    return dir;
  }();
  return directory;
}

/// A fresh path in the scratch directory.
inline std::filesystem::path scratch_file(std::string_view stem) {
  static std::atomic<int> counter{0};
  return scratch_directory() / (std::string(stem) + "-" + std::to_string(counter++) + ".db");
}

/// SQLite on a real file (WAL mode), new and empty for each test.
struct sqlite_backend {
  static constexpr std::string_view name = "sqlite";
  using database = syncorm::sqlite::database;
  using transaction = syncorm::sqlite::transaction;

  /// A new database file.
  static database open() { return database{scratch_file("test").string()}; }
  /// A second connection to the same database as `db` (for concurrency tests).
  static database open_again(const database& db) {
    return database{sqlite3_db_filename(db.native_handle(), "main")};
  }
  static constexpr bool text_accepts_any_bytes = true;  // NUL bytes and invalid UTF-8

  /// How many prepared statements the connection holds.
  static int prepared_statements(const database& db) {
    int count = 0;
    for (sqlite3_stmt* s = sqlite3_next_stmt(db.native_handle(), nullptr); s != nullptr;
         s = sqlite3_next_stmt(db.native_handle(), s))
      ++count;
    return count;
  }
};

/// The state directory of the PostgreSQL server CTest started for this test.
inline std::filesystem::path postgres_state_directory() { return server_state_directory("PG"); }

/// A line of a file the server script wrote into the state directory.
inline std::string postgres_state_file(const std::string& name) { return server_state_file("PG", name); }

/// Connection string of the test server's primary.
inline const std::string& postgres_conninfo() {
  static const std::string conninfo = postgres_state_file("primary.conninfo");
  return conninfo;
}

/// PostgreSQL on the server CTest started; each open() gets a schema of its own, so tests are as
/// isolated from each other (and from other test processes) as fresh SQLite files.
struct postgres_backend {
  static constexpr std::string_view name = "postgresql";
  using database = syncorm::postgres::database;
  using transaction = syncorm::postgres::transaction;

  static database open() {
    static std::atomic<int> counter{0};
    const std::string schema = "test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
    admin().execute("CREATE SCHEMA " + schema);
    const std::string conninfo = postgres_conninfo() + " options='-c search_path=" + schema + "'";
    database db{conninfo};
    conninfo_of()[db.native_handle()] = conninfo;
    return db;
  }
  /// A second connection to the same schema (for concurrency and crash tests).
  static database open_again(const database& db) { return database{conninfo_of().at(db.native_handle())}; }

  static constexpr bool text_accepts_any_bytes = false;  // PostgreSQL text is valid UTF-8 without NUL

  /// How many prepared statements the connection holds.
  static int prepared_statements(const database& db) {
    PGresult* r = PQexec(db.native_handle(), "SELECT count(*) FROM pg_prepared_statements");
    const int count = std::atoi(PQgetvalue(r, 0, 0));
    PQclear(r);
    return count;
  }

  /// The connection creating the schemas; it drops them when the test process ends.
  static database& admin() {
    static struct holder {
      database db{postgres_conninfo()};
      std::vector<std::string> schemas;
      ~holder() {
        try {
          db.execute("DO $$ DECLARE s text; BEGIN FOR s IN SELECT nspname FROM pg_namespace WHERE nspname LIKE 'test\\_" +
                     std::to_string(::getpid()) + "\\_%' LOOP EXECUTE 'DROP SCHEMA ' || quote_ident(s) || ' CASCADE'; END LOOP; END $$");
        } catch (...) {
        }
      }
    } instance;
    return instance.db;
  }

private:
  static std::map<const void*, std::string>& conninfo_of() {
    static std::map<const void*, std::string> map;
    return map;
  }
};

}  // namespace test_support

#define SYNCORM_TEST_BACKENDS test_support::sqlite_backend, test_support::postgres_backend
