// Sync events over RabbitMQ, against the broker CTest started: the relay publishes the outbox in
// order with confirms and records its position; the source feeds the same subscriber, acknowledging
// after commit; the message format is read and written by another language's client (Python's
// pika); every AMQP integer width is accepted for `position`; malformed messages are parked and
// never block the queue; several producers share a queue; redeliveries after a reconnect are
// dropped by the stored positions; a wrong URL or a refused login says so. On SQLite and PostgreSQL.

#include <doctest/doctest.h>

#include <syncorm/amqp.hpp>
#include <syncorm/sync.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "support/backends.hpp"
#include "support/broker.hpp"
#include "support/raw_sql.hpp"

using syncorm::col;
using test_support::broker_url;
using test_support::raw_broker;
using test_support::raw_query;
using test_support::raw_value;
using test_support::unique_name;

namespace amqp_models {

struct Order {
  std::int64_t id = 0;
  std::string customer;
  double amount = 0;
  int status = 0;
  std::optional<std::string> note;
  bool operator==(const Order&) const = default;
};

}  // namespace amqp_models

using amqp_models::Order;

template <>
struct syncorm::model_traits<Order> {
  static constexpr std::string_view table = "orders";
};
template <>
struct syncorm::sync_traits<Order> {
  static constexpr std::string_view topic = "orders";
};

static_assert(syncorm::event_source<syncorm::amqp::source>);

namespace {

/// One exchange and one queue of this test's own, bound to "orders".
struct broker_names {
  std::string exchange = unique_name("exchange");
  std::string queue = unique_name("queue");

  syncorm::amqp::relay_settings relay(std::string source) const {
    return {.url = broker_url(), .exchange = exchange, .source = std::move(source)};
  }
  syncorm::amqp::source_settings source() const {
    return {.url = broker_url(), .exchange = exchange, .queue = queue, .topics = {"orders"}};
  }
};

/// Polls until `done()` or 20 s pass (deliveries take a moment to arrive).
template <class Done, class Step>
void until(Done done, Step step) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{20};
  while (!done() && std::chrono::steady_clock::now() < deadline) {
    step();
    std::this_thread::sleep_for(std::chrono::milliseconds{2});
  }
}

/// A mirror of the producer's orders, applied through `feed` until it holds `count` rows.
template <class Subscriber, class Feed, class Database>
void apply_until(Subscriber& sub, Feed& feed, Database& consumer, std::int64_t count) {
  until([&] { return consumer.template count<Order>() >= count; }, [&] { sub.poll(feed); });
}

/// Runs the Python client; returns its output (one line per message for "read").
std::string run_python(const std::string& arguments) {
  const std::string command = std::string(SYNCORM_TEST_PYTHON) + " '" SYNCORM_TEST_SOURCE_DIR "/amqp_interop.py' " + arguments;
  FILE* pipe = ::popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::string output;
  char buffer[4096];
  while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) output += buffer;
  REQUIRE(::pclose(pipe) == 0);
  return output;
}

std::string shell_quoted(const std::string& text) { return "'" + text + "'"; }

amqp_table_entry_t text_header(const char* key, const char* value) {
  amqp_table_entry_t entry{amqp_cstring_bytes(key), {}};
  entry.value.kind = AMQP_FIELD_KIND_UTF8;
  entry.value.value.bytes = amqp_cstring_bytes(value);
  return entry;
}

std::string order_json(std::int64_t id, const std::string& customer) {
  return R"({"id":)" + std::to_string(id) + R"(,"customer":")" + customer + R"(","amount":2.5,"status":1,"note":null})";
}

}  // namespace

