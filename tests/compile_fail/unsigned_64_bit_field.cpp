// expect: a 64-bit unsigned field does not fit any SQL integer type
// expect-type: field_type_check<Counter, .*"hits"
// Compiled by CTest twice: as is (must compile) and with SYNCORM_EXPECT_FAILURE (must fail with the
// message above, on an error whose first line names the model and field or hook).
#include "order_model.hpp"

struct Counter {
  std::int64_t id = 0;
#ifdef SYNCORM_EXPECT_FAILURE
  std::uint64_t hits = 0;
#else
  std::uint32_t hits = 0;
#endif
};
int main() {
  syncorm::sqlite::database db{":memory:"};
  db.create_table<Counter>();
}
