// syncorm::cached: find<T>(id) cached in memory in front of a database or a cluster, invalidated by
// every write form (transactions, rollbacks, bulk writes, other connections, a sync subscriber's
// mirror), with the double delete's timer, the stale-fill guard, TTL, the size bound and counters.
// On SQLite files and on PostgreSQL; the replica race on the primary with two replicas that replay
// a second late (fixture postgres_replicas). Values are checked with the backends' own C APIs.

#include <doctest/doctest.h>

#include <syncorm/cache.hpp>
#include <syncorm/cluster.hpp>
#include <syncorm/postgres.hpp>
#include <syncorm/sqlite.hpp>
#include <syncorm/sync.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
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

namespace cache_models {

struct Item {
  std::int64_t id = 0;
  std::string name;
  std::int64_t stock = 0;
};

/// Cached briefly, for the TTL.
struct Brief {
  std::int64_t id = 0;
  std::string name;
};

/// Not cached: find passes through.
struct Plain {
  std::int64_t id = 0;
  std::string name;
};

/// Not cached; its hook writes a cached Item in the same transaction.
struct Restock {
  std::int64_t id = 0;
  std::int64_t item_id = 0;
  std::int64_t amount = 0;
};

/// Cached and mirrored by a sync subscriber.
struct Mirrored {
  std::int64_t id = 0;
  std::string name;
};

}  // namespace cache_models

using namespace cache_models;

template <>
struct syncorm::cache_traits<Item> {
  static constexpr auto ttl = std::chrono::seconds{30};
};
template <>
struct syncorm::cache_traits<Brief> {
  static constexpr auto ttl = std::chrono::milliseconds{300};
};
template <>
struct syncorm::cache_traits<Mirrored> {
  static constexpr auto ttl = std::chrono::seconds{30};
};
template <>
struct syncorm::sync_traits<Mirrored> {};
template <>
struct syncorm::hooks<Restock> {
  template <class Transaction>
  static void after_create(const Restock& r, Transaction& tx) {
    Item item = *tx.template find<Item>(r.item_id);
    item.stock += r.amount;
    tx.update(item);
  }
};

static_assert(syncorm::detail::cached_model<Item>);
static_assert(!syncorm::detail::cached_model<Plain>);

namespace {

/// What a cached database of a backend is opened with: a new SQLite file, or a new PostgreSQL schema.
template <class Backend>
std::string new_database() {
  if constexpr (Backend::name == "sqlite") {
    return test_support::scratch_file("cache").string();
  } else {
    static std::atomic<int> counter{0};
    const std::string schema = "test_" + std::to_string(::getpid()) + "_cache" + std::to_string(counter++);
    test_support::postgres_backend::admin().execute("CREATE SCHEMA " + schema);
    return test_support::postgres_conninfo() + " options='-c search_path=" + schema + "'";
  }
}

/// The settings with neither the guard nor the double delete: what both protect against.
syncorm::cache_settings unprotected() {
  return syncorm::cache_settings{.max_entries = 1000, .second_delete_after = 0ms, .stale_fill_guard = false};
}

/// The stock of item `id`, read with the backend's C API on a connection of its own.
template <class Database>
std::int64_t stock_in_database(const std::string& where_, std::int64_t id) {
  Database independent{where_};
  return std::stoll(*raw_value(independent, "SELECT stock FROM item WHERE id = " + std::to_string(id)));
}

/// Changes item `id`'s stock behind syncorm's back (no invalidation): a find that still returns
/// the old stock was answered by the cache.
template <class Database>
void change_behind_the_back(const std::string& where_, std::int64_t id, std::int64_t stock) {
  Database independent{where_};
  raw_query(independent, "UPDATE item SET stock = " + std::to_string(stock) + " WHERE id = " + std::to_string(id));
}

template <class Backend>
struct fixture {
  using database = typename Backend::database;
  std::string where_ = new_database<Backend>();
  syncorm::cached<database> db;
  Item item{.name = "lamp", .stock = 5};