TEST_CASE_TEMPLATE("a relay publishes the outbox in order with confirms; a source applies it exactly once", Backend,
                   SYNCORM_TEST_BACKENDS) {
  broker_names names;
  auto producer = Backend::open();
  producer.template create_table<Order>();
  auto consumer = Backend::open();
  consumer.template create_table<Order>();
  // Made first, the source declares its queue: it receives what is published from then on.
  std::optional<syncorm::amqp::source> feed{std::in_place, names.source()};
  syncorm::subscriber sub{consumer, "copies", syncorm::subscriber_settings{.batch_size = 64}, syncorm::mirror<Order>()};

  std::vector<Order> orders(300, Order{.customer = "bulk", .amount = 1.25});
  producer.insert_many(orders);
  orders[7].status = 3;
  producer.update(orders[7]);
  producer.remove(orders[8]);
  syncorm::amqp::relay relay{producer, syncorm::amqp::relay_settings{.url = broker_url(), .exchange = names.exchange,
                                                                     .source = "orders-db", .batch_size = 100,
                                                                     .max_unconfirmed = 150, .record_interval = {}}};
  CHECK(relay.poll() == 302);
  CHECK(relay.poll() == 0);
  const std::int64_t latest = syncorm::latest_position(producer);
  CHECK(relay.position() == latest);
  // The relay's position is recorded in the producer's database, under its reader name.
  CHECK(relay.reader() == "amqp-relay:" + names.exchange);
  CHECK(*raw_value(producer, "SELECT position FROM syncorm_outbox_readers WHERE reader = " +
                                 test_support::sql_literal(relay.reader())) == std::to_string(latest));

  apply_until(sub, *feed, consumer, 299);
  until([&] { return sub.position("orders-db") == latest; }, [&] { sub.poll(*feed); });
  CHECK(sub.position("orders-db") == latest);
  CHECK(sub.stats().applied == 302);
  CHECK(sub.stats().duplicates == 0);
  CHECK(consumer.template select<Order>(syncorm::order_by(col<&Order::id>)) ==
        producer.template select<Order>(syncorm::order_by(col<&Order::id>)));
  // Everything was acknowledged: nothing waits in the queue once the source is gone.
  feed.reset();
  raw_broker check;
  CHECK(check.ready_messages(names.queue) == 0);

  // Retention: the relay's reader name holds the outbox until it has published.
  Order later{.customer = "later"};
  producer.insert(later);
  CHECK(syncorm::prune_outbox(producer, {relay.reader()}) == 302);
  CHECK(*raw_value(producer, "SELECT count(*) FROM syncorm_outbox") == "1");
  CHECK(relay.poll() == 1);
  CHECK(syncorm::prune_outbox(producer, {relay.reader()}) == 1);

  // A new relay with the same names starts from the recorded position: nothing twice.
  syncorm::amqp::relay again{producer, names.relay("orders-db")};
  CHECK(again.poll() == 0);
  CHECK(again.position() == relay.position());
}

