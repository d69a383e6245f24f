// transaction(): commit on return, rollback on throw, savepoints when nested, and one rule on every
// backend for an operation that fails inside a transaction.

#include <doctest/doctest.h>

#include <stdexcept>
#include <string>

#include "support/backends.hpp"
#include "support/models.hpp"

using namespace test_models;
using syncorm::col;
using syncorm::where;

TEST_CASE_TEMPLATE("a transaction commits when its body returns, and returns the body's value", Backend,
                   SYNCORM_TEST_BACKENDS) {
  auto db = Backend::open();
  db.template create_table<Order>();
  Order o{.customer = "ada"};
  const std::int64_t id = db.transaction([&](auto& tx) {
    CHECK(db.in_transaction());
    tx.insert(o);
    o.status = 5;
    tx.update(o);
    CHECK(tx.template find<Order>(o.id)->status == 5);  // reads see the transaction's writes
    return o.id;
  });
  CHECK_FALSE(db.in_transaction());
  CHECK(id == o.id);
  CHECK(db.template find<Order>(id)->status == 5);
}

TEST_CASE_TEMPLATE("a transaction rolls back when its body throws, and the exception reaches the caller", Backend,
                   SYNCORM_TEST_BACKENDS) {
  auto db = Backend::open();
  db.template create_table<Order>();
  Order kept{.customer = "kept"};
  db.insert(kept);
  CHECK_THROWS_WITH_AS(db.transaction([&](auto& tx) {
    Order o{.customer = "lost"};
    tx.insert(o);
    tx.template remove_where<Order>(where(col<&Order::customer> == "kept"));
    throw std::runtime_error("changed my mind");
  }),
                       "changed my mind", std::runtime_error);
  CHECK_FALSE(db.in_transaction());
  CHECK(db.template count<Order>() == 1);
  CHECK(db.template find<Order>(kept.id));
}

TEST_CASE_TEMPLATE("nested transactions are savepoints: an inner rollback keeps the outer work", Backend,
                   SYNCORM_TEST_BACKENDS) {
  auto db = Backend::open();
  db.template create_table<Order>();
  db.transaction([&](auto& tx) {
    Order outer{.customer = "outer"};
    tx.insert(outer);
    CHECK_THROWS(tx.transaction([&](auto& inner) {
      Order o{.customer = "inner"};
      inner.insert(o);
      throw std::runtime_error("inner fails");
    }));
    tx.transaction([&](auto& inner) {
      Order o{.customer = "inner ok"};
      inner.insert(o);
      inner.transaction([&](auto& innermost) {  // three levels deep
        Order deep{.customer = "deep"};
        innermost.insert(deep);
      });
    });
  });
  CHECK(db.template count<Order>() == 3);
  CHECK(db.template count<Order>(where(col<&Order::customer> == "inner")) == 0);
}

TEST_CASE_TEMPLATE("an outer rollback undoes committed inner transactions", Backend, SYNCORM_TEST_BACKENDS) {
  auto db = Backend::open();
  db.template create_table<Order>();
  CHECK_THROWS(db.transaction([&](auto& tx) {
    tx.transaction([&](auto& inner) {
      Order o{.customer = "inner"};
      inner.insert(o);
    });
    throw std::runtime_error("outer fails");
  }));
  CHECK(db.template count<Order>() == 0);
}

TEST_CASE_TEMPLATE("after an operation fails inside a transaction, the transaction refuses more work and rolls back",
                   Backend, SYNCORM_TEST_BACKENDS) {
  auto db = Backend::open();
  db.template create_table<User>();
  User a{.email = "a@example.com"};
  db.insert(a);
  CHECK_THROWS_AS(db.transaction([&](auto& tx) {
    User b{.email = "b@example.com"};
    tx.insert(b);
    User dup{.email = "a@example.com"};
    CHECK_THROWS_AS(tx.insert(dup), syncorm::constraint_error);
    User c{.email = "c@example.com"};
    CHECK_THROWS_AS(tx.insert(c), syncorm::error);  // refused: the transaction already failed
    // Returning normally does not commit a failed transaction.
  }),
                  syncorm::error);
  CHECK(db.template count<User>() == 1);
  // The database is usable again.
  User d{.email = "d@example.com"};
  db.insert(d);
  CHECK(db.template count<User>() == 2);
}

TEST_CASE_TEMPLATE("an expected failure is recovered from with a nested transaction", Backend, SYNCORM_TEST_BACKENDS) {
  auto db = Backend::open();
  db.template create_table<User>();
  User a{.email = "a@example.com"};
  db.insert(a);
  db.transaction([&](auto& tx) {
    User dup{.email = "a@example.com"};
    CHECK_THROWS_AS(tx.transaction([&](auto& attempt) { attempt.insert(dup); }), syncorm::constraint_error);
    User c{.email = "c@example.com"};
    tx.insert(c);  // the outer transaction is fine
  });
  CHECK(db.template count<User>() == 2);
}

TEST_CASE_TEMPLATE("statements on the database inside a transaction body are part of the transaction", Backend,
                   SYNCORM_TEST_BACKENDS) {
  auto db = Backend::open();
  db.template create_table<Order>();
  CHECK_THROWS(db.transaction([&](auto&) {
    Order o{.customer = "via db"};
    db.insert(o);
    throw std::runtime_error("rollback");
  }));
  CHECK(db.template count<Order>() == 0);
}

TEST_CASE_TEMPLATE("a second connection does not see uncommitted rows, and sees them after commit", Backend,
                   SYNCORM_TEST_BACKENDS) {
  auto db = Backend::open();
  db.template create_table<Order>();
  auto other = Backend::open_again(db);
  db.transaction([&](auto& tx) {
    Order o{.customer = "pending"};
    tx.insert(o);
    CHECK(other.template count<Order>() == 0);
  });
  CHECK(other.template count<Order>() == 1);
}
