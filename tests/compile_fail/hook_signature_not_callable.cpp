// expect: hooks<T>::before_save has a signature syncorm cannot call
// expect-type: before_save_hook::rules<test_models::Order,
// Compiled by CTest twice: as is (must compile) and with SYNCORM_EXPECT_FAILURE (must fail with the
// message above, on an error whose first line names the model and field or hook).
#include "order_model.hpp"

template <>
struct syncorm::hooks<Order> {
#ifdef SYNCORM_EXPECT_FAILURE
  static void before_save(int) {}
#else
  static void before_save(Order&) {}
#endif
};

int main() {
  syncorm::sqlite::database db{":memory:"};
  Order o;
  db.insert(o);
}