TEST_CASE_TEMPLATE("another language's client reads syncorm's messages, and syncorm applies its messages", Backend,
                   SYNCORM_TEST_BACKENDS) {
  broker_names names;
  auto producer = Backend::open();
  producer.template create_table<Order>();
  // A queue for the Python reader, declared (and bound) by syncorm's own source, then left alone.
  const std::string python_queue = unique_name("python");
  { syncorm::amqp::source declare{{.url = broker_url(), .exchange = names.exchange, .queue = python_queue, .topics = {"orders"}}}; }

  Order ada{.customer = "ada \"quoted\" \xC3\xA9", .amount = 42.5, .status = 1, .note = "gift"};
  producer.insert(ada);
  ada.status = 2;
  producer.update(ada);
  syncorm::amqp::relay relay{producer, names.relay("orders-db")};
  REQUIRE(relay.poll() == 2);

  // What pika decoded, checked against the outbox as the database prints it.
  const std::string output = run_python("read " + shell_quoted(broker_url()) + " " + shell_quoted(python_queue) + " 2");
  std::vector<boost::json::value> messages;
  std::size_t start = 0;
  while (start < output.size()) {
    const std::size_t end = output.find('\n', start);
    messages.push_back(boost::json::parse(output.substr(start, end - start)));
    start = end + 1;
  }
  REQUIRE(messages.size() == 2);
  const auto rows = raw_query(producer, "SELECT position, id, aggregatetype, aggregateid, type, payload FROM syncorm_outbox ORDER BY position");
  REQUIRE(rows.size() == 2);
  for (std::size_t i = 0; i < 2; ++i) {
    const auto& m = messages[i].as_object();
    const auto& headers = m.at("headers").as_object();
    CHECK(m.at("content_type").as_string() == "application/json");
    CHECK(m.at("delivery_mode").as_int64() == 2);
    CHECK(m.at("message_id").as_string() == *rows[i][1]);
    CHECK(m.at("type").as_string() == *rows[i][4]);
    CHECK(m.at("routing_key").as_string() == "orders");
    CHECK(m.at("position_is_int").as_bool());
    CHECK(headers.at("position").as_int64() == std::stoll(*rows[i][0]));
    CHECK(headers.at("source").as_string() == "orders-db");
    CHECK(headers.at("aggregatetype").as_string() == *rows[i][2]);
    CHECK(headers.at("aggregateid").as_string() == *rows[i][3]);
    // The body is the payload: the same JSON value the database holds.
    CHECK(boost::json::parse(m.at("body").as_string()) == boost::json::parse(*rows[i][5]));
  }
  CHECK(boost::json::parse(messages[1].at("body").as_string()).at("status").as_int64() == 2);
  CHECK(boost::json::parse(messages[0].at("body").as_string()).at("customer").as_string() == ada.customer);

  // And the other way: an event published by pika in the documented format is applied.
  auto consumer = Backend::open();
  consumer.template create_table<Order>();
  syncorm::amqp::source feed{names.source()};
  syncorm::subscriber sub{consumer, "copies", syncorm::mirror<Order>()};
  run_python("publish " + shell_quoted(broker_url()) + " " + shell_quoted(names.exchange) + " orders 77 5 python-app " +
             "00000000-0000-7000-8000-000000000077 created " + shell_quoted(order_json(77, "from python")));
  apply_until(sub, feed, consumer, 1);
  const auto copy = consumer.template find<Order>(77);
  REQUIRE(copy);
  CHECK(copy->customer == "from python");
  CHECK(copy->amount == 2.5);
  CHECK(sub.position("python-app") == 5);
}

TEST_CASE_TEMPLATE("position is read in every AMQP integer width, and as a decimal string", Backend, SYNCORM_TEST_BACKENDS) {
  broker_names names;
  auto consumer = Backend::open();
  consumer.template create_table<Order>();
  syncorm::amqp::source feed{names.source()};
  syncorm::subscriber sub{consumer, "widths", syncorm::mirror<Order>()};
  raw_broker publisher;
  // Node's amqplib writes the smallest width that fits; other clients pick others.
  const amqp_field_value_kind_t kinds[] = {AMQP_FIELD_KIND_I8,  AMQP_FIELD_KIND_U8,  AMQP_FIELD_KIND_I16,
                                           AMQP_FIELD_KIND_U16, AMQP_FIELD_KIND_I32, AMQP_FIELD_KIND_U32,
                                           AMQP_FIELD_KIND_I64, AMQP_FIELD_KIND_U64, AMQP_FIELD_KIND_F64,
                                           AMQP_FIELD_KIND_UTF8};
  std::int64_t position = 0;
  for (amqp_field_value_kind_t kind : kinds) {
    ++position;
    const std::string id = std::to_string(position);
    const std::string message_id = "00000000-0000-7000-8000-00000000000" + std::to_string(position % 10);
    const std::string digits = std::to_string(position);
    amqp_table_entry_t entries[4] = {text_header("aggregatetype", "orders"), text_header("aggregateid", id.c_str()),
                                     {amqp_cstring_bytes("position"), {}}, text_header("source", "widths-app")};
    amqp_field_value_t& value = entries[2].value;
    value.kind = static_cast<std::uint8_t>(kind);
    switch (kind) {
      case AMQP_FIELD_KIND_I8: value.value.i8 = static_cast<std::int8_t>(position); break;
      case AMQP_FIELD_KIND_U8: value.value.u8 = static_cast<std::uint8_t>(position); break;
      case AMQP_FIELD_KIND_I16: value.value.i16 = static_cast<std::int16_t>(position); break;
      case AMQP_FIELD_KIND_U16: value.value.u16 = static_cast<std::uint16_t>(position); break;
      case AMQP_FIELD_KIND_I32: value.value.i32 = static_cast<std::int32_t>(position); break;
      case AMQP_FIELD_KIND_U32: value.value.u32 = static_cast<std::uint32_t>(position); break;
      case AMQP_FIELD_KIND_I64: value.value.i64 = position; break;
      case AMQP_FIELD_KIND_U64: value.value.u64 = static_cast<std::uint64_t>(position); break;
      case AMQP_FIELD_KIND_F64: value.value.f64 = static_cast<double>(position); break;
      default: value.value.bytes = amqp_cstring_bytes(digits.c_str()); break;
    }
    amqp_basic_properties_t properties{};
    properties._flags = AMQP_BASIC_MESSAGE_ID_FLAG | AMQP_BASIC_TYPE_FLAG | AMQP_BASIC_HEADERS_FLAG;
    properties.message_id = amqp_cstring_bytes(message_id.c_str());
    properties.type = amqp_cstring_bytes("created");
    properties.headers = amqp_table_t{4, entries};
    publisher.publish(names.exchange, "orders", properties, order_json(position, "width " + id));
  }
  apply_until(sub, feed, consumer, position);
  CHECK(consumer.template count<Order>() == position);
  CHECK(sub.position("widths-app") == position);
  CHECK(sub.stats().parked == 0);
}

