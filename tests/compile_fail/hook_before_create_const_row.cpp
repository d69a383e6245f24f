// expect: hooks<T>::before_create must take the row as `T&`
// expect-type: before_create_hook::rules<test_models::Order,
// Compiled by CTest twice: as is (must compile) and with SYNCORM_EXPECT_FAILURE (must fail with the
// message above, on an error whose first line names the model and field or hook).
#include "order_model.hpp"

template <>
struct syncorm::hooks<Order> {
#ifdef SYNCORM_EXPECT_FAILURE
  static void before_create(const Order&) {}
#else
  static void before_create(Order&) {}
#endif
};

int main() {
  syncorm::sqlite::database db{":memory:"};
  Order o;
  db.insert(o);
}
