// Every public operation, on every backend.

#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "support/backends.hpp"
#include "support/models.hpp"
#include "support/raw_sql.hpp"

using namespace test_models;
using syncorm::col;
using syncorm::where;
using test_support::raw_value;

namespace {
/// Order's shape, but its ids may be reused (model_traits<T>::may_reuse_ids).
struct ReusableOrder {
  std::int64_t id = 0;
  std::string customer;
};
}  // namespace

template <>
struct syncorm::model_traits<ReusableOrder> {
  static constexpr bool may_reuse_ids = true;
};

TEST_CASE_TEMPLATE("create_table is idempotent and drop_table removes the table", Backend, SYNCORM_TEST_BACKENDS) {
  auto db = Backend::open();
  db.template create_table<Order>();
  db.template create_table<Order>();  // IF NOT EXISTS
  Order o{.customer = "ada"};
  db.insert(o);
  db.template drop_table<Order>();
  db.template drop_table<Order>();  // IF EXISTS
  CHECK_THROWS_AS(db.template count<Order>(), syncorm::error);
  db.template create_table<Order>();
  CHECK(db.template count<Order>() == 0);
}

TEST_CASE_TEMPLATE("insert assigns increasing ids and find reads the row back", Backend, SYNCORM_TEST_BACKENDS) {
  auto db = Backend::open();
  db.template create_table<Order>();
  Order a{.customer = "ada", .amount = 42.5, .status = 1};
  Order b{.customer = "bob", .amount = 7, .status = 2, .note = "rush"};
  db.insert(a);
  db.insert(b);
  CHECK(a.id > 0);
  CHECK(b.id > a.id);

  auto got = db.template find<Order>(b.id);
  REQUIRE(got);
  CHECK(got->id == b.id);
  CHECK(got->customer == "bob");
  CHECK(got->amount == 7);
  CHECK(got->status == 2);
  CHECK(got->note == "rush");
  CHECK_FALSE(db.template find<Order>(b.id + 1000));
  CHECK_FALSE(db.template find<Order>(-1));
}

TEST_CASE_TEMPLATE("ids are never reused after a delete", Backend, SYNCORM_TEST_BACKENDS) {
  auto db = Backend::open();
  db.template create_table<Order>();
  Order a{.customer = "a"}, b{.customer = "b"};
  db.insert(a);
  db.insert(b);
  db.remove(b);
  Order c{.customer = "c"};
  db.insert(c);
  CHECK(c.id > b.id);
}

TEST_CASE_TEMPLATE("may_reuse_ids: a plain rowid key on SQLite (no AUTOINCREMENT, no sqlite_sequence row, the last id "
                   "comes back after a delete); no effect on PostgreSQL identities",
                   Backend, SYNCORM_TEST_BACKENDS) {
  auto db = Backend::open();
  db.template create_table<Order>();  // the default, so SQLite's sqlite_sequence exists
  db.template create_table<ReusableOrder>();
  Order o{.customer = "o"};
  db.insert(o);
  ReusableOrder a{.customer = "a"}, b{.customer = "b"};
  db.insert(a);
  db.insert(b);
  CHECK(b.id == a.id + 1);
  db.remove(b);
  ReusableOrder c{.customer = "c"};
  db.insert(c);
  const std::string c_id = std::to_string(c.id);
  CHECK(*raw_value(db, "SELECT customer FROM reusable_order WHERE id = " + c_id) == "c");

  if constexpr (Backend::name == "sqlite") {
    // Read back with the sqlite3 C API: the schema SQLite keeps, and its AUTOINCREMENT counters.
    const std::string schema = *raw_value(db, "SELECT sql FROM sqlite_master WHERE name = 'reusable_order'");
    CHECK(schema.find(R"("id" INTEGER PRIMARY KEY,)") != std::string::npos);
    CHECK(schema.find("AUTOINCREMENT") == std::string::npos);
    CHECK(raw_value(db, "SELECT sql FROM sqlite_master WHERE name = 'orders'")->find("AUTOINCREMENT") !=
          std::string::npos);
    CHECK(*raw_value(db, "SELECT count(*) FROM sqlite_sequence WHERE name = 'reusable_order'") == "0");
    CHECK(*raw_value(db, "SELECT seq FROM sqlite_sequence WHERE name = 'orders'") == std::to_string(o.id));
    CHECK(c.id == b.id);  // max(id) + 1: the deleted last row's id is handed out again
  } else {
    CHECK(*raw_value(db, "SELECT is_identity FROM information_schema.columns WHERE table_schema = current_schema() "
                         "AND table_name = 'reusable_order' AND column_name = 'id'") == "YES");
    CHECK(c.id > b.id);  // an identity never hands a value out twice
  }
}

TEST_CASE_TEMPLATE("a 32-bit key is read back into a 32-bit id; find with an impossible id finds nothing",
                   Backend, SYNCORM_TEST_BACKENDS) {
  auto db = Backend::open();
  db.template create_table<SmallKeyed>();
  SmallKeyed s{.name = "x"};
  db.insert(s);
  CHECK(s.id > 0);
  CHECK(db.template find<SmallKeyed>(s.id)->name == "x");
  CHECK_FALSE(db.template find<SmallKeyed>(std::int64_t{1} << 40));
}

