// The broker killed with kill -9 and restarted mid-stream, twice, while a producer writes 10,000
// events and a relay and a subscriber run: both reconnect by themselves with back-off, the relay
// republishes what the broker had not confirmed, the broker redelivers what was not acknowledged,
// and the consumer ends with every event applied exactly once (compared with the source row by
// row). This suite has a broker of its own (CTest fixture rabbitmq_restart).

#include <doctest/doctest.h>

#include <syncorm/amqp.hpp>
#include <syncorm/sync.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "support/backends.hpp"
#include "support/broker.hpp"
#include "support/processes.hpp"
#include "support/raw_sql.hpp"

using test_support::broker_url;
using test_support::raw_value;
using test_support::unique_name;

using namespace crash_models;
using test_support::scalar;

TEST_CASE_TEMPLATE("the broker killed with kill -9 and restarted mid-stream: 10,000 events, none lost, none applied twice",
                   Backend, SYNCORM_TEST_BACKENDS) {
  constexpr std::int64_t events = 10'000;
  const std::string exchange = unique_name("restart");
  const syncorm::amqp::source_settings source_settings{.url = broker_url(), .exchange = exchange,
                                                       .queue = unique_name("parcels"), .topics = {"parcel"}};
  auto producer = Backend::open();
  producer.template create_table<Parcel>();
  auto consumer = Backend::open();
  consumer.template create_table<ParcelCopy>();
  consumer.template create_table<Delivery>();

  auto relay_db = Backend::open_again(producer);
  syncorm::amqp::relay relay{relay_db, {.url = broker_url(), .exchange = exchange, .source = "parcels-db", .batch_size = 200}};
  auto consumer_db = Backend::open_again(consumer);
  syncorm::amqp::source feed{source_settings};
  syncorm::subscriber sub{consumer_db, "parcels", syncorm::subscriber_settings{.batch_size = 100},
                          test_support::copy_parcels()};
  std::jthread relaying([&](std::stop_token stop) { relay.run(stop); });
  std::jthread consuming([&](std::stop_token stop) { sub.run(feed, stop); });

  std::atomic<std::int64_t> written{0};
  std::jthread writing([&](std::stop_token stop) {
    auto own = Backend::open_again(producer);
    std::mt19937 random(11);
    std::vector<Parcel> known;
    while (written < events && !stop.stop_requested()) {
      own.transaction([&](auto& tx) {
        for (int i = 0; i < 10; ++i) {
          if (written % 5 == 4 && !known.empty()) {
            Parcel& p = known[random() % known.size()];
            p.version += 1;
            tx.update(p);
          } else {
            Parcel p{.label = "parcel " + std::to_string(written)};
            tx.insert(p);
            known.push_back(p);
          }
          ++written;
        }
      });
      std::this_thread::sleep_for(std::chrono::milliseconds{25});  // ~400 events/s: the stream outlasts both crashes
    }
  });

  auto applied = [&] { return scalar(consumer, "SELECT count(*) FROM delivery"); };
  std::int64_t crash_after = 1500;
  for (std::uint64_t crash = 1; crash <= 2; ++crash) {
    while (written < crash_after) std::this_thread::sleep_for(std::chrono::milliseconds{5});
    test_support::broker_command("kill");
    std::this_thread::sleep_for(std::chrono::milliseconds{300});  // both notice and back off
    test_support::broker_command("restart");
    // Both reconnect by themselves; the next crash comes once they have, and events have flowed.
    const auto reconnect_deadline = std::chrono::steady_clock::now() + std::chrono::seconds{30};
    while ((relay.stats().reconnects < crash || feed.reconnects() < crash) &&
           std::chrono::steady_clock::now() < reconnect_deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds{5});
    CHECK(relay.stats().reconnects >= crash);
    CHECK(feed.reconnects() >= crash);
    crash_after = written + 1000;
  }
  CHECK(written < events);  // the second crash came mid-stream
  writing.join();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{120};
  while (applied() < events && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds{20});
  std::this_thread::sleep_for(std::chrono::milliseconds{300});  // a late duplicate would show now
  relaying.request_stop();
  consuming.request_stop();
  relaying.join();
  consuming.join();

  MESSAGE(Backend::name << ": relay reconnected " << relay.stats().reconnects << " times, published "
                        << relay.stats().published << " messages for " << events << " events; source reconnected " << feed.reconnects()
                        << " times; subscriber dropped "
                        << sub.stats().duplicates << " duplicates");
  CHECK(relay.stats().reconnects >= 2);
  CHECK(feed.reconnects() >= 2);
  CHECK(relay.stats().published >= static_cast<std::uint64_t>(events));
  CHECK(applied() == events);
  CHECK(scalar(consumer, "SELECT count(DISTINCT event_position) FROM delivery") == events);
  CHECK(sub.stats().applied == static_cast<std::uint64_t>(events));
  CHECK(test_support::parcels_differing(producer, consumer) == 0);
}
