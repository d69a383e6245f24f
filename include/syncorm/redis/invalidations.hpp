#pragma once
// Deletes between processes: each cache level publishes its deletes on one Redis channel (inside its
// delete script, cache_level.hpp), and listens on it with a connection and a thread of its own,
// deleting what other processes wrote from this process's memory level. A listener that lost its
// subscription (the server went away) empties the memory level when it subscribes again, since
// the deletes published meanwhile were missed.
//
// A message is "<tag>\n<table>\n<key>": the tag names the level that published it (its own come
// back to it and are skipped), key empty is the whole table, "*" everything.

#include <poll.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <thread>

#include "../cache/memory_level.hpp"
#include "client.hpp"

namespace syncorm::detail::redis {

/// Where deletes are published.
inline constexpr std::string_view invalidation_channel = "syncorm:cache:invalidate";

/// A tag for one cache level, in the messages it publishes. Per level, not per process: a forked
/// child has levels of its own.
inline std::string new_level_tag() {
  std::random_device random;
  return std::to_string((std::uint64_t{random()} << 32) | random());
}

/// Applies other levels' deletes to `memory`, from a thread it stops and joins on destruction.
class invalidation_listener {
public:
  /// Listens on the server at `where`, skipping messages tagged `own_tag`.
  invalidation_listener(endpoint where, std::string own_tag, memory_level& memory)
      : where_(std::move(where)), tag_(std::move(own_tag)), memory_(memory), thread_([this] { listen(); }) {}
  invalidation_listener(const invalidation_listener&) = delete;
  invalidation_listener& operator=(const invalidation_listener&) = delete;
  ~invalidation_listener() {
    stopping_ = true;
    thread_.join();
  }

private:
  /// The subscriber thread: applies other processes' deletes to the memory level; after the
  /// subscription was lost (the server went away), empties the memory level, since deletes were
  /// missed meanwhile.
  void listen() {
    connection sub{where_, std::chrono::milliseconds{500}, std::chrono::milliseconds{200}};
    bool subscribed_before = false;
    while (!stopping_) {
      if (!sub.is_open()) {
        if (!sub.open()) {
          std::this_thread::sleep_for(std::chrono::milliseconds{50});
          continue;
        }
        auto r = sub.command({"SUBSCRIBE", invalidation_channel});
        if (!r || r->is_error()) {
          sub.close();
          continue;
        }
        if (subscribed_before) clear_memory();
        subscribed_before = true;
      }
      pollfd p{sub.native_handle()->fd, POLLIN, 0};
      const int ready = ::poll(&p, 1, 100);
      if (ready <= 0) continue;
      if (redisBufferRead(sub.native_handle()) != REDIS_OK) {
        sub.close();
        clear_memory();
        continue;
      }
      void* raw = nullptr;
      while (redisGetReplyFromReader(sub.native_handle(), &raw) == REDIS_OK && raw != nullptr) {
        const reply message{static_cast<redisReply*>(raw)};
        raw = nullptr;
        apply(message);
      }
    }
  }

  void apply(const reply& message) noexcept {
    const redisReply* r = message.get();
    if (r->type != REDIS_REPLY_ARRAY || r->elements != 3 || r->element[2]->type != REDIS_REPLY_STRING) return;
    const std::string_view text(r->element[2]->str, r->element[2]->len);
    const auto first = text.find('\n');
    const auto second = text.find('\n', first + 1);
    if (first == std::string_view::npos || second == std::string_view::npos) return;
    if (text.substr(0, first) == tag_) return;  // our own delete, applied already
    const std::string_view table = text.substr(first + 1, second - first - 1);
    const std::string_view key = text.substr(second + 1);
    try {
      if (key == "*") memory_.clear();
      else memory_.invalidate(cache_key_view{table, key});
    } catch (...) {
      clear_memory();
    }
  }

  void clear_memory() noexcept {
    try {
      memory_.clear();
    } catch (...) {
    }
  }

  endpoint where_;
  std::string tag_;
  memory_level& memory_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;  // last: started once everything it uses exists
};

}  // namespace syncorm::detail::redis