TEST_CASE_TEMPLATE("string keys are the application's", Backend, SYNCORM_TEST_BACKENDS) {
  auto db = Backend::open();
  db.template create_table<Tag>();
  Tag t{.id = "cpp", .label = "C++", .uses = 3};
  db.insert(t);
  CHECK(t.id == "cpp");
  CHECK(db.template find<Tag>("cpp")->label == "C++");
  CHECK(db.template find<Tag>(std::string("cpp"))->uses == 3);
  t.uses = 4;
  CHECK(db.update(t));
  CHECK(db.template find<Tag>("cpp")->uses == 4);
  Tag dup{.id = "cpp"};
  CHECK_THROWS_AS(db.insert(dup), syncorm::constraint_error);
  CHECK(db.remove(t));
  CHECK_FALSE(db.template find<Tag>("cpp"));
}

TEST_CASE_TEMPLATE("a model without a key can be inserted, selected and bulk-updated", Backend, SYNCORM_TEST_BACKENDS) {
  auto db = Backend::open();
  db.template create_table<LogLine>();
  LogLine line{.message = "started", .level = 1};
  db.insert(line);
  std::vector<LogLine> more{{"a", 2}, {"b", 3}};
  db.insert_many(more);
  CHECK(db.template count<LogLine>() == 3);
  CHECK(db.template update_where<LogLine>(syncorm::set(col<&LogLine::level>, 9), where(col<&LogLine::level> >= 2)) == 2);
  CHECK(db.template remove_where<LogLine>(where(col<&LogLine::level> == 9)) == 2);
  CHECK(db.template select<LogLine>().at(0).message == "started");
}

TEST_CASE_TEMPLATE("select, first and count", Backend, SYNCORM_TEST_BACKENDS) {
  auto db = Backend::open();
  db.template create_table<Order>();
  CHECK(db.template select<Order>().empty());
  CHECK_FALSE(db.template first<Order>());
  CHECK(db.template count<Order>() == 0);
  std::vector<Order> orders;
  for (int i = 0; i < 50; ++i)
    orders.push_back({.customer = "c" + std::to_string(i), .amount = i * 1.5, .status = i % 3});
  db.insert_many(orders);

  CHECK(db.template count<Order>() == 50);
  CHECK(db.template count<Order>(where(col<&Order::status> == 0)) == 17);
  CHECK(db.template select<Order>().size() == 50);
  auto paid = db.template select<Order>(where(col<&Order::status> == 1 && col<&Order::amount> > 10.0),
                                        syncorm::order_by(col<&Order::amount>.desc()), syncorm::limit(10));
  REQUIRE(paid.size() == 10);
  CHECK(paid.front().customer == "c49");
  CHECK(std::is_sorted(paid.begin(), paid.end(), [](const Order& x, const Order& y) { return x.amount > y.amount; }));

  auto top = db.template first<Order>(syncorm::order_by(col<&Order::amount>.desc()));
  REQUIRE(top);
  CHECK(top->customer == "c49");
  auto second = db.template first<Order>(syncorm::order_by(col<&Order::amount>.desc()), syncorm::offset(1));
  CHECK(second->customer == "c48");
  CHECK(db.template first<Order>(where(col<&Order::customer> == "c7"))->amount == doctest::Approx(10.5));
  CHECK_FALSE(db.template first<Order>(where(col<&Order::customer> == "nobody")));
}

TEST_CASE_TEMPLATE("update writes every field by id and says whether the row existed", Backend, SYNCORM_TEST_BACKENDS) {
  auto db = Backend::open();
  db.template create_table<Order>();
  Order o{.customer = "ada", .amount = 1, .status = 1, .note = "n"};
  db.insert(o);
  o.customer = "ada l.";
  o.amount = 2;
  o.status = 2;
  o.note.reset();
  CHECK(db.update(o));
  auto got = db.template find<Order>(o.id);
  CHECK(got->customer == "ada l.");
  CHECK(got->amount == 2);
  CHECK(got->status == 2);
  CHECK_FALSE(got->note);

  Order ghost{.id = o.id + 100, .customer = "ghost"};
  CHECK_FALSE(db.update(ghost));
  CHECK(db.template count<Order>() == 1);
}

