#pragma once
// One connection to a RabbitMQ broker with one channel, over rabbitmq-c: the URL, the login, the
// declarations, publishing with publisher confirms and consuming with manual acknowledgements.
// Errors come in two kinds: what a person must mend (a wrong URL, a refused login, an unknown
// virtual host, a queue declared before with other settings) is a syncorm::error; what a reconnect
// mends (the broker is down, restarting, or dropped the connection) is a syncorm::connection_error.
// A connection that failed is not used again: its owner drops it and opens a new one.

#include <amqp.h>
#include <amqp_tcp_socket.h>

#include <sys/time.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "../error.hpp"

namespace syncorm::amqp::detail {

/// Where a broker is and how to log in, from an amqp:// URL.
struct broker_address {
  std::string host;
  int port = 5672;
  std::string user;
  std::string password;
  std::string vhost;
  /// amqp://user@host:port/vhost, without the password: for messages.
  std::string shown;
};

/// `url` with the credentials hidden, for a message about a URL that could not be read.
inline std::string without_credentials(std::string_view url) {
  const auto scheme = url.find("://");
  const auto at = url.rfind('@');
  if (scheme == std::string_view::npos || at == std::string_view::npos || at < scheme) return std::string(url);
  return std::string(url.substr(0, scheme + 3)) + "***" + std::string(url.substr(at));
}

/// Reads amqp://user:password@host:port/vhost (rabbitmq-c's amqp_parse_url: percent-decoding,
/// defaults guest:guest@localhost:5672 and vhost "/"; a trailing "/" with nothing after it is "/"
/// too, as RabbitMQ has no empty vhost). Throws syncorm::error for anything else.
inline broker_address parse_url(std::string_view url) {
  std::string buffer(url);
  amqp_connection_info info;
  amqp_default_connection_info(&info);
  if (url.substr(0, 7) != "amqp://" || amqp_parse_url(buffer.data(), &info) != AMQP_STATUS_OK)
    throw error("syncorm: '" + without_credentials(url) +
                "' is not a RabbitMQ URL; expected amqp://user:password@host:port/vhost");
  broker_address address{info.host, info.port, info.user, info.password, info.vhost, {}};
  if (address.vhost.empty()) address.vhost = "/";
  address.shown = "amqp://" + address.user + "@" + address.host + ":" + std::to_string(address.port) + "/" +
                  (address.vhost == "/" ? std::string{} : address.vhost);
  return address;
}

inline amqp_bytes_t bytes_of(std::string_view text) noexcept {
  return amqp_bytes_t{text.size(), const_cast<char*>(text.data())};
}

inline std::string_view text_of(amqp_bytes_t bytes) noexcept {
  return {static_cast<const char*>(bytes.bytes), bytes.len};
}

inline timeval timeval_of(std::chrono::microseconds duration) noexcept {
  if (duration.count() < 0) duration = std::chrono::microseconds{0};
  return timeval{static_cast<time_t>(duration.count() / 1'000'000), static_cast<suseconds_t>(duration.count() % 1'000'000)};
}

/// Settings every connection takes.
struct link_settings {
  std::chrono::seconds heartbeat;
  std::chrono::milliseconds connect_timeout;
};

/// The one channel every connection uses.
inline constexpr amqp_channel_t channel = 1;

/// A logged-in connection with channel 1 open.
class link {
public:
  /// Connects and logs in; throws connection_error when the broker cannot be reached, error when it
  /// refuses the login or the virtual host.
  link(const broker_address& to, link_settings settings) : to_(to), owner_(amqp_new_connection()), state_(owner_.state) {
    if (state_ == nullptr) throw connection_error("syncorm: out of memory opening a connection to " + to_.shown);
    amqp_socket_t* socket = amqp_tcp_socket_new(state_);
    if (socket == nullptr) fail_status(AMQP_STATUS_NO_MEMORY, "opening a socket");
    timeval timeout = timeval_of(settings.connect_timeout);
    if (const int status = amqp_socket_open_noblock(socket, to_.host.c_str(), to_.port, &timeout); status != AMQP_STATUS_OK)
      fail_status(status, "connecting");
    amqp_set_handshake_timeout(state_, &timeout);
    amqp_set_rpc_timeout(state_, &timeout);
    setting_up_ = true;
    check(amqp_login(state_, to_.vhost.c_str(), 1, 131072, static_cast<int>(settings.heartbeat.count()),
                     AMQP_SASL_METHOD_PLAIN, to_.user.c_str(), to_.password.c_str()),
          "logging in as '" + to_.user + "'");
    amqp_channel_open(state_, channel);
    check(amqp_get_rpc_reply(state_), "opening a channel");
  }

