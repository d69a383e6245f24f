// expect: this field's type cannot be stored
// Compiled by CTest twice: as is (must compile) and with SYNCORM_EXPECT_FAILURE (must fail with the
// message above).
#include "order_model.hpp"

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
