// expect: a bare condition must be wrapped
// Compiled by CTest twice: as is (must compile) and with SYNCORM_EXPECT_FAILURE (must fail with the
// message above).
#include "order_model.hpp"

int main() {
  using syncorm::col;
  syncorm::sqlite::database db{":memory:"};
  (void)db.select<Order>(syncorm::where(col<&Order::status> == 1));
#ifdef SYNCORM_EXPECT_FAILURE
  (void)db.select<Order>(col<&Order::status> == 1);
#endif
}
