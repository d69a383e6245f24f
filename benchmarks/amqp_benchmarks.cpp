// Sync events through RabbitMQ. Two measurements:
//  - relay throughput with publisher confirms: syncorm::amqp::relay publishing an outbox of
//    row_count() events (read from a SQLite file, persistent messages into a durable queue, its
//    position recorded after the confirms) against raw rabbitmq-c publishing the same messages with
//    the same confirms and at most 10,000 outstanding (the baseline: no database at all);
//  - end to end, producer commit -> consumer commit: a producer thread commits orders (one per
//    transaction at 1,000 per second; ten per transaction at 5,000 per second; flat out in
//    transactions of 100), a relay thread publishes them, a subscriber on an amqp::source applies
//    them to a second SQLite file; an event's latency is from its producer's commit returning to
//    the consumer's commit returning. Counters: p50_ms, p99_ms, events_per_s.
// The broker is the CTest fixture's when SYNCORM_RABBITMQ_STATE_DIR is set (the smoke test), else a
// throwaway broker started with the tests' script.

#include <syncorm/amqp.hpp>
#include <syncorm/sqlite.hpp>
#include <syncorm/sync.hpp>

#include <benchmark/benchmark.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>
#include <unistd.h>

#include "throwaway_servers.hpp"
#include "workload.hpp"

namespace {

struct amqp_workload {
  static constexpr std::string_view table = "orders";
};
using Order = syncorm_bench::order_row<amqp_workload>;
using syncorm_bench::row_count;

}  // namespace

template <>
struct syncorm::sync_traits<Order> {
  static constexpr std::string_view topic = "orders";
};

