// expect: a numeric column can only be compared with a number
// Compiled by CTest twice: as is (must compile) and with SYNCORM_EXPECT_FAILURE (must fail with the
// message above).
#include "order_model.hpp"

int main() {
  using syncorm::col;
  auto fine = col<&Order::status> == 1;
  (void)fine;
#ifdef SYNCORM_EXPECT_FAILURE
  auto wrong = col<&Order::status> == "x";
  (void)wrong;
#endif
}
