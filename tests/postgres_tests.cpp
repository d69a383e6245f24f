// PostgreSQL-specific behaviour: the real psql client sees what syncorm wrote and syncorm reads what
// psql wrote; SQLSTATEs become the right errors; types created outside syncorm are read; COPY.

#include <doctest/doctest.h>

#include <array>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "support/backends.hpp"
#include "support/models.hpp"

using namespace test_models;
using syncorm::col;
using syncorm::where;
using test_support::postgres_backend;

namespace {

/// Runs the real psql client against `schema` on the test server; returns its output.
std::string psql(const std::string& schema, const std::string& sql) {
  const std::string bindir = test_support::postgres_state_file("bindir");
  const std::string conninfo = test_support::postgres_conninfo() + " options='-c search_path=" + schema + "'";
  const std::string command = bindir + "/psql \"" + conninfo + "\" -X -q -A -t -v ON_ERROR_STOP=1 -c \"" + sql + "\" 2>&1";
  std::unique_ptr<FILE, int (*)(FILE*)> pipe{::popen(command.c_str(), "r"), ::pclose};
  REQUIRE(pipe);
  std::string out;
  std::array<char, 4096> buffer{};
  while (std::fgets(buffer.data(), static_cast<int>(buffer.size()), pipe.get()) != nullptr) out += buffer.data();
  return out;
}

std::string schema_of(postgres_backend::database& db) {
  PGresult* r = PQexec(db.native_handle(), "SELECT current_schema()");
  std::string schema = PQgetvalue(r, 0, 0);
  PQclear(r);
  return schema;
}

}  // namespace

TEST_CASE("psql sees exactly the rows syncorm wrote") {
  auto db = postgres_backend::open();
  db.create_table<Order>();
  std::vector<Order> orders{{.customer = "ada", .amount = 42.5, .status = 1, .note = "O'Brien; \"quoted\""},
                            {.customer = "bob", .amount = 7.25, .status = 2},
                            {.customer = "\xC3\xA9mile", .amount = -1, .status = 3, .note = ""}};
  db.insert_many(orders);
  Order single{.customer = "cy", .amount = 0.5, .status = 4};
  db.insert(single);
  const std::string out = psql(schema_of(db), "SELECT id, customer, amount, status, coalesce(note, '<NULL>') FROM orders ORDER BY id");
  const std::string expected = std::to_string(orders[0].id) + "|ada|42.5|1|O'Brien; \"quoted\"\n" +
                               std::to_string(orders[1].id) + "|bob|7.25|2|<NULL>\n" +
                               std::to_string(orders[2].id) + "|\xC3\xA9mile|-1|3|\n" +
                               std::to_string(single.id) + "|cy|0.5|4|<NULL>\n";
  CHECK(out == expected);
}

TEST_CASE("syncorm reads the rows psql inserted, and ids continue after them") {
  auto db = postgres_backend::open();
  db.create_table<Order>();
  const std::string out = psql(schema_of(db),
                               "INSERT INTO orders (customer, amount, status, note) VALUES "
                               "('from psql', 12.5, 7, NULL), ('second', 1e300, -2147483648, 'n')");
  REQUIRE(out.empty());
  auto rows = db.select<Order>(syncorm::order_by(col<&Order::id>));
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].customer == "from psql");
  CHECK(rows[0].amount == 12.5);
  CHECK(rows[0].status == 7);
  CHECK_FALSE(rows[0].note);
  CHECK(rows[1].amount == 1e300);
  CHECK(rows[1].status == -2147483648);
  CHECK(rows[1].note == "n");
  Order mine{.customer = "mine"};
  db.insert(mine);
  CHECK(mine.id > rows[1].id);
}

TEST_CASE("columns psql declared with other text and time types are read") {
  auto db = postgres_backend::open();
  struct Legacy {
    std::int64_t id = 0;
    std::string code;
    std::string label;
    std::chrono::system_clock::time_point seen;
  };
  REQUIRE(psql(schema_of(db), "CREATE TABLE legacy (id bigint PRIMARY KEY, code char(3) NOT NULL, "
                              "label varchar(20) NOT NULL, seen timestamp NOT NULL); "
                              "INSERT INTO legacy VALUES (1, 'ab', 'x', '2000-01-01 00:00:01')")
              .empty());
  auto row = db.find<Legacy>(1);
  REQUIRE(row);
  CHECK(row->code == "ab ");  // char(n) pads, as PostgreSQL returns it
  CHECK(row->label == "x");
  CHECK(row->seen.time_since_epoch() == std::chrono::seconds{946'684'801});
}

