// expect: this statement does not take limit
// Compiled by CTest twice: as is (must compile) and with SYNCORM_EXPECT_FAILURE (must fail with the
// message above).
#include "order_model.hpp"

int main() {
  using syncorm::col;
  syncorm::sqlite::database db{":memory:"};
  (void)db.count<Order>(syncorm::where(col<&Order::status> == 1));
#ifdef SYNCORM_EXPECT_FAILURE
  (void)db.count<Order>(syncorm::limit(3));
#endif
}
