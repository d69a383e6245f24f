// expect: insert_many needs a mutable range of rows
// Compiled by CTest twice: as is (must compile) and with SYNCORM_EXPECT_FAILURE (must fail with the
// message above).
#include "order_model.hpp"

int main() {
  syncorm::sqlite::database db{":memory:"};
  std::vector<Order> rows;
  db.insert_many(rows);
#ifdef SYNCORM_EXPECT_FAILURE
  const std::vector<Order> frozen;
  db.insert_many(frozen);
#endif
}