TEST_CASE_TEMPLATE("malformed messages are parked and acknowledged; they never crash the consumer or block the queue",
                   Backend, SYNCORM_TEST_BACKENDS) {
  broker_names names;
  auto consumer = Backend::open();
  consumer.template create_table<Order>();
  std::optional<syncorm::amqp::source> feed{std::in_place, names.source()};
  syncorm::subscriber sub{consumer, "strict", syncorm::mirror<Order>()};
  raw_broker publisher;

  struct message {
    const char* message_id;
    const char* type;
    const char* source;         // null: no header
    const char* position_text;  // null: no header; otherwise a string header
    const char* body;
  };
  const std::string good_body = order_json(1, "good");
  const std::string later_body = order_json(2, "later");
  const message messages[] = {
      {"00000000-0000-7000-8000-000000000001", "created", "app", "1", good_body.c_str()},
      {"00000000-0000-7000-8000-000000000002", "created", nullptr, "2", good_body.c_str()},  // no source
      {"00000000-0000-7000-8000-000000000003", "created", "app", nullptr, good_body.c_str()},  // no position
      {"00000000-0000-7000-8000-000000000004", "created", "app", "many", good_body.c_str()},  // not a number
      {"00000000-0000-7000-8000-000000000005", "created", "app", "-4", good_body.c_str()},  // not above zero
      {"00000000-0000-7000-8000-000000000006", "created", "app", "6", "this is not JSON"},
      {"00000000-0000-7000-8000-000000000007", "renamed", "app", "7", good_body.c_str()},  // unknown type
      {nullptr, "created", "app", "8", good_body.c_str()},  // no message_id
      {"00000000-0000-7000-8000-000000000009", "updated", "app", "9", later_body.c_str()},
  };
  for (const message& m : messages) {
    std::vector<amqp_table_entry_t> entries{text_header("aggregatetype", "orders"), text_header("aggregateid", m.body == later_body.c_str() ? "2" : "1")};
    if (m.source != nullptr) entries.push_back(text_header("source", m.source));
    if (m.position_text != nullptr) entries.push_back(text_header("position", m.position_text));
    amqp_basic_properties_t properties{};
    properties._flags = AMQP_BASIC_TYPE_FLAG | AMQP_BASIC_HEADERS_FLAG;
    if (m.message_id != nullptr) {
      properties._flags |= AMQP_BASIC_MESSAGE_ID_FLAG;
      properties.message_id = amqp_cstring_bytes(m.message_id);
    }
    properties.type = amqp_cstring_bytes(m.type);
    properties.headers = amqp_table_t{static_cast<int>(entries.size()), entries.data()};
    publisher.publish(names.exchange, "orders", properties, m.body);
  }
  // A message with no headers at all.
  amqp_basic_properties_t bare{};
  publisher.publish(names.exchange, "orders", bare, "{}");

  until([&] { return sub.stats().applied + sub.stats().parked >= 10; }, [&] { sub.poll(*feed); });
  CHECK(sub.stats().applied == 2);  // the first and the last: the queue went on past every bad one
  CHECK(sub.stats().parked == 8);
  CHECK(consumer.template find<Order>(2)->customer == "later");
  CHECK(sub.position("app") == 9);

  const auto parked = raw_query(consumer, "SELECT source, position, error FROM syncorm_parked_events ORDER BY error");
  REQUIRE(parked.size() == 8);
  std::string errors;
  for (const auto& row : parked) errors += *row[0] + " " + *row[1] + ": " + *row[2] + "\n";
  auto mentions = [&](const std::string& text) { return errors.find(text) != std::string::npos; };
  CHECK(mentions("no source header"));
  CHECK(mentions("no position header"));
  CHECK(mentions("the position header is not an integer above zero"));
  CHECK(mentions("the payload is not JSON"));
  CHECK(mentions("unknown event type 'renamed'"));
  CHECK(mentions("no message_id property"));
  CHECK(mentions("amqp:" + names.queue));  // parked under the queue's name when it names no source
  // Each was acknowledged: the queue is empty once the source is gone.
  feed.reset();
  CHECK(publisher.ready_messages(names.queue) == 0);
}