namespace {

/// The broker's URL: the CTest fixture's, or a throwaway one of the benchmarks' own.
const std::string& broker_url() { return syncorm_bench::rabbitmq_url(); }

std::string unique(std::string_view stem) {
  static int counter = 0;
  return std::string(stem) + "-bench-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
}

/// A fresh SQLite file (the outbox of a real producer lives on disk).
std::string scratch_file(std::string_view stem) {
  const auto path = std::filesystem::temp_directory_path() / (unique(stem) + ".db");
  std::filesystem::remove(path);
  return path.string();
}

/// Deletes a queue and an exchange with rabbitmq-c (between iterations, untimed).
void delete_queue(const std::string& queue, const std::string& exchange) {
  std::string url = broker_url();
  amqp_connection_info info;
  amqp_parse_url(url.data(), &info);
  amqp_connection_state_t connection = amqp_new_connection();
  amqp_socket_t* socket = amqp_tcp_socket_new(connection);
  if (amqp_socket_open(socket, info.host, info.port) == AMQP_STATUS_OK &&
      amqp_login(connection, "/", 0, 131072, 0, AMQP_SASL_METHOD_PLAIN, info.user, info.password).reply_type ==
          AMQP_RESPONSE_NORMAL &&
      amqp_channel_open(connection, 1) != nullptr) {
    amqp_queue_delete(connection, 1, amqp_cstring_bytes(queue.c_str()), 0, 0);
    amqp_exchange_delete(connection, 1, amqp_cstring_bytes(exchange.c_str()), 0);
    amqp_connection_close(connection, AMQP_REPLY_SUCCESS);
  }
  amqp_destroy_connection(connection);
}

syncorm::amqp::source_settings queue_settings(const std::string& exchange, const std::string& queue) {
  return {.url = broker_url(), .exchange = exchange, .queue = queue, .topics = {"orders"}};
}

// ---- relay throughput ------------------------------------------------------------------------------

/// Wall time of the timed parts (Google Benchmark's rates are per CPU second).
struct wall_timer {
  double seconds = 0;
  std::chrono::steady_clock::time_point started{};
  void start() { started = std::chrono::steady_clock::now(); }
  void stop() { seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(); }
};

void relay_syncorm(benchmark::State& state) {
  wall_timer timed;
  for (auto _ : state) {
    state.PauseTiming();
    const std::string exchange = unique("relay"), queue = unique("relay");
    { syncorm::amqp::source declare{queue_settings(exchange, queue)}; }  // a durable queue: messages are stored
    const std::string file = scratch_file("relay");
    std::size_t published = 0;
    {
      syncorm::sqlite::database db{file};
      db.create_table<Order>();
      auto rows = syncorm_bench::make_orders<Order>(row_count());
      db.insert_many(rows);
      syncorm::amqp::relay relay{db, {.url = broker_url(), .exchange = exchange, .source = "bench"}};
      state.ResumeTiming();
      timed.start();
      published = relay.poll();
      timed.stop();
      state.PauseTiming();
    }
    if (published != static_cast<std::size_t>(row_count())) state.SkipWithError("the relay did not publish every event");
    delete_queue(queue, exchange);
    std::filesystem::remove(file);
    state.ResumeTiming();
  }
  state.counters["events_per_s"] = static_cast<double>(row_count()) * static_cast<double>(state.iterations()) / timed.seconds;
}

/// rabbitmq-c publishing the same messages (same properties and headers) with publisher confirms.
void relay_raw(benchmark::State& state) {
  wall_timer timed;
  for (auto _ : state) {
    state.PauseTiming();
    const std::string exchange = unique("raw"), queue = unique("raw");
    { syncorm::amqp::source declare{queue_settings(exchange, queue)}; }
    // The events as the relay reads them, made in memory: the baseline has no database.
    std::vector<syncorm::raw_event> events(static_cast<std::size_t>(row_count()));
    {
      const auto rows = syncorm_bench::make_orders<Order>(row_count());
      for (std::size_t i = 0; i < events.size(); ++i) {
        Order row = rows[i];
        row.id = static_cast<std::int64_t>(i) + 1;
        events[i] = {"bench", row.id, syncorm::detail::new_event_id(), "orders", std::to_string(row.id), "created",
                     syncorm::detail::encode_payload(row), {}};
      }
    }
    std::string url = broker_url();
    amqp_connection_info info;
    amqp_parse_url(url.data(), &info);
    amqp_connection_state_t connection = amqp_new_connection();
    amqp_socket_t* socket = amqp_tcp_socket_new(connection);
    if (amqp_socket_open(socket, info.host, info.port) != AMQP_STATUS_OK ||
        amqp_login(connection, "/", 0, 131072, 0, AMQP_SASL_METHOD_PLAIN, info.user, info.password).reply_type !=
            AMQP_RESPONSE_NORMAL) {
      state.SkipWithError("cannot connect");
      break;
    }
    amqp_channel_open(connection, 1);
    amqp_confirm_select(connection, 1);
    amqp_get_rpc_reply(connection);
    state.ResumeTiming();
    timed.start();
    // The fastest correct use: publish on while the broker confirms, at most 10,000 outstanding.
    std::uint64_t published = 0, confirmed = 0;
    auto read_one_confirm = [&] {
      amqp_frame_t frame;
      if (amqp_simple_wait_frame(connection, &frame) != AMQP_STATUS_OK) return false;
      if (frame.frame_type == AMQP_FRAME_METHOD && frame.payload.method.id == AMQP_BASIC_ACK_METHOD) {
        const auto* ack = static_cast<const amqp_basic_ack_t*>(frame.payload.method.decoded);
        confirmed = ack->multiple != 0 ? ack->delivery_tag : confirmed + 1;
      }
      return true;
    };
    bool connected = true;
    for (std::size_t i = 0; i < events.size() && connected; ++i) {
      const syncorm::amqp::detail::message_properties properties(events[i], "bench");
      amqp_basic_publish(connection, 1, amqp_cstring_bytes(exchange.c_str()), amqp_cstring_bytes("orders"), 0, 0,
                         &properties.get(), syncorm::amqp::detail::bytes_of(events[i].payload));
      ++published;
      while (connected && published - confirmed > 10'000) connected = read_one_confirm();
    }
    while (connected && confirmed < published) connected = read_one_confirm();
    timed.stop();
    state.PauseTiming();
    amqp_connection_close(connection, AMQP_REPLY_SUCCESS);
    amqp_destroy_connection(connection);
    if (confirmed != events.size()) state.SkipWithError("not every message was confirmed");
    delete_queue(queue, exchange);
    state.ResumeTiming();
  }
  state.counters["events_per_s"] = static_cast<double>(row_count()) * static_cast<double>(state.iterations()) / timed.seconds;
}

// ---- end to end --------------------------------------------------------------------------------------

/// Producer commit -> consumer commit through a relay, the broker and a subscriber. `per_transaction`
/// rows per producer transaction; `interval` between transactions (zero: flat out).
void end_to_end(benchmark::State& state, int per_transaction, std::chrono::microseconds interval) {
  // Paced runs last about 5 s; a flat-out run writes row_count() events.
  const std::int64_t paced = 5 * 1'000'000 / std::max<std::int64_t>(1, interval.count()) * per_transaction;
  const auto events = static_cast<std::size_t>(std::min<std::int64_t>(row_count(), interval.count() > 0 ? paced : row_count()));
  std::vector<double> latencies_ms;
  double seconds = 0;
  for (auto _ : state) {
    const std::string exchange = unique("e2e"), queue = unique("e2e");
    const std::string producer_file = scratch_file("producer"), consumer_file = scratch_file("consumer");
    {
      // Commits without an fsync each (WAL, synchronous NORMAL: durable against a crash of the
      // process, not of the machine): this disk takes ~2.3 ms per fsync, and a producer, a relay and
      // a consumer syncing each commit would measure the disk's queue, not the transport.
      const syncorm::sqlite::options no_fsync_per_commit{.synchronous = syncorm::sqlite::synchronous_mode::normal};
      syncorm::sqlite::database producer{producer_file, no_fsync_per_commit};
      producer.create_table<Order>();
      syncorm::sqlite::database consumer{consumer_file, no_fsync_per_commit};
      consumer.create_table<Order>();
      syncorm::amqp::source feed{queue_settings(exchange, queue)};
      syncorm::sqlite::database relay_db{producer_file, no_fsync_per_commit};
      syncorm::amqp::relay relay{relay_db, {.url = broker_url(), .exchange = exchange, .source = "bench"}};
      std::vector<std::atomic<std::int64_t>> committed_at(events + 1);  // steady_clock ns, by order id
      std::vector<std::int64_t> applied_ids;
      syncorm::subscriber sub{consumer, "bench", syncorm::on<Order>([&](const syncorm::event<Order>& e, auto& tx) {
                                Order copy = e.row;
                                tx.upsert(copy);
                                applied_ids.push_back(e.row.id);
                              })};
      auto now_ns = [] { return std::chrono::steady_clock::now().time_since_epoch().count(); };
      const auto started = std::chrono::steady_clock::now();
      std::jthread relaying([&](std::stop_token stop) { relay.run(stop); });
      std::jthread producing([&] {
        auto rows = syncorm_bench::make_orders<Order>(static_cast<std::int64_t>(events));
        auto next = std::chrono::steady_clock::now();
        for (std::size_t i = 0; i < events; i += static_cast<std::size_t>(per_transaction)) {
          const std::size_t end = std::min(events, i + static_cast<std::size_t>(per_transaction));
          producer.transaction([&](auto& tx) {
            for (std::size_t j = i; j < end; ++j) tx.insert(rows[j]);
          });
          const std::int64_t at = now_ns();
          for (std::size_t j = i; j < end; ++j) committed_at[static_cast<std::size_t>(rows[j].id)].store(at);
          if (interval.count() > 0) {
            next += interval;
            std::this_thread::sleep_until(next);
          }
        }
      });
      std::vector<std::int64_t> applied_at(events + 1, 0);  // steady_clock ns of the consumer's commit, by order id
      std::size_t applied = 0;
      std::stop_source never;
      while (applied < events) {
        applied_ids.clear();
        sub.poll(feed);
        const std::int64_t at = now_ns();
        for (std::int64_t id : applied_ids) applied_at[static_cast<std::size_t>(id)] = at;
        applied += applied_ids.size();
        if (applied_ids.empty()) feed.wait(never.get_token(), std::chrono::milliseconds{100});
      }
      seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      producing.join();
      // A SQLite commit that also checkpoints makes the event visible before the producer's call
      // returns: the consumer may then commit first, which counts as zero.
      for (std::size_t id = 1; id <= events; ++id)
        latencies_ms.push_back(static_cast<double>(std::max<std::int64_t>(0, applied_at[id] - committed_at[id].load())) / 1e6);
    }
    delete_queue(queue, exchange);
    std::filesystem::remove(producer_file);
    std::filesystem::remove(consumer_file);
  }
  std::sort(latencies_ms.begin(), latencies_ms.end());
  auto percentile = [&](double p) { return latencies_ms[static_cast<std::size_t>(p * static_cast<double>(latencies_ms.size() - 1))]; };
  state.counters["p50_ms"] = percentile(0.50);
  state.counters["p99_ms"] = percentile(0.99);
  state.counters["events_per_s"] = static_cast<double>(latencies_ms.size()) / seconds;
}

void end_to_end_1000_per_s(benchmark::State& state) { end_to_end(state, 1, std::chrono::microseconds{1000}); }
void end_to_end_5000_per_s(benchmark::State& state) { end_to_end(state, 10, std::chrono::microseconds{2000}); }
void end_to_end_flat_out(benchmark::State& state) { end_to_end(state, 100, std::chrono::microseconds{0}); }

}  // namespace

BENCHMARK(relay_raw)->Name("amqp/publish_events_with_confirms/baseline")->Unit(benchmark::kMillisecond);
BENCHMARK(relay_syncorm)->Name("amqp/publish_events_with_confirms/syncorm_relay")->Unit(benchmark::kMillisecond);
BENCHMARK(end_to_end_1000_per_s)->Name("amqp/end_to_end_commit_to_commit/1000_per_s_one_per_transaction")->Unit(benchmark::kMillisecond);
BENCHMARK(end_to_end_5000_per_s)->Name("amqp/end_to_end_commit_to_commit/5000_per_s_ten_per_transaction")->Unit(benchmark::kMillisecond);
BENCHMARK(end_to_end_flat_out)->Name("amqp/end_to_end_commit_to_commit/flat_out_100_per_transaction")->Unit(benchmark::kMillisecond);