  explicit fixture(syncorm::cache_settings settings = unprotected()) : db(where_, std::move(settings)) {
    db.template create_table<Item>();
    db.template create_table<Brief>();
    db.template create_table<Plain>();
    db.insert(item);
  }
  /// Fills the cache with the item and proves it is cached.
  void fill() {
    REQUIRE(db.template find<Item>(item.id)->stock == item.stock);
    change_behind_the_back<database>(where_, item.id, 999);
    REQUIRE(db.template find<Item>(item.id)->stock == item.stock);  // the cache answered
  }
  std::int64_t cached_stock() { return db.template find<Item>(item.id)->stock; }
};

}  // namespace

#define CACHE_BACKENDS test_support::sqlite_backend, test_support::postgres_backend

TEST_CASE_TEMPLATE("a find is filled from the database once, then answered from memory", Backend, CACHE_BACKENDS) {
  fixture<Backend> f;
  CHECK(f.db.template find<Item>(f.item.id)->name == "lamp");
  CHECK(f.db.cache_stats().misses == 1);
  CHECK(f.db.cache_stats().memory_hits == 0);
  change_behind_the_back<typename Backend::database>(f.where_, f.item.id, 7);
  CHECK(f.db.template find<Item>(f.item.id)->stock == 5);  // from memory: the database says 7
  CHECK(stock_in_database<typename Backend::database>(f.where_, f.item.id) == 7);
  CHECK(f.db.cache_stats().memory_hits == 1);
  CHECK(f.db.cache_stats().misses == 1);
  // Absence is not cached, and models without cache_traits are not cached at all.
  CHECK_FALSE(f.db.template find<Item>(f.item.id + 100));
  CHECK_FALSE(f.db.template find<Item>(f.item.id + 100));
  CHECK(f.db.cache_stats().misses == 3);
  Plain p{.name = "x"};
  f.db.insert(p);
  CHECK(f.db.template find<Plain>(p.id)->name == "x");
  CHECK(f.db.template find<Plain>(p.id)->name == "x");
  CHECK(f.db.cache_stats().misses == 3);
  CHECK(f.db.cache_stats().memory_hits == 1);
}

TEST_CASE_TEMPLATE("every write form of a cached model deletes its entry", Backend, CACHE_BACKENDS) {
  using database = typename Backend::database;
  fixture<Backend> f;
  SUBCASE("update") {
    f.fill();
    f.item.stock = 6;
    CHECK(f.db.update(f.item));
    CHECK(f.cached_stock() == 6);
  }
  SUBCASE("upsert") {
    f.fill();
    f.item.stock = 6;
    f.db.upsert(f.item);
    CHECK(f.cached_stock() == 6);
  }
  SUBCASE("remove") {
    f.fill();
    CHECK(f.db.remove(f.item));
    CHECK_FALSE(f.db.template find<Item>(f.item.id));
  }
  SUBCASE("update_where") {
    f.fill();
    CHECK(f.db.template update_where<Item>(syncorm::set(col<&Item::stock>, std::int64_t{3}),
                                           where(col<&Item::name> == "lamp")) == 1);
    CHECK(f.cached_stock() == 3);
  }
  SUBCASE("remove_where") {
    f.fill();
    CHECK(f.db.template remove_where<Item>(where(col<&Item::name> == "lamp")) == 1);
    CHECK_FALSE(f.db.template find<Item>(f.item.id));
  }
  SUBCASE("insert_many of a row with that key, after a delete behind the back") {
    f.fill();
    {
      database independent{f.where_};
      raw_query(independent, "DELETE FROM item WHERE id = " + std::to_string(f.item.id));
    }
    std::vector<Item> rows{Item{.name = "new"}};
    f.db.insert_many(rows);
    f.db.template update_where<Item>(syncorm::set(col<&Item::id>, f.item.id), where(col<&Item::name> == "new"));
    CHECK(f.db.template find<Item>(f.item.id)->name == "new");
  }
  SUBCASE("a committed transaction") {
    f.fill();
    f.db.transaction([&](auto& tx) {
      f.item.stock = 6;
      tx.update(f.item);
    });
    CHECK(f.cached_stock() == 6);
  }
  SUBCASE("a hook's write, through the transaction it is given") {
    f.fill();
    f.db.template create_table<Restock>();
    Restock r{.item_id = f.item.id, .amount = 10};
    f.db.insert(r);
    CHECK(f.cached_stock() == 1009);  // 999 behind the back, + 10 by the hook
  }
  SUBCASE("another connection of the process, not through the cache") {
    f.fill();
    database other{f.where_};
    f.item.stock = 6;
    other.update(f.item);
    CHECK(f.cached_stock() == 6);
  }
  CHECK(f.db.cache_stats().misses >= 2);
}

