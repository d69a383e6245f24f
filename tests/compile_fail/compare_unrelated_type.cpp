// expect: a numeric column can only be compared with a number
// expect-type: column<&test_models::Order::status>
// Compiled by CTest twice: as is (must compile) and with SYNCORM_EXPECT_FAILURE (must fail with the
// message above, on an error whose first line names the model and field or hook).
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
