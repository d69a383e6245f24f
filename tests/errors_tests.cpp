// Bad input gets a clear error of the right type, naming table and column, and loses nothing.

#include <doctest/doctest.h>

#include <cmath>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include "support/backends.hpp"
#include "support/models.hpp"

using namespace test_models;
using syncorm::col;
using syncorm::where;

namespace {

const std::vector<std::string> hostile_strings{
    "O'Brien",
    "\"double\" quotes",
    "'; DROP TABLE orders; --",
    "semi;colon;",
    "back\\slash",
    "percent % and under_score",
    std::string("embedded\0nul", 12),
    std::string("\0", 1),
    "\xFF\xFE invalid utf-8 \xC3\x28",
    "\xED\xA0\x80 surrogate",
    "line\nbreak\r\ttab",
};

bool is_valid_postgres_text(const std::string& s) {
  if (s.find('\0') != std::string::npos) return false;
  // Only the two deliberately invalid UTF-8 samples above fail this cheap check.
  return s.find('\xFF') == std::string::npos && s.find('\xED') == std::string::npos;
}

}  // namespace

TEST_CASE_TEMPLATE("hostile strings round-trip unchanged as values, never as SQL", Backend, SYNCORM_TEST_BACKENDS) {
  auto db = Backend::open();
  db.template create_table<Order>();
  for (const std::string& s : hostile_strings) {
    CAPTURE(s);
    Order o{.customer = s, .note = s};
    if (!Backend::text_accepts_any_bytes && !is_valid_postgres_text(s)) {
      // PostgreSQL text cannot hold NUL bytes or invalid UTF-8: refused, naming the column, with
      // nothing written.
      const auto before = db.template count<Order>();
      try {
        db.insert(o);
        FAIL("expected type_error");
      } catch (const syncorm::type_error& e) {
        CHECK(e.table() == "orders");
        CHECK(e.column() == "customer");
      }
      CHECK(db.template count<Order>() == before);
      continue;
    }
    db.insert(o);
    auto back = db.template find<Order>(o.id);
    REQUIRE(back);
    CHECK(back->customer == s);
    CHECK(back->note == s);
    CHECK(db.template count<Order>(where(col<&Order::customer> == s)) == 1);
  }
  // The table is intact: every statement bound its values.
  CHECK(db.template count<Order>() > 0);
}

TEST_CASE_TEMPLATE("NULL read into a non-optional field is a type_error naming table and column", Backend,
                   SYNCORM_TEST_BACKENDS) {
  auto db = Backend::open();
  db.template create_table<LooseOrder>();  // customer NULL-able in this view of "orders"
  LooseOrder loose{.customer = std::nullopt};
  db.insert(loose);
  try {
    (void)db.template find<Order>(loose.id);
    FAIL("expected type_error");
  } catch (const syncorm::type_error& e) {
    CHECK(e.table() == "orders");
    CHECK(e.column() == "customer");
    CHECK(std::string(e.what()).find("NULL") != std::string::npos);
  }
}