TEST_CASE_TEMPLATE("several producers publish into one queue; positions are kept per source", Backend, SYNCORM_TEST_BACKENDS) {
  broker_names names;
  auto east = Backend::open();
  auto west = Backend::open();
  east.template create_table<Order>();
  west.template create_table<Order>();
  auto consumer = Backend::open();
  consumer.template create_table<Order>();
  syncorm::amqp::source feed{names.source()};
  std::vector<std::string> seen;
  syncorm::subscriber sub{consumer, "both", syncorm::on<Order>([&](const syncorm::event<Order>& e, auto&) {
                            seen.push_back(e.row.customer);
                          })};
  syncorm::amqp::relay east_relay{east, names.relay("east")};
  syncorm::amqp::relay west_relay{west, names.relay("west")};
  for (int i = 0; i < 50; ++i) {
    Order e{.customer = "east"}, w{.customer = "west"};
    east.insert(e);
    west.insert(w);
  }
  CHECK(east_relay.poll() == 50);
  CHECK(west_relay.poll() == 50);
  until([&] { return seen.size() >= 100; }, [&] { sub.poll(feed); });
  CHECK(seen.size() == 100);
  CHECK(sub.position("east") == syncorm::latest_position(east));
  CHECK(sub.position("west") == syncorm::latest_position(west));
  CHECK(sub.stats().duplicates == 0);
}

namespace {

/// Forwards to an amqp::source but never acknowledges: a consumer that crashed after its commit and
/// before its ack.
struct never_acknowledging {
  syncorm::amqp::source& inner;
  std::size_t committed = 0;  // the first events the inner source holds, committed and not acknowledged
  template <class Lookup>
  std::span<const syncorm::raw_event> fetch(std::size_t max, std::string_view consumer, Lookup&& lookup) {
    return inner.fetch(max + committed, consumer, lookup).subspan(committed);
  }
  void consumed(std::size_t count, std::string_view) { committed += count; }
  void wait(std::stop_token stop, std::chrono::milliseconds timeout) { inner.wait(stop, timeout); }
};

}  // namespace

