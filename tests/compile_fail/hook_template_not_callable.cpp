// expect: hooks<T>::after_destroy has a signature syncorm cannot call
// expect-type: after_destroy_hook::rules<test_models::Order,
// Compiled by CTest twice: as is (must compile) and with SYNCORM_EXPECT_FAILURE (must fail with the
// message above, on an error whose first line names the model and field or hook). A hook written as a template is checked too, although its address cannot be taken;
// and it is checked on any write, even one that would not run it.
#include "order_model.hpp"

template <>
struct syncorm::hooks<Order> {
#ifdef SYNCORM_EXPECT_FAILURE
  template <class Transaction>
  static void after_destroy(const Order&, const Order&, Transaction&) {}
#else
  template <class Transaction>
  static void after_destroy(const Order&, Transaction&) {}
#endif
};

int main() {
  syncorm::sqlite::database db{":memory:"};
  std::vector<Order> rows(2);
  db.insert_many(rows);
}
