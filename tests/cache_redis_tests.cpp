// The cache's Redis level on a real, throwaway redis-server (fixture: cmake/test_servers/redis.sh):
// memory, then Redis, then the database; deletes published to other processes' memory; the
// stale-fill guard as one atomic script, so that it holds when the reader and the writer are two
// processes; and Redis killed and restarted under a running cache. Values in Redis are checked
// with redis-cli, rows with the backends' C APIs.

#include <doctest/doctest.h>

#include <syncorm/cache.hpp>
#include <syncorm/cluster.hpp>
#include <syncorm/postgres.hpp>
#include <syncorm/redis.hpp>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>

#include <unistd.h>

#include "support/backends.hpp"
#include "support/raw_sql.hpp"
#include "support/servers.hpp"

using test_support::raw_query;
using test_support::raw_value;
using namespace std::chrono_literals;

namespace redis_models {

struct Item {
  std::int64_t id = 0;
  std::string name;
  std::int64_t stock = 0;
};

}  // namespace redis_models

using namespace redis_models;

template <>
struct syncorm::cache_traits<Item> {
  static constexpr auto ttl = std::chrono::seconds{30};
};

namespace {

std::string redis_state(const std::string& name) { return test_support::server_state_file("REDIS", name); }
/// The server's URL, with a Redis database of its own for each test case: rows are keyed by table
/// and id, and every case has an "item" table of its own (in a PostgreSQL schema of its own).
int& redis_database() {
  static int database = 0;
  return database;
}
std::string redis_url() { return redis_state("url") + "/" + std::to_string(redis_database()); }
/// Starts a test case on a Redis database of its own.
void use_new_redis_database() {
  static int next = 1;
  redis_database() = next++;
}

/// Output of redis-cli (the independent client) on the test server, trailing newline removed.
std::string redis_cli(const std::string& arguments) {
  const std::string line = "redis-cli -h 127.0.0.1 -p " + redis_state("port") + " -n " +
                           std::to_string(redis_database()) + " " + arguments + " 2>&1";
  FILE* pipe = ::popen(line.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::string out;
  std::array<char, 512> buffer{};
  while (std::fgets(buffer.data(), static_cast<int>(buffer.size()), pipe) != nullptr) out += buffer.data();
  ::pclose(pipe);
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

/// The value Redis holds for item `id` (empty: none), found by the key's shape.
std::string redis_value_of(std::int64_t id) {
  const std::string keys = redis_cli("--scan --pattern 'syncorm:cache:v:*:item:*:" + std::to_string(id) + "'");
  if (keys.empty()) return {};
  return redis_cli("GET '" + keys.substr(0, keys.find('\n')) + "'");
}

/// Runs the fixture's server script (kill / restart).
void redis_server(const std::string& command) { test_support::server_command("REDIS", command); }

std::string new_schema_conninfo(const std::string& base_file) {
  static std::atomic<int> counter{0};
  const std::string schema = "test_" + std::to_string(::getpid()) + "_redis" + std::to_string(counter++);
  test_support::postgres_backend::admin().execute("CREATE SCHEMA " + schema);
  return test_support::postgres_state_file(base_file) + " options='-c search_path=" + schema + "'";
}

syncorm::cache_settings with_redis(std::chrono::milliseconds second_delete_after = 2000ms) {
  return syncorm::cache_settings{.max_entries = 1000, .second_delete_after = second_delete_after, .redis = redis_url()};
}

/// Another process (this test program again, running only the "child" case below) that updates
/// item `id` to `stock` through a cache of its own on `conninfo`, sharing Redis.
void update_in_another_process(const std::string& conninfo, std::int64_t id, std::int64_t stock) {
  ::setenv("SYNCORM_CACHE_CHILD",
           (conninfo + "\n" + std::to_string(id) + "\n" + std::to_string(stock) + "\n" + std::to_string(redis_database()))
               .c_str(),
           1);
  std::array<char, 4096> self{};
  const ssize_t length = ::readlink("/proc/self/exe", self.data(), self.size() - 1);
  REQUIRE(length > 0);
  const std::string line =
      "'" + std::string(self.data(), static_cast<std::size_t>(length)) + "' --test-case='child process: update an item'";
  const int status = std::system(line.c_str());
  ::unsetenv("SYNCORM_CACHE_CHILD");
  REQUIRE(status == 0);
}

}  // namespace

TEST_CASE("child process: update an item") {
  const char* job = std::getenv("SYNCORM_CACHE_CHILD");
  if (job == nullptr) return;  // only when started by update_in_another_process
  const std::string text = job;
  const auto a = text.find('\n');
  const auto b = text.find('\n', a + 1);
  const auto c = text.find('\n', b + 1);
  redis_database() = std::stoi(text.substr(c + 1));
  syncorm::cached<syncorm::postgres::database> db{text.substr(0, a), with_redis()};
  Item item = *db.find<Item>(std::stoll(text.substr(a + 1, b - a - 1)));
  item.stock = std::stoll(text.substr(b + 1, c - b - 1));
  REQUIRE(db.update(item));
}

TEST_CASE("memory, then Redis, then the database; a fill is in Redis for every process") {
  use_new_redis_database();
  const std::string conninfo = new_schema_conninfo("primary.conninfo");
  syncorm::cached<syncorm::postgres::database> a{conninfo, with_redis(200ms)};
  syncorm::cached<syncorm::postgres::database> b{conninfo, with_redis(200ms)};
  a.create_table<Item>();
  Item item{.name = "lamp", .stock = 5};
  a.insert(item);
  // A row just written is not cached within the guard's window, which the double delete at 200 ms
  // opens once more.
  std::this_thread::sleep_for(600ms);
  CHECK(a.find<Item>(item.id)->stock == 5);
  CHECK(a.cache_stats().misses == 1);
  const std::string stored = redis_value_of(item.id);
  CHECK(stored.find("\"name\":\"lamp\"") != std::string::npos);
  CHECK(stored.find("\"stock\":5") != std::string::npos);
  CHECK(b.find<Item>(item.id)->name == "lamp");  // not in b's memory: from Redis
  CHECK(b.cache_stats().redis_hits == 1);
  CHECK(b.cache_stats().misses == 0);
  CHECK(b.find<Item>(item.id)->name == "lamp");
  CHECK(b.cache_stats().memory_hits == 1);
  // A write deletes it from Redis at once.
  item.stock = 6;
  a.update(item);
  CHECK(redis_value_of(item.id).empty());
  CHECK(b.find<Item>(item.id)->stock == 6);
  CHECK(b.cache_stats().refused_fills >= 1);  // within the window of the write

  // A bulk write whose rows are not read back drops the whole table, in Redis too: its generation
  // moves on, so the rows stored under the old one are not seen by any process.
  std::this_thread::sleep_for(600ms);
  CHECK(b.find<Item>(item.id)->stock == 6);
  CHECK(redis_value_of(item.id).find("\"stock\":6") != std::string::npos);
  const std::string generation = redis_cli("GET syncorm:cache:t:item");
  CHECK(a.update_where<Item>(syncorm::set(syncorm::col<&Item::stock>, std::int64_t{9}),
                             syncorm::where(syncorm::col<&Item::name> == "lamp")) == 1);
  CHECK(redis_cli("GET syncorm:cache:t:item") != generation);
  std::this_thread::sleep_for(600ms);
  syncorm::cached<syncorm::postgres::database> c{conninfo, with_redis(200ms)};  // an empty memory level
  CHECK(c.find<Item>(item.id)->stock == 9);
  CHECK(c.cache_stats().redis_hits == 0);
  CHECK(c.cache_stats().misses == 1);
  CHECK(b.find<Item>(item.id)->stock == 9);  // b's memory lost the table too
}

TEST_CASE("a write in another process deletes the row from this process's memory (pub/sub)") {
  use_new_redis_database();
  const std::string conninfo = new_schema_conninfo("primary.conninfo");
  syncorm::cached<syncorm::postgres::database> db{conninfo, with_redis(0ms)};
  db.create_table<Item>();
  Item item{.name = "lamp", .stock = 5};
  db.insert(item);
  std::this_thread::sleep_for(50ms);
  CHECK(db.find<Item>(item.id)->stock == 5);
  CHECK(db.find<Item>(item.id)->stock == 5);
  CHECK(db.cache_stats().memory_hits == 1);
  update_in_another_process(conninfo, item.id, 7);  // no delete reaches this process but by Redis
  std::this_thread::sleep_for(200ms);
  CHECK(db.find<Item>(item.id)->stock == 7);
  CHECK(db.cache_stats().memory_hits == 1);
  syncorm::postgres::database independent{conninfo};
  CHECK(*raw_value(independent, "SELECT stock FROM item WHERE id = " + std::to_string(item.id)) == "7");
}

TEST_CASE("the replica race across two processes: with the guard in Redis the stale row is never stored") {
  use_new_redis_database();
  const std::string primary = new_schema_conninfo("primary.conninfo");
  const std::string schema_options = primary.substr(primary.find(" options="));
  auto conninfo = [&](const std::string& file) { return test_support::postgres_state_file(file) + schema_options; };
  using shop = syncorm::cluster<syncorm::postgres::database>;
  syncorm::cached<shop> reader{
      syncorm::cluster_settings{.writes = {primary}, .reads = {conninfo("replica1.conninfo"), conninfo("replica2.conninfo")}},
      with_redis(3000ms)};
  reader.create_table<Item>();
  Item item{.name = "lamp", .stock = 1};
  reader.insert(item);
  // Wait for the replicas (a second behind) to have the row.
  for (int i = 0; i < 300; ++i) {
    try {
      if (reader.find<Item>(item.id)) break;
    } catch (const syncorm::error&) {  // the table is not on the replicas yet
    }
    std::this_thread::sleep_for(20ms);
  }
  {
    // The cache of this process must not have it: start from an empty one.
    syncorm::cached<shop> fresh{
        syncorm::cluster_settings{.writes = {primary}, .reads = {conninfo("replica1.conninfo"), conninfo("replica2.conninfo")}},
        with_redis(3000ms)};
    update_in_another_process(primary, item.id, 2);  // the writer: another process
    CHECK(fresh.find<Item>(item.id)->stock == 1);    // a replica, still behind
    CHECK(fresh.find<Item>(item.id)->stock == 1);    // read again: not stored
    CHECK(fresh.cache_stats().memory_hits == 0);
    CHECK(fresh.cache_stats().refused_fills >= 2);
    CHECK(redis_value_of(item.id).empty());  // nor in Redis, for any process
    CHECK(redis_cli("EXISTS 'syncorm:cache:w:item:" + std::to_string(item.id) + "'") == "1");
  }
  syncorm::postgres::database independent{primary};
  CHECK(*raw_value(independent, "SELECT stock FROM item WHERE id = " + std::to_string(item.id)) == "2");
}

TEST_CASE("Redis killed and restarted: reads go to the database, writes succeed, deletes are sent again") {
  use_new_redis_database();
  const std::string conninfo = new_schema_conninfo("primary.conninfo");
  syncorm::cached<syncorm::postgres::database> db{conninfo, with_redis(300ms)};
  db.create_table<Item>();
  Item item{.name = "lamp", .stock = 5};
  Item other{.name = "desk", .stock = 1};
  db.insert(item);
  db.insert(other);
  std::this_thread::sleep_for(700ms);  // past the window, twice (the double delete opens it again)
  CHECK(db.find<Item>(item.id)->stock == 5);
  CHECK(!redis_value_of(item.id).empty());

  redis_server("kill");
  item.stock = 6;
  CHECK_NOTHROW(db.update(item));  // the write succeeds; its delete in Redis is kept
  CHECK(db.find<Item>(item.id)->stock == 6);  // from the database
  CHECK(db.find<Item>(other.id)->stock == 1);
  CHECK(db.cache_stats().redis_errors >= 1);
  std::this_thread::sleep_for(400ms);  // the double delete's second delete comes while Redis is down too

  redis_server("restart");
  CHECK(redis_cli("DBSIZE") == "0");  // a new, empty server
  // An independent subscriber sees the deletes published from now on.
  const std::string seen = test_support::scratch_file("published").string();
  REQUIRE(std::system(("timeout 5 redis-cli -h 127.0.0.1 -p " + redis_state("port") +
                       " SUBSCRIBE syncorm:cache:invalidate > '" + seen + "' 2>&1 &")
                          .c_str()) == 0);
  std::this_thread::sleep_for(300ms);
  // The next call on Redis sends the kept deletes first.
  Item third{.name = "chair", .stock = 3};
  db.insert(third);
  std::this_thread::sleep_for(700ms);
  for (int i = 0; i < 50 && redis_value_of(third.id).empty(); ++i) {
    (void)db.find<Item>(third.id);
    std::this_thread::sleep_for(50ms);
  }
  CHECK(redis_value_of(third.id).find("chair") != std::string::npos);  // Redis is used again
  std::ifstream published(seen);
  const std::string messages{std::istreambuf_iterator<char>(published), std::istreambuf_iterator<char>()};
  CHECK(messages.find("\nitem\n" + std::to_string(item.id) + "\n") != std::string::npos);  // the kept delete
  CHECK(db.find<Item>(item.id)->stock == 6);
}

// ---- the router's sticky store on Redis -----------------------------------------------------------

TEST_CASE("redis_sticky_store: a session's next request, in another instance, reads its own writes") {
  use_new_redis_database();
  const std::string primary = new_schema_conninfo("primary.conninfo");
  const std::string schema_options = primary.substr(primary.find(" options="));
  auto conninfo = [&](const std::string& file) { return test_support::postgres_state_file(file) + schema_options; };
  const syncorm::cluster_settings settings{.writes = {primary},
                                           .reads = {conninfo("replica1.conninfo"), conninfo("replica2.conninfo")},
                                           .sticky_for = 5s,
                                           .shared_sticky_store = redis_url()};
  using shared = syncorm::cluster<syncorm::postgres::database, syncorm::sticky_store<syncorm::redis_sticky_store>>;
  shared first{settings};   // two instances of the application
  shared second{settings};
  syncorm::cluster<syncorm::postgres::database> unshared{settings};  // the in-process store
  first.create_table<Item>();
  for (int i = 0; i < 300; ++i) {
    try {
      (void)second.find<Item>(1);
      break;
    } catch (const syncorm::error&) {  // the table is not on the replicas yet
    }
    std::this_thread::sleep_for(20ms);
  }
  Item item{.name = "lamp", .stock = 1};
  first.session("ada").insert(item);
  CHECK(second.session("ada").find<Item>(item.id));       // the primary: Redis says ada wrote
  CHECK_FALSE(second.session("bob").find<Item>(item.id));  // a replica, a second behind
  CHECK_FALSE(unshared.session("ada").find<Item>(item.id));  // without the shared store: a replica
  CHECK(redis_cli("HGET syncorm:sticky:ada source") == "0");
  const std::int64_t until = std::stoll(redis_cli("HGET syncorm:sticky:ada until"));
  CHECK(until > syncorm::unix_milliseconds());
  CHECK(until <= syncorm::unix_milliseconds() + 5000);
  const std::int64_t ttl = std::stoll(redis_cli("PTTL syncorm:sticky:ada"));
  CHECK(ttl > 0);
  CHECK(ttl <= 5000);
}

TEST_CASE("redis_sticky_store: with Redis unreachable, the memory part answers and nothing throws") {
  syncorm::redis_sticky_store store{10, "redis://127.0.0.1:1"};
  const std::int64_t until = syncorm::unix_milliseconds() + 1000;
  CHECK_NOTHROW(store.remember("ada", syncorm::read_your_writes_state{.write_source = 0, .sticky_until = until}, until));
  const auto state = store.recall("ada");
  REQUIRE(state);
  CHECK(state->sticky_until == until);
  CHECK_FALSE(store.recall("bob"));
}
