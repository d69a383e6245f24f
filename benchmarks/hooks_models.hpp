#pragma once
// The three models of the hooks workloads, shared by the timed benchmarks and the
// instruction-count drivers: one without a hooks specialisation (the baseline), an identical one
// with an empty `syncorm::hooks<T> {}`, and one with trivial before- and after-hooks.

#include <syncorm/syncorm.hpp>

#include <cstdint>
#include <string_view>

#include "workload.hpp"

namespace syncorm_bench::hooks_models {

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

using PlainOrder = order_row<no_hooks>;
using EmptyHooksOrder = order_row<empty_hooks>;
using HookedOrder = order_row<trivial_hooks>;

/// Counted by HookedOrder's after-hooks, so that they are not optimised away.
inline std::int64_t rows_written = 0;

}  // namespace syncorm_bench::hooks_models

template <>
struct syncorm::hooks<syncorm_bench::hooks_models::EmptyHooksOrder> {};

template <>
struct syncorm::hooks<syncorm_bench::hooks_models::HookedOrder> {
  using HookedOrder = syncorm_bench::hooks_models::HookedOrder;
  static void before_create(HookedOrder& o) { check(o); }
  static void after_create(const HookedOrder&) { ++syncorm_bench::hooks_models::rows_written; }
  static void before_update(HookedOrder& o) { check(o); }
  static void after_update(const HookedOrder&) { ++syncorm_bench::hooks_models::rows_written; }

  static void check(const HookedOrder& o) {
    if (o.amount < 0) throw syncorm::validation_error("amount must not be negative", "hooked_order", "amount");
  }
};
