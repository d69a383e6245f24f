// expect: a text column can only be compared with a string
// expect-type: column<&test_models::Order::customer>
// Compiled by CTest twice: as is (must compile) and with SYNCORM_EXPECT_FAILURE (must fail with the
// message above, on an error whose first line names the model and field or hook).
#include "order_model.hpp"

int main() {
  using syncorm::col;
  auto fine = col<&Order::customer> == "ada";
  (void)fine;
#ifdef SYNCORM_EXPECT_FAILURE
  auto wrong = col<&Order::customer> == 5;
  (void)wrong;
#endif
}