  link(const link&) = delete;
  link& operator=(const link&) = delete;

  ~link() {
    if (broken_) return;
    amqp_channel_close(state_, channel, AMQP_REPLY_SUCCESS);
    amqp_connection_close(state_, AMQP_REPLY_SUCCESS);
  }

  /// The rabbitmq-c connection.
  [[nodiscard]] amqp_connection_state_t native() const noexcept { return state_; }
  /// The broker, as messages name it.
  [[nodiscard]] const std::string& broker() const noexcept { return to_.shown; }

  /// Declarations done: from now on, what the broker refuses is a dropped connection.
  void ready() noexcept { setting_up_ = false; }

  /// A durable topic exchange (declared if absent).
  void declare_exchange(std::string_view name) {
    amqp_exchange_declare(state_, channel, bytes_of(name), amqp_cstring_bytes("topic"), 0, 1, 0, 0, amqp_empty_table);
    check(amqp_get_rpc_reply(state_), "declaring the exchange '" + std::string(name) + "'");
  }

  /// A durable queue with a single active consumer (declared if absent), bound to each topic.
  template <class Topics>
  void declare_queue(std::string_view queue, std::string_view exchange, const Topics& topics) {
    amqp_table_entry_t single_active{amqp_cstring_bytes("x-single-active-consumer"), {}};
    single_active.value.kind = AMQP_FIELD_KIND_BOOLEAN;
    single_active.value.value.boolean = 1;
    const amqp_table_t arguments{1, &single_active};
    amqp_queue_declare(state_, channel, bytes_of(queue), 0, 1, 0, 0, arguments);
    check(amqp_get_rpc_reply(state_), "declaring the queue '" + std::string(queue) + "'");
    for (const auto& topic : topics) {
      amqp_queue_bind(state_, channel, bytes_of(queue), bytes_of(exchange), bytes_of(topic), amqp_empty_table);
      check(amqp_get_rpc_reply(state_), "binding the queue '" + std::string(queue) + "' to topic '" + std::string(topic) + "'");
    }
  }

  /// Publisher confirms on the channel: each publish is then acknowledged by the broker.
  void confirm_publishing() {
    amqp_confirm_select(state_, channel);
    check(amqp_get_rpc_reply(state_), "turning publisher confirms on");
  }

  /// Sends one message (not waiting for anything); returns its confirm tag.
  std::uint64_t publish(std::string_view exchange, std::string_view routing_key, const amqp_basic_properties_t& properties,
                        std::string_view body) {
    const int status = amqp_basic_publish(state_, channel, bytes_of(exchange), bytes_of(routing_key), 0, 0, &properties,
                                          bytes_of(body));
    if (status != AMQP_STATUS_OK) fail_status(status, "publishing");
    return ++published_;
  }

  /// The confirm tag of the newest message the broker has confirmed, with every one before it.
  [[nodiscard]] std::uint64_t confirmed() const noexcept { return confirmed_; }

  /// Reads the broker's confirms until the message with tag `through` is confirmed or `timeout`
  /// passes (zero: reads only those that have arrived); returns whether it was. Throws
  /// connection_error when the broker refuses a message (nack) or closes.
  bool read_confirms(std::uint64_t through, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (confirmed_ < through &&
           take_frame(std::chrono::duration_cast<std::chrono::microseconds>(deadline - std::chrono::steady_clock::now()))) {
    }
    amqp_maybe_release_buffers(state_);
    return confirmed_ >= through;
  }

