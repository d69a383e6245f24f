#pragma once
// A small pool of connections (database objects) to one data source. Connections are opened on
// demand up to the pool's size; a thread that finds them all in use waits for one. A connection
// that failed is dropped rather than returned, and the next user opens a fresh one.

#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace syncorm::detail {

template <class Database>
class connection_pool {
public:
  using options = typename Database::options;

  /// A pool of at most `size` connections to `conninfo`, each opened with `settings`.
  connection_pool(std::string conninfo, options settings, std::size_t size)
      : conninfo_(std::move(conninfo)), settings_(std::move(settings)), size_(size == 0 ? 1 : size) {}
  connection_pool(const connection_pool&) = delete;
  connection_pool& operator=(const connection_pool&) = delete;

  /// A connection for the lease's lifetime.
  class lease {
  public:
    lease(connection_pool& pool, std::unique_ptr<Database> db) noexcept : pool_(&pool), db_(std::move(db)) {}
    lease(lease&& other) noexcept : pool_(other.pool_), db_(std::move(other.db_)) {}
    lease(const lease&) = delete;
    lease& operator=(const lease&) = delete;
    lease& operator=(lease&&) = delete;
    ~lease() {
      if (db_) pool_->give_back(std::move(db_), broken_);
    }
    Database& operator*() const noexcept { return *db_; }
    Database* operator->() const noexcept { return db_.get(); }
    /// The connection failed: close it instead of returning it to the pool.
    void discard() noexcept { broken_ = true; }

  private:
    connection_pool* pool_;
    std::unique_ptr<Database> db_;
    bool broken_ = false;
  };

  /// An idle connection, a new one if fewer than `size` are open, or the next one given back.
  lease acquire() {
    std::unique_lock lock{mutex_};
    while (idle_.empty() && open_count_ >= size_) returned_.wait(lock);
    if (!idle_.empty()) {
      std::unique_ptr<Database> db = std::move(idle_.back());
      idle_.pop_back();
      return lease{*this, std::move(db)};
    }
    ++open_count_;
    lock.unlock();
    try {
      return lease{*this, std::make_unique<Database>(conninfo_, settings_)};
    } catch (...) {
      lock.lock();
      --open_count_;
      returned_.notify_one();
      throw;
    }
  }

  /// Closes every idle connection (a source that failed: its other connections are suspect too).
  void drain() {
    std::vector<std::unique_ptr<Database>> closing;
    {
      const std::lock_guard lock{mutex_};
      closing.swap(idle_);
      open_count_ -= closing.size();
    }
    returned_.notify_all();
  }

private:
  void give_back(std::unique_ptr<Database> db, bool broken) noexcept {
    {
      const std::lock_guard lock{mutex_};
      if (broken) {
        --open_count_;
      } else {
        try {
          idle_.push_back(std::move(db));
        } catch (...) {
          --open_count_;  // no room to keep it: close it
        }
      }
    }
    returned_.notify_one();
  }

  std::string conninfo_;
  options settings_;
  std::size_t size_;
  std::mutex mutex_;
  std::condition_variable returned_;
  std::vector<std::unique_ptr<Database>> idle_;
  std::size_t open_count_ = 0;
};

}  // namespace syncorm::detail
