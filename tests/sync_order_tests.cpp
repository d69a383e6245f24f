// Commit order on PostgreSQL, where writers run concurrently: (1) no event is ever skipped by a
// reader of `position > last`, and (2) events about one row arrive in the order its writes
// committed, so a mirror ends equal to its source. First the hazard itself, shown with a plain
// sequence on the same server; then syncorm's outbox under the same interleaving, and under eight
// writers committing in random order while a subscriber reads.

#include <doctest/doctest.h>

#include <syncorm/sync.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "support/backends.hpp"
#include "support/raw_sql.hpp"

using syncorm::col;
using syncorm::set;
using syncorm::where;
using test_support::postgres_backend;
using test_support::raw_query;
using test_support::raw_value;

namespace order_models {

struct Account {
  std::int64_t id = 0;
  std::int64_t balance = 0;
  std::int64_t writes = 0;
  bool operator==(const Account&) const = default;
};

/// The consumer's copy, written by a handler (so it records what it applied, in order).
struct AccountCopy {
  std::int64_t id = 0;
  std::int64_t balance = 0;
  std::int64_t writes = 0;
};

}  // namespace order_models

using namespace order_models;

template <>
struct syncorm::sync_traits<Account> {};

namespace {

using database = syncorm::postgres::database;

/// A handler-based mirror that also records every position it applied.
struct recording_mirror {
  std::vector<std::int64_t>* positions;
  void operator()(const syncorm::event<Account>& e, syncorm::postgres::transaction& tx) const {
    positions->push_back(e.position);
    AccountCopy copy{e.row.id, e.row.balance, e.row.writes};
    if (e.kind == syncorm::change::destroyed) tx.remove(copy);
    else tx.upsert(copy);
  }
};

}  // namespace

TEST_CASE("the hazard: a sequence taken at insert skips a transaction that commits late") {
  auto db = postgres_backend::open();
  raw_query(db, "CREATE TABLE naive_log (position BIGSERIAL PRIMARY KEY, note TEXT)");
  auto late = postgres_backend::open_again(db);
  auto early = postgres_backend::open_again(db);
  raw_query(late, "BEGIN");
  raw_query(late, "INSERT INTO naive_log (note) VALUES ('late')");    // takes position 1
  raw_query(early, "INSERT INTO naive_log (note) VALUES ('early')");  // takes 2 and commits first
  std::int64_t last = 0;
  std::vector<std::string> read;
  auto read_after_last = [&] {
    for (const auto& row : raw_query(db, "SELECT position, note FROM naive_log WHERE position > " +
                                             std::to_string(last) + " ORDER BY position")) {
      last = std::stoll(*row[0]);
      read.push_back(*row[1]);
    }
  };
  read_after_last();
  raw_query(late, "COMMIT");
  read_after_last();
  CHECK(read == std::vector<std::string>{"early"});  // "late" is skipped for ever
  CHECK(*raw_value(db, "SELECT count(*) FROM naive_log") == "2");
}

TEST_CASE("the same interleaving through syncorm's outbox: the late commit is not skipped") {
  auto producer = postgres_backend::open();
  producer.create_table<Account>();
  auto late = postgres_backend::open_again(producer);
  auto early = postgres_backend::open_again(producer);
  auto feed_db = postgres_backend::open_again(producer);
  auto consumer = postgres_backend::open();
  consumer.create_table<AccountCopy>();
  std::vector<std::int64_t> positions;
  syncorm::subscriber sub{consumer, "copy", syncorm::on<Account>(recording_mirror{&positions})};
  syncorm::outbox_source feed{feed_db, "bank"};

  late.transaction([&](auto& tx) {
    Account a{.id = 1, .balance = 10};
    tx.upsert(a);  // the row is written now; its event waits for COMMIT
    Account b{.id = 2, .balance = 20};
    early.upsert(b);  // commits first
    CHECK(sub.poll(feed) == 1);
  });
  CHECK(sub.poll(feed) == 1);
  CHECK(positions.size() == 2);
  CHECK(consumer.count<AccountCopy>() == 2);
}

TEST_CASE("eight writers committing in random order: no event skipped, each row's events in commit order") {
  constexpr int writers = 8;
  constexpr int transactions_per_writer = 60;
  constexpr std::int64_t accounts = 12;
  auto producer = postgres_backend::open();
  producer.create_table<Account>();
  for (std::int64_t id = 1; id <= accounts; ++id) {
    Account a{.id = id};
    producer.upsert(a);
  }
  auto consumer = postgres_backend::open();
  consumer.create_table<AccountCopy>();
  auto feed_db = postgres_backend::open_again(producer);
  std::vector<std::int64_t> positions;
  syncorm::subscriber sub{consumer, "copy", syncorm::subscriber_settings{.batch_size = 16},
                          syncorm::on<Account>(recording_mirror{&positions})};
  syncorm::outbox_source feed{feed_db, "bank"};

  std::atomic<int> running{writers};
  std::vector<std::jthread> threads;
  for (int w = 0; w < writers; ++w) {
    threads.emplace_back([&, w] {
      auto db = postgres_backend::open_again(producer);
      std::mt19937 random(static_cast<unsigned>(w) * 7919U + 1U);
      std::uniform_int_distribution<std::int64_t> account(1, accounts);
      std::uniform_int_distribution<int> pause_us(0, 3000);
      for (int t = 0; t < transactions_per_writer; ++t) {
        // Rows in ascending id order, as any two writers lock them: no deadlock between writers.
        std::int64_t first = account(random);
        std::int64_t second = account(random);
        if (second < first) std::swap(first, second);
        db.transaction([&](auto& tx) {
          // A bulk update (its events carry the rows as written) and an update by key; then a
          // pause, so that commits come in an order unrelated to when the rows were written.
          tx.template update_where<Account>(set(col<&Account::balance>, w * 1000 + t),
                                            where(col<&Account::id> == first));
          auto row = tx.template find<Account>(second);
          row->writes += 1;
          row->balance = -(w * 1000 + t);
          tx.update(*row);
          std::this_thread::sleep_for(std::chrono::microseconds{pause_us(random)});
        });
      }
      --running;
    });
  }
  while (running > 0) {
    sub.poll(feed);  // reads while the writers commit
    std::this_thread::sleep_for(std::chrono::microseconds{200});
  }
  threads.clear();
  sub.poll(feed);

  // Rule 1: every committed event was applied, once, in position order.
  const auto committed = raw_query(producer, "SELECT position FROM syncorm_outbox ORDER BY position");
  std::vector<std::int64_t> expected;
  for (const auto& row : committed) expected.push_back(std::stoll(*row[0]));
  CHECK(expected.size() == static_cast<std::size_t>(accounts + 2 * writers * transactions_per_writer));
  CHECK(positions == expected);
  // Rule 2: the copy equals the source, row by row.
  const auto source_rows = producer.select<Account>(syncorm::order_by(col<&Account::id>));
  const auto copies = consumer.select<AccountCopy>(syncorm::order_by(col<&AccountCopy::id>));
  REQUIRE(copies.size() == source_rows.size());
  for (std::size_t i = 0; i < copies.size(); ++i) {
    CHECK(copies[i].id == source_rows[i].id);
    CHECK(copies[i].balance == source_rows[i].balance);
    CHECK(copies[i].writes == source_rows[i].writes);
  }
}
