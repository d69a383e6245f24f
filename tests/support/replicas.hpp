#pragma once
// The replica set CTest started (fixture postgres_replicas: a primary and two streaming replicas
// replaying a second late), seen through a PostgreSQL schema of the test's own on every server.

#include <syncorm/cluster.hpp>
#include <syncorm/postgres.hpp>

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <unistd.h>

#include "backends.hpp"
#include "raw_sql.hpp"

namespace test_support {

/// Connection strings of the primary and the two replicas, in a fresh schema.
struct replica_set {
  std::string primary, replica1, replica2;

  /// A schema of its own (named after `prefix`, the process and a counter), created on the primary
  /// and replayed on both replicas before this returns.
  static replica_set fresh(const std::string& prefix) {
    static std::atomic<int> counter{0};
    const std::string schema = prefix + "_" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
    postgres_backend::admin().execute("CREATE SCHEMA " + schema);
    auto in_schema = [&](const std::string& file) {
      return postgres_state_file(file) + " options='-c search_path=" + schema + "'";
    };
    replica_set set{in_schema("primary.conninfo"), in_schema("replica1.conninfo"), in_schema("replica2.conninfo")};
    set.wait_for_replay();
    return set;
  }

  /// Waits until both replicas have replayed everything the primary has written so far.
  void wait_for_replay() const {
    using namespace std::chrono_literals;
    syncorm::postgres::database p{primary};
    const std::string target = *raw_value(p, "SELECT pg_current_wal_insert_lsn()");
    for (const std::string& replica : {replica1, replica2}) {
      syncorm::postgres::database r{replica};
      const auto deadline = std::chrono::steady_clock::now() + 30s;
      while (*raw_value(r, "SELECT pg_last_wal_replay_lsn() >= '" + target + "'::pg_lsn") != "t") {
        REQUIRE(std::chrono::steady_clock::now() < deadline);
        std::this_thread::sleep_for(20ms);
      }
    }
  }

  /// A cluster over them: writes to the primary, reads from the replicas, quick retries after a fault.
  syncorm::cluster_settings settings(std::chrono::milliseconds sticky_for = std::chrono::seconds{3}) const {
    using namespace std::chrono_literals;
    return syncorm::cluster_settings{.writes = {primary}, .reads = {replica1, replica2}, .pool_size = 2,
                                     .sticky_for = sticky_for, .retry_after = 100ms, .max_retry_after = 400ms};
  }
};

}  // namespace test_support
