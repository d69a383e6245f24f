// The baseline of the sync_header instruction-count case: tx.insert of a model without
// sync_traits, compiled without <syncorm/sync.hpp> (no synced model anywhere in this translation
// unit). instruction_counts.cpp runs the same insert of an identical model compiled beside synced
// models and the sync feature.

#include <syncorm/sqlite.hpp>

#include <cstdint>
#include <string_view>

#include "instruction_counts.hpp"

namespace {

/// Same length as the variant's table name ("order_b"), so that SQLite's work is the same.
struct without_sync_header_table {
  static constexpr std::string_view table = "order_a";
};

}  // namespace

void syncorm_bench::insert_without_sync_header(std::int64_t ops) {
  syncorm_insert<order_row<without_sync_header_table>>(ops);
}
