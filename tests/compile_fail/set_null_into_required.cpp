// expect: only a std::optional field can be set to NULL
// Compiled by CTest twice: as is (must compile) and with SYNCORM_EXPECT_FAILURE (must fail with the
// message above).
#include "order_model.hpp"

int main() {
  using syncorm::col;
  auto fine = syncorm::set(col<&Order::note>, std::nullopt);
  (void)fine;
#ifdef SYNCORM_EXPECT_FAILURE
  auto wrong = syncorm::set(col<&Order::customer>, std::nullopt);
  (void)wrong;
#endif
}
