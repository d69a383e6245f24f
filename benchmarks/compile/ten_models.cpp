// Compile-cost probe: an application's data layer in one translation unit. Ten models, every query
// form (insert, insert_many, find, select with where / order_by / limit / offset, first, count,
// update, update_where with set, remove, remove_where, transaction; like, in, is_null, && || !),
// hooks on four of the models, sync events from three, and a subscriber applying events of two.
// benchmarks/compile_cost.py measures how long g++ takes on it.
#include <syncorm/syncorm.hpp>
#include <syncorm/sqlite.hpp>
#include <syncorm/sync.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace shop {

enum class order_state : std::int16_t { open = 1, paid = 2, shipped = 3, cancelled = 4 };
enum class carrier : std::uint8_t { post = 1, courier = 2, pickup = 3 };

struct Customer {
  std::int64_t id = 0;
  std::string email;
  std::string name;
  std::optional<std::string> phone;
  bool active = true;
  std::chrono::system_clock::time_point joined{};
};

struct Address {
  std::int64_t id = 0;
  std::int64_t customer_id = 0;
  std::string street;
  std::string city;
  std::string postcode;
  std::optional<std::string> country;
};

struct Product {
  std::string id;  // a SKU, assigned by the application
  std::string title;
  double price = 0;
  std::int32_t stock = 0;
  std::optional<std::vector<std::byte>> thumbnail;
};

struct Order {
  std::int64_t id = 0;
  std::int64_t customer_id = 0;
  double amount = 0;
  order_state state = order_state::open;
  std::optional<std::string> note;
  std::chrono::system_clock::time_point placed{};
};

struct OrderLine {
  std::int64_t id = 0;
  std::int64_t order_id = 0;
  std::string product_id;
  std::int32_t quantity = 0;
  double unit_price = 0;
};

struct Shipment {
  std::int64_t id = 0;
  std::int64_t order_id = 0;
  carrier by = carrier::post;
  std::optional<std::string> tracking;
  std::optional<std::chrono::system_clock::time_point> delivered;
};

struct Invoice {
  std::int64_t id = 0;
  std::int64_t order_id = 0;
  std::string number;
  double total = 0;
  bool sent = false;
};

struct Payment {
  std::int64_t id = 0;
  std::int64_t invoice_id = 0;
  double amount = 0;
  std::string method;
  std::optional<std::string> reference;
};

struct Review {
  std::int64_t id = 0;
  std::string product_id;
  std::int64_t customer_id = 0;
  std::int16_t stars = 0;
  std::optional<std::string> text;
};

struct AuditEntry {
  std::int64_t id = 0;
  std::string what;
  std::int64_t row_id = 0;
  std::chrono::system_clock::time_point at{};
};

inline std::int64_t committed_orders = 0;

}  // namespace shop

template <>
struct syncorm::model_traits<shop::Customer> {
  static constexpr std::string_view table = "customers";
  using unique_columns = syncorm::columns<&shop::Customer::email>;
};
template <>
struct syncorm::model_traits<shop::Order> {
  static constexpr std::string_view table = "orders";
  using indexed_columns = syncorm::columns<&shop::Order::customer_id, &shop::Order::state>;
};

// Hooks on four models: a check, a normalisation, an audit row written in the same transaction,
// and an after_commit.
template <>
struct syncorm::hooks<shop::Customer> {
  static void before_save(shop::Customer& c) {
    while (!c.email.empty() && c.email.back() == ' ') c.email.pop_back();
  }
};
template <>
struct syncorm::hooks<shop::Order> {
  static void validate(const shop::Order& o) {
    if (o.amount < 0) throw syncorm::validation_error("amount must not be negative", "orders", "amount");
  }
  static void after_create(const shop::Order& o, auto& tx) {
    shop::AuditEntry entry{.what = "order created", .row_id = o.id, .at = std::chrono::system_clock::now()};
    tx.insert(entry);
  }
  static void after_commit(const syncorm::event<shop::Order>&) { ++shop::committed_orders; }
};
template <>
struct syncorm::hooks<shop::Payment> {
  static void before_create(shop::Payment& p) {
    if (p.method.empty()) p.method = "card";
  }
  static void after_save(const shop::Payment& p) {
    if (p.amount <= 0) throw syncorm::validation_error("a payment must be positive", "payments", "amount");
  }
};
template <>
struct syncorm::hooks<shop::Review> {
  static void validate(const shop::Review& r) {
    if (r.stars < 1 || r.stars > 5) throw syncorm::validation_error("stars must be 1 to 5", "reviews", "stars");
  }
};

