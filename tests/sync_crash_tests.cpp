// Processes killed with SIGKILL lose no event and apply none twice: a consumer killed at random
// points over a stream of 10,000 events, restarted each time, ends with every event applied exactly
// once (its copy compared with the source row by row); a producer killed before COMMIT announces
// nothing, and one killed after announces everything it committed.

#include <doctest/doctest.h>

#include <syncorm/sync.hpp>

#include <chrono>
#include <csignal>
#include <cstdint>
#include <random>
#include <string>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include "support/backends.hpp"
#include "support/processes.hpp"
#include "support/raw_sql.hpp"

using syncorm::col;
using test_support::raw_value;

using namespace crash_models;
using test_support::scalar;
using test_support::start_child;
using test_support::wait_for;

TEST_CASE_TEMPLATE("a consumer killed at random points applies each of 10,000 events exactly once", Backend,
                   SYNCORM_TEST_BACKENDS) {
  constexpr int created = 8000;
  constexpr int updated = 2000;
  auto producer = Backend::open();
  producer.template create_table<Parcel>();
  std::vector<Parcel> parcels(created);
  for (int i = 0; i < created; ++i) parcels[static_cast<std::size_t>(i)].label = "parcel " + std::to_string(i);
  producer.insert_many(parcels);
  producer.transaction([&](auto& tx) {
    for (int i = 0; i < updated; ++i) {
      Parcel& p = parcels[static_cast<std::size_t>(i * 3 % created)];
      p.version += 1;
      p.label += " v" + std::to_string(p.version);
      tx.update(p);
    }
  });
  const std::int64_t events = scalar(producer, "SELECT count(*) FROM syncorm_outbox");
  REQUIRE(events == created + updated);
  const std::int64_t last_position = scalar(producer, "SELECT max(position) FROM syncorm_outbox");

  // The consumer application: applies events into `target` until killed (or until it has applied
  // everything).
  auto consumer_process = [&](auto& target) {
    return [&, target_db = &target] {
      auto own = Backend::open_again(*target_db);
      auto feed_db = Backend::open_again(producer);
      syncorm::subscriber sub{own, "parcels", syncorm::subscriber_settings{.batch_size = 37},
                              test_support::copy_parcels()};
      syncorm::outbox_source feed{feed_db, "parcels-db"};
      while (sub.position("parcels-db") < last_position) sub.poll(feed);
    };
  };
  auto open_consumer = [] {
    auto db = Backend::open();
    db.template create_table<ParcelCopy>();
    db.template create_table<Delivery>();
    return db;
  };

  // Kill times are drawn relative to how long an uninterrupted consumer takes here (on a database
  // of its own), so that it dies mid-stream many times on a fast machine as on a slow one.
  auto trial = open_consumer();
  const auto trial_start = std::chrono::steady_clock::now();
  REQUIRE(wait_for(start_child(consumer_process(trial))) == 0);
  const auto full_run = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - trial_start);
  std::mt19937 random(20261123);
  std::uniform_int_distribution<std::int64_t> lifetime_us(full_run.count() / 40, full_run.count() / 8);

  auto consumer = open_consumer();
  int kills = 0;
  auto applied = [&] { return scalar(consumer, "SELECT count(*) FROM " + std::string(syncorm::table_name<Delivery>)); };
  while (applied() < events && kills < 200) {
    const pid_t child = start_child(consumer_process(consumer));
    std::this_thread::sleep_for(std::chrono::microseconds{lifetime_us(random)});
    ::kill(child, SIGKILL);
    const int status = wait_for(child);
    if (WIFSIGNALED(status)) ++kills;
    else REQUIRE(WEXITSTATUS(status) == 0);
  }
  const int finished = wait_for(start_child(consumer_process(consumer)));  // whatever is left, to the end
  REQUIRE(WIFEXITED(finished));
  REQUIRE(WEXITSTATUS(finished) == 0);
  MESSAGE(Backend::name << ": consumer killed " << kills << " times (an uninterrupted run takes "
                         << full_run.count() / 1000 << " ms)");
  CHECK(kills >= 5);

  CHECK(applied() == events);
  CHECK(scalar(consumer, "SELECT count(DISTINCT event_position) FROM delivery") == events);
  CHECK(test_support::parcels_differing(producer, consumer) == 0);
}

TEST_CASE_TEMPLATE("a producer killed before COMMIT announces nothing; one killed after, everything", Backend,
                   SYNCORM_TEST_BACKENDS) {
  auto producer = Backend::open();
  producer.template create_table<Parcel>();
  const int status = wait_for(start_child([&] {
    auto own = Backend::open_again(producer);
    for (int i = 0; i < 25; ++i) {
      Parcel p{.label = "committed"};
      own.insert(p);
    }
    own.transaction([&](auto& tx) {
      std::vector<Parcel> doomed(100, Parcel{.label = "doomed"});
      tx.insert_many(doomed);
      ::raise(SIGKILL);  // dies holding rows and events it never committed
    });
  }));
  REQUIRE(WIFSIGNALED(status));
  CHECK(producer.template count<Parcel>() == 25);
  CHECK(scalar(producer, "SELECT count(*) FROM syncorm_outbox") == 25);
  CHECK(scalar(producer, "SELECT count(*) FROM syncorm_outbox WHERE CAST(payload ->> 'label' AS TEXT) = 'committed'") == 25);
}
