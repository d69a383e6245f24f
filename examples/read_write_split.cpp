// Reads scaled out to replicas without reading older data than one just wrote.
//
//   read_write_split                               a SQLite file: one writer, read-only readers
//   read_write_split PRIMARY REPLICA [REPLICA...]  PostgreSQL connection strings: a primary and
//                                                  streaming replicas (its table is recreated)
//
// Prints where each read was answered from, with and without a session, and across a "request"
// served by another cluster object (another process) that is given the session's token.

#include <syncorm/cluster.hpp>
#include <syncorm/postgres.hpp>
#include <syncorm/sqlite.hpp>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>
#include <thread>
#include <vector>
#include <unistd.h>

struct Profile {
  std::int64_t id = 0;
  std::string name;
  int visits = 0;
};

namespace {

template <class Cluster>
void print_sources(Cluster& db) {
  for (const syncorm::data_source& s : db.write_sources())
    std::printf("  write source  %-60s %s\n", s.conninfo().c_str(), s.healthy() ? "up" : "down");
  for (const syncorm::data_source& s : db.read_sources())
    std::printf("  read source   %-60s %s\n", s.conninfo().c_str(), s.healthy() ? "up" : "down");
}

template <class Cluster>
void show(Cluster& db, Cluster& other_process, bool replicas_lag) {
  print_sources(db);
  db.template drop_table<Profile>();
  db.template create_table<Profile>();
  std::this_thread::sleep_for(std::chrono::milliseconds{replicas_lag ? 1500 : 0});  // the table reaches the replicas

  Profile p{.name = "ada"};
  db.insert(p);
  auto visits = [](const std::optional<Profile>& found) { return found ? std::to_string(found->visits) : "(not there yet)"; };
  std::printf("inserted profile #%lld\n", static_cast<long long>(p.id));
  std::printf("read without a session, at once:      %s\n", visits(db.template find<Profile>(p.id)).c_str());

  auto ada = db.session("user-ada");  // the key: whatever identifies the user
  p.visits = 1;
  ada.update(p);
  std::printf("session wrote visits = 1; it reads:   %s\n", visits(ada.template find<Profile>(p.id)).c_str());
  std::printf("another user, at once:                %s\n", visits(db.session("user-bob").template find<Profile>(p.id)).c_str());

  const std::string token = ada.token();
  std::printf("token for the next request:           %s\n", token.c_str());
  auto next_request = other_process.session("user-ada", token);
  std::printf("other process, with the token:        %s\n", visits(next_request.template find<Profile>(p.id)).c_str());
  {
    auto post = db.intent_for("POST");  // a writing request: its reads go to the write source
    std::printf("inside a POST, reads the primary:     %s\n", visits(db.template find<Profile>(p.id)).c_str());
  }
  db.transaction([&](auto& tx) {  // one write source for the whole transaction
    auto row = tx.template find<Profile>(p.id);
    row->visits += 1;
    tx.update(*row);
  });
  std::this_thread::sleep_for(std::chrono::milliseconds{replicas_lag ? 1500 : 0});
  std::printf("later, without a session:             %s\n", visits(db.template find<Profile>(p.id)).c_str());
}

}  // namespace

int main(int argc, char** argv) {
  try {
    if (argc >= 3) {
      syncorm::cluster_settings settings{.writes = {argv[1]}};
      for (int i = 2; i < argc; ++i) settings.reads.emplace_back(argv[i]);
      using shop = syncorm::cluster<syncorm::postgres::database, syncorm::read_selection<syncorm::round_robin>,
                                    syncorm::read_your_writes<syncorm::wal_position>>;
      shop db{settings};
      shop other_process{settings};
      std::printf("PostgreSQL: a primary and %d replica(s), read-your-writes by WAL position\n", argc - 2);
      show(db, other_process, true);
    } else {
      const auto file = std::filesystem::temp_directory_path() / ("syncorm-split-" + std::to_string(::getpid()) + ".db");
      syncorm::cluster_settings settings{.writes = {file.string()}, .pool_size = 2};
      using shop = syncorm::cluster<syncorm::sqlite::database>;  // reads: read-only connections, same file
      shop db{settings};
      shop other_process{settings};
      std::printf("SQLite: one write connection and read-only connections on %s (WAL)\n", file.c_str());
      show(db, other_process, false);
      for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(file.string() + suffix);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}
