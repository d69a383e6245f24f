// expect: a clause names a column of another model than the one queried
// Compiled by CTest twice: as is (must compile) and with SYNCORM_EXPECT_FAILURE (must fail with the
// message above).
#include "order_model.hpp"

struct Customer {
  std::int64_t id = 0;
  std::string name;
};
int main() {
  using syncorm::col;
  syncorm::sqlite::database db{":memory:"};
  (void)db.select<Order>(syncorm::where(col<&Order::customer> == "ada"));
#ifdef SYNCORM_EXPECT_FAILURE
  (void)db.select<Order>(syncorm::where(col<&Customer::name> == "ada"));
#endif
}
