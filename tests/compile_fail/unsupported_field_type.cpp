// expect: this field's type cannot be stored
// expect-type: field_type_check<Bad, .*"lookup"
// Compiled by CTest twice: as is (must compile) and with SYNCORM_EXPECT_FAILURE (must fail with the
// message above, on an error whose first line names the model and field or hook).
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
