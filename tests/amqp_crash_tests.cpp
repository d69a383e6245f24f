// Over RabbitMQ, processes killed with SIGKILL lose no event and apply none twice: a relay killed
// after the broker confirmed a batch and before it recorded its position republishes that batch; a
// relay and a consumer killed at random points while a producer writes, over 10,000 events, end
// with every event applied exactly once (the consumer's copy compared with the source row by row).

#include <doctest/doctest.h>

#include <syncorm/amqp.hpp>
#include <syncorm/sync.hpp>

#include <algorithm>
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
#include "support/broker.hpp"
#include "support/processes.hpp"
#include "support/raw_sql.hpp"

using syncorm::col;
using test_support::broker_url;
using test_support::raw_query;
using test_support::raw_value;
using test_support::unique_name;

using namespace crash_models;
using test_support::scalar;
using test_support::start_child;

namespace {

/// SIGKILLs `child` and reaps it; true if it died of the signal (not of an error before it).
bool kill_child(pid_t child) {
  ::kill(child, SIGKILL);
  const int status = test_support::wait_for(child);
  if (WIFEXITED(status)) REQUIRE(WEXITSTATUS(status) == 0);
  return WIFSIGNALED(status);
}

/// Runs `body` until the process is killed.
template <class Body>
[[noreturn]] void forever(Body&& body) {
  while (true) body();
}

}  // namespace

