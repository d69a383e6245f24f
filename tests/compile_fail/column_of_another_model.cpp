// expect: a clause names a column of another model than the one queried
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