TEST_CASE_TEMPLATE("deliveries committed but not acknowledged come again after a reconnect and are dropped", Backend,
                   SYNCORM_TEST_BACKENDS) {
  broker_names names;
  auto producer = Backend::open();
  producer.template create_table<Order>();
  auto consumer = Backend::open();
  consumer.template create_table<Order>();
  int applied = 0;
  auto handler = syncorm::on<Order>([&](const syncorm::event<Order>&, auto&) { ++applied; });
  std::optional<syncorm::amqp::source> feed{std::in_place, names.source()};
  std::vector<Order> orders(40, Order{.customer = "once"});
  producer.insert_many(orders);
  syncorm::amqp::relay relay{producer, names.relay("orders-db")};
  REQUIRE(relay.poll() == 40);
  {
    syncorm::subscriber sub{consumer, "once", handler};
    never_acknowledging forgetful{*feed};
    until([&] { return applied >= 40; }, [&] { sub.poll(forgetful); });
    REQUIRE(applied == 40);
  }
  feed.reset();  // the connection closes: the broker requeues what was not acknowledged
  feed.emplace(names.source());
  syncorm::subscriber sub{consumer, "once", handler};
  until([&] { return sub.stats().duplicates >= 40; }, [&] { sub.poll(*feed); });
  CHECK(sub.stats().duplicates == 40);  // delivered again, applied once
  CHECK(applied == 40);
  feed.reset();
  raw_broker check;
  CHECK(check.ready_messages(names.queue) == 0);  // and acknowledged this time
}

TEST_CASE("a wrong URL, a refused login and an unreachable broker each say what is wrong") {
  auto message_of = [](auto&& make) -> std::string {
    try {
      make();
    } catch (const syncorm::connection_error& e) {
      return std::string("connection_error: ") + e.what();
    } catch (const syncorm::error& e) {
      return std::string("error: ") + e.what();
    }
    return "no error";
  };
  const std::string port = std::to_string(test_support::broker_port());
  auto source_with = [](std::string url) {
    return [url] { syncorm::amqp::source s{{.url = url, .queue = unique_name("q"), .topics = {"orders"}}}; };
  };
  CHECK(message_of(source_with("http://127.0.0.1/")) ==
        "error: syncorm: 'http://127.0.0.1/' is not a RabbitMQ URL; expected amqp://user:password@host:port/vhost");
  CHECK(message_of(source_with("amqp://guest:secret@127.0.0.1:notaport/")) ==
        "error: syncorm: 'amqp://***@127.0.0.1:notaport/' is not a RabbitMQ URL; expected amqp://user:password@host:port/vhost");
  const std::string refused = message_of(source_with("amqp://guest:wrong@127.0.0.1:" + port + "/"));
  CHECK(refused.find("error: syncorm: RabbitMQ at amqp://guest@127.0.0.1:" + port + "/ refused logging in as 'guest': ACCESS_REFUSED") == 0);
  CHECK(refused.find("wrong") == std::string::npos);  // the password is never shown
  CHECK(message_of(source_with("amqp://guest:guest@127.0.0.1:" + port + "/no-such-vhost")).find("vhost no-such-vhost not found") !=
        std::string::npos);

  // Nothing listens on port 1: the relay can be made, and its poll says the broker is unreachable.
  auto producer = test_support::sqlite_backend::open();
  producer.create_table<Order>();
  syncorm::amqp::relay relay{producer, {.url = "amqp://guest:guest@127.0.0.1:1/", .source = "p"}};
  const std::string unreachable = message_of([&] { relay.poll(); });
  CHECK(unreachable.find("connection_error: syncorm: RabbitMQ at amqp://guest@127.0.0.1:1/: connecting failed") == 0);
  // A source made while the broker is unreachable throws connection_error from fetch, until it can connect.
  syncorm::amqp::source feed{{.url = "amqp://guest:guest@127.0.0.1:1/", .queue = "q", .topics = {"orders"}}};
  CHECK_FALSE(feed.connected());
  auto consumer = test_support::sqlite_backend::open();
  syncorm::subscriber sub{consumer, "c", syncorm::mirror<Order>()};
  CHECK_THROWS_AS(sub.poll(feed), syncorm::connection_error);
}
