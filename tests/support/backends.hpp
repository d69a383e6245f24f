#pragma once
// The backends every backend-independent suite runs against. A suite is written once as
// TEST_CASE_TEMPLATE(..., Backend, test_support::backends) and so cannot drift between backends.

#include <syncorm/sqlite.hpp>

#include <doctest/doctest.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>
#include <unistd.h>

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

}  // namespace test_support

#define SYNCORM_TEST_BACKENDS test_support::sqlite_backend
