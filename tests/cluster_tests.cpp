// syncorm::cluster on a real PostgreSQL primary with two streaming replicas that replay a second
// late (recovery_min_apply_delay), so replication lag is real and deterministic; and on SQLite,
// one write connection and read-only connections on the same WAL file.

#include <doctest/doctest.h>

#include <syncorm/cluster.hpp>
#include <syncorm/postgres.hpp>
#include <syncorm/sqlite.hpp>
#include <syncorm/sync.hpp>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "support/backends.hpp"
#include "support/raw_sql.hpp"
#include "support/replicas.hpp"

using syncorm::col;
using syncorm::where;
using test_support::raw_query;
using test_support::raw_value;
using test_support::replica_set;
using namespace std::chrono_literals;

namespace cluster_models {

struct Account {
  std::int64_t id = 0;
  std::string owner;
  std::int64_t balance = 0;
};

}  // namespace cluster_models

using namespace cluster_models;

namespace {

/// Runs the fixture's server script (stop-server / start-server a replica).
void server_script(const std::string& command, const std::string& server) {
  test_support::server_command("PG", command, server);
}

/// Changes an account's balance behind every cluster's back, on the primary: a read that sees the
/// new balance went to the primary (or to a replica that caught up).
void change_on_primary(const replica_set& set, std::int64_t id, std::int64_t balance) {
  syncorm::postgres::database p{set.primary};
  raw_query(p, "UPDATE account SET balance = " + std::to_string(balance) + " WHERE id = " + std::to_string(id));
}

using sticky_cluster = syncorm::cluster<syncorm::postgres::database>;
using wal_cluster = syncorm::cluster<syncorm::postgres::database, syncorm::read_your_writes<syncorm::wal_position>,
                                     syncorm::read_selection<syncorm::round_robin>>;

}  // namespace

TEST_CASE("without a session, a read right after a write is stale: the lag is real") {
  const replica_set set = replica_set::fresh("cluster");
  sticky_cluster db{set.settings()};
  db.create_table<Account>();
  set.wait_for_replay();
  Account a{.owner = "ada", .balance = 10};
  db.insert(a);
  CHECK_FALSE(db.find<Account>(a.id));  // a replica, a second behind
  set.wait_for_replay();
  CHECK(db.find<Account>(a.id));
}

TEST_CASE_TEMPLATE("a session reads its own writes at once; other sessions do not", Cluster, sticky_cluster,
                   wal_cluster) {
  const replica_set set = replica_set::fresh("cluster");
  Cluster db{set.settings()};
  db.template create_table<Account>();
  set.wait_for_replay();
  auto ada = db.session("ada");
  Account a{.owner = "ada", .balance = 10};
  ada.insert(a);
  CHECK(ada.template find<Account>(a.id));
  CHECK(ada.template count<Account>() == 1);
  auto bob = db.session("bob");
  CHECK_FALSE(bob.template find<Account>(a.id));  // bob wrote nothing: his reads go to replicas
  // A second session object for the same key, in the same process, sees ada's write too.
  CHECK(db.session("ada").template find<Account>(a.id));
  a.balance = 11;
  ada.transaction([&](auto& tx) { tx.update(a); });
  CHECK(ada.template find<Account>(a.id)->balance == 11);
}

TEST_CASE("wal_position goes back to a replica as soon as it has caught up, long before any time limit") {
  const replica_set set = replica_set::fresh("cluster");
  wal_cluster db{set.settings(60s)};
  db.create_table<Account>();
  set.wait_for_replay();
  auto ada = db.session("ada");
  Account a{.owner = "ada", .balance = 10};
  ada.insert(a);
  CHECK(ada.find<Account>(a.id)->balance == 10);  // from the primary: the replicas are behind
  set.wait_for_replay();
  change_on_primary(set, a.id, 99);              // unknown to the session
  CHECK(ada.find<Account>(a.id)->balance == 10);  // a replica now: caught up with ada, not with this
}

TEST_CASE("sticky_window: after sticky_for, a session reads from the replicas again") {
  const replica_set set = replica_set::fresh("cluster");
  sticky_cluster db{set.settings(300ms)};
  db.create_table<Account>();
  set.wait_for_replay();
  Account a{.owner = "ada", .balance = 10};
  db.insert(a);
  set.wait_for_replay();
  auto ada = db.session("ada");
  a.balance = 20;
  ada.update(a);
  CHECK(ada.find<Account>(a.id)->balance == 20);  // the write source, within the window
  std::this_thread::sleep_for(320ms);
  CHECK(ada.find<Account>(a.id)->balance == 10);  // the window is over: a replica, still a second behind
}

TEST_CASE_TEMPLATE("a token from one cluster object gives read-your-writes in another", Cluster, sticky_cluster,
                   wal_cluster) {
  const replica_set set = replica_set::fresh("cluster");
  Cluster here{set.settings()};
  Cluster elsewhere{set.settings()};  // as if in another process: its own pools and sticky store
  here.template create_table<Account>();
  set.wait_for_replay();
  auto writer = here.session("ada");
  Account a{.owner = "ada", .balance = 10};
  writer.insert(a);
  const std::string token = writer.token();
  CHECK_FALSE(elsewhere.session("ada").template find<Account>(a.id));  // no token: stale
  CHECK(elsewhere.session("ada", token).template find<Account>(a.id));
  CHECK_THROWS_AS(elsewhere.session("ada", "not a token"), syncorm::error);
}

