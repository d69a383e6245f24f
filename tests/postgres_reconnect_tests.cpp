// A server restart in the middle of a test: the next call on the same database object reconnects
// instead of failing forever, nothing is applied twice, and a transaction cut by the restart fails
// loudly. This suite has a PostgreSQL server of its own (it restarts it).

#include <doctest/doctest.h>

#include <cstdlib>
#include <string>

#include "support/backends.hpp"

using test_support::postgres_backend;

namespace {

struct Visit {
  std::int64_t id = 0;
  std::string page;
};

/// Runs the fixture's script on the primary: restart, stop-server, start-server.
void server(const std::string& command) { test_support::server_command("PG", command); }

}  // namespace

TEST_CASE("after a server restart the next write and read succeed, each applied once") {
  auto db = postgres_backend::open();
  db.create_table<Visit>();
  Visit a{.page = "/"};
  db.insert(a);

  server("restart");
  Visit b{.page = "/after-restart"};
  db.insert(b);  // a write outside a transaction: the session was found dead before sending it
  CHECK(db.count<Visit>() == 2);

  server("restart");
  CHECK(db.find<Visit>(b.id)->page == "/after-restart");  // a read is simply repeated

  server("restart");
  db.transaction([&](auto& tx) {
    Visit c{.page = "/tx"};
    tx.insert(c);
  });
  CHECK(db.count<Visit>() == 3);
}

TEST_CASE("while the server is down calls fail with libpq's message; once it is back they work") {
  auto db = postgres_backend::open();
  db.create_table<Visit>();
  server("stop-server");
  try {
    (void)db.count<Visit>();
    FAIL("expected connection_error");
  } catch (const syncorm::connection_error& e) {
    CHECK(std::string(e.what()).find("cannot connect to PostgreSQL") != std::string::npos);
  }
  Visit v{.page = "/down"};
  CHECK_THROWS_AS(db.insert(v), syncorm::connection_error);
  server("start-server");
  db.insert(v);
  CHECK(db.count<Visit>() == 1);
}

TEST_CASE("a transaction cut by a restart fails and is not half applied") {
  auto db = postgres_backend::open();
  db.create_table<Visit>();
  CHECK_THROWS_AS(db.transaction([&](auto& tx) {
    Visit first{.page = "/1"};
    tx.insert(first);
    server("restart");
    Visit second{.page = "/2"};
    tx.insert(second);
  }),
                  syncorm::connection_error);
  CHECK_FALSE(db.in_transaction());
  CHECK(db.count<Visit>() == 0);
  Visit later{.page = "/later"};
  db.insert(later);
  CHECK(db.count<Visit>() == 1);
}

TEST_CASE("a session killed by the server (pg_terminate_backend) is replaced on the next call") {
  auto db = postgres_backend::open();
  db.create_table<Visit>();
  auto killer = postgres_backend::open_again(db);
  const int pid = PQbackendPID(db.native_handle());
  killer.execute("SELECT pg_terminate_backend(" + std::to_string(pid) + ")");
  Visit v{.page = "/killed"};
  db.insert(v);
  CHECK(db.count<Visit>() == 1);
  CHECK(PQbackendPID(db.native_handle()) != pid);
}
