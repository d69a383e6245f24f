#pragma once
// What the crash suites share: the parcels a producer writes and a consumer copies (one Delivery
// row per applied event, so an event applied twice shows), child processes to SIGKILL, and the
// row-by-row comparison of the copies with their sources.

#include <syncorm/sync.hpp>

#include <doctest/doctest.h>

#include <csignal>
#include <cstdint>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

#include "raw_sql.hpp"

namespace crash_models {

struct Parcel {
  std::int64_t id = 0;
  std::string label;
  std::int64_t version = 0;
};

/// The consumer's copy of each parcel.
struct ParcelCopy {
  std::int64_t id = 0;
  std::string label;
  std::int64_t version = 0;
};

/// One row per applied event: a second application of an event would show as a second row.
struct Delivery {
  std::int64_t id = 0;
  std::int64_t event_position = 0;
  std::int64_t parcel_id = 0;
};

}  // namespace crash_models

template <>
struct syncorm::sync_traits<crash_models::Parcel> {};

namespace test_support {

/// Starts `body` in a child process (with connections of its own) and returns its pid; the child
/// exits 0 when `body` returns and 3 when it throws.
template <class Body>
pid_t start_child(Body&& body) {
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    try {
      body();
    } catch (...) {
      ::_exit(3);
    }
    ::_exit(0);
  }
  return child;
}

/// Waits for `child` to end; returns its wait status.
inline int wait_for(pid_t child) {
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  return status;
}

/// A one-value query, as an integer.
template <class Database>
std::int64_t scalar(Database& db, const std::string& sql) {
  return std::stoll(*raw_value(db, sql));
}

/// The handler a crash test's consumer applies each parcel event with: a Delivery row and the copy.
inline auto copy_parcels() {
  return syncorm::on<crash_models::Parcel>([](const syncorm::event<crash_models::Parcel>& e, auto& tx) {
    crash_models::Delivery d{.event_position = e.position, .parcel_id = e.row.id};
    tx.insert(d);
    crash_models::ParcelCopy copy{e.row.id, e.row.label, e.row.version};
    tx.upsert(copy);
  });
}

/// How many of the consumer's copies differ from the producer's parcels (REQUIREs as many of each).
template <class Producer, class Consumer>
std::size_t parcels_differing(Producer& producer, Consumer& consumer) {
  using syncorm::col;
  using crash_models::Parcel, crash_models::ParcelCopy;
  const auto sources = producer.template select<Parcel>(syncorm::order_by(col<&Parcel::id>));
  const auto copies = consumer.template select<ParcelCopy>(syncorm::order_by(col<&ParcelCopy::id>));
  REQUIRE(copies.size() == sources.size());
  std::size_t different = 0;
  for (std::size_t i = 0; i < copies.size(); ++i)
    if (copies[i].id != sources[i].id || copies[i].label != sources[i].label || copies[i].version != sources[i].version)
      ++different;
  return different;
}

}  // namespace test_support
