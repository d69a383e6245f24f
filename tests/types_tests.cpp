// Every supported field type round-trips exactly, at its limits, through every backend.

#include <doctest/doctest.h>

#include <chrono>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "support/backends.hpp"
#include "support/models.hpp"

using namespace test_models;
using syncorm::col;
using syncorm::where;

namespace {

std::vector<std::byte> bytes_of(std::initializer_list<int> values) {
  std::vector<std::byte> out;
  for (int v : values) out.push_back(static_cast<std::byte>(v));
  return out;
}

/// A time_point on a whole microsecond: what every backend stores exactly.
std::chrono::system_clock::time_point at_microseconds(std::int64_t us) {
  return std::chrono::system_clock::time_point{std::chrono::microseconds{us}};
}

template <class L>
using limits = std::numeric_limits<L>;

}  // namespace

TEST_CASE_TEMPLATE("every field type round-trips at its limits", Backend, SYNCORM_TEST_BACKENDS) {
  auto db = Backend::open();
  db.template create_table<Everything>();

  Everything low{.i8 = limits<std::int8_t>::min(), .i16 = limits<std::int16_t>::min(),
                 .i32 = limits<std::int32_t>::min(), .i64 = limits<std::int64_t>::min(),
                 .u8 = 0, .u16 = 0, .u32 = 0, .flag = false,
                 .f32 = limits<float>::lowest(), .f64 = limits<double>::lowest(),
                 .text = "", .bytes = {}, .when = at_microseconds(-86'400'000'000),  // 1969-12-31
                 .priority = Priority::low};
  Everything high{.i8 = limits<std::int8_t>::max(), .i16 = limits<std::int16_t>::max(),
                  .i32 = limits<std::int32_t>::max(), .i64 = limits<std::int64_t>::max(),
                  .u8 = limits<std::uint8_t>::max(), .u16 = limits<std::uint16_t>::max(),
                  .u32 = limits<std::uint32_t>::max(), .flag = true,
                  .f32 = limits<float>::max(), .f64 = limits<double>::max(),
                  .text = std::string(100'000, 'x'), .bytes = bytes_of({0, 1, 255, 0}),
                  .when = at_microseconds(4'102'444'800'000'000),  // 2100-01-01
                  .priority = Priority::high,
                  .maybe_i32 = -5, .maybe_flag = false, .maybe_f64 = 0.1, .maybe_text = "",
                  .maybe_bytes = std::vector<std::byte>{}, .maybe_when = at_microseconds(0),
                  .maybe_priority = Priority::normal};
  Everything tiny{.f32 = limits<float>::denorm_min(), .f64 = limits<double>::denorm_min(),
                  .text = "\xF0\x9F\x9A\x80 rocket, \xC3\xA9t\xC3\xA9"};
  Everything infinite{.f32 = limits<float>::infinity(), .f64 = -limits<double>::infinity()};

  for (Everything* row : {&low, &high, &tiny, &infinite}) {
    db.insert(*row);
    auto back = db.template find<Everything>(row->id);
    REQUIRE(back);
    CHECK(*back == *row);
  }
  // And the same through select, which shares the reading code but not the statement.
  CHECK(db.template select<Everything>(syncorm::order_by(col<&Everything::id>)) ==
        std::vector<Everything>{low, high, tiny, infinite});
}

TEST_CASE_TEMPLATE("time_points are floored to the microsecond, before and after 1970", Backend, SYNCORM_TEST_BACKENDS) {
  auto db = Backend::open();
  db.template create_table<Everything>();
  using namespace std::chrono;
  Everything after{.when = system_clock::time_point{nanoseconds{1'700'000'000'123'456'789}}};
  Everything before{.when = system_clock::time_point{nanoseconds{-1'500}}};
  db.insert(after);
  db.insert(before);
  CHECK(db.template find<Everything>(after.id)->when.time_since_epoch() == nanoseconds{1'700'000'000'123'456'000});
  CHECK(db.template find<Everything>(before.id)->when.time_since_epoch() == nanoseconds{-2'000});
  CHECK(db.template count<Everything>(where(col<&Everything::when> < system_clock::time_point{})) == 1);
}

TEST_CASE_TEMPLATE("a double set() into a float field is rounded to nearest, and refused when it overflows or underflows",
                   Backend, SYNCORM_TEST_BACKENDS) {
  auto db = Backend::open();
  db.template create_table<Everything>();
  Everything row{};
  db.insert(row);
  auto set_and_read = [&](double value) {
    CHECK(db.template update_where<Everything>(syncorm::set(col<&Everything::f32>, value),
                                               where(col<&Everything::id> == row.id)) == 1);
    return db.template find<Everything>(row.id)->f32;
  };
  CHECK(set_and_read(0.1) == 0.1F);  // 0.100000001490116..., the float nearest to 0.1
  CHECK(set_and_read(3.4028235e38) == limits<float>::max());  // FLT_MAX as printed rounds to it
  CHECK(set_and_read(1e-45) == limits<float>::denorm_min());
  CHECK(set_and_read(-limits<double>::infinity()) == -limits<float>::infinity());
  for (const auto& [value, problem] : {std::pair{1e300, "value 1e+300 does not fit column everything.f32 (float): it would become infinite"},
                                       std::pair{-3.5e38, "value -3.5e+38 does not fit column everything.f32 (float): it would become infinite"},
                                       std::pair{1e-50, "value 1e-50 does not fit column everything.f32 (float): it would become zero"}}) {
    CAPTURE(value);
    try {
      (void)syncorm::set(col<&Everything::f32>, value);
      FAIL("expected type_error");
    } catch (const syncorm::type_error& e) {
      CHECK(e.table() == "everything");
      CHECK(e.column() == "f32");
      CHECK(std::string(e.what()) == std::string("syncorm: ") + problem);
    }
  }
}

TEST_CASE_TEMPLATE("a time_point that could not be read back is refused by set() and writes, naming the column", Backend,
                   SYNCORM_TEST_BACKENDS) {
  auto db = Backend::open();
  db.template create_table<Everything>();
  using std::chrono::system_clock;
  try {
    (void)syncorm::set(col<&Everything::when>, system_clock::time_point::min());
    FAIL("expected type_error");
  } catch (const syncorm::type_error& e) {
    CHECK(e.table() == "everything");
    CHECK(e.column() == "when");
    CHECK(std::string(e.what()).find("nothing was written") != std::string::npos);
  }
  Everything row{.when = system_clock::time_point::min()};
  CHECK_THROWS_AS(db.insert(row), syncorm::type_error);
  CHECK(db.template count<Everything>() == 0);
  // The latest time_point is stored floored to the microsecond, and reads back as that.
  row.when = system_clock::time_point::max();
  db.insert(row);
  CHECK(db.template find<Everything>(row.id)->when ==
        std::chrono::floor<std::chrono::microseconds>(system_clock::time_point::max()));
  // Comparing with time_point::min() is fine: the value is compared, not stored.
  CHECK(db.template count<Everything>(where(col<&Everything::when> > system_clock::time_point::min())) == 1);
}

TEST_CASE_TEMPLATE("values of every type work in conditions and set()", Backend, SYNCORM_TEST_BACKENDS) {
  auto db = Backend::open();
  db.template create_table<Everything>();
  Everything row{.i8 = -3, .u32 = 4'000'000'000U, .flag = true, .f32 = 1.5F, .text = "t",
                 .bytes = bytes_of({1, 2}), .when = at_microseconds(1'000), .priority = Priority::high,
                 .maybe_text = "m"};
  db.insert(row);
  CHECK(db.template count<Everything>(where(col<&Everything::i8> == -3)) == 1);
  CHECK(db.template count<Everything>(where(col<&Everything::u32> == 4'000'000'000U)) == 1);
  CHECK(db.template count<Everything>(where(col<&Everything::flag> == true)) == 1);
  CHECK(db.template count<Everything>(where(col<&Everything::f32> == 1.5)) == 1);
  CHECK(db.template count<Everything>(where(col<&Everything::bytes> == bytes_of({1, 2}))) == 1);
  CHECK(db.template count<Everything>(where(col<&Everything::when> == at_microseconds(1'000))) == 1);
  CHECK(db.template count<Everything>(where(col<&Everything::priority> == Priority::high)) == 1);
  CHECK(db.template count<Everything>(where(col<&Everything::maybe_text> == "m")) == 1);

  CHECK(db.template update_where<Everything>(
            syncorm::set(col<&Everything::priority>, Priority::low), syncorm::set(col<&Everything::u8>, 255),
            syncorm::set(col<&Everything::bytes>, bytes_of({9})), syncorm::set(col<&Everything::flag>, false),
            syncorm::set(col<&Everything::when>, at_microseconds(2'000)),
            syncorm::set(col<&Everything::maybe_when>, std::optional{at_microseconds(3)}),
            syncorm::set(col<&Everything::maybe_text>, std::optional<std::string>{}),
            where(col<&Everything::id> == row.id)) == 1);
  auto back = db.template find<Everything>(row.id);
  CHECK(back->priority == Priority::low);
  CHECK(back->u8 == 255);
  CHECK(back->bytes == bytes_of({9}));
  CHECK_FALSE(back->flag);
  CHECK(back->when == at_microseconds(2'000));
  CHECK(back->maybe_when == at_microseconds(3));
  CHECK_FALSE(back->maybe_text);
}
