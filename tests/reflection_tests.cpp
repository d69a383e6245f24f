// Compile-time reflection and SQL text: everything here is checked by the compiler; the few run-time
// checks only print what was proved so a failure report shows the text.

#include <syncorm/sqlite.hpp>

#include <doctest/doctest.h>

#include <cstdint>
#include <limits>
#include <string>

#include "support/models.hpp"

using namespace test_models;
using syncorm::col;
namespace sd = syncorm::detail;
using sqlite_dialect = sd::sqlite::dialect;

template <class Shape>
constexpr std::string_view sqlite_sql = sd::compiled<Shape, sqlite_dialect>::sql;

// ---- names ---------------------------------------------------------------------------------------

static_assert(sd::field_count<Order> == 5);
static_assert(sd::field_name_v<Order, 0> == "id");
static_assert(sd::field_name_v<Order, 1> == "customer");
static_assert(sd::field_name_v<Order, 4> == "note");
static_assert(syncorm::column_name<&Everything::maybe_priority> == "maybe_priority");
static_assert(syncorm::column_name<&Order::amount> == "amount");

static_assert(syncorm::table_name<Order> == "orders");        // from model_traits
static_assert(syncorm::table_name<User> == "user");           // snake_case of the type name
static_assert(syncorm::table_name<HTTPRequestLog> == "http_request_log");
static_assert(syncorm::table_name<SmallKeyed> == "small_keyed");

/// snake_case of `name`, written into a fixed buffer during constant evaluation.
struct snake_case_text {
  char chars[64]{};
  std::size_t length = 0;
  constexpr void operator+=(char c) { chars[length++] = c; }
  constexpr bool operator==(std::string_view expected) const { return std::string_view{chars, length} == expected; }
};
constexpr snake_case_text snake_case(std::string_view name) {
  snake_case_text text;
  sd::append_snake_case(text, name);
  return text;
}
static_assert(snake_case("OrderItem") == "order_item");
static_assert(snake_case("HTTPRequest") == "http_request");
static_assert(snake_case("Order2Go") == "order2_go");
static_assert(snake_case("already_snake") == "already_snake");
static_assert(snake_case("_leading") == "_leading");
static_assert(snake_case("trailing__") == "trailing");
static_assert(snake_case("Pair<int, Order>") == "pair_int_order");
static_assert(snake_case("double__inside") == "double__inside");

// ---- keys ----------------------------------------------------------------------------------------

static_assert(sd::has_primary_key<Order> && sd::has_generated_key<Order>);
static_assert(sd::has_primary_key<Tag> && !sd::has_generated_key<Tag>);
static_assert(!sd::has_primary_key<LogLine>);
static_assert(sd::column_list_traits<sd::unique_columns_of<User>>::contains<User>(1));

// ---- SQL text, built at compile time --------------------------------------------------------------

static_assert(sqlite_sql<sd::insert_shape<Order>> ==
              R"(INSERT INTO "orders" ("customer", "amount", "status", "note") VALUES (?, ?, ?, ?))");
static_assert(sqlite_sql<sd::insert_shape<Tag>> ==
              R"(INSERT INTO "tag" ("id", "label", "uses") VALUES (?, ?, ?))");
static_assert(sqlite_sql<sd::find_shape<Order>> ==
              R"(SELECT "id", "customer", "amount", "status", "note" FROM "orders" WHERE "id" = ?)");
static_assert(sqlite_sql<sd::update_shape<Order>> ==
              R"(UPDATE "orders" SET "customer" = ?, "amount" = ?, "status" = ?, "note" = ? WHERE "id" = ?)");
static_assert(sqlite_sql<sd::remove_shape<Order>> == R"(DELETE FROM "orders" WHERE "id" = ?)");
static_assert(sqlite_sql<sd::create_table_shape<Order>> ==
              R"(CREATE TABLE IF NOT EXISTS "orders" ("id" INTEGER PRIMARY KEY AUTOINCREMENT, )"
              R"("customer" TEXT NOT NULL, "amount" REAL NOT NULL, "status" INTEGER NOT NULL, "note" TEXT))"
              " STRICT");
static_assert(sqlite_sql<sd::create_table_shape<User>> ==
              R"(CREATE TABLE IF NOT EXISTS "user" ("id" INTEGER PRIMARY KEY AUTOINCREMENT, )"
              R"("email" TEXT NOT NULL UNIQUE, "name" TEXT NOT NULL, "age" INTEGER NOT NULL) STRICT)");
static_assert(sqlite_sql<sd::create_index_shape<User, 3>> ==
              R"(CREATE INDEX IF NOT EXISTS "user_age_idx" ON "user" ("age"))");
static_assert(sqlite_sql<sd::create_table_shape<Tag>> ==
              R"(CREATE TABLE IF NOT EXISTS "tag" ("id" TEXT PRIMARY KEY NOT NULL, )"
              R"("label" TEXT NOT NULL, "uses" INTEGER NOT NULL) STRICT)");

// model_traits<T>::may_reuse_ids: a plain rowid key on SQLite; an identity on PostgreSQL as always.
struct Reusable {
  std::int64_t id = 0;
  std::string name;
};
template <>
struct syncorm::model_traits<Reusable> {
  static constexpr bool may_reuse_ids = true;
};
static_assert(sqlite_sql<sd::create_table_shape<Reusable>> ==
              R"(CREATE TABLE IF NOT EXISTS "reusable" ("id" INTEGER PRIMARY KEY, "name" TEXT NOT NULL) STRICT)");
