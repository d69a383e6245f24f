// syncorm quickstart: the design's example end to end on SQLite. Prints what it writes and reads.
#include <syncorm/sqlite.hpp>

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

struct Order {
  std::int64_t id = 0;              // primary key, assigned by the database
  std::string customer;
  double amount = 0;
  int status = 0;
  std::optional<std::string> note;  // NULL-able column
};

template <>
struct syncorm::model_traits<Order> {
  static constexpr std::string_view table = "orders";
};

namespace {
void print(const char* what, const Order& o) {
  std::printf("%-10s id=%lld customer=%s amount=%.2f status=%d note=%s\n", what, static_cast<long long>(o.id),
              o.customer.c_str(), o.amount, o.status, o.note ? o.note->c_str() : "NULL");
}
}  // namespace

int main(int argc, char** argv) {
  using syncorm::col;
  const char* path = argc > 1 ? argv[1] : ":memory:";
  syncorm::sqlite::database db{path};
  db.drop_table<Order>();
  db.create_table<Order>();

  Order o{.customer = "ada", .amount = 42.5, .status = 1};
  db.insert(o);
  print("inserted", o);

  std::vector<Order> orders{{.customer = "bob", .amount = 7, .status = 1, .note = "gift"},
                            {.customer = "cy", .amount = 99.9, .status = 2},
                            {.customer = "di", .amount = 15, .status = 1}};
  db.insert_many(orders);
  for (const Order& row : orders) print("inserted", row);

  if (std::optional<Order> got = db.find<Order>(o.id)) print("found", *got);

  std::vector<Order> paid = db.select<Order>(syncorm::where(col<&Order::status> == 1 && col<&Order::amount> > 10.0),
                                             syncorm::order_by(col<&Order::amount>.desc()), syncorm::limit(10));
  for (const Order& row : paid) print("paid>10", row);

  std::printf("without note: %lld\n",
              static_cast<long long>(db.count<Order>(syncorm::where(col<&Order::note>.is_null()))));

  o.status = 2;
  db.update(o);
  if (std::optional<Order> top = db.first<Order>(syncorm::order_by(col<&Order::amount>.desc()))) print("top", *top);

  const auto shipped = db.update_where<Order>(syncorm::set(col<&Order::status>, 3),
                                              syncorm::where(col<&Order::status> == 2));
  std::printf("shipped: %lld\n", static_cast<long long>(shipped));

  db.transaction([&](auto& tx) {
    Order gift{.customer = "eve", .amount = 5, .note = "in a transaction"};
    tx.insert(gift);
    print("tx insert", gift);
  });

  db.remove(o);
  const auto removed = db.remove_where<Order>(syncorm::where(col<&Order::status> == 3));
  std::printf("removed: %lld, left: %lld\n", static_cast<long long>(removed),
              static_cast<long long>(db.count<Order>()));
  for (const Order& row : db.select<Order>(syncorm::order_by(col<&Order::id>))) print("left", row);
}