  /// Gives the connection up: throws connection_error saying `why`.
  [[noreturn]] void give_up(const std::string& why) { fail_now(why); }

  /// Limits unacknowledged deliveries to `prefetch` and starts consuming `queue` with manual acks.
  void consume(std::string_view queue, std::uint16_t prefetch) {
    amqp_basic_qos(state_, channel, 0, prefetch, 0);
    check(amqp_get_rpc_reply(state_), "setting the prefetch count");
    amqp_basic_consume(state_, channel, bytes_of(queue), amqp_empty_bytes, 0, 0, 0, amqp_empty_table);
    check(amqp_get_rpc_reply(state_), "consuming the queue '" + std::string(queue) + "'");
  }

  /// Waits up to `timeout` for a delivery: true with `envelope` filled (destroy it after use),
  /// false when none came. Heartbeats are answered meanwhile.
  bool next_delivery(amqp_envelope_t& envelope, std::chrono::microseconds timeout) {
    amqp_maybe_release_buffers(state_);
    timeval wait = timeval_of(timeout);
    const amqp_rpc_reply_t reply = amqp_consume_message(state_, &envelope, &wait, 0);
    if (reply.reply_type == AMQP_RESPONSE_NORMAL) return true;
    if (reply.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION && reply.library_error == AMQP_STATUS_TIMEOUT) return false;
    if (reply.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION && reply.library_error == AMQP_STATUS_UNEXPECTED_STATE) {
      // A frame other than a delivery: the broker closing the channel or connection, or cancelling
      // the consumer (its queue was deleted). Anything else is of no interest here.
      amqp_frame_t frame;
      wait = timeval_of(std::chrono::microseconds{0});
      const int status = amqp_simple_wait_frame_noblock(state_, &frame, &wait);
      if (status != AMQP_STATUS_OK && status != AMQP_STATUS_TIMEOUT) fail_status(status, "consuming");
      if (status == AMQP_STATUS_OK && frame.frame_type == AMQP_FRAME_METHOD) {
        if (frame.payload.method.id == AMQP_BASIC_CANCEL_METHOD) fail_now("the broker cancelled the consumer (was its queue deleted?)");
        fail_on_close(frame.payload.method, "consuming");
      }
      return false;
    }
    fail(reply, "consuming");
  }

  /// Acknowledges every delivery up to and including `delivery_tag`; false if the connection is lost.
  bool acknowledge_through(std::uint64_t delivery_tag) noexcept {
    if (amqp_basic_ack(state_, channel, delivery_tag, 1) == AMQP_STATUS_OK) return true;
    broken_ = true;
    return false;
  }

  /// Reads what the broker sent while nobody was waiting (confirms, a connection close) and sends a
  /// heartbeat when one is due; throws connection_error when the connection is gone.
  void keep_alive() {
    while (take_frame(std::chrono::microseconds{0})) {
    }
  }

private:
  /// Reads one frame if one comes within `timeout` (false if none did): a publisher confirm counts;
  /// a nack or a close throws connection_error.
  bool take_frame(std::chrono::microseconds timeout) {
    amqp_frame_t frame;
    timeval wait = timeval_of(timeout);
    const int status = amqp_simple_wait_frame_noblock(state_, &frame, &wait);
    if (status == AMQP_STATUS_TIMEOUT) return false;
    if (status != AMQP_STATUS_OK) fail_status(status, "reading from the connection");
    if (frame.frame_type != AMQP_FRAME_METHOD) return true;
    switch (frame.payload.method.id) {
      case AMQP_BASIC_ACK_METHOD: {
        const auto* ack = static_cast<const amqp_basic_ack_t*>(frame.payload.method.decoded);
        confirm(ack->delivery_tag, ack->multiple != 0);
        break;
      }
      case AMQP_BASIC_NACK_METHOD:
        fail_now("the broker refused (nack) a published message");
      default:
        fail_on_close(frame.payload.method, "reading from the connection");
    }
    return true;
  }

