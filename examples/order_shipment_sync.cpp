// Two applications, two databases, kept in sync by syncorm's sync events.
//
// The orders application takes orders; the shipments application, with a database of its own,
// ships them: every new order becomes a shipment there, and every shipment flows back and marks
// its order shipped. The shipments application also keeps a copy (a mirror) of the customers.
// Each application is its own process; each reads the other's outbox and applies what it reads in
// its own transactions, exactly once. The program stops by itself once both sides are quiescent.
//
//   order_shipment_sync                              two SQLite files in a fresh temporary folder
//   order_shipment_sync ORDERS_DB SHIPMENTS_DB       two SQLite files, or with --postgres two
//   order_shipment_sync --postgres CONNINFO CONNINFO PostgreSQL databases (their tables are recreated)
//   order_shipment_sync --amqp URL [...]             the same, with the events carried by RabbitMQ:
//                                                    each application runs a relay publishing its
//                                                    outbox and reads its own queue

#include <syncorm/postgres.hpp>
#include <syncorm/sqlite.hpp>
#include <syncorm/sync.hpp>
#if SYNCORM_EXAMPLE_WITH_AMQP
#include <syncorm/amqp.hpp>
#endif

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

// ---- the models both applications share -----------------------------------------------------------

enum class order_status : std::int16_t { placed = 1, shipped = 2 };

struct Customer {
  std::int64_t id = 0;
  std::string name;
  std::optional<std::string> email;
};

struct Order {
  std::int64_t id = 0;
  std::int64_t customer_id = 0;
  std::string item;
  double amount = 0;
  order_status status = order_status::placed;
  std::optional<std::int64_t> shipment_id;
};

struct Shipment {
  std::int64_t id = 0;
  std::int64_t order_id = 0;
  std::string carrier;
};

template <>
struct syncorm::model_traits<Order> {
  static constexpr std::string_view table = "orders";
};
template <>
struct syncorm::model_traits<Customer> {
  static constexpr std::string_view table = "customers";
};
template <>
struct syncorm::model_traits<Shipment> {
  static constexpr std::string_view table = "shipments";
};
// Writes of these models emit events on these topics.
template <>
struct syncorm::sync_traits<Customer> {
  static constexpr std::string_view topic = "customers";
};
template <>
struct syncorm::sync_traits<Order> {
  static constexpr std::string_view topic = "orders";
};
template <>
struct syncorm::sync_traits<Shipment> {
  static constexpr std::string_view topic = "shipments";
};