TEST_CASE_TEMPLATE("a rolled-back write never leaves a stale entry", Backend, CACHE_BACKENDS) {
  fixture<Backend> f;
  f.fill();  // cached: 5; the database: 999
  CHECK_THROWS_AS(f.db.transaction([&](auto& tx) {
    Item changed = f.item;
    changed.stock = 6;
    tx.update(changed);
    throw std::runtime_error("no");
  }),
                  std::runtime_error);
  CHECK(f.cached_stock() == 999);  // deleted at once, read again: what the database holds
  CHECK(stock_in_database<typename Backend::database>(f.where_, f.item.id) == 999);
}

TEST_CASE("a fill between a write and its COMMIT is deleted at COMMIT; with the guard it is not stored") {
  // PostgreSQL: another connection reads the committed row while the write is open.
  using database = syncorm::postgres::database;
  for (const bool guard : {false, true}) {
    CAPTURE(guard);
    syncorm::cache_settings settings = unprotected();
    settings.stale_fill_guard = guard;
    settings.second_delete_after = guard ? 2000ms : 0ms;
    fixture<test_support::postgres_backend> f{settings};
    database writer{f.where_};
    writer.transaction([&](auto& tx) {
      Item changed = f.item;
      changed.stock = 6;
      tx.update(changed);
      CHECK(f.cached_stock() == 5);  // the old row: the write is not committed
      CHECK(f.db.cache_stats().refused_fills == (guard ? 1u : 0u));
    });
    CHECK(f.cached_stock() == 6);
  }
}

TEST_CASE_TEMPLATE("a write applied by a sync subscriber (a mirror) deletes the entry", Backend, CACHE_BACKENDS) {
  using database = typename Backend::database;
  const std::string producer_at = new_database<Backend>();
  const std::string consumer_at = new_database<Backend>();
  database producer{producer_at};
  producer.template create_table<Mirrored>();
  syncorm::cached<database> consumer{consumer_at, unprotected()};
  consumer.template create_table<Mirrored>();
  syncorm::subscriber sub{consumer, "mirror", syncorm::mirror<Mirrored>()};
  database feed_db{producer_at};
  syncorm::outbox_source feed{feed_db, "producer"};

  Mirrored m{.name = "first"};
  producer.insert(m);
  CHECK(sub.poll(feed) == 1);
  CHECK(consumer.template find<Mirrored>(m.id)->name == "first");
  m.name = "second";
  producer.update(m);  // in this process: this deletes the consumer's entry too
  CHECK(consumer.template find<Mirrored>(m.id)->name == "first");  // the consumer has not applied it yet: cached
  CHECK(consumer.template find<Mirrored>(m.id)->name == "first");
  const auto hits = consumer.cache_stats().memory_hits;
  CHECK(sub.poll(feed) == 1);  // the mirror's write deletes the entry
  CHECK(consumer.template find<Mirrored>(m.id)->name == "second");
  CHECK(consumer.cache_stats().memory_hits == hits);
  database independent{consumer_at};
  CHECK(*raw_value(independent, "SELECT name FROM mirrored WHERE id = " + std::to_string(m.id)) == "second");
}

