// A process killed (SIGKILL) in the middle of a transaction loses nothing it committed and leaves
// nothing it did not; the database stays usable by others.

#include <doctest/doctest.h>

#include <csignal>
#include <sys/wait.h>
#include <unistd.h>

#include "support/backends.hpp"
#include "support/models.hpp"
#include "support/processes.hpp"

using namespace test_models;

TEST_CASE_TEMPLATE("a process killed mid-transaction leaves only what it committed", Backend, SYNCORM_TEST_BACKENDS) {
  auto db = Backend::open();
  db.template create_table<Order>();
  const int status = test_support::wait_for(test_support::start_child([&] {
    auto own = Backend::open_again(db);  // a connection of the child's own, never the parent's
    std::vector<Order> committed(100, Order{.customer = "committed"});
    own.insert_many(committed);
    own.transaction([&](auto& tx) {
      std::vector<Order> doomed(1000, Order{.customer = "doomed"});
      tx.insert_many(doomed);
      Order o{.customer = "doomed too"};
      tx.insert(o);
      ::raise(SIGKILL);  // die holding the write transaction open
    });
  }));
  REQUIRE(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGKILL);

  CHECK(db.template count<Order>() == 100);
  CHECK(db.template count<Order>(syncorm::where(syncorm::col<&Order::customer> == "committed")) == 100);
  Order after{.customer = "after"};  // the dead process's lock is gone
  db.insert(after);
  CHECK(db.template count<Order>() == 101);
}

TEST_CASE_TEMPLATE("rows committed just before a process is killed are all there", Backend, SYNCORM_TEST_BACKENDS) {
  auto db = Backend::open();
  db.template create_table<Order>();
  const int status = test_support::wait_for(test_support::start_child([&] {
    auto own = Backend::open_again(db);
    for (int i = 0; i < 50; ++i) {
      Order o{.customer = "c", .status = i};
      own.insert(o);
    }
    ::raise(SIGKILL);
  }));
  REQUIRE(WIFSIGNALED(status));
  CHECK(db.template count<Order>() == 50);
}
