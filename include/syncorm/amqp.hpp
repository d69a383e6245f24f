#pragma once
// Sync events carried by RabbitMQ (rabbitmq-c; CMake target syncorm::amqp). The producer runs a
// relay, which publishes its outbox in position order with publisher confirms and records how far
// it got in its own database only after the broker confirmed; the consumer reads a durable queue
// through an amqp::source, which plugs into the same syncorm::subscriber as an outbox_source and
// acknowledges a delivery only after the consumer's transaction committed. Delivery is at least
// once (a crash republishes or redelivers); the subscriber's stored positions make the effect
// exactly once.
//
//   syncorm::amqp::relay relay{orders_db, {.url = "amqp://guest:guest@127.0.0.1:5672/", .source = "orders-db"}};
//   relay.run(stop);                           // or relay.poll(): what the outbox holds now
//   syncorm::amqp::source feed{{.url = ..., .queue = "shipments", .topics = {"orders", "customers"}}};
//   sub.run(feed, stop);                       // sub: a syncorm::subscriber
//
// README, "RabbitMQ", documents the guarantees and the message format for other languages.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <span>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "amqp/connection.hpp"
#include "amqp/message.hpp"
#include "error.hpp"
#include "sync/outbox_reader.hpp"
#include "sync/source.hpp"

