// expect: an integer column can only be set to an integer
// Compiled by CTest twice: as is (must compile) and with SYNCORM_EXPECT_FAILURE (must fail with the
// message above).
#include "order_model.hpp"

int main() {
  using syncorm::col;
  auto fine = syncorm::set(col<&Order::status>, 2);
  (void)fine;
#ifdef SYNCORM_EXPECT_FAILURE
  auto wrong = syncorm::set(col<&Order::status>, 2.5);
  (void)wrong;
#endif
}