TEST_CASE_TEMPLATE("an integer that does not fit its field is a type_error", Backend, SYNCORM_TEST_BACKENDS) {
  auto db = Backend::open();
  db.template create_table<LooseOrder>();  // status is 64-bit in this view of "orders"
  LooseOrder loose{.customer = "big", .status = 5'000'000'000};
  db.insert(loose);
  try {
    (void)db.template select<Order>();
    FAIL("expected type_error");
  } catch (const syncorm::type_error& e) {
    CHECK(e.table() == "orders");
    CHECK(e.column() == "status");
    CHECK(std::string(e.what()) == "syncorm: column orders.status holds 5000000000, which does not fit std::int32_t");
  }
  // The row is still there, readable by a model that fits it.
  CHECK(db.template find<LooseOrder>(loose.id)->status == 5'000'000'000);
}

TEST_CASE_TEMPLATE("a column whose stored type does not match is a type_error", Backend, SYNCORM_TEST_BACKENDS) {
  auto db = Backend::open();
  db.template create_table<TextStatusOrder>();
  TextStatusOrder t{.customer = "x", .status = "shipped"};
  db.insert(t);
  try {
    (void)db.template find<Order>(t.id);
    FAIL("expected type_error");
  } catch (const syncorm::type_error& e) {
    CHECK(e.table() == "orders");
    CHECK(e.column() == "status");
  }
}

TEST_CASE_TEMPLATE("a value of the wrong type for the stored column is refused by the database", Backend,
                   SYNCORM_TEST_BACKENDS) {
  auto db = Backend::open();
  db.template create_table<Order>();  // status INTEGER
  TextStatusOrder t{.customer = "x", .status = "not a number"};
  CHECK_THROWS_AS(db.insert(t), syncorm::error);
  CHECK(db.template count<Order>() == 0);
}

TEST_CASE_TEMPLATE("a UNIQUE violation is a constraint_error naming table and column; nothing changes", Backend,
                   SYNCORM_TEST_BACKENDS) {
  auto db = Backend::open();
  db.template create_table<User>();
  User a{.email = "a@example.com", .name = "a"};
  db.insert(a);
  User dup{.email = "a@example.com", .name = "dup"};
  try {
    db.insert(dup);
    FAIL("expected constraint_error");
  } catch (const syncorm::constraint_error& e) {
    CHECK(e.table() == "user");
    CHECK(e.column() == "email");
  }
  CHECK(dup.id == 0);
  CHECK(db.template count<User>() == 1);

  User b{.email = "b@example.com", .name = "b"};
  db.insert(b);
  b.email = "a@example.com";
  CHECK_THROWS_AS(db.update(b), syncorm::constraint_error);
  CHECK(db.template find<User>(b.id)->email == "b@example.com");
  CHECK_THROWS_AS(db.template update_where<User>(syncorm::set(col<&User::email>, "same@example.com"),
                                                 where(col<&User::age> == 0)),
                  syncorm::constraint_error);
  CHECK(db.template count<User>(where(col<&User::email> == "same@example.com")) == 0);
}

TEST_CASE_TEMPLATE("a NOT NULL violation is a constraint_error naming table and column", Backend, SYNCORM_TEST_BACKENDS) {
  auto db = Backend::open();
  db.template create_table<Order>();  // customer NOT NULL
  LooseOrder loose{.customer = std::nullopt};
  try {
    db.insert(loose);
    FAIL("expected constraint_error");
  } catch (const syncorm::constraint_error& e) {
    CHECK(e.table() == "orders");
    CHECK(e.column() == "customer");
  }
  CHECK(db.template count<Order>() == 0);
}

TEST_CASE_TEMPLATE("NaN is refused or stored exactly, never turned into NULL", Backend, SYNCORM_TEST_BACKENDS) {
  auto db = Backend::open();
  db.template create_table<Everything>();
  Everything row{.f64 = std::numeric_limits<double>::quiet_NaN()};
  try {
    db.insert(row);
    CHECK(std::isnan(db.template find<Everything>(row.id)->f64));
  } catch (const syncorm::type_error& e) {
    CHECK(std::string(e.what()).find("NaN") != std::string::npos);
    CHECK(e.table() == "everything");
    CHECK(e.column() == "f64");
    CHECK(db.template count<Everything>() == 0);
  }
}

TEST_CASE("opening what is not a SQLite database is a connection_error") {
  const auto dir = test_support::scratch_directory();
  CHECK_THROWS_AS(syncorm::sqlite::database((dir / "no" / "such" / "dir" / "x.db").string()),
                  syncorm::connection_error);
  const auto garbage = dir / "garbage.db";
  std::ofstream(garbage) << std::string(4096, 'g');
  CHECK_THROWS_AS(syncorm::sqlite::database(garbage.string()), syncorm::connection_error);
}
