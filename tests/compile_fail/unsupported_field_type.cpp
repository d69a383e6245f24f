// expect: this field's type cannot be stored
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

#include <map>
struct Bad {
  std::int64_t id = 0;
#ifdef SYNCORM_EXPECT_FAILURE
  std::map<int, int> lookup;
#endif
};
int main() {
  syncorm::sqlite::database db{":memory:"};
  db.create_table<Bad>();
}
