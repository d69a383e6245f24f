#pragma once
// The RabbitMQ broker CTest started for this test (cmake/SyncormTestServers.cmake), names
// unique to this test process, and a plain rabbitmq-c client for what syncorm must not be trusted
// to check about itself: raw publishes with hand-made headers, and queue depths.

#include <amqp.h>
#include <amqp_tcp_socket.h>

#include <doctest/doctest.h>

#include "servers.hpp"

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unistd.h>

namespace test_support {

/// The test broker's URL (amqp://guest:guest@127.0.0.1:<port>/).
inline std::string broker_url() { return server_state_file("RABBITMQ", "url"); }

/// The test broker's port.
inline int broker_port() { return std::stoi(server_state_file("RABBITMQ", "port")); }

/// Runs the broker script: "kill" (kill -9) or "restart".
inline void broker_command(const std::string& command) { server_command("RABBITMQ", command); }

/// A name no other test (or test process) uses: for exchanges and queues.
inline std::string unique_name(std::string_view stem) {
  static std::atomic<int> counter{0};
  return std::string(stem) + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
}

/// A plain rabbitmq-c connection with channel 1 open: independent of syncorm's.
class raw_broker {
public:
  raw_broker() : state_(amqp_new_connection()) {
    amqp_socket_t* socket = amqp_tcp_socket_new(state_);
    REQUIRE(amqp_socket_open(socket, "127.0.0.1", broker_port()) == AMQP_STATUS_OK);
    REQUIRE(amqp_login(state_, "/", 0, 131072, 0, AMQP_SASL_METHOD_PLAIN, "guest", "guest").reply_type == AMQP_RESPONSE_NORMAL);
    amqp_channel_open(state_, 1);
    REQUIRE(amqp_get_rpc_reply(state_).reply_type == AMQP_RESPONSE_NORMAL);
  }
  raw_broker(const raw_broker&) = delete;
  raw_broker& operator=(const raw_broker&) = delete;
  ~raw_broker() {
    amqp_channel_close(state_, 1, AMQP_REPLY_SUCCESS);
    amqp_connection_close(state_, AMQP_REPLY_SUCCESS);
    amqp_destroy_connection(state_);
  }

  amqp_connection_state_t native() { return state_; }

  /// Publishes `body` with `properties` (persistent is the caller's choice) and waits for nothing.
  void publish(const std::string& exchange, const std::string& routing_key, const amqp_basic_properties_t& properties,
               const std::string& body) {
    REQUIRE(amqp_basic_publish(state_, 1, amqp_cstring_bytes(exchange.c_str()), amqp_cstring_bytes(routing_key.c_str()), 0, 0,
                               &properties, amqp_bytes_t{body.size(), const_cast<char*>(body.data())}) == AMQP_STATUS_OK);
  }

  /// How many messages `queue` (which must exist) holds ready, i.e. not delivered to a consumer.
  long ready_messages(const std::string& queue) {
    amqp_queue_declare_ok_t* ok =
        amqp_queue_declare(state_, 1, amqp_cstring_bytes(queue.c_str()), 1, 0, 0, 0, amqp_empty_table);
    REQUIRE(ok != nullptr);
    return static_cast<long>(ok->message_count);
  }

  /// Deletes a queue (for tests that make their own).
  void delete_queue(const std::string& queue) {
    amqp_queue_delete(state_, 1, amqp_cstring_bytes(queue.c_str()), 0, 0);
  }

private:
  amqp_connection_state_t state_;
};

}  // namespace test_support