namespace syncorm::amqp {

/// Settings of a relay.
struct relay_settings {
  /// The broker: amqp://user:password@host:port/vhost.
  std::string url{};
  /// The durable topic exchange events are published to (declared if absent); routing key = topic.
  std::string exchange = "syncorm";
  /// Names this producer in every message (the `source` header), and so the consumers' positions:
  /// keep it stable and unique among the producers publishing to one exchange. Required.
  std::string source{};
  /// The relay's name in the producer's syncorm_outbox_readers (what prune_outbox is given);
  /// default "amqp-relay:" + exchange.
  std::string reader{};
  /// Events read from the outbox and published at a time.
  std::size_t batch_size = 1000;
  /// Messages published and not yet confirmed, at most: the relay publishes on while the broker
  /// confirms, and waits only when this many are outstanding.
  std::size_t max_unconfirmed = 10'000;
  /// How often, at most, the confirmed position is recorded in the producer's database (one write
  /// each, so that a busy producer is not slowed by one per batch). A relay that restarts
  /// republishes what was confirmed since: duplicates, which consumers drop.
  std::chrono::milliseconds record_interval{100};
  /// How long the broker may take to confirm a batch before the connection is given up as lost.
  std::chrono::milliseconds confirm_timeout{30'000};
  /// How long connecting may take.
  std::chrono::milliseconds connect_timeout{5'000};
  /// AMQP heartbeat: a connection silent for twice this long is considered dead (0: none).
  std::chrono::seconds heartbeat{30};
  /// First wait of run() before reconnecting; doubled for each failed try, up to max_retry_delay.
  std::chrono::milliseconds first_retry_delay{10};
  /// Longest wait of run() between reconnects (and while the producer's database is down).
  std::chrono::milliseconds max_retry_delay{2'000};
  /// How long run() waits for a commit before looking at the outbox anyway.
  std::chrono::milliseconds idle_wait{1'000};
  /// How often a waiting relay looks for commits of other processes to a SQLite outbox.
  std::chrono::milliseconds poll_interval{1};
};

/// What a relay has done since it was made.
struct relay_stats {
  std::uint64_t published = 0;   ///< messages the broker confirmed (a republished one counts again)
  std::uint64_t reconnects = 0;  ///< connections opened after the first
  std::uint64_t deferred_records = 0;  ///< positions the database refused to record at once (recorded later)
};

/// Publishes the outbox of the database `producer` is connected to, in position order, as persistent
/// messages with publisher confirms. Its position is recorded in the producer's
/// syncorm_outbox_readers only after the broker confirmed, so a crash or a broker restart
/// republishes from there: duplicates are possible (consumers drop them), losses are not. Uses
/// `producer` from the thread that calls poll or run.
template <class Database>
class relay {
public:
  /// A relay (creating the outbox tables if absent). Throws syncorm::error for a wrong URL, a
  /// missing source name, or a broker that refuses the login; a broker that cannot be reached yet
  /// is tried again by poll and run.
  relay(Database& producer, relay_settings settings)
      : db_(producer), settings_(std::move(settings)), address_(detail::parse_url(settings_.url)),
        waiter_(settings_.poll_interval) {
    if (settings_.source.empty()) throw error("syncorm: an amqp::relay needs a source name (relay_settings::source)");
    if (settings_.exchange.empty()) throw error("syncorm: an amqp::relay needs an exchange name");
    if (settings_.reader.empty()) settings_.reader = "amqp-relay:" + settings_.exchange;
    if (settings_.batch_size == 0) settings_.batch_size = 1;
    syncorm::detail::create_outbox_tables(db_);
    try {
      connect();
    } catch (const connection_error&) {
      // Not reachable yet: poll and run try again.
    }
  }

  relay(const relay&) = delete;
  relay& operator=(const relay&) = delete;

  /// Publishes every event the outbox holds after the relay's position and waits until the broker
  /// confirmed them; returns how many. Throws connection_error when the broker cannot be reached or
  /// drops the connection (the next call republishes from the last confirmed event).
  std::size_t poll() {
    const std::size_t confirmed_before = confirmed_count_;
    publish_available();
    if (!in_flight_.empty())
      on_link([&] {
        if (!link_->read_confirms(in_flight_.back().tag, settings_.confirm_timeout)) give_up_on_confirms();
      });
    settle();
    maybe_record();
    return confirmed_count_ - confirmed_before;
  }

  /// Publishes events as they commit until `stop` is requested, reconnecting with back-off after a
  /// broker restart or a dropped connection (or while the producer's database cannot be reached);
  /// records the confirmed position before it returns.
  void run(std::stop_token stop) {
    // Each round waits for its confirms before the next: looking for new events while confirms
    // are outstanding measured worse (p99 ten times higher on a loaded 2-core machine), as the
    // relay then competes for the CPU with the broker and the consumer.
    std::chrono::milliseconds backoff{0};
    while (!stop.stop_requested()) {
      try {
        poll();
        backoff = std::chrono::milliseconds{0};
      } catch (const connection_error&) {
        backoff = backoff.count() == 0 ? settings_.first_retry_delay : std::min(backoff * 2, settings_.max_retry_delay);
        syncorm::detail::sleep_unless_stopped(stop, backoff);
        continue;
      }
      waiter_.wait(db_, stop, settings_.idle_wait);
    }
    try {
      if (position_ && *position_ > recorded_) record();  // what a later poll would have recorded
    } catch (...) {
      // Not recorded: a restart republishes a little more, which consumers drop.
    }
  }

  /// The position of the last event the broker confirmed (0: none yet, or not read yet).
  [[nodiscard]] std::int64_t position() const noexcept { return position_.value_or(0); }

  /// The name the relay records its position under in syncorm_outbox_readers.
  [[nodiscard]] const std::string& reader() const noexcept { return settings_.reader; }

  /// Counters, readable from another thread while run() works.
  [[nodiscard]] relay_stats stats() const noexcept {
    return {published_.load(std::memory_order_relaxed), reconnects_.load(std::memory_order_relaxed),
            deferred_records_.load(std::memory_order_relaxed)};
  }

private:
  /// Publishes what the outbox holds after what was published, taking the confirms that have
  /// arrived; waits for confirms only while max_unconfirmed messages are outstanding.
  void publish_available() {
    if (!link_) connect();
    if (!position_) {
      position_ = syncorm::detail::reader_position(db_, settings_.reader);
      recorded_ = sent_ = *position_;
    }
    on_link([&] { link_->keep_alive(); });
    while (true) {
      batch_.clear();
      syncorm::detail::read_outbox(db_, settings_.source, sent_, settings_.batch_size, batch_);
      if (batch_.empty()) break;
      on_link([&] {
        for (const raw_event& e : batch_) {
          const detail::message_properties properties(e, settings_.source);
          in_flight_.push_back({link_->publish(settings_.exchange, e.topic, properties.get(), e.payload), e.position});
        }
        sent_ = batch_.back().position;
        const std::size_t window = settings_.max_unconfirmed;
        if (in_flight_.size() <= window) link_->read_confirms(in_flight_.back().tag, std::chrono::milliseconds{0});
        else if (!link_->read_confirms(in_flight_[in_flight_.size() - window - 1].tag, settings_.confirm_timeout))
          give_up_on_confirms();
      });
      settle();
      maybe_record();
    }
  }

  [[noreturn]] void give_up_on_confirms() {
    link_->give_up("the broker did not confirm " + std::to_string(in_flight_.size()) + " message(s) within " +
                   std::to_string(settings_.confirm_timeout.count()) + " ms");
  }

  void connect() {
    link_.emplace(address_, detail::link_settings{settings_.heartbeat, settings_.connect_timeout});
    try {
      link_->declare_exchange(settings_.exchange);
      link_->confirm_publishing();
      link_->ready();
    } catch (...) {
      link_.reset();
      throw;
    }
    if (connected_before_) reconnects_.fetch_add(1, std::memory_order_relaxed);
    connected_before_ = true;
  }

  /// Runs `work` on the connection. If it fails, drops the connection and what was not confirmed on
  /// it: the next poll reconnects and publishes again from the last confirmed event.
  template <class Work>
  void on_link(Work&& work) {
    try {
      work();
    } catch (const connection_error&) {
      link_.reset();
      in_flight_.clear();
      sent_ = position_.value_or(0);
      throw;
    }
  }

  /// Moves the position past every message the broker has confirmed.
  void settle() {
    const std::uint64_t confirmed = link_ ? link_->confirmed() : 0;
    std::size_t count = 0;
    while (!in_flight_.empty() && in_flight_.front().tag <= confirmed) {
      position_ = in_flight_.front().position;
      in_flight_.pop_front();
      ++count;
    }
    confirmed_count_ += count;
    published_.fetch_add(count, std::memory_order_relaxed);
  }

  void maybe_record() {
    if (*position_ > recorded_ && std::chrono::steady_clock::now() - recorded_at_ >= settings_.record_interval) record();
  }

  /// Records the position in the producer's database. A database too busy to take the write now
  /// (SQLite: another writer held the lock for the whole busy timeout) is not a reason to stop
  /// publishing: the position is kept and recorded with a later batch. Until then a crash only
  /// republishes more.
  void record() {
    recorded_at_ = std::chrono::steady_clock::now();
    try {
      syncorm::detail::record_reader(db_, settings_.reader, *position_);
      recorded_ = *position_;
    } catch (const connection_error&) {
      throw;
    } catch (const error&) {
      deferred_records_.fetch_add(1, std::memory_order_relaxed);
    }
  }

  Database& db_;
  relay_settings settings_;
  detail::broker_address address_;
  std::optional<detail::link> link_;
  /// A published message the broker has not confirmed yet.
  struct unconfirmed {
    std::uint64_t tag;
    std::int64_t position;
  };

  std::optional<std::int64_t> position_;  // confirmed through here
  std::int64_t sent_ = 0;                 // published through here
  std::int64_t recorded_ = 0;             // recorded in the producer's database through here
  std::chrono::steady_clock::time_point recorded_at_{};
  std::deque<unconfirmed> in_flight_;
  std::size_t confirmed_count_ = 0;
  std::vector<raw_event> batch_;
  syncorm::detail::outbox_waiter waiter_;
  bool connected_before_ = false;
  std::atomic<std::uint64_t> published_{0};
  std::atomic<std::uint64_t> reconnects_{0};
  std::atomic<std::uint64_t> deferred_records_{0};
};

/// Settings of a source.
struct source_settings {
  /// The broker: amqp://user:password@host:port/vhost.
  std::string url{};
  /// The exchange the relays publish to (declared if absent).
  std::string exchange = "syncorm";
  /// This consumer's durable queue (declared if absent, with a single active consumer: a second
  /// process reading it waits until the first goes away). Required.
  std::string queue{};
  /// The topics to receive: the queue is bound to each (topic exchange rules: `*` and `#` are
  /// wildcards). Required.
  std::vector<std::string> topics{};
  /// Deliveries the broker sends ahead of acknowledgements.
  std::uint16_t prefetch = 512;
  /// How long connecting may take.
  std::chrono::milliseconds connect_timeout{5'000};
  /// AMQP heartbeat: a connection silent for twice this long is considered dead (0: none).
  std::chrono::seconds heartbeat{30};
};

/// Events from a RabbitMQ queue for syncorm::subscriber. Messages of several producers may share
/// the queue: each event's source is its message's `source` header, and the subscriber keeps a
/// position per source. A delivery is acknowledged when the subscriber has committed it; after a
/// reconnect the broker delivers the unacknowledged ones again, and the subscriber drops those it
/// has applied. One source serves one subscriber.
class source {
public:
  /// A source; connects and declares its exchange, queue and bindings now when the broker can be
  /// reached (so that it receives what is published from then on), else at the first fetch.
  /// Throws syncorm::error for a wrong URL, missing settings, a refused login, or a queue declared
  /// before with other settings.
  explicit source(source_settings settings)
      : settings_(std::move(settings)), address_(detail::parse_url(settings_.url)),
        fallback_source_("amqp:" + settings_.queue) {
    if (settings_.queue.empty()) throw error("syncorm: an amqp::source needs a queue name (source_settings::queue)");
    if (settings_.topics.empty()) throw error("syncorm: an amqp::source needs at least one topic (source_settings::topics)");
    if (settings_.prefetch == 0) settings_.prefetch = 1;
    try {
      connect();
    } catch (const connection_error& e) {
      note_failure(e.what());
    }
  }

  source(const source&) = delete;
  source& operator=(const source&) = delete;

  /// Up to `max` delivered events, oldest first, without waiting for more; the ones fetched before
  /// and not yet consumed come first. Throws connection_error while the broker cannot be reached.
  template <stored_position_lookup Lookup>
  std::span<const raw_event> fetch(std::size_t max, std::string_view consumer, Lookup&&) {
    bind_consumer(consumer);
    ensure_connected();
    try {
      while (pending_.size() < max && receive(std::chrono::microseconds{0})) {
      }
    } catch (const connection_error& e) {
      disconnect(e.what());
      throw;
    }
    return std::span<const raw_event>(pending_).first(pending_.size() < max ? pending_.size() : max);
  }

  /// The first `count` fetched events are committed: acknowledges their deliveries. If the
  /// connection is gone, the broker delivers them again after the reconnect (duplicates, dropped).
  void consumed(std::size_t count, std::string_view consumer) {
    bind_consumer(consumer);
    if (count == 0 || count > pending_.size() || !link_) return;  // the deliveries went with a lost connection
    if (!link_->acknowledge_through(delivery_tags_[count - 1])) {
      disconnect("acknowledging failed");
      return;
    }
    pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(count));
    delivery_tags_.erase(delivery_tags_.begin(), delivery_tags_.begin() + static_cast<std::ptrdiff_t>(count));
  }

  /// Waits until a delivery arrives, `timeout` passes or `stop` is asked. While the broker cannot
  /// be reached, waits for the next reconnect attempt instead (never throws for that).
  void wait(std::stop_token stop, std::chrono::milliseconds timeout) {
    if (!pending_.empty()) return;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    if (!link_) {
      syncorm::detail::sleep_unless_stopped(stop, std::min(deadline, next_attempt_) - std::chrono::steady_clock::now());
      return;
    }
    // Slices, so that a stop request is seen within one; a delivery ends the wait at once.
    constexpr std::chrono::milliseconds slice{100};
    try {
      while (!stop.stop_requested()) {
        const auto left = std::chrono::duration_cast<std::chrono::microseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) return;
        if (receive(std::min<std::chrono::microseconds>(left, slice))) return;
      }
    } catch (const connection_error& e) {
      disconnect(e.what());
    }
  }

  /// Whether the source is connected now (from the thread that uses it).
  [[nodiscard]] bool connected() const noexcept { return link_.has_value(); }

  /// Connections opened after the first; readable from another thread while a subscriber runs.
  [[nodiscard]] std::uint64_t reconnects() const noexcept { return reconnects_.load(std::memory_order_relaxed); }

  /// The source name malformed messages without a usable `source` header are parked under:
  /// "amqp:" + the queue.
  [[nodiscard]] const std::string& fallback_source() const noexcept { return fallback_source_; }

private:
  void connect() {
    link_.emplace(address_, detail::link_settings{settings_.heartbeat, settings_.connect_timeout});
    try {
      link_->declare_exchange(settings_.exchange);
      link_->declare_queue(settings_.queue, settings_.exchange, settings_.topics);
      link_->consume(settings_.queue, settings_.prefetch);
      link_->ready();
    } catch (...) {
      link_.reset();
      throw;
    }
    pending_.clear();
    delivery_tags_.clear();
    backoff_ = std::chrono::milliseconds{0};
    if (connected_before_) reconnects_.fetch_add(1, std::memory_order_relaxed);
    connected_before_ = true;
  }

  /// Connects when disconnected and a reconnect is due; throws connection_error otherwise.
  void ensure_connected() {
    if (link_) return;
    if (std::chrono::steady_clock::now() < next_attempt_)
      throw connection_error(last_failure_ + " (next attempt in " +
                             std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                next_attempt_ - std::chrono::steady_clock::now())
                                                .count()) +
                             " ms)");
    try {
      connect();
    } catch (const connection_error& e) {
      note_failure(e.what());
      throw;
    }
  }

  void note_failure(std::string what) {
    last_failure_ = std::move(what);
    constexpr std::chrono::milliseconds first{10}, most{2'000};
    backoff_ = backoff_.count() == 0 ? first : std::min(backoff_ * 2, most);
    next_attempt_ = std::chrono::steady_clock::now() + backoff_;
  }

  /// Drops the connection and what was delivered on it (the broker delivers that again).
  void disconnect(std::string why) {
    link_.reset();
    pending_.clear();
    delivery_tags_.clear();
    last_failure_ = std::move(why);
    next_attempt_ = std::chrono::steady_clock::now();  // reconnect at once; failures then back off
  }

  bool receive(std::chrono::microseconds timeout) {
    amqp_envelope_t delivery;
    if (!link_->next_delivery(delivery, timeout)) return false;
    struct destroy_after {
      amqp_envelope_t& envelope;
      ~destroy_after() { amqp_destroy_envelope(&envelope); }
    } destroy{delivery};
    pending_.push_back(detail::decode_message(delivery, fallback_source_));
    delivery_tags_.push_back(delivery.delivery_tag);
    return true;
  }

  void bind_consumer(std::string_view consumer) {
    if (consumer_.empty()) consumer_ = consumer;
    else if (consumer_ != consumer)
      throw error("syncorm: amqp::source for queue '" + settings_.queue + "' already serves consumer '" + consumer_ +
                  "'; give each subscriber a source of its own");
  }

  source_settings settings_;
  detail::broker_address address_;
  std::string fallback_source_;
  std::optional<detail::link> link_;
  std::vector<raw_event> pending_;
  std::vector<std::uint64_t> delivery_tags_;
  std::string consumer_;
  std::string last_failure_;
  std::chrono::milliseconds backoff_{0};
  std::chrono::steady_clock::time_point next_attempt_{};
  bool connected_before_ = false;
  std::atomic<std::uint64_t> reconnects_{0};
};

}  // namespace syncorm::amqp
