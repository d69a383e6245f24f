#pragma once
// What the instruction-count drivers share (instruction_counts.cpp and the translation units it
// compares itself with): the measured loop between callgrind's collection toggles, and the
// syncorm side of the insert case.

#include <valgrind/callgrind.h>

#include <cstdint>

#include "sqlite_workload.hpp"

namespace syncorm_bench {

/// A value every case folds its results into and prints, so that nothing is optimised away.
inline std::int64_t checksum = 0;

/// Runs `op(i)` a few times unmeasured (statements prepared, caches warm), then `ops` times counted.
template <class Op>
void measured(std::int64_t ops, Op&& op) {
  constexpr std::int64_t warm_up = 100;
  for (std::int64_t i = 0; i < warm_up; ++i) op(i);
  CALLGRIND_TOGGLE_COLLECT;
  for (std::int64_t i = warm_up; i < warm_up + ops; ++i) op(i);
  CALLGRIND_TOGGLE_COLLECT;
}

/// `ops` tx.insert calls of Row in one transaction, on a fresh :memory: database.
template <class Row>
void syncorm_insert(std::int64_t ops) {
  auto db = open_database<Row>();
  auto rows = make_orders<Row>(ops + 100);
  db.transaction([&](auto& tx) { measured(ops, [&](std::int64_t i) { tx.insert(rows[static_cast<std::size_t>(i)]); }); });
  checksum += rows.back().id;
}

/// The sync_header case's baseline, defined in a translation unit without <syncorm/sync.hpp>.
void insert_without_sync_header(std::int64_t ops);

}  // namespace syncorm_bench
