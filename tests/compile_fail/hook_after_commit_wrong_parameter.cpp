// expect: hooks<T>::after_commit has a signature syncorm cannot call
// expect-type: after_commit_signature<test_models::Order>
// Compiled by CTest twice: as is (must compile) and with SYNCORM_EXPECT_FAILURE (must fail with the
// message above, on an error whose first line names the model and field or hook).
#include "order_model.hpp"

template <>
struct syncorm::hooks<Order> {
#ifdef SYNCORM_EXPECT_FAILURE
  static void after_commit(const Order&) {}
#else
  static void after_commit(const syncorm::event<Order>&) {}
#endif
};

int main() {
  syncorm::sqlite::database db{":memory:"};
  Order o;
  db.remove(o);
}
