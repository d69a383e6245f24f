#pragma once
// The throwaway servers CTest started for a test (cmake/SyncormTestServers.cmake): where their
// state is, what their scripts wrote there, and the scripts' commands (kill, stop-server,
// start-server, restart) for tests about crashes and restarts. A missing variable means the test
// was not run through CTest: a failure, never a reason to skip.

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

namespace test_support {

/// The value of SYNCORM_<server>_<what> (server: PG, RABBITMQ, REDIS).
inline std::string server_variable(const std::string& server, const std::string& what) {
  const std::string name = "SYNCORM_" + server + "_" + what;
  const char* value = std::getenv(name.c_str());
  if (value == nullptr) throw std::runtime_error(name + " is not set: run the tests through ctest, which starts the servers");
  return value;
}

/// The directory the server's script wrote its state files into.
inline std::filesystem::path server_state_directory(const std::string& server) {
  return server_variable(server, "STATE_DIR");
}

/// The first line of a state file (a conninfo, a URL, a port).
inline std::string server_state_file(const std::string& server, const std::string& name) {
  const std::filesystem::path path = server_state_directory(server) / name;
  std::ifstream in(path);
  std::string line;
  if (!std::getline(in, line) || line.empty())
    throw std::runtime_error("cannot read " + path.string() + ": did the test server start?");
  return line;
}

/// Runs `<script> <command> <state dir> [process]`, e.g. server_command("PG", "stop-server", "replica1")
/// or server_command("RABBITMQ", "kill"); throws when the script fails.
inline void server_command(const std::string& server, const std::string& command, const std::string& process = {}) {
  const std::string line = "bash '" + server_variable(server, "SERVER_SCRIPT") + "' " + command + " '" +
                           server_state_directory(server).string() + "' " + process + " >/dev/null";
  if (std::system(line.c_str()) != 0)
    throw std::runtime_error("the " + server + " test server script failed: " + command + " " + process);
}

}  // namespace test_support
