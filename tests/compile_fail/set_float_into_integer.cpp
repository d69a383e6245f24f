// expect: an integer column can only be set to an integer
// Compiled by CTest twice: as is (must compile) and with SYNCORM_EXPECT_FAILURE (must fail with the
// message above).
#include <syncorm/sqlite.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

struct Order {
  std::int64_t id = 0;
  std::string customer;
  double amount = 0;
  int status = 0;
  std::optional<std::string> note;
};

int main() {
  using syncorm::col;
  auto fine = syncorm::set(col<&Order::status>, 2);
  (void)fine;
#ifdef SYNCORM_EXPECT_FAILURE
  auto wrong = syncorm::set(col<&Order::status>, 2.5);
  (void)wrong;
#endif
}