TEST_CASE_TEMPLATE("update_where and remove_where return how many rows they changed", Backend, SYNCORM_TEST_BACKENDS) {
  auto db = Backend::open();
  db.template create_table<Order>();
  std::vector<Order> orders(10);
  for (int i = 0; i < 10; ++i) orders[static_cast<std::size_t>(i)] = {.customer = "c", .status = i < 4 ? 2 : 1};
  db.insert_many(orders);

  CHECK(db.template update_where<Order>(syncorm::set(col<&Order::status>, 3), where(col<&Order::status> == 2)) == 4);
  CHECK(db.template count<Order>(where(col<&Order::status> == 3)) == 4);
  CHECK(db.template update_where<Order>(syncorm::set(col<&Order::note>, "bulk"), syncorm::set(col<&Order::amount>, 9.5),
                                        where(col<&Order::status> == 3)) == 4);
  CHECK(db.template count<Order>(where(col<&Order::note> == "bulk" && col<&Order::amount> == 9.5)) == 4);
  CHECK(db.template update_where<Order>(syncorm::set(col<&Order::note>, std::nullopt), where(col<&Order::status> == 3)) == 4);
  CHECK(db.template count<Order>(where(col<&Order::note>.is_null())) == 10);
  CHECK(db.template update_where<Order>(syncorm::set(col<&Order::status>, 5), where(col<&Order::status> == 42)) == 0);

  CHECK(db.template remove_where<Order>(where(col<&Order::status> == 3)) == 4);
  CHECK(db.template count<Order>() == 6);
  CHECK(db.template remove_where<Order>(where(col<&Order::status> == 3)) == 0);
}

TEST_CASE_TEMPLATE("remove deletes by id and says whether the row existed", Backend, SYNCORM_TEST_BACKENDS) {
  auto db = Backend::open();
  db.template create_table<Order>();
  Order a{.customer = "a"}, b{.customer = "b"};
  db.insert(a);
  db.insert(b);
  CHECK(db.remove(a));
  CHECK_FALSE(db.remove(a));
  CHECK_FALSE(db.template find<Order>(a.id));
  CHECK(db.template find<Order>(b.id));
}

TEST_CASE_TEMPLATE("insert_many sets every id and accepts any forward range of rows", Backend, SYNCORM_TEST_BACKENDS) {
  auto db = Backend::open();
  db.template create_table<Order>();
  std::vector<Order> orders(1000, Order{.customer = "bulk", .amount = 1});
  db.insert_many(orders);
  for (std::size_t i = 1; i < orders.size(); ++i) REQUIRE(orders[i].id > orders[i - 1].id);
  CHECK(db.template count<Order>() == 1000);
  CHECK(db.template find<Order>(orders.back().id)->customer == "bulk");

  std::vector<Order> none;
  db.insert_many(none);
  std::array<Order, 2> fixed{Order{.customer = "x"}, Order{.customer = "y"}};
  db.insert_many(fixed);
  CHECK(fixed[1].id == fixed[0].id + 1);
  CHECK(db.template count<Order>() == 1002);
}

TEST_CASE_TEMPLATE("insert_many is all or nothing and leaves the rows as they were on failure", Backend,
                   SYNCORM_TEST_BACKENDS) {
  auto db = Backend::open();
  db.template create_table<User>();
  User existing{.email = "taken@example.com", .name = "first"};
  db.insert(existing);
  std::vector<User> batch{{.email = "a@example.com"}, {.email = "b@example.com"},
                          {.email = "taken@example.com"}, {.email = "c@example.com"}};
  CHECK_THROWS_AS(db.insert_many(batch), syncorm::constraint_error);
  CHECK(db.template count<User>() == 1);
  for (const User& u : batch) CHECK(u.id == 0);
  batch[2].email = "d@example.com";
  db.insert_many(batch);
  CHECK(db.template count<User>() == 5);
}

TEST_CASE_TEMPLATE("execute runs raw DDL", Backend, SYNCORM_TEST_BACKENDS) {
  auto db = Backend::open();
  db.template create_table<Order>();
  db.execute(R"(CREATE INDEX IF NOT EXISTS "orders_customer_idx" ON "orders" ("customer"))");
  CHECK_THROWS_AS(db.execute("THIS IS NOT SQL"), syncorm::error);
}

TEST_CASE_TEMPLATE("a database object can be moved", Backend, SYNCORM_TEST_BACKENDS) {
  auto db = Backend::open();
  db.template create_table<Order>();
  auto moved = std::move(db);
  Order o{.customer = "m"};
  moved.insert(o);
  CHECK(moved.template count<Order>() == 1);
}

TEST_CASE_TEMPLATE("each statement is prepared once per connection, then reused", Backend, SYNCORM_TEST_BACKENDS) {
  auto db = Backend::open();
  db.template create_table<Order>();
  auto round = [&](int i) {
    Order o{.customer = "c" + std::to_string(i), .status = i};
    db.insert(o);
    o.amount = i;
    db.update(o);
    (void)db.template find<Order>(o.id);
    (void)db.template select<Order>(where(col<&Order::status> == i), syncorm::limit(5));
    (void)db.template count<Order>(where(col<&Order::customer> == o.customer));
    db.transaction([&](auto& tx) { tx.remove(o); });
  };
  round(0);
  const int after_first = Backend::prepared_statements(db);
  CHECK(after_first >= 6);
  for (int i = 1; i < 200; ++i) round(i);
  CHECK(Backend::prepared_statements(db) == after_first);
}