namespace {

const auto started = std::chrono::steady_clock::now();
std::atomic<bool> stop_requested{false};

/// One line of output, stamped with the time since start; whole lines, so two processes interleave
/// cleanly.
// A C variadic function, so that the compiler checks each call's format against its arguments.
[[gnu::format(printf, 2, 3)]] void say(const char* app, const char* format, ...) {
  char text[512];
  const auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  std::size_t n = static_cast<std::size_t>(std::snprintf(text, sizeof text, "%8.2f ms  %-9s ", ms, app));
  std::va_list args;
  va_start(args, format);
  const int rest = std::vsnprintf(text + n, sizeof text - n, format, args);
  va_end(args);
  if (rest > 0) n += static_cast<std::size_t>(rest);
  if (n > sizeof text - 1) n = sizeof text - 1;  // truncated: keep room for the newline
  text[n++] = '\n';
  [[maybe_unused]] const auto written = ::write(STDOUT_FILENO, text, n);
}

/// The two databases, on either backend, and the broker if events go through RabbitMQ.
struct configuration {
  bool postgres = false;
  std::string orders;
  std::string shipments;
  std::string broker;  // empty: each application reads the other's outbox directly
  std::string run;     // names this run's exchange and queues on the broker
};

/// The exchange and the queue of one application, on the broker.
std::string exchange_of(const configuration& config) { return "order-shipment-sync-" + config.run; }
#if SYNCORM_EXAMPLE_WITH_AMQP
std::string queue_of(const configuration& config, const char* application) {
  return std::string(application) + "-" + config.run;
}
#endif

/// Applies the other application's events with `sub` until stopped. Without a broker it reads the
/// other database's outbox; with one, its own queue, while a relay publishes its own outbox.
template <class Database, class Subscriber>
void exchange_events(Subscriber& sub, const configuration& config, const char* application, const std::string& own_db,
                     const std::string& other_db, const char* other_name, std::vector<std::string> topics,
                     std::stop_token stop) {
  if (config.broker.empty()) {
    Database feed_db{other_db};
    syncorm::outbox_source feed{feed_db, other_name};
    sub.run(feed, stop);
    return;
  }
#if SYNCORM_EXAMPLE_WITH_AMQP
  Database relay_db{own_db};  // the relay's own connection (its thread's)
  syncorm::amqp::relay relay{relay_db, {.url = config.broker, .exchange = exchange_of(config),
                                        .source = std::string(application) + "-db"}};
  std::jthread relaying([&](std::stop_token relay_stop) { relay.run(relay_stop); });
  syncorm::amqp::source feed{{.url = config.broker, .exchange = exchange_of(config),
                              .queue = queue_of(config, application), .topics = std::move(topics)}};
  sub.run(feed, stop);
#else
  (void)own_db, (void)topics, (void)application;
  throw std::runtime_error("this build has no RabbitMQ support (librabbitmq was not found)");
#endif
}

constexpr int order_count = 5;

// ---- the orders application -----------------------------------------------------------------------

template <class Database>
void orders_application(const configuration& config) {
  Database db{config.orders};           // the application's own writes
  Database consumer_db{config.orders};  // a connection of the subscriber's own (its thread's)
  syncorm::subscriber sub{consumer_db, "orders", syncorm::on<Shipment>([](const syncorm::event<Shipment>& e, auto& tx) {
                            if (e.kind != syncorm::change::created) return;
                            auto order = tx.template find<Order>(e.row.order_id);
                            if (!order) return;
                            order->status = order_status::shipped;
                            order->shipment_id = e.row.id;
                            tx.update(*order);  // a new fact: emits an "orders" event of its own
                            say("orders", "order #%lld shipped with %s (shipment #%lld): marked shipped",
                                static_cast<long long>(order->id), e.row.carrier.c_str(), static_cast<long long>(e.row.id));
                          })};
  std::jthread consumer([&](std::stop_token stop) {
    exchange_events<Database>(sub, config, "orders", config.orders, config.shipments, "shipments-db", {"shipments"}, stop);
  });

  std::vector<Customer> customers{{.name = "Ada", .email = "ada@example.com"}, {.name = "Grace"}, {.name = "Alan"}};
  db.insert_many(customers);
  say("orders", "registered %zu customers", customers.size());
  const char* items[] = {"keyboard", "monitor", "lamp", "desk", "chair"};
  for (int i = 0; i < order_count && !stop_requested; ++i) {
    Order o{.customer_id = customers[static_cast<std::size_t>(i) % customers.size()].id, .item = items[i],
            .amount = 20.0 + 10 * i};
    db.insert(o);  // the order and its event commit together
    say("orders", "placed order #%lld: %s for %s", static_cast<long long>(o.id), o.item.c_str(),
        customers[static_cast<std::size_t>(i) % customers.size()].name.c_str());
    std::this_thread::sleep_for(std::chrono::milliseconds{40});
  }
  customers[1].email = "grace@example.com";
  db.update(customers[1]);
  say("orders", "customer #%lld changed e-mail", static_cast<long long>(customers[1].id));
  while (!stop_requested) std::this_thread::sleep_for(std::chrono::milliseconds{5});
}

// ---- the shipments application --------------------------------------------------------------------

template <class Database>
void shipments_application(const configuration& config) {
  Database db{config.shipments};
  syncorm::subscriber sub{db, "shipments",
                          syncorm::on<Order>([](const syncorm::event<Order>& e, auto& tx) {
                            if (e.kind != syncorm::change::created) return;
                            Shipment s{.order_id = e.row.id, .carrier = e.row.amount > 40 ? "freight" : "parcel post"};
                            tx.insert(s);  // a new fact: emits a "shipments" event
                            say("shipments", "order #%lld received: created shipment #%lld (%s)",
                                static_cast<long long>(e.row.id), static_cast<long long>(s.id), s.carrier.c_str());
                          }),
                          syncorm::mirror<Customer>()};  // a copy: emits nothing
  std::jthread consumer([&](std::stop_token stop) {
    exchange_events<Database>(sub, config, "shipments", config.shipments, config.orders, "orders-db",
                              {"orders", "customers"}, stop);
  });
  while (!stop_requested) std::this_thread::sleep_for(std::chrono::milliseconds{5});
}

// ---- the program: sets up both databases, starts both applications, waits for quiescence --------

template <class Database>
void create_tables(const configuration& config) {
  Database orders{config.orders};
  Database shipments{config.shipments};
  for (Database* db : {&orders, &shipments})
    for (const char* table : {"orders", "customers", "shipments", "syncorm_outbox", "syncorm_consumer_offsets",
                              "syncorm_parked_events", "syncorm_outbox_readers"})
      db->execute(std::string("DROP TABLE IF EXISTS ") + table);
  orders.template create_table<Customer>();
  orders.template create_table<Order>();
  shipments.template create_table<Shipment>();
  shipments.template create_table<Customer>();
}

template <class Application>
pid_t start(Application application, const configuration& config) {
  const pid_t child = ::fork();
  if (child != 0) return child;
  std::signal(SIGTERM, [](int) { stop_requested = true; });
  ::prctl(PR_SET_PDEATHSIG, SIGTERM);  // if the program is killed, its applications stop too
  try {
    application(config);
  } catch (const std::exception& e) {
    say("error", "%s", e.what());
    std::_Exit(1);
  }
  std::_Exit(0);
}

/// Whether everything has happened: every order shipped, and each side has applied all of the
/// other side's events.
template <class Database>
bool quiescent(Database& orders, Database& shipments, auto& orders_progress, auto& shipments_progress) {
  using syncorm::col;
  return orders.template count<Order>() == order_count &&
         orders.template count<Order>(syncorm::where(col<&Order::status> == order_status::shipped)) == order_count &&
         shipments_progress.position("orders-db") == syncorm::latest_position(orders) &&
         orders_progress.position("shipments-db") == syncorm::latest_position(shipments);
}

#if SYNCORM_EXAMPLE_WITH_AMQP
/// Declares both applications' queues before either publishes, so that neither misses the other's
/// first events (a queue receives what is published once it is bound).
void declare_queues(const configuration& config) {
  syncorm::amqp::source orders_queue{{.url = config.broker, .exchange = exchange_of(config),
                                      .queue = queue_of(config, "orders"), .topics = {"shipments"}}};
  syncorm::amqp::source shipments_queue{{.url = config.broker, .exchange = exchange_of(config),
                                         .queue = queue_of(config, "shipments"), .topics = {"orders", "customers"}}};
  if (!orders_queue.connected() || !shipments_queue.connected())
    throw syncorm::connection_error("cannot reach RabbitMQ at the URL given");
}

/// Deletes this run's queues and exchange (housekeeping for a demo, with rabbitmq-c itself).
void delete_queues(const configuration& config) {
  std::string url = config.broker;
  amqp_connection_info info;
  if (amqp_parse_url(url.data(), &info) != AMQP_STATUS_OK) return;
  amqp_connection_state_t connection = amqp_new_connection();
  amqp_socket_t* socket = amqp_tcp_socket_new(connection);
  if (socket != nullptr && amqp_socket_open(socket, info.host, info.port) == AMQP_STATUS_OK &&
      amqp_login(connection, *info.vhost != 0 ? info.vhost : "/", 0, 131072, 0, AMQP_SASL_METHOD_PLAIN, info.user,
                 info.password).reply_type == AMQP_RESPONSE_NORMAL &&
      amqp_channel_open(connection, 1) != nullptr) {
    for (const char* application : {"orders", "shipments"})
      amqp_queue_delete(connection, 1, amqp_cstring_bytes(queue_of(config, application).c_str()), 0, 0);
    amqp_exchange_delete(connection, 1, amqp_cstring_bytes(exchange_of(config).c_str()), 0);
    amqp_connection_close(connection, AMQP_REPLY_SUCCESS);
  }
  amqp_destroy_connection(connection);
}
#else
void declare_queues(const configuration&) { throw std::runtime_error("this build has no RabbitMQ support"); }
void delete_queues(const configuration&) {}
#endif

template <class Database>
int run(const configuration& config) {
  create_tables<Database>(config);
  if (!config.broker.empty()) declare_queues(config);
  struct cleanup {
    const configuration& config;
    ~cleanup() {
      if (!config.broker.empty()) delete_queues(config);
    }
  } delete_queues_at_the_end{config};
  const pid_t orders_pid = start([](const configuration& c) { orders_application<Database>(c); }, config);
  const pid_t shipments_pid = start([](const configuration& c) { shipments_application<Database>(c); }, config);

  Database orders{config.orders};
  Database shipments{config.shipments};
  // Subscribers with the applications' names and no handlers: only to read their positions.
  syncorm::subscriber orders_progress{orders, "orders"};
  syncorm::subscriber shipments_progress{shipments, "shipments"};
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{30};
  bool done = false;
  int status = 0;
  while (!done && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds{20});
    if (::waitpid(-1, &status, WNOHANG) > 0) break;  // an application stopped on its own: it failed
    done = quiescent(orders, shipments, orders_progress, shipments_progress);
  }
  ::kill(orders_pid, SIGTERM);
  ::kill(shipments_pid, SIGTERM);
  int failures = done ? 0 : 1;
  for (pid_t pid : {orders_pid, shipments_pid}) {
    if (::waitpid(pid, &status, 0) == pid) failures += !(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  if (!done || failures != 0) {
    say("example", "stopped before quiescence (an application failed, or 30 s passed)");
    return 1;
  }
  say("example", "quiescent: %lld orders shipped, %lld shipments, %lld customers mirrored; orders outbox at %lld, "
      "shipments outbox at %lld, both fully applied",
      static_cast<long long>(orders.template count<Order>()), static_cast<long long>(shipments.template count<Shipment>()),
      static_cast<long long>(shipments.template count<Customer>()),
      static_cast<long long>(syncorm::latest_position(orders)), static_cast<long long>(syncorm::latest_position(shipments)));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  configuration config;
  config.run = std::to_string(::getpid());
  while (!args.empty() && (args[0] == "--postgres" || (args[0] == "--amqp" && args.size() >= 2))) {
    if (args[0] == "--postgres") {
      config.postgres = true;
    } else {
      config.broker = args[1];
      args.erase(args.begin());
    }
    args.erase(args.begin());
  }
  if (args.size() == 2) {
    config.orders = args[0];
    config.shipments = args[1];
  } else if (args.empty() && !config.postgres) {
    const auto folder = std::filesystem::temp_directory_path() / ("syncorm-example-" + std::to_string(::getpid()));
    std::filesystem::create_directories(folder);
    config.orders = (folder / "orders.db").string();
    config.shipments = (folder / "shipments.db").string();
  } else {
    std::fprintf(stderr, "usage: %s [--amqp URL] [ORDERS_DB SHIPMENTS_DB | --postgres ORDERS_CONNINFO SHIPMENTS_CONNINFO]\n",
                 argv[0]);
    return 2;
  }
  say("example", "orders database: %s", config.orders.c_str());
  say("example", "shipments database: %s", config.shipments.c_str());
  if (!config.broker.empty()) say("example", "events through RabbitMQ, exchange %s", exchange_of(config).c_str());
  try {
    return config.postgres ? run<syncorm::postgres::database>(config) : run<syncorm::sqlite::database>(config);
  } catch (const std::exception& e) {
    say("error", "%s", e.what());
    return 1;
  }
}