TEST_CASE_TEMPLATE("double delete: a row cached after the write is deleted again after the delay", Backend,
                   CACHE_BACKENDS) {
  syncorm::cache_settings settings = unprotected();
  settings.second_delete_after = 300ms;
  fixture<Backend> f{settings};
  f.item.stock = 6;
  f.db.update(f.item);
  change_behind_the_back<typename Backend::database>(f.where_, f.item.id, 5);  // as a lagging read would see it
  CHECK(f.cached_stock() == 5);
  change_behind_the_back<typename Backend::database>(f.where_, f.item.id, 6);
  CHECK(f.cached_stock() == 5);  // stale, cached
  std::this_thread::sleep_for(500ms);
  CHECK(f.cached_stock() == 6);  // the second delete took it out
}

TEST_CASE("the timer is stopped on destruction, with deletes still pending") {
  const auto started = std::chrono::steady_clock::now();
  {
    syncorm::cache_settings settings = unprotected();
    settings.second_delete_after = 60s;
    syncorm::cached<syncorm::sqlite::database> db{":memory:", settings};
    db.create_table<Item>();
    Item i{.name = "x"};
    db.insert(i);
    i.stock = 2;
    db.update(i);
  }
  CHECK(std::chrono::steady_clock::now() - started < 5s);
}

TEST_CASE_TEMPLATE("an entry expires after its model's ttl", Backend, CACHE_BACKENDS) {
  fixture<Backend> f;
  Brief b{.name = "a"};
  f.db.insert(b);
  CHECK(f.db.template find<Brief>(b.id)->name == "a");
  {
    typename Backend::database independent{f.where_};
    raw_query(independent, "UPDATE brief SET name = 'b' WHERE id = " + std::to_string(b.id));
  }
  CHECK(f.db.template find<Brief>(b.id)->name == "a");
  std::this_thread::sleep_for(400ms);
  CHECK(f.db.template find<Brief>(b.id)->name == "b");
  CHECK(f.db.cache_stats().misses == 2);
}

TEST_CASE("the memory level is bounded: the least recently used rows go first") {
  syncorm::cache_settings settings = unprotected();
  settings.max_entries = 64;
  syncorm::cached<syncorm::sqlite::database> db{":memory:", settings};
  db.create_table<Item>();
  std::vector<Item> items(300);
  db.insert_many(items);
  for (const Item& i : items) CHECK(db.find<Item>(i.id));
  CHECK(db.memory_entries() <= 64);
  CHECK(db.memory_entries() >= 32);
  CHECK(db.cache_stats().evictions == 300 - db.memory_entries());
  // The most recent are there.
  const auto misses = db.cache_stats().misses;
  CHECK(db.find<Item>(items.back().id));
  CHECK(db.cache_stats().misses == misses);
}