  /// Counts a confirm. RabbitMQ confirms one queue's messages in order, but a message routed to
  /// several queues may be confirmed out of order: those wait in `confirmed_alone_` until the ones
  /// before them are confirmed too.
  void confirm(std::uint64_t tag, bool multiple) {
    if (multiple || tag == confirmed_ + 1) confirmed_ = tag > confirmed_ ? tag : confirmed_;
    else if (tag > confirmed_) confirmed_alone_.insert(tag);
    while (!confirmed_alone_.empty() && *confirmed_alone_.begin() <= confirmed_ + 1) {
      if (*confirmed_alone_.begin() == confirmed_ + 1) ++confirmed_;
      confirmed_alone_.erase(confirmed_alone_.begin());
    }
  }

  void check(amqp_rpc_reply_t reply, const std::string& doing) {
    if (reply.reply_type != AMQP_RESPONSE_NORMAL) fail(reply, doing);
  }

  [[noreturn]] void fail_status(int status, const std::string& doing) {
    fail_now(doing + " failed: " + amqp_error_string2(status));
  }

  [[noreturn]] void fail_now(const std::string& what) {
    broken_ = true;
    throw connection_error("syncorm: RabbitMQ at " + to_.shown + ": " + what);
  }

  /// Throws if `method` closes the channel or the connection (answering it first).
  void fail_on_close(const amqp_method_t& method, const std::string& doing) {
    if (method.id == AMQP_CHANNEL_CLOSE_METHOD || method.id == AMQP_CONNECTION_CLOSE_METHOD)
      fail(amqp_rpc_reply_t{AMQP_RESPONSE_SERVER_EXCEPTION, method, 0}, doing);
  }

  [[noreturn]] void fail(const amqp_rpc_reply_t& reply, const std::string& doing) {
    broken_ = true;
    if (reply.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION) fail_status(reply.library_error, doing);
    if (reply.reply_type != AMQP_RESPONSE_SERVER_EXCEPTION) fail_now(doing + " failed: no reply");
    std::uint16_t code = 0;
    std::string text;
    if (reply.reply.id == AMQP_CONNECTION_CLOSE_METHOD) {
      const auto* close = static_cast<const amqp_connection_close_t*>(reply.reply.decoded);
      code = close->reply_code;
      text = text_of(close->reply_text);
      amqp_connection_close_ok_t ok{};
      amqp_send_method(state_, 0, AMQP_CONNECTION_CLOSE_OK_METHOD, &ok);
    } else if (reply.reply.id == AMQP_CHANNEL_CLOSE_METHOD) {
      const auto* close = static_cast<const amqp_channel_close_t*>(reply.reply.decoded);
      code = close->reply_code;
      text = text_of(close->reply_text);
      amqp_channel_close_ok_t ok{};
      amqp_send_method(state_, channel, AMQP_CHANNEL_CLOSE_OK_METHOD, &ok);
    }
    const std::string what = "syncorm: RabbitMQ at " + to_.shown + " refused " + doing + ": " +
                             (text.empty() ? "error " + std::to_string(code) : text);
    // While logging in and declaring, a refusal is the configuration's (credentials, vhost,
    // permissions, a queue declared before with other settings): no reconnect mends it. A broker
    // shutting down (320) or failing (541) is another matter.
    if (setting_up_ && code != AMQP_CONNECTION_FORCED && code != AMQP_INTERNAL_ERROR) throw error(what);
    throw connection_error(what);
  }

  /// Destroys the rabbitmq-c connection (and closes its socket) however the link ends, a
  /// constructor that throws included.
  struct owned_state {
    amqp_connection_state_t state;
    explicit owned_state(amqp_connection_state_t created) noexcept : state(created) {}
    owned_state(const owned_state&) = delete;
    owned_state& operator=(const owned_state&) = delete;
    ~owned_state() {
      if (state != nullptr) amqp_destroy_connection(state);
    }
  };

  broker_address to_;
  owned_state owner_;
  amqp_connection_state_t state_;
  bool broken_ = false;
  bool setting_up_ = false;
  std::uint64_t published_ = 0;
  std::uint64_t confirmed_ = 0;
  std::set<std::uint64_t> confirmed_alone_;
};

}  // namespace syncorm::amqp::detail
