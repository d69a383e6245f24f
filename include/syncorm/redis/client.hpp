#pragma once
// A Redis connection over hiredis: one blocking context, commands as argument vectors (values are
// never spliced into command text), replies owned until the next call. A connection that failed is
// dropped and opened again on the next call, at most every retry interval, so that a server that is
// down costs a caller one failed call, not a connect timeout per call.

#include <hiredis/hiredis.h>
#include <pthread.h>
#include <signal.h>
#include <sys/time.h>

#include <charconv>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "../error.hpp"

namespace syncorm::detail::redis {

/// Where a server is: "redis://host:port[/database]" (the port defaults to 6379, the database to 0).
struct endpoint {
  std::string host = "127.0.0.1";
  int port = 6379;
  int database = 0;  ///< selected on connecting (keys are per database; pub/sub channels are not)

  /// Reads "redis://host:port[/...]"; throws syncorm::error for anything else.
  static endpoint parse(std::string_view url) {
    endpoint e;
    if (!url.starts_with("redis://"))
      throw error("syncorm: a Redis URL looks like redis://host:port, not '" + std::string(url) + "'");
    url.remove_prefix(8);
    if (const auto slash = url.find('/'); slash != std::string_view::npos) {
      const std::string_view database = url.substr(slash + 1);
      if (!database.empty() &&
          std::from_chars(database.data(), database.data() + database.size(), e.database).ec != std::errc{})
        throw error("syncorm: not a database number in a Redis URL: '" + std::string(database) + "'");
      url = url.substr(0, slash);
    }
    const auto colon = url.rfind(':');
    e.host = std::string(url.substr(0, colon));
    if (colon != std::string_view::npos) {
      const std::string_view port = url.substr(colon + 1);
      if (std::from_chars(port.data(), port.data() + port.size(), e.port).ec != std::errc{})
        throw error("syncorm: not a port in a Redis URL: '" + std::string(port) + "'");
    }
    if (e.host.empty()) e.host = "127.0.0.1";
    return e;
  }
};

/// A reply, freed with it.
class reply {
public:
  /// Owns `r`.
  explicit reply(redisReply* r = nullptr) noexcept : r_(r) {}
  reply(reply&& other) noexcept : r_(std::exchange(other.r_, nullptr)) {}
  reply& operator=(reply&& other) noexcept {
    std::swap(r_, other.r_);
    return *this;
  }
  ~reply() {
    if (r_ != nullptr) freeReplyObject(r_);
  }
  /// hiredis's reply.
  [[nodiscard]] const redisReply* get() const noexcept { return r_; }
  /// An error reply (a script that failed, a wrong command).
  [[nodiscard]] bool is_error() const noexcept { return r_ != nullptr && r_->type == REDIS_REPLY_ERROR; }
  /// A nil reply (no such key).
  [[nodiscard]] bool is_nil() const noexcept { return r_ != nullptr && r_->type == REDIS_REPLY_NIL; }
  /// A string reply's bytes.
  [[nodiscard]] std::string_view text() const noexcept {
    return r_ != nullptr && r_->str != nullptr ? std::string_view(r_->str, r_->len) : std::string_view{};
  }
  /// An integer reply's value.
  [[nodiscard]] long long integer() const noexcept { return r_ != nullptr ? r_->integer : 0; }

private:
  redisReply* r_;
};

/// A duration as hiredis takes it.
inline timeval to_timeval(std::chrono::milliseconds d) noexcept {
  return timeval{static_cast<time_t>(d.count() / 1000), static_cast<suseconds_t>((d.count() % 1000) * 1000)};
}

/// SIGPIPE blocked on this thread for a scope: hiredis writes with write(), and a write to a server
/// that went away would otherwise end the process. A SIGPIPE raised meanwhile is consumed, unless
/// one was pending already (then it is the program's). What libpq does around its sends.
class sigpipe_blocked {
public:
  sigpipe_blocked() noexcept {
    sigemptyset(&pipe_);
    sigaddset(&pipe_, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_, &previous_);
    sigset_t pending;
    sigpending(&pending);
    was_pending_ = sigismember(&pending, SIGPIPE) == 1;
  }
  ~sigpipe_blocked() {
    if (!was_pending_) {
      sigset_t pending;
      sigpending(&pending);
      if (sigismember(&pending, SIGPIPE) == 1) {
        const timespec no_wait{};
        sigtimedwait(&pipe_, nullptr, &no_wait);
      }
    }
    pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
  }
  sigpipe_blocked(const sigpipe_blocked&) = delete;
  sigpipe_blocked& operator=(const sigpipe_blocked&) = delete;

private:
  sigset_t pipe_{};
  sigset_t previous_{};
  bool was_pending_ = false;
};

/// One connection; not thread-safe (the caller locks).
class connection {
public:
  /// Not connected yet: the first command connects.
  explicit connection(endpoint where, std::chrono::milliseconds timeout = std::chrono::milliseconds{500},
                      std::chrono::milliseconds retry_after = std::chrono::milliseconds{200})
      : where_(std::move(where)), timeout_(timeout), retry_after_(retry_after) {}
  connection(const connection&) = delete;
  connection& operator=(const connection&) = delete;
  ~connection() { close(); }

