// What hooks cost. The baseline is a model without a hooks specialisation; an identical model with
// an empty `syncorm::hooks<T> {}` must do the same work (which hooks exist is decided at compile
// time), so its ratio to the baseline must be 1.00 within noise. A third model with trivial
// before- and after-hooks is measured for information: its hooks are inlined calls, and its
// after-hooks make every write check that a transaction is open.

#include <syncorm/sqlite.hpp>

#include <benchmark/benchmark.h>

#include <cstdint>
#include <string_view>

#include "sqlite_workload.hpp"

namespace {

/// No hooks specialisation.
struct no_hooks {
  static constexpr std::string_view table = "plain_order";
};
/// An empty hooks specialisation.
struct empty_hooks {
  static constexpr std::string_view table = "empty_hooks_order";
};
/// Trivial hooks before and after each insert and update.
struct trivial_hooks {
  static constexpr std::string_view table = "hooked_order";
};

using PlainOrder = syncorm_bench::order_row<no_hooks>;
using EmptyHooksOrder = syncorm_bench::order_row<empty_hooks>;
using HookedOrder = syncorm_bench::order_row<trivial_hooks>;

/// Counted by HookedOrder's after-hooks, so that they are not optimised away.
std::int64_t rows_written = 0;

}  // namespace

template <>
struct syncorm::hooks<EmptyHooksOrder> {};

template <>
struct syncorm::hooks<HookedOrder> {
  static void before_create(HookedOrder& o) { check(o); }
  static void after_create(const HookedOrder&) { ++rows_written; }
  static void before_update(HookedOrder& o) { check(o); }
  static void after_update(const HookedOrder&) { ++rows_written; }

  static void check(const HookedOrder& o) {
    if (o.amount < 0) throw syncorm::validation_error("amount must not be negative", "hooked_order", "amount");
  }
};

using syncorm_bench::insert_in_one_transaction;
using syncorm_bench::update_by_primary_key;

BENCHMARK(insert_in_one_transaction<PlainOrder>)->Name("hooks/insert_rows/baseline")->Unit(benchmark::kMillisecond);
BENCHMARK(insert_in_one_transaction<EmptyHooksOrder>)->Name("hooks/insert_rows/empty_hooks_trait")->Unit(benchmark::kMillisecond);
BENCHMARK(insert_in_one_transaction<HookedOrder>)->Name("hooks/insert_rows/trivial_hooks")->Unit(benchmark::kMillisecond);
BENCHMARK(update_by_primary_key<PlainOrder>)->Name("hooks/update_by_primary_key/baseline")->Unit(benchmark::kMillisecond);
BENCHMARK(update_by_primary_key<EmptyHooksOrder>)->Name("hooks/update_by_primary_key/empty_hooks_trait")->Unit(benchmark::kMillisecond);
BENCHMARK(update_by_primary_key<HookedOrder>)->Name("hooks/update_by_primary_key/trivial_hooks")->Unit(benchmark::kMillisecond);