TEST_CASE("intent_for: a writing method's reads go to the write source; a write in a read scope too") {
  const replica_set set = replica_set::fresh("cluster");
  sticky_cluster db{set.settings()};
  db.create_table<Account>();
  Account a{.owner = "ada", .balance = 10};
  db.insert(a);
  set.wait_for_replay();
  change_on_primary(set, a.id, 20);
  {
    auto post = db.intent_for("POST");
    CHECK(post.writes());
    CHECK(db.find<Account>(a.id)->balance == 20);
    {
      auto get = db.intent_for("get");  // scopes nest
      CHECK(db.find<Account>(a.id)->balance == 10);
      a.balance = 30;
      CHECK(db.update(a));  // never on a replica (its connections are read-only anyway)
    }
    CHECK(db.find<Account>(a.id)->balance == 30);
  }
  CHECK(db.find<Account>(a.id)->balance == 10);  // no scope: a replica
  // Another thread is not in this thread's scope.
  auto post = db.intent_for("DELETE");
  std::int64_t seen = 0;
  std::thread([&] { seen = db.find<Account>(a.id)->balance; }).join();
  CHECK(seen == 10);
}

TEST_CASE("a transaction runs every statement, reads included, on one write source") {
  const replica_set set = replica_set::fresh("cluster");
  sticky_cluster db{set.settings()};
  db.create_table<Account>();
  set.wait_for_replay();
  db.transaction([&](auto& tx) {
    Account a{.owner = "in tx", .balance = 1};
    tx.insert(a);
    CHECK(tx.template find<Account>(a.id));
    CHECK(tx.template count<Account>() == 1);
  });
}

TEST_CASE("read connections are read-only: a write there fails, whatever server they reach") {
  const replica_set set = replica_set::fresh("cluster");
  syncorm::postgres::database read_only{set.primary, syncorm::postgres::options{.read_only = true}};
  CHECK_THROWS_AS(read_only.create_table<Account>(), syncorm::error);
}

TEST_CASE("replicas that stop leave rotation without losing a read, and rejoin when they are back") {
  const replica_set set = replica_set::fresh("cluster");
  sticky_cluster db{set.settings()};
  db.create_table<Account>();
  Account a{.owner = "ada", .balance = 10};
  db.insert(a);
  set.wait_for_replay();
  auto read_all = [&](int times) {
    int found = 0;
    for (int i = 0; i < times; ++i) found += db.find<Account>(a.id) ? 1 : 0;
    return found;
  };
  CHECK(read_all(20) == 20);

  server_script("stop-server", "replica1");
  CHECK(read_all(20) == 20);  // replica1's reads fail over to replica2
  CHECK_FALSE(db.read_sources()[0].healthy());
  CHECK(db.read_sources()[0].failures() >= 1);
  CHECK(db.read_sources()[1].healthy());

  server_script("stop-server", "replica2");
  change_on_primary(set, a.id, 20);
  CHECK(db.find<Account>(a.id)->balance == 20);  // no replica: the primary answers
  CHECK(read_all(20) == 20);
  CHECK_FALSE(db.read_sources()[1].healthy());

  server_script("start-server", "replica1");
  server_script("start-server", "replica2");
  set.wait_for_replay();
  std::this_thread::sleep_for(450ms);  // past the longest back-off
  change_on_primary(set, a.id, 30);
  int stale = 0;
  for (int i = 0; i < 10; ++i) stale += db.find<Account>(a.id)->balance == 20 ? 1 : 0;
  CHECK(stale == 10);  // replicas again: a second behind the primary
  CHECK(db.read_sources()[0].healthy());
  CHECK(db.read_sources()[1].healthy());
}

TEST_CASE("with no write source up, a write throws connection_error and health says why") {
  const replica_set set = replica_set::fresh("cluster");
  sticky_cluster db{syncorm::cluster_settings{.writes = {"host=127.0.0.1 port=1 dbname=none connect_timeout=2"},
                                              .reads = {set.replica1}}};
  Account a{.owner = "nobody"};
  CHECK_THROWS_AS(db.insert(a), syncorm::connection_error);
  CHECK_FALSE(db.write_sources()[0].healthy());
  CHECK_THROWS_AS(db.insert(a), syncorm::connection_error);  // still out of rotation: fails at once
}