TEST_CASE("in front of a cluster: concurrent readers and writers end with every cached row current") {
  // SQLite cluster: one write connection, read-only connections on the same WAL file.
  const std::string file = test_support::scratch_file("cache-cluster").string();
  using shop = syncorm::cluster<syncorm::sqlite::database>;
  syncorm::cached<shop> db{syncorm::cluster_settings{.writes = {file}, .pool_size = 4},
                           syncorm::cache_settings{.max_entries = 1000, .second_delete_after = 50ms}};
  db.create_table<Item>();
  std::vector<Item> items(20);
  db.insert_many(items);
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  for (int r = 0; r < 3; ++r)
    threads.emplace_back([&, r] {
      std::size_t k = static_cast<std::size_t>(r);
      while (!stop.load()) (void)db.find<Item>(items[k++ % items.size()].id);
    });
  // The writer writes a quarter of the rows (so the others are cached and hit while it writes).
  std::thread writer([&] {
    for (int round = 1; round <= 200; ++round)
      for (std::size_t k = static_cast<std::size_t>(round % 2) * 2; k < items.size(); k += 4) {
        Item i = items[k];
        i.stock = round;
        db.update(i);
      }
  });
  writer.join();
  stop = true;
  for (auto& t : threads) t.join();
  std::this_thread::sleep_for(200ms);  // past the guard's window
  syncorm::sqlite::database independent{file};
  for (const Item& i : items)
    CHECK(db.find<Item>(i.id)->stock ==
          std::stoll(*raw_value(independent, "SELECT stock FROM item WHERE id = " + std::to_string(i.id))));
  const syncorm::cache_stats stats = db.cache_stats();
  CHECK(stats.memory_hits > 0);     // rows not written were cached and hit meanwhile
  CHECK(stats.refused_fills > 0);   // rows being written were not stored
  MESSAGE("hits " << stats.memory_hits << ", misses " << stats.misses << ", refused " << stats.refused_fills);
}

// ---- the replica race ---------------------------------------------------------------------------

namespace {

using shop = syncorm::cluster<syncorm::postgres::database>;

/// A write, then at once a read: it goes to a replica a second behind, which still has the old row.
/// Returns what that read and the next one returned, and what is read once the replicas caught up
/// and `after` passed.
struct race_outcome {
  std::int64_t first, second, settled;
  syncorm::cache_stats stats;
};
race_outcome run_race(const syncorm::cache_settings& settings, std::chrono::milliseconds after) {
  const replica_set set = replica_set::fresh("cache");
  syncorm::cached<shop> db{set.settings(), settings};
  db.create_table<Item>();
  Item item{.name = "lamp", .stock = 1};
  db.insert(item);
  set.wait_for_replay();
  item.stock = 2;
  db.update(item);  // deletes the entry at once, and after its commit
  race_outcome out{};
  out.first = db.find<Item>(item.id)->stock;   // from a replica, a second behind: 1
  out.second = db.find<Item>(item.id)->stock;  // stored or not?
  set.wait_for_replay();
  std::this_thread::sleep_for(after);
  out.settled = db.find<Item>(item.id)->stock;
  out.stats = db.cache_stats();
  syncorm::postgres::database primary{set.primary};
  CHECK(*raw_value(primary, "SELECT stock FROM item WHERE id = " + std::to_string(item.id)) == "2");
  return out;
}

}  // namespace

TEST_CASE("the replica race: without protection the stale row stays cached") {
  const race_outcome r = run_race(unprotected(), 0ms);
  CHECK(r.first == 1);
  CHECK(r.second == 1);
  CHECK(r.settled == 1);  // the replicas have caught up; the cache still says 1
  CHECK(r.stats.refused_fills == 0);
}

TEST_CASE("the replica race: double delete alone stores the stale row, and deletes it after the delay") {
  syncorm::cache_settings settings = unprotected();
  settings.second_delete_after = 1500ms;
  const race_outcome r = run_race(settings, 1000ms);  // the replay (about 1 s), then 1 s: past 1.5 s
  CHECK(r.first == 1);
  CHECK(r.second == 1);  // stale, from memory, for up to second_delete_after
  CHECK(r.settled == 2);
  CHECK(r.stats.refused_fills == 0);
}

TEST_CASE("the replica race: with the guard the stale row is never stored") {
  const race_outcome r = run_race(syncorm::cache_settings{.max_entries = 1000, .second_delete_after = 2000ms}, 0ms);
  CHECK(r.first == 1);   // what the replica said, returned but not stored
  CHECK(r.second == 1);  // read again from a replica, not from the cache
  CHECK(r.stats.memory_hits == 0);
  CHECK(r.stats.refused_fills >= 2);
  CHECK(r.settled == 2);
}
