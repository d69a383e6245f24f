#pragma once
// The throwaway servers the benchmarks run against: the CTest fixture's when its state directory
// is in the environment (the smoke test), otherwise one of their own, started with the same script
// the tests use and stopped when the process exits.

#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>
#include <unistd.h>

namespace syncorm_bench {

/// A server the tests' script cmake/test_servers/<server>.sh starts and stops, and the first line of
/// a file it writes into its state directory (a conninfo, a URL).
class throwaway_server {
public:
  /// `state_variable` names the CTest fixture's state directory (SYNCORM_PG_STATE_DIR ...).
  throwaway_server(const char* state_variable, const std::string& server, const std::string& file) {
    const std::string script = std::string{SYNCORM_TEST_SERVERS_DIR} + "/" + server + ".sh";
    if (const char* dir = std::getenv(state_variable)) {
      state_ = dir;
    } else {
      state_ = std::filesystem::temp_directory_path() / ("syncorm-bench-" + server + "-" + std::to_string(::getpid()));
      stop_command_ = "bash '" + script + "' stop '" + state_.string() + "' >/dev/null 2>&1";
      const std::string start = "bash '" + script + "' start '" + state_.string() + "' >/dev/null";
      if (std::system(start.c_str()) != 0)
        throw std::runtime_error("could not start a " + server + " server for the benchmarks (see " + state_.string() + "/logs)");
      stop_on_terminate(stop_command_);
    }
    std::ifstream in(state_ / file);
    if (!std::getline(in, line_)) throw std::runtime_error("no " + file + " in " + state_.string());
  }
  throwaway_server(const throwaway_server&) = delete;
  throwaway_server& operator=(const throwaway_server&) = delete;
  ~throwaway_server() {
    if (stop_command_.empty()) return;
    [[maybe_unused]] const int ignored = std::system(stop_command_.c_str());
    std::error_code ec;
    std::filesystem::remove_all(state_, ec);
  }

  /// The file's first line.
  [[nodiscard]] const std::string& line() const noexcept { return line_; }

private:
  /// Servers are stopped by static destructors, which std::terminate skips: a benchmark that
  /// throws would leave them running, so a terminate handler stops them too.
  static void stop_on_terminate(const std::string& command) {
    static std::vector<std::string> commands;
    commands.push_back(command);
    static const std::terminate_handler previous = std::set_terminate([] {
      for (const std::string& c : commands) [[maybe_unused]] const int ignored = std::system(c.c_str());
      if (previous != nullptr) previous();
      std::abort();
    });
  }

  std::filesystem::path state_;
  std::string stop_command_;
  std::string line_;
};

/// The PostgreSQL server's conninfo.
inline const std::string& postgres_conninfo() {
  static const throwaway_server server{"SYNCORM_PG_STATE_DIR", "postgres", "primary.conninfo"};
  return server.line();
}

/// The RabbitMQ broker's URL.
inline const std::string& rabbitmq_url() {
  static const throwaway_server server{"SYNCORM_RABBITMQ_STATE_DIR", "rabbitmq", "url"};
  return server.line();
}

/// The Redis server's URL.
inline const std::string& redis_url() {
  static const throwaway_server server{"SYNCORM_REDIS_STATE_DIR", "redis", "url"};
  return server.line();
}

}  // namespace syncorm_bench
