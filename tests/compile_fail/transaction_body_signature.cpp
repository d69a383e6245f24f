// expect: transaction\(\) takes a callable with the transaction as its parameter
// Compiled by CTest twice: as is (must compile) and with SYNCORM_EXPECT_FAILURE (must fail with the
// message above).
#include "order_model.hpp"

int main() {
  syncorm::sqlite::database db{":memory:"};
  db.transaction([](auto&) {});
#ifdef SYNCORM_EXPECT_FAILURE
  db.transaction([](int) {});
#endif
}