TEST_CASE("SQLSTATEs become constraint_error naming the constraint, table and column") {
  auto db = postgres_backend::open();
  db.create_table<Order>();
  db.execute(R"(ALTER TABLE orders ADD CONSTRAINT amount_not_negative CHECK (amount >= 0))");
  Order bad{.customer = "x", .amount = -5};
  try {
    db.insert(bad);
    FAIL("expected constraint_error");
  } catch (const syncorm::constraint_error& e) {
    CHECK(e.constraint() == "amount_not_negative");
    CHECK(e.table() == "orders");
  }
  db.create_table<User>();
  User a{.email = "a@example.com"};
  db.insert(a);
  User dup{.email = "a@example.com"};
  try {
    db.insert(dup);
    FAIL("expected constraint_error");
  } catch (const syncorm::constraint_error& e) {
    CHECK(e.constraint() == "user_email_key");
    CHECK(e.column() == "email");
    CHECK(std::string(e.what()).find("already exists") != std::string::npos);
  }
}

TEST_CASE("foreign-key and NOT NULL violations name their constraint and column") {
  auto db = postgres_backend::open();
  struct Customer {
    std::int64_t id = 0;
    std::string name;
  };
  struct Invoice {
    std::int64_t id = 0;
    std::int64_t customer_id = 0;
    std::optional<std::string> memo;
  };
  db.create_table<Customer>();
  db.create_table<Invoice>();
  db.execute(R"(ALTER TABLE invoice ADD CONSTRAINT invoice_customer_fk FOREIGN KEY (customer_id) REFERENCES customer (id))");
  db.execute(R"(ALTER TABLE invoice ALTER COLUMN memo SET NOT NULL)");
  Customer c{.name = "c"};
  db.insert(c);
  Invoice orphan{.customer_id = c.id + 100, .memo = "m"};
  try {
    db.insert(orphan);
    FAIL("expected constraint_error");
  } catch (const syncorm::constraint_error& e) {
    CHECK(e.constraint() == "invoice_customer_fk");
    CHECK(e.table() == "invoice");
    CHECK(e.column() == "customer_id");
  }
  Invoice no_memo{.customer_id = c.id};
  try {
    db.insert(no_memo);
    FAIL("expected constraint_error");
  } catch (const syncorm::constraint_error& e) {
    CHECK(e.table() == "invoice");
    CHECK(e.column() == "memo");
  }
  CHECK(db.count<Invoice>() == 0);
}

TEST_CASE("a refused connection is a connection_error carrying libpq's message") {
  try {
    postgres_backend::database db{"host=127.0.0.1 port=1 dbname=nothing connect_timeout=2"};
    FAIL("expected connection_error");
  } catch (const syncorm::connection_error& e) {
    CHECK(std::string(e.what()).find("127.0.0.1") != std::string::npos);
  }
  CHECK_THROWS_AS(postgres_backend::database{"this is not a connection string"}, syncorm::connection_error);
}

TEST_CASE("insert_many streams large batches with COPY and every id matches its row") {
  auto db = postgres_backend::open();
  db.create_table<Everything>();
  std::vector<Everything> rows(20'000);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    rows[i].i32 = static_cast<std::int32_t>(i);
    rows[i].text = std::string(i % 50, 'x');
    if (i % 2 == 0) rows[i].maybe_text = "even";
  }
  db.insert_many(rows);
  CHECK(db.count<Everything>() == 20'000);
  for (std::size_t i = 0; i < rows.size(); i += 997) {
    auto back = db.find<Everything>(rows[i].id);
    REQUIRE(back);
    CHECK(*back == rows[i]);
  }
  Everything after{};
  db.insert(after);
  CHECK(after.id > rows.back().id);  // the identity continues after the reserved ids
}
