#pragma once
// The double delete's timer: deletes a key once more after a delay, from a thread of its own that
// sleeps until the next deadline, and that the destructor stops and joins (deletes still pending
// then are dropped: the cache they were for is going away with it).

#include "../core/chrono.hpp"
#include <condition_variable>
#include <mutex>
#include <queue>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "memory_level.hpp"

namespace syncorm::detail {

/// Calls `deleter(key_view)` for each scheduled key at its deadline. Deleter: a callable with
/// `void operator()(cache_key_view) noexcept` (a template parameter, not a std::function: the
/// cache knows its own type).
template <class Deleter>
class delete_timer {
public:
  explicit delete_timer(Deleter deleter) : deleter_(std::move(deleter)), thread_([this] { run(); }) {}
  delete_timer(const delete_timer&) = delete;
  delete_timer& operator=(const delete_timer&) = delete;
  ~delete_timer() { stop(); }

  /// Stops the thread (deletes still pending are dropped); idempotent.
  void stop() noexcept {
    {
      const std::lock_guard lock{mutex_};
      stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

  /// Deletes `k` again at `when`.
  void schedule(cache_clock::time_point when, cache_key_view k) {
    {
      const std::lock_guard lock{mutex_};
      due_.push(pending{when, cache_key{std::string(k.table), std::string(k.key)}});
    }
    wake_.notify_one();
  }

  /// How many deletes wait.
  [[nodiscard]] std::size_t pending_count() {
    const std::lock_guard lock{mutex_};
    return due_.size();
  }

private:
  struct pending {
    cache_clock::time_point when;
    cache_key key;
  };
  struct later {
    bool operator()(const pending& a, const pending& b) const noexcept { return a.when > b.when; }
  };

  void run() {
    std::unique_lock lock{mutex_};
    while (!stopping_) {
      if (due_.empty()) {
        wake_.wait(lock);
        continue;
      }
      // A copy: wait_until reads the deadline again after waking, and a schedule() meanwhile may
      // have moved the queue's elements.
      const cache_clock::time_point next = due_.top().when;
      if (next > cache_clock::now()) {
        wake_.wait_until(lock, next);
        continue;
      }
      cache_key key = due_.top().key;
      due_.pop();
      lock.unlock();  // the delete may take a network round trip; schedule() must not wait for it
      deleter_(key.view());
      lock.lock();
    }
  }

  Deleter deleter_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::priority_queue<pending, std::vector<pending>, later> due_;  // soonest on top
  bool stopping_ = false;
  std::thread thread_;  // last: started once everything it uses exists
};

}  // namespace syncorm::detail
