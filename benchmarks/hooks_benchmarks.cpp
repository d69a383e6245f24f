// What hooks cost. The baseline is a model without a hooks specialisation; an identical model with
// an empty `syncorm::hooks<T> {}` must do the same work (which hooks exist is decided at compile
// time), so its ratio to the baseline must be 1.00 within noise. A third model with trivial
// before- and after-hooks is measured for information: its hooks are inlined calls, and its
// after-hooks make every write check that a transaction is open.

#include <syncorm/sqlite.hpp>

#include <benchmark/benchmark.h>

#include <cstdint>

#include "hooks_models.hpp"
#include "interleaved_pairs.hpp"
#include "sqlite_workload.hpp"

using syncorm_bench::hooks_models::EmptyHooksOrder;
using syncorm_bench::hooks_models::HookedOrder;
using syncorm_bench::hooks_models::PlainOrder;

using syncorm_bench::insert_in_one_transaction;
using syncorm_bench::update_by_primary_key;

namespace {

/// Short alternating pairs of chunk_rows() tx.insert calls in one transaction: Variant's model
/// against the model without hooks, each in a database of its own, emptied (untimed) before it
/// outgrows row_count() rows.
template <class Variant>
void insert_pairs(benchmark::State& state, const char* label) {
  auto base_db = syncorm_bench::open_database<PlainOrder>();
  auto variant_db = syncorm_bench::open_database<Variant>();
  auto base_rows = syncorm_bench::make_orders<PlainOrder>(syncorm_bench::chunk_rows());
  auto variant_rows = syncorm_bench::make_orders<Variant>(syncorm_bench::chunk_rows());
  auto insert_all = [](auto& db, auto& rows) {
    db.transaction([&](auto& tx) {
      for (auto& o : rows) tx.insert(o);
    });
  };
  std::int64_t held = 0;
  syncorm_bench::interleaved_pairs(
      state, label, static_cast<double>(syncorm_bench::chunk_rows()), [&] { insert_all(base_db, base_rows); },
      [&] { insert_all(variant_db, variant_rows); },
      [&] {
        if (held + syncorm_bench::chunk_rows() > syncorm_bench::row_count()) {
          base_db.template remove_where<PlainOrder>(syncorm::where(syncorm::col<&PlainOrder::id> > 0));
          variant_db.template remove_where<Variant>(syncorm::where(syncorm::col<&Variant::id> > 0));
          held = 0;
        }
        held += syncorm_bench::chunk_rows();
        for (auto& o : base_rows) o.id = 0;
        for (auto& o : variant_rows) o.id = 0;
      });
}

/// Short alternating pairs of chunk_rows() updates by primary key in one transaction.
template <class Variant>
void update_pairs(benchmark::State& state, const char* label) {
  auto base_db = syncorm_bench::loaded_database<PlainOrder>();
  auto variant_db = syncorm_bench::loaded_database<Variant>();
  auto base_rows = base_db.select<PlainOrder>();
  auto variant_rows = variant_db.template select<Variant>();
  const auto n = static_cast<std::size_t>(syncorm_bench::chunk_rows());
  std::size_t first = 0;
  syncorm_bench::interleaved_pairs(
      state, label, static_cast<double>(n), [&] { syncorm_bench::update_rows(base_db, base_rows, first, n); },
      [&] { syncorm_bench::update_rows(variant_db, variant_rows, first, n); },
      [&] { first = (first + n) % base_rows.size(); });
}

void insert_pairs_empty(benchmark::State& state) { insert_pairs<EmptyHooksOrder>(state, "empty hooks<T> {} / no hooks"); }
void insert_pairs_trivial(benchmark::State& state) { insert_pairs<HookedOrder>(state, "trivial hooks / no hooks"); }
void update_pairs_empty(benchmark::State& state) { update_pairs<EmptyHooksOrder>(state, "empty hooks<T> {} / no hooks"); }
void update_pairs_trivial(benchmark::State& state) { update_pairs<HookedOrder>(state, "trivial hooks / no hooks"); }

}  // namespace

BENCHMARK(insert_in_one_transaction<PlainOrder>)->Name("hooks/insert_rows/baseline")->Unit(benchmark::kMillisecond);
BENCHMARK(insert_in_one_transaction<EmptyHooksOrder>)->Name("hooks/insert_rows/empty_hooks_trait")->Unit(benchmark::kMillisecond);
BENCHMARK(insert_in_one_transaction<HookedOrder>)->Name("hooks/insert_rows/trivial_hooks")->Unit(benchmark::kMillisecond);
BENCHMARK(update_by_primary_key<PlainOrder>)->Name("hooks/update_by_primary_key/baseline")->Unit(benchmark::kMillisecond);
BENCHMARK(update_by_primary_key<EmptyHooksOrder>)->Name("hooks/update_by_primary_key/empty_hooks_trait")->Unit(benchmark::kMillisecond);
BENCHMARK(update_by_primary_key<HookedOrder>)->Name("hooks/update_by_primary_key/trivial_hooks")->Unit(benchmark::kMillisecond);

SYNCORM_PAIRS_BENCHMARK(insert_pairs_empty, "hooks/insert_rows/pairs_empty_hooks_trait");
SYNCORM_PAIRS_BENCHMARK(insert_pairs_trivial, "hooks/insert_rows/pairs_trivial_hooks");
SYNCORM_PAIRS_BENCHMARK(update_pairs_empty, "hooks/update_by_primary_key/pairs_empty_hooks_trait");
SYNCORM_PAIRS_BENCHMARK(update_pairs_trivial, "hooks/update_by_primary_key/pairs_trivial_hooks");