TEST_CASE("many threads share one cluster") {
  const replica_set set = replica_set::fresh("cluster");
  sticky_cluster db{set.settings()};
  db.create_table<Account>();
  set.wait_for_replay();
  std::atomic<int> own_reads_seen{0};
  std::vector<std::jthread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      auto session = db.session("user" + std::to_string(t));
      for (int i = 0; i < 20; ++i) {
        Account a{.owner = "t" + std::to_string(t), .balance = i};
        session.insert(a);
        if (session.find<Account>(a.id)) ++own_reads_seen;
        db.count<Account>(where(col<&Account::balance> > 5));
      }
    });
  }
  threads.clear();
  CHECK(own_reads_seen == 160);
  set.wait_for_replay();
  CHECK(db.count<Account>() == 160);
}

// ---- selection policies -----------------------------------------------------------------------------

TEST_CASE("selection policies pick among the sources in rotation") {
  std::vector<syncorm::data_source> sources{{"a", 1}, {"b", 3}, {"c", 0}};
  syncorm::round_robin turns;
  std::map<std::size_t, int> picked;
  for (int i = 0; i < 30; ++i) ++picked[turns(sources)];
  CHECK(picked == std::map<std::size_t, int>{{0, 10}, {1, 10}, {2, 10}});

  syncorm::weighted by_weight;
  picked.clear();
  for (int i = 0; i < 4000; ++i) ++picked[by_weight(sources)];
  CHECK(picked[2] == 0);
  CHECK(picked[1] > 2 * picked[0]);  // 3:1, with room for chance

  syncorm::random any;
  picked.clear();
  for (int i = 0; i < 3000; ++i) ++picked[any(sources)];
  for (std::size_t i = 0; i < 3; ++i) CHECK(picked[i] > 700);

  syncorm::detail::source_health::failed(sources[0], 10s, 10s);  // out of rotation
  picked.clear();
  for (int i = 0; i < 30; ++i) {
    ++picked[turns(sources)];
    ++picked[any(sources)];
  }
  CHECK(picked[0] == 0);
  for (auto& s : sources) syncorm::detail::source_health::failed(s, 10s, 10s);
  CHECK(turns(sources) == sources.size());
}

// ---- SQLite: one writer, read-only readers of the same WAL file ------------------------------------------

namespace {
struct first_source {
  std::size_t operator()(std::span<const syncorm::data_source>) const noexcept { return 0; }
};
using sqlite_cluster = syncorm::cluster<syncorm::sqlite::database, syncorm::read_selection<first_source>,
                                        syncorm::write_selection<syncorm::round_robin>>;
}  // namespace

TEST_CASE("SQLite: a cluster is one write connection and read-only connections on the same file") {
  const std::string path = test_support::scratch_file("cluster").string();
  sqlite_cluster db{syncorm::cluster_settings{.writes = {path}, .pool_size = 3}};
  db.create_table<Account>();
  std::vector<Account> accounts(10, Account{.owner = "x"});
  db.insert_many(accounts);
  CHECK(db.count<Account>() == 10);  // WAL: a reader sees every commit at once
  CHECK(db.read_sources().size() == 1);
  CHECK(db.read_sources()[0].conninfo() == path);
  auto s = db.session("u");
  accounts[0].balance = 5;
  s.update(accounts[0]);
  CHECK(s.find<Account>(accounts[0].id)->balance == 5);
  syncorm::sqlite::database read_only{path, syncorm::sqlite::options{.read_only = true}};
  CHECK(read_only.count<Account>() == 10);
  CHECK_THROWS_AS(read_only.insert(accounts[0]), syncorm::error);
}

// ---- sync events through a cluster ----------------------------------------------------------------

namespace cluster_models {
struct Parcel {
  std::int64_t id = 0;
  std::string label;
};
struct ParcelCopy {
  std::int64_t id = 0;
  std::string label;
};
}  // namespace cluster_models
template <>
struct syncorm::sync_traits<cluster_models::Parcel> {};

TEST_CASE("a cluster writes sync events like a database, and a subscriber can apply them through one") {
  const replica_set set = replica_set::fresh("cluster");
  sticky_cluster producer{set.settings()};
  producer.create_table<Parcel>();
  for (int i = 0; i < 5; ++i) {
    Parcel p{.label = "p" + std::to_string(i)};
    producer.insert(p);  // the event commits with the row, on the write source
  }
  producer.transaction([&](auto& tx) {
    Parcel p{.label = "in a transaction"};
    tx.insert(p);
  });
  CHECK(syncorm::latest_position(producer) == 6);

  const std::string consumer_path = test_support::scratch_file("cluster-consumer").string();
  sqlite_cluster consumer{syncorm::cluster_settings{.writes = {consumer_path}}};
  consumer.create_table<ParcelCopy>();
  syncorm::postgres::database feed_db{set.primary};
  syncorm::outbox_source feed{feed_db, "parcels"};
  syncorm::subscriber sub{consumer, "copies", syncorm::on<Parcel>([](const syncorm::event<Parcel>& e, auto& tx) {
                            ParcelCopy copy{e.row.id, e.row.label};
                            tx.insert(copy);
                          })};
  CHECK(sub.poll(feed) == 6);
  CHECK(consumer.count<ParcelCopy>() == 6);
  CHECK(sub.position("parcels") == 6);
  CHECK(syncorm::prune_outbox(producer, {"copies"}) >= 0);
}
