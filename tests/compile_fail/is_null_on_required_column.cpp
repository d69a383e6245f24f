// expect: is_null\(\) on a column that is not std::optional is always false
// Compiled by CTest twice: as is (must compile) and with SYNCORM_EXPECT_FAILURE (must fail with the
// message above).
#include "order_model.hpp"

int main() {
  using syncorm::col;
  auto fine = col<&Order::note>.is_null();
  (void)fine;
#ifdef SYNCORM_EXPECT_FAILURE
  auto wrong = col<&Order::customer>.is_null();
  (void)wrong;
#endif
}