// Sync events from three models; a subscriber applies two of them (polled once in main).
template <>
struct syncorm::sync_traits<shop::Customer> {
  static constexpr std::string_view topic = "customers";
};
template <>
struct syncorm::sync_traits<shop::Order> {
  static constexpr std::string_view topic = "orders";
};
template <>
struct syncorm::sync_traits<shop::Shipment> {
  static constexpr std::string_view topic = "shipments";
};

namespace shop {

using syncorm::col;
using syncorm::limit;
using syncorm::offset;
using syncorm::order_by;
using syncorm::set;
using syncorm::where;
using database = syncorm::sqlite::database;

/// The operations every model goes through: create, bulk create, read back, update, delete.
template <class T>
std::size_t round_trip(database& db, T row, std::vector<T> more) {
  db.create_table<T>();
  db.insert(row);
  db.insert_many(more);
  std::optional<T> found = db.find<T>(row.id);
  if (found) db.update(*found);
  db.transaction([&](auto& tx) { tx.update(row); });
  const bool removed = db.remove(row);
  return more.size() + (removed ? 1 : 0);
}

std::size_t customers(database& db) {
  std::size_t n = round_trip(db, Customer{.email = "ada@example.com ", .name = "Ada"},
                             {Customer{.email = "bob@example.com", .name = "Bob"}});
  auto active = db.select<Customer>(where(col<&Customer::active> == true && col<&Customer::phone>.is_not_null()),
                                    order_by(col<&Customer::name>), limit(20), offset(40));
  auto by_mail = db.first<Customer>(where(col<&Customer::email>.like("%@example.com")));
  n += active.size() + (by_mail ? 1 : 0);
  n += static_cast<std::size_t>(db.update_where<Customer>(set(col<&Customer::active>, false),
                                                          where(col<&Customer::phone>.is_null())));
  return n;
}

std::size_t addresses(database& db) {
  std::size_t n = round_trip(db, Address{.street = "1 Main St", .city = "Springfield", .postcode = "12345"}, {});
  auto in_cities = db.select<Address>(where(col<&Address::city>.in({"Springfield", "Shelbyville"})),
                                      order_by(col<&Address::postcode>.desc(), col<&Address::id>));
  n += in_cities.size();
  n += static_cast<std::size_t>(db.count<Address>(where(col<&Address::country>.is_null())));
  n += static_cast<std::size_t>(db.remove_where<Address>(where(col<&Address::customer_id> == 0)));
  return n;
}

std::size_t products(database& db) {
  std::size_t n = 0;
  db.create_table<Product>();
  Product p{.id = "SKU-1", .title = "Teapot", .price = 25.0, .stock = 3};
  db.insert(p);
  std::vector<Product> more{Product{.id = "SKU-2", .title = "Cup", .price = 4.5, .stock = 12}};
  db.insert_many(more);
  if (auto got = db.find<Product>("SKU-1")) n += static_cast<std::size_t>(got->stock);
  auto cheap = db.select<Product>(where(col<&Product::price> < 10.0 || col<&Product::stock> >= 100),
                                  order_by(col<&Product::price>), limit(5));
  n += cheap.size();
  n += static_cast<std::size_t>(db.update_where<Product>(set(col<&Product::stock>, 0),
                                                         set(col<&Product::thumbnail>, std::nullopt),
                                                         where(!(col<&Product::stock> > 0))));
  n += db.remove(p) ? 1U : 0U;
  return n;
}

std::size_t orders(database& db) {
  db.create_table<AuditEntry>();  // Order's after_create writes one
  std::size_t n = round_trip(db, Order{.customer_id = 1, .amount = 42.5}, {Order{.customer_id = 2, .amount = 7}});
  auto paid = db.select<Order>(
      where(col<&Order::state> == order_state::paid && col<&Order::amount> > 10.0),
      order_by(col<&Order::amount>.desc()), limit(10));
  auto latest = db.first<Order>(where(col<&Order::customer_id> == 1), order_by(col<&Order::placed>.desc()));
  n += paid.size() + (latest ? 1 : 0);
  n += static_cast<std::size_t>(db.count<Order>(where(col<&Order::note>.is_null())));
  n += static_cast<std::size_t>(db.update_where<Order>(set(col<&Order::state>, order_state::cancelled),
                                                       where(col<&Order::state> == order_state::open &&
                                                             col<&Order::amount> == 0.0)));
  n += static_cast<std::size_t>(db.remove_where<Order>(where(col<&Order::state> == order_state::cancelled)));
  return n;
}

std::size_t order_lines(database& db) {
  std::size_t n = round_trip(db, OrderLine{.order_id = 1, .product_id = "SKU-1", .quantity = 2, .unit_price = 25},
                             {OrderLine{.order_id = 1, .product_id = "SKU-2", .quantity = 6, .unit_price = 4.5}});
  auto lines = db.select<OrderLine>(where(col<&OrderLine::order_id> == 1), order_by(col<&OrderLine::id>));
  n += lines.size();
  n += static_cast<std::size_t>(db.count<OrderLine>());
  n += static_cast<std::size_t>(db.update_where<OrderLine>(set(col<&OrderLine::quantity>, 1),
                                                           where(col<&OrderLine::quantity> <= 0)));
  return n;
}

std::size_t shipments(database& db) {
  std::size_t n = round_trip(db, Shipment{.order_id = 1, .by = carrier::courier}, {});
  auto pending = db.select<Shipment>(where(col<&Shipment::delivered>.is_null() && col<&Shipment::by> != carrier::pickup),
                                     order_by(col<&Shipment::order_id>), limit(50), offset(0));
  n += pending.size();
  n += static_cast<std::size_t>(db.update_where<Shipment>(
      set(col<&Shipment::delivered>, std::chrono::system_clock::now()),
      where(col<&Shipment::tracking>.like("DONE-%"))));
  return n;
}

std::size_t invoices(database& db) {
  std::size_t n = round_trip(db, Invoice{.order_id = 1, .number = "2024-0001", .total = 42.5}, {});
  auto unsent = db.select<Invoice>(where(col<&Invoice::sent> == false), order_by(col<&Invoice::number>));
  n += unsent.size();
  n += static_cast<std::size_t>(db.count<Invoice>(where(col<&Invoice::total> >= 100.0)));
  n += static_cast<std::size_t>(db.remove_where<Invoice>(where(col<&Invoice::number>.in({"VOID-1", "VOID-2"}))));
  return n;
}

std::size_t payments(database& db) {
  std::size_t n = round_trip(db, Payment{.invoice_id = 1, .amount = 42.5}, {Payment{.invoice_id = 2, .amount = 7}});
  auto big = db.select<Payment>(where(col<&Payment::amount> > 1000.0 || col<&Payment::reference>.is_null()),
                                order_by(col<&Payment::amount>.desc()), limit(3));
  n += big.size();
  n += static_cast<std::size_t>(db.update_where<Payment>(set(col<&Payment::reference>, "manual"),
                                                         where(col<&Payment::method> == "cash")));
  return n;
}

std::size_t reviews(database& db) {
  std::size_t n = round_trip(db, Review{.product_id = "SKU-1", .customer_id = 1, .stars = 5}, {});
  auto best = db.first<Review>(where(col<&Review::product_id> == "SKU-1"), order_by(col<&Review::stars>.desc()));
  n += best ? 1U : 0U;
  n += static_cast<std::size_t>(db.count<Review>(where(col<&Review::stars>.in({1, 2}))));
  n += static_cast<std::size_t>(db.remove_where<Review>(where(col<&Review::text>.is_null() && col<&Review::stars> < 3)));
  return n;
}

std::size_t audit(database& db) {
  std::size_t n = round_trip(db, AuditEntry{.what = "start", .at = std::chrono::system_clock::now()}, {});
  auto recent = db.select<AuditEntry>(where(col<&AuditEntry::at> > std::chrono::system_clock::now() - std::chrono::hours{1}),
                                      order_by(col<&AuditEntry::at>.desc()), limit(100));
  n += recent.size();
  n += static_cast<std::size_t>(db.remove_where<AuditEntry>(where(col<&AuditEntry::what> != "start")));
  return n;
}

}  // namespace shop

int main() {
  shop::database db{":memory:"};
  std::size_t n = 0;
  db.transaction([&](auto& tx) {
    (void)tx;
    n += shop::customers(db) + shop::addresses(db) + shop::products(db) + shop::orders(db);
  });
  n += shop::order_lines(db) + shop::shipments(db) + shop::invoices(db) + shop::payments(db);
  n += shop::reviews(db) + shop::audit(db);

  shop::database replica{":memory:"};
  replica.create_table<shop::Customer>();
  replica.create_table<shop::Shipment>();
  syncorm::subscriber sub{replica, "shipping", syncorm::mirror<shop::Customer>(),
                          syncorm::on<shop::Order>([](const syncorm::event<shop::Order>& e, auto& tx) {
                            if (e.kind == syncorm::change::created) {
                              shop::Shipment s{.order_id = e.row.id, .by = shop::carrier::post};
                              tx.insert(s);
                            }
                          })};
  syncorm::outbox_source feed{db, "shop-db"};
  n += sub.poll(feed);
  return n > 0 ? 0 : 1;
}