  /// Runs a command; nullopt when the server cannot be reached (the connection is dropped). An error
  /// reply is a reply (is_error()).
  std::optional<reply> command(std::initializer_list<std::string_view> arguments) {
    if (!open()) return std::nullopt;
    std::vector<const char*> argv;
    std::vector<std::size_t> lengths;
    argv.reserve(arguments.size());
    lengths.reserve(arguments.size());
    for (std::string_view a : arguments) {
      argv.push_back(a.data());
      lengths.push_back(a.size());
    }
    const sigpipe_blocked no_sigpipe;
    auto* r = static_cast<redisReply*>(
        redisCommandArgv(context_, static_cast<int>(argv.size()), argv.data(), lengths.data()));
    if (r == nullptr) {  // I/O error or timeout: the context cannot be used again
      close();
      next_attempt_ = std::chrono::steady_clock::now() + retry_after_;
      return std::nullopt;
    }
    return reply{r};
  }

  /// Whether a connection is open (false also while waiting to retry).
  [[nodiscard]] bool is_open() const noexcept { return context_ != nullptr; }

  /// Opens the connection if it is not; false if the server cannot be reached (then not tried
  /// again before the retry interval).
  bool open() {
    if (context_ != nullptr) return true;
    const auto now = std::chrono::steady_clock::now();
    if (now < next_attempt_) return false;
    redisContext* c = redisConnectWithTimeout(where_.host.c_str(), where_.port, to_timeval(timeout_));
    if (c == nullptr || c->err != 0 || redisSetTimeout(c, to_timeval(timeout_)) != REDIS_OK) {
      if (c != nullptr) redisFree(c);
      next_attempt_ = now + retry_after_;
      return false;
    }
    context_ = c;
    if (where_.database != 0) {
      const std::string database = std::to_string(where_.database);
      const auto selected = command({"SELECT", database});
      if (!selected || selected->is_error()) {
        close();
        next_attempt_ = now + retry_after_;
        return false;
      }
    }
    ++connects_;
    return true;
  }

  /// Drops the connection (the next command connects again).
  void close() noexcept {
    if (context_ != nullptr) redisFree(context_);
    context_ = nullptr;
  }

  /// The hiredis context (open), for the subscriber's own reading.
  [[nodiscard]] redisContext* native_handle() const noexcept { return context_; }
  /// How many times it connected: a caller sees a reconnection as this growing.
  [[nodiscard]] std::uint64_t connects() const noexcept { return connects_; }

private:
  endpoint where_;
  std::chrono::milliseconds timeout_;
  std::chrono::milliseconds retry_after_;
  redisContext* context_ = nullptr;
  std::chrono::steady_clock::time_point next_attempt_{};
  std::uint64_t connects_ = 0;
};

}  // namespace syncorm::detail::redis