// The outbox's positions stay AUTOINCREMENT whatever the models say: they are a stream's offsets.
static_assert(sqlite_sql<sd::create_outbox_shape>.starts_with(
    R"(CREATE TABLE IF NOT EXISTS "syncorm_outbox" ("position" INTEGER PRIMARY KEY AUTOINCREMENT, )"));

// The design's select: the text depends only on the clause types, values are parameters.
using paid_where = decltype(syncorm::where(col<&Order::status> == 1 && col<&Order::amount> > 10.0));
using by_amount = decltype(syncorm::order_by(col<&Order::amount>.desc()));
static_assert(sqlite_sql<sd::select_shape<Order, paid_where, by_amount, 1, false, false>> ==
              R"(SELECT "id", "customer", "amount", "status", "note" FROM "orders" )"
              R"(WHERE ("status" = ? AND "amount" > ?) ORDER BY "amount" DESC LIMIT ?)");
static_assert(sd::compiled<sd::select_shape<Order, paid_where, by_amount, 1, false, false>,
                           sqlite_dialect>::parameter_count == 3);

using null_note = decltype(syncorm::where(col<&Order::note>.is_null()));
static_assert(sqlite_sql<sd::count_shape<Order, null_note>> ==
              R"(SELECT COUNT(*) FROM "orders" WHERE "note" IS NULL)");

// OFFSET without LIMIT needs SQLite's "LIMIT -1".
static_assert(sqlite_sql<sd::select_shape<Order, sd::absent, sd::absent, 0, true, false>> ==
              R"(SELECT "id", "customer", "amount", "status", "note" FROM "orders" LIMIT -1 OFFSET ?)");

TEST_CASE("SQL text is fixed at compile time and NUL-terminated for the C APIs") {
  constexpr auto sql = sqlite_sql<sd::find_shape<Order>>;
  CHECK(sql.data()[sql.size()] == '\0');
  // The same shape always yields the same storage: the statement cache keys on it.
  CHECK(sqlite_sql<sd::find_shape<Order>>.data() == sql.data());
  MESSAGE(sql);
}

// ---- keys and instants as text --------------------------------------------------------------------

TEST_CASE("a primary key's text (outbox aggregateid, cache and written keys) is std::to_string's, extremes included") {
  for (const std::int64_t key : {std::int64_t{0}, std::int64_t{7}, std::int64_t{-1}, std::int64_t{1'000'000},
                                 std::numeric_limits<std::int64_t>::max(), std::numeric_limits<std::int64_t>::min()})
    CHECK(sd::primary_key_text{key}.text == std::to_string(key));
  CHECK(sd::primary_key_text{std::int32_t{-2147483647 - 1}}.text == "-2147483648");
  CHECK(sd::primary_key_text{std::uint32_t{4294967295U}}.text == "4294967295");
  CHECK(sd::primary_key_text{std::string{"SKU-1"}}.text == "SKU-1");
}

TEST_CASE("error messages print numbers as std::to_string does, extremes included") {
  for (const long long n : {0LL, 9LL, -1LL, 1'000'000LL, std::numeric_limits<long long>::max(),
                            std::numeric_limits<long long>::min()})
    CHECK(sd::join({"n=", n, "."}) == "n=" + std::to_string(n) + ".");
  const unsigned long long largest = std::numeric_limits<unsigned long long>::max();
  CHECK(sd::join({largest}) == std::to_string(largest));
  for (const double d : {0.0, -2.5, 1e300, -1e-300})
    CHECK(sd::join({"d=", d}) == "d=" + std::to_string(d));
}

// The range a time_point holds, spelled at compile time by the same writer that prints run-time instants.
static_assert(sd::time_point_cannot_hold ==
              ", which a std::chrono::system_clock::time_point cannot hold (it holds 1677-09-21T00:12:43.145225Z "
              "to 2262-04-11T23:47:16.854775Z)");

TEST_CASE("instants print as ISO 8601 UTC, before 1970 and beyond year 9999 too") {
  CHECK(sd::iso_8601(sd::wire_time{}) == "1970-01-01T00:00:00Z");
  CHECK(sd::iso_8601(sd::wire_time{std::chrono::microseconds{-1}}) == "1969-12-31T23:59:59.999999Z");
  CHECK(sd::iso_8601(sd::wire_time{std::chrono::microseconds{951'782'400'000'000}}) == "2000-02-29T00:00:00Z");
  CHECK(sd::iso_8601(sd::wire_time{std::chrono::microseconds{std::numeric_limits<std::int64_t>::max()}}) ==
        "294247-01-10T04:00:54.775807Z");
  CHECK(sd::iso_8601(sd::wire_time{std::chrono::microseconds{std::numeric_limits<std::int64_t>::min()}}) ==
        "-290308-12-21T19:59:05.224192Z");
  CHECK(sd::iso_8601(-719'528, 0) == "0000-01-01T00:00:00Z");  // the year 1 BCE
  CHECK(sd::iso_8601(-719'529, 0) == "-0001-12-31T00:00:00Z");
}
