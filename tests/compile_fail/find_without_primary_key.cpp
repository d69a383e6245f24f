// expect: find<T>\(id\) needs a primary key
// Compiled by CTest twice: as is (must compile) and with SYNCORM_EXPECT_FAILURE (must fail with the
// message above).
#include "order_model.hpp"

struct LogLine {
  std::string message;
};
int main() {
  syncorm::sqlite::database db{":memory:"};
  (void)db.find<Order>(1);
#ifdef SYNCORM_EXPECT_FAILURE
  (void)db.find<LogLine>(1);
#endif
}
