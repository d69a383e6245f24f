// Typed expressions: the SQL each renders, the order parameters are bound in, and what they select
// on a real database.

#include <syncorm/sqlite.hpp>

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "support/backends.hpp"
#include "support/models.hpp"

using namespace test_models;
using syncorm::col;
namespace sd = syncorm::detail;

namespace {

template <class Condition>
std::string where_sql(const Condition&) {
  return std::string(sd::compiled<sd::count_shape<Order, sd::where_clause<Condition>>, sd::sqlite::dialect>::sql);
}

/// Records what an expression binds, in order, as text.
struct recording_binder {
  std::vector<std::string> values;
  void bind(std::int64_t v) { values.push_back(std::to_string(v)); }
  void bind(std::int32_t v) { values.push_back(std::to_string(v)); }
  void bind(std::int16_t v) { values.push_back(std::to_string(v)); }
  void bind(double v) { values.push_back(std::to_string(v)); }
  void bind(float v) { values.push_back(std::to_string(v)); }
  void bind(bool v) { values.push_back(v ? "true" : "false"); }
  void bind(std::string_view v) { values.push_back("'" + std::string(v) + "'"); }
  void bind(sd::blob_view v) { values.push_back("blob" + std::to_string(v.size())); }
  void bind(sd::wire_time v) { values.push_back("t" + std::to_string(v.time_since_epoch().count())); }
  void bind_null(sd::value_kind) { values.push_back("NULL"); }
};

template <class Condition>
std::vector<std::string> bound(const Condition& c) {
  recording_binder b;
  c.bind(b);
  return b.values;
}

constexpr std::string_view prefix = R"(SELECT COUNT(*) FROM "orders" WHERE )";

}  // namespace

TEST_CASE("comparison operators render and bind their value") {
  CHECK(where_sql(col<&Order::status> == 1) == std::string(prefix) + R"("status" = ?)");
  CHECK(where_sql(col<&Order::status> != 1) == std::string(prefix) + R"("status" <> ?)");
  CHECK(where_sql(col<&Order::status> < 1) == std::string(prefix) + R"("status" < ?)");
  CHECK(where_sql(col<&Order::status> <= 1) == std::string(prefix) + R"("status" <= ?)");
  CHECK(where_sql(col<&Order::status> > 1) == std::string(prefix) + R"("status" > ?)");
  CHECK(where_sql(col<&Order::status> >= 1) == std::string(prefix) + R"("status" >= ?)");
  CHECK(bound(col<&Order::status> == 7) == std::vector<std::string>{"7"});
}

TEST_CASE("a value on the left is mirrored") {
  CHECK(where_sql(10.0 < col<&Order::amount>) == std::string(prefix) + R"("amount" > ?)");
  CHECK(where_sql(3 == col<&Order::status>) == std::string(prefix) + R"("status" = ?)");
}

TEST_CASE("logical operators parenthesise as C++ grouped them, parameters in reading order") {
  auto c = col<&Order::status> == 1 || (col<&Order::amount> > 2.5 && !(col<&Order::customer> == "x"));
  CHECK(where_sql(c) == std::string(prefix) +
                            R"(("status" = ? OR ("amount" > ? AND NOT ("customer" = ?))))");
  CHECK(bound(c) == std::vector<std::string>{"1", "2.500000", "'x'"});
}

TEST_CASE("like, in, is_null, is_not_null, column-to-column") {
  CHECK(where_sql(col<&Order::customer>.like("a%")) == std::string(prefix) + R"("customer" LIKE ? ESCAPE '\')");
  CHECK(where_sql(col<&Order::status>.in({1, 2, 3})) == std::string(prefix) + R"("status" IN (?, ?, ?))");
  CHECK(bound(col<&Order::status>.in({4, 5})) == std::vector<std::string>{"4", "5"});
  CHECK(bound(col<&Order::customer>.in({"ab", "c"})) == std::vector<std::string>{"'ab'", "'c'"});
  CHECK(where_sql(col<&Order::note>.is_null()) == std::string(prefix) + R"("note" IS NULL)");
  CHECK(where_sql(col<&Order::note>.is_not_null()) == std::string(prefix) + R"("note" IS NOT NULL)");
  CHECK(where_sql(col<&Order::amount> > col<&Order::status>) == std::string(prefix) + R"("amount" > "status")");
}

TEST_CASE("an unsigned value too large for a 64-bit parameter is refused, not wrapped") {
  const unsigned long long huge = 18'000'000'000'000'000'000ULL;
  CHECK_THROWS_AS((void)(col<&Order::status> == huge), syncorm::type_error);
}

TEST_CASE("negative limit and offset are refused") {
  CHECK_THROWS_AS(syncorm::limit(-1), syncorm::error);
  CHECK_THROWS_AS(syncorm::offset(-5), syncorm::error);
}

TEST_CASE("every parameter records the column its value belongs to") {
  using statement = sd::compiled<
      sd::update_where_shape<Everything, false, sd::where_clause<decltype(col<&Everything::u32> == 1 || col<&Everything::text>.like("x%"))>,
                             sd::set_clause<syncorm::column<&Everything::i8>, sd::bound_value<std::int16_t>>>,
      sd::sqlite::dialect>;
  REQUIRE(statement::parameter_count == 3);
  CHECK(statement::parameters[0].column == "i8");
  CHECK(statement::parameters[1].column == "u32");
  CHECK(statement::parameters[2].column == "text");
  using insert = sd::compiled<sd::insert_shape<Order>, sd::sqlite::dialect>;
  CHECK(insert::parameters[0].column == "customer");
  CHECK(insert::parameters[3].column == "note");
}

