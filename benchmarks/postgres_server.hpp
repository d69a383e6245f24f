#pragma once
// The PostgreSQL server the benchmarks run against: the CTest fixture's when SYNCORM_PG_STATE_DIR
// is set (the smoke test), otherwise a throwaway server of their own, started with the same script
// the tests use and stopped when the process exits.

#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <unistd.h>

namespace syncorm_bench {

inline const std::string& postgres_conninfo() {
  // The server is stopped by a static destructor, which std::terminate skips: a benchmark that
  // throws would leave it running, so a terminate handler stops it too.
  static std::string stop_command;
  struct server {
    std::filesystem::path state;
    bool owned = false;
    std::string conninfo;
    server() {
      if (const char* dir = std::getenv("SYNCORM_PG_STATE_DIR")) {
        state = dir;
      } else {
        state = std::filesystem::temp_directory_path() / ("syncorm-bench-pg-" + std::to_string(::getpid()));
        owned = true;
        const std::string start = "bash '" SYNCORM_PG_SERVER_SCRIPT "' start '" + state.string() + "' >/dev/null";
        if (std::system(start.c_str()) != 0)
          throw std::runtime_error("could not start a PostgreSQL server for the benchmarks (see " + state.string() + "/logs)");
        stop_command = "bash '" SYNCORM_PG_SERVER_SCRIPT "' stop '" + state.string() + "' >/dev/null 2>&1";
        static const std::terminate_handler previous = std::set_terminate([] {
          [[maybe_unused]] const int ignored = std::system(stop_command.c_str());
          if (previous != nullptr) previous();
          std::abort();
        });
      }
      std::ifstream in(state / "primary.conninfo");
      if (!std::getline(in, conninfo)) throw std::runtime_error("no PostgreSQL conninfo in " + state.string());
    }
    ~server() {
      if (!owned) return;
      [[maybe_unused]] const int ignored = std::system(stop_command.c_str());
      std::error_code ec;
      std::filesystem::remove_all(state, ec);
    }
  };
  static server instance;
  return instance.conninfo;
}

}  // namespace syncorm_bench