TEST_CASE_TEMPLATE("relays and consumers killed with SIGKILL at random: 10,000 events, none lost, none applied twice",
                   Backend, SYNCORM_TEST_BACKENDS) {
  constexpr int first_batch = 2000;
  constexpr int later_writes = 8000;
  constexpr std::int64_t events = first_batch + later_writes;
  const std::string exchange = unique_name("crash");
  const std::string queue = unique_name("parcels");
  const syncorm::amqp::source_settings source_settings{.url = broker_url(), .exchange = exchange, .queue = queue,
                                                       .topics = {"parcel"}, .prefetch = 200};
  const syncorm::amqp::relay_settings relay_settings{.url = broker_url(), .exchange = exchange, .source = "parcels-db",
                                                     .batch_size = 500};
  auto producer = Backend::open();
  producer.template create_table<Parcel>();
  auto consumer = Backend::open();
  consumer.template create_table<ParcelCopy>();
  consumer.template create_table<Delivery>();
  { syncorm::amqp::source declare{source_settings}; }  // the queue exists before anything is published
  { syncorm::amqp::relay declare{producer, relay_settings}; }  // and so does the relay's readers table
  test_support::raw_broker broker;

  auto relay_process = [&] {
    auto own = Backend::open_again(producer);
    syncorm::amqp::relay relay{own, relay_settings};
    forever([&] {
      try {
        relay.poll();
      } catch (const syncorm::connection_error&) {
      }
      std::this_thread::sleep_for(std::chrono::milliseconds{1});
    });
  };
  auto consumer_process = [&] {
    auto own = Backend::open_again(consumer);
    syncorm::subscriber sub{own, "parcels", syncorm::subscriber_settings{.batch_size = 37}, test_support::copy_parcels()};
    syncorm::amqp::source feed{source_settings};
    std::stop_source never;
    sub.run(feed, never.get_token());
  };

  // 1. A relay killed after the broker confirmed its first batch and before it recorded its
  //    position (held back by a lock on the producer's readers table).
  std::vector<Parcel> parcels(first_batch);
  for (int i = 0; i < first_batch; ++i) parcels[static_cast<std::size_t>(i)].label = "parcel " + std::to_string(i);
  producer.insert_many(parcels);
  auto locker = Backend::open_again(producer);
  if constexpr (std::is_same_v<typename Backend::database, syncorm::sqlite::database>) {
    raw_query(locker, "BEGIN IMMEDIATE");
  } else {
    raw_query(locker, "BEGIN");
    raw_query(locker, "LOCK TABLE syncorm_outbox_readers IN EXCLUSIVE MODE");
  }
  const pid_t blocked_relay = start_child(relay_process);
  // It publishes, the broker confirms, and it stops at its first attempt to record: the queue stops growing.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{20};
  long published = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds{200});
    const long now = broker.ready_messages(queue);
    if (now > 0 && now == published) break;
    published = now;
  }
  CHECK(kill_child(blocked_relay));
  raw_query(locker, "ROLLBACK");
  CHECK(published >= 500);  // at least the first batch was published and confirmed (SQLite: busy timeout 5 s)
  CHECK(scalar(producer, "SELECT count(*) FROM syncorm_outbox_readers") == 0);  // and nothing was recorded
  MESSAGE(Backend::name << ": the relay published " << published << " events, confirmed, and was killed before recording");

  // 2. A producer writes the other 8,000 events while relays and consumers are killed at random.
  const pid_t writer = start_child([&] {
    auto own = Backend::open_again(producer);
    std::mt19937 random(7);
    std::vector<Parcel> known = own.template select<Parcel>(syncorm::order_by(col<&Parcel::id>));
    int written = 0;
    while (written < later_writes) {
      const int in_this_transaction = std::min(1 + static_cast<int>(random() % 10), later_writes - written);
      own.transaction([&](auto& tx) {
        for (int i = 0; i < in_this_transaction; ++i, ++written) {
          if (written % 4 == 3) {
            Parcel& p = known[random() % known.size()];
            p.version += 1;
            p.label = "parcel " + std::to_string(p.id) + " v" + std::to_string(p.version);
            tx.update(p);
          } else {
            Parcel p{.label = "late " + std::to_string(written)};
            tx.insert(p);
          }
        }
      });
      std::this_thread::sleep_for(std::chrono::microseconds{500});
    }
  });
  std::mt19937 random(20261123);
  std::uniform_int_distribution<int> lifetime_ms(5, 120);
  int relay_kills = 0, consumer_kills = 0;
  pid_t relay = start_child(relay_process);
  pid_t consumer_pid = start_child(consumer_process);
  bool writing = true;
  while (writing || relay_kills + consumer_kills < 60) {
    std::this_thread::sleep_for(std::chrono::milliseconds{lifetime_ms(random)});
    if (random() % 2 == 0) {
      relay_kills += kill_child(relay);
      relay = start_child(relay_process);
    } else {
      consumer_kills += kill_child(consumer_pid);
      consumer_pid = start_child(consumer_process);
    }
    int status = 0;
    if (writing && ::waitpid(writer, &status, WNOHANG) == writer) {
      REQUIRE(WIFEXITED(status));
      REQUIRE(WEXITSTATUS(status) == 0);
      writing = false;
    }
  }
  MESSAGE(Backend::name << ": relay killed " << relay_kills << " times, consumer " << consumer_kills << " times");
  CHECK(relay_kills >= 10);
  CHECK(consumer_kills >= 10);
  REQUIRE(scalar(producer, "SELECT count(*) FROM syncorm_outbox") == events);

  // 3. The last relay and consumer run to the end.
  auto applied = [&] { return scalar(consumer, "SELECT count(*) FROM delivery"); };
  const auto finish_by = std::chrono::steady_clock::now() + std::chrono::seconds{120};
  while (applied() < events && std::chrono::steady_clock::now() < finish_by)
    std::this_thread::sleep_for(std::chrono::milliseconds{20});
  std::this_thread::sleep_for(std::chrono::milliseconds{300});  // a late duplicate would show now
  kill_child(relay);
  kill_child(consumer_pid);

  CHECK(applied() == events);
  CHECK(scalar(consumer, "SELECT count(DISTINCT event_position) FROM delivery") == events);
  CHECK(scalar(consumer, "SELECT max(position) FROM syncorm_consumer_offsets") ==
        scalar(producer, "SELECT max(position) FROM syncorm_outbox"));
  CHECK(test_support::parcels_differing(producer, consumer) == 0);
  CHECK(scalar(consumer, "SELECT count(*) FROM syncorm_parked_events") == 0);
}
