// Uses the installed headers and targets: a model written and read back on SQLite (and on PostgreSQL
// when the postgres component is asked for, given a connection string), each checked with the
// database's own C API.
#include <syncorm/sqlite.hpp>
#include <syncorm/syncorm.hpp>
#include <syncorm/version.hpp>
#ifdef CONSUMER_WITH_POSTGRES
#include <syncorm/postgres.hpp>
#include <unistd.h>
#endif
#ifdef CONSUMER_WITH_REDIS
#include <chrono>
#include <syncorm/cache.hpp>
#include <syncorm/redis.hpp>
#endif

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>

struct Note {
  std::int64_t id = 0;
  std::string text;
};

#ifdef CONSUMER_WITH_REDIS
template <>
struct syncorm::cache_traits<Note> {
  static constexpr auto ttl = std::chrono::seconds{30};
};
#endif

static_assert(SYNCORM_VERSION == SYNCORM_VERSION_MAJOR * 10000 + SYNCORM_VERSION_MINOR * 100 + SYNCORM_VERSION_PATCH);

namespace {

int failures = 0;

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "FAILED: %s\n", what);
    ++failures;
  }
}

/// Writes two notes and reads them back through syncorm.
template <class Database>
void round_trip(Database& db) {
  db.template create_table<Note>();
  Note a{.text = "installed"}, b{.text = "package"};
  db.insert(a);
  db.insert(b);
  check(b.id > a.id, "ids increase");
  const auto found = db.template find<Note>(b.id);
  check(found && found->text == "package", "find reads the row back");
  check(db.template count<Note>() == 2, "count");
}

}  // namespace

int main(int argc, char** argv) {
  check(std::strcmp(SYNCORM_VERSION_STRING, CONSUMER_PACKAGE_VERSION) == 0,
        "<syncorm/version.hpp> says the version find_package found");

  syncorm::sqlite::database sqlite{":memory:"};
  round_trip(sqlite);
  sqlite3_stmt* statement = nullptr;
  sqlite3_prepare_v2(sqlite.native_handle(), "SELECT group_concat(text, ' ') FROM note", -1, &statement, nullptr);
  check(sqlite3_step(statement) == SQLITE_ROW &&
            std::strcmp(reinterpret_cast<const char*>(sqlite3_column_text(statement, 0)), "installed package") == 0,
        "sqlite3 reads what syncorm wrote");
  sqlite3_finalize(statement);
  std::printf("sqlite: ok\n");

#ifdef CONSUMER_WITH_POSTGRES
  if (argc < 2) {
    std::fprintf(stderr, "usage: consumer <PostgreSQL connection string>\n");
    return 2;
  }
  const std::string schema = "package_consumer_" + std::to_string(::getpid());
  syncorm::postgres::database admin{argv[1]};
  admin.execute("CREATE SCHEMA " + schema);
  {
    syncorm::postgres::database pg{std::string(argv[1]) + " options='-c search_path=" + schema + "'"};
    round_trip(pg);
    PGresult* r = PQexec(pg.native_handle(), "SELECT string_agg(text, ' ' ORDER BY id) FROM note");
    check(PQresultStatus(r) == PGRES_TUPLES_OK && std::strcmp(PQgetvalue(r, 0, 0), "installed package") == 0,
          "libpq reads what syncorm wrote");
    PQclear(r);
  }
  admin.execute("DROP SCHEMA " + schema + " CASCADE");
  std::printf("postgres: ok\n");
#else
  (void)argc;
  (void)argv;
#endif

#ifdef CONSUMER_WITH_REDIS
  // The redis component links hiredis; without a Redis URL the cache has its memory level alone. No
  // guard window, so that a row just written may be cached at once.
  syncorm::cached<syncorm::sqlite::database> cached{
      ":memory:", syncorm::cache_settings{.max_entries = 100, .second_delete_after = std::chrono::milliseconds{0}}};
  cached.create_table<Note>();
  Note n{.text = "cached"};
  cached.insert(n);
  check(cached.find<Note>(n.id).has_value() && cached.find<Note>(n.id)->text == "cached", "cached find");
  check(cached.cache_stats().memory_hits >= 1, "the second find is a memory hit");
  std::printf("redis: ok\n");
#endif
  return failures == 0 ? 0 : 1;
}