TEST_CASE("a LIKE pattern ending in a lone escape character is refused when the condition is built") {
  for (const std::string_view pattern : {"abc\\", "\\", "a\\\\\\"}) {
    CAPTURE(pattern);
    try {
      (void)col<&Order::customer>.like(pattern);
      FAIL("expected syncorm::error");
    } catch (const syncorm::error& e) {
      CHECK(e.table() == "orders");
      CHECK(e.column() == "customer");
      CHECK(std::string_view{e.what()}.find("ends in the escape character") != std::string_view::npos);
    }
  }
  CHECK_NOTHROW((void)col<&Order::customer>.like("abc\\\\"));  // an escaped backslash
  CHECK_NOTHROW((void)col<&Order::customer>.like(""));
}

TEST_CASE("set() checks the value fits the column before anything runs") {
  CHECK_THROWS_AS(syncorm::set(col<&Everything::i8>, 300), syncorm::type_error);
  CHECK_THROWS_AS(syncorm::set(col<&Everything::u8>, -1), syncorm::type_error);
  CHECK_NOTHROW(syncorm::set(col<&Everything::i8>, 127));
  CHECK_NOTHROW(syncorm::set(col<&Everything::maybe_text>, std::nullopt));
}

TEST_CASE_TEMPLATE("expressions select the rows they say", Backend, SYNCORM_TEST_BACKENDS) {
  auto db = Backend::open();
  db.template create_table<Order>();
  std::vector<Order> rows{
      {.customer = "ada", .amount = 5, .status = 1, .note = "first"},
      {.customer = "Ada", .amount = 15, .status = 1},
      {.customer = "bob", .amount = 25, .status = 2, .note = "50% off"},
      {.customer = "cy_d", .amount = 35, .status = 3},
  };
  db.insert_many(rows);
  auto customers = [](const std::vector<Order>& found) {
    std::vector<std::string> names;
    for (const auto& o : found) names.push_back(o.customer);
    return names;
  };
  using S = std::vector<std::string>;
  auto by_id = syncorm::order_by(col<&Order::id>);

  CHECK(customers(db.template select<Order>(syncorm::where(col<&Order::status> == 1), by_id)) == S{"ada", "Ada"});
  CHECK(customers(db.template select<Order>(syncorm::where(col<&Order::status> != 1), by_id)) == S{"bob", "cy_d"});
  CHECK(customers(db.template select<Order>(syncorm::where(col<&Order::amount> >= 25.0), by_id)) == S{"bob", "cy_d"});
  CHECK(customers(db.template select<Order>(syncorm::where(col<&Order::status>.in({2, 3})), by_id)) == S{"bob", "cy_d"});
  CHECK(customers(db.template select<Order>(syncorm::where(col<&Order::note>.is_null()), by_id)) == S{"Ada", "cy_d"});
  CHECK(customers(db.template select<Order>(syncorm::where(col<&Order::note>.is_not_null()), by_id)) == S{"ada", "bob"});
  CHECK(customers(db.template select<Order>(syncorm::where(!(col<&Order::status> == 1)), by_id)) == S{"bob", "cy_d"});
  CHECK(customers(db.template select<Order>(
            syncorm::where(col<&Order::status> == 3 || (col<&Order::status> == 1 && col<&Order::amount> > 10.0)),
            by_id)) == S{"Ada", "cy_d"});
  // LIKE is case-sensitive on every backend, and `\` escapes % and _.
  CHECK(customers(db.template select<Order>(syncorm::where(col<&Order::customer>.like("a%")), by_id)) == S{"ada"});
  CHECK(customers(db.template select<Order>(syncorm::where(col<&Order::note>.like("%\\%%")), by_id)) == S{"bob"});
  CHECK(customers(db.template select<Order>(syncorm::where(col<&Order::customer>.like("cy\\_%")), by_id)) == S{"cy_d"});
  Order slashed{.customer = "back\\slash\\"};
  db.insert(slashed);
  CHECK(customers(db.template select<Order>(syncorm::where(col<&Order::customer>.like("%\\\\")), by_id)) ==
        S{"back\\slash\\"});
  CHECK(customers(db.template select<Order>(syncorm::where(col<&Order::customer>.like("back\\\\s%")), by_id)) ==
        S{"back\\slash\\"});
  db.remove(slashed);
  CHECK(customers(db.template select<Order>(syncorm::where(col<&Order::amount> > col<&Order::status>), by_id)) ==
        S{"ada", "Ada", "bob", "cy_d"});
  // Order, limit, offset.
  CHECK(customers(db.template select<Order>(syncorm::order_by(col<&Order::amount>.desc()), syncorm::limit(2))) ==
        S{"cy_d", "bob"});
  CHECK(customers(db.template select<Order>(syncorm::order_by(col<&Order::amount>), syncorm::limit(2),
                                            syncorm::offset(1))) == S{"Ada", "bob"});
  CHECK(customers(db.template select<Order>(syncorm::offset(3), syncorm::order_by(col<&Order::amount>))) == S{"cy_d"});
  CHECK(customers(db.template select<Order>(syncorm::order_by(col<&Order::status>.desc(), col<&Order::amount>.asc()))) ==
        S{"cy_d", "bob", "ada", "Ada"});
  CHECK(db.template select<Order>(syncorm::limit(0)).empty());
}
