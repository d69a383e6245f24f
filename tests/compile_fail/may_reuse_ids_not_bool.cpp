// expect: model_traits<T>::may_reuse_ids must be a static constexpr bool
// expect-type: may_reuse_ids_of\(\) \[with T = Ticket\]
// Compiled by CTest twice: as is (must compile) and with SYNCORM_EXPECT_FAILURE (must fail with the
// message above, on an error whose first line names the model).
#include "order_model.hpp"

struct Ticket {
  std::int64_t id = 0;
  std::string title;
};
template <>
struct syncorm::model_traits<Ticket> {
#ifdef SYNCORM_EXPECT_FAILURE
  static constexpr int may_reuse_ids = 1;  // an int, not a bool: a typo for another trait, or a count?
#else
  static constexpr bool may_reuse_ids = true;
#endif
};
int main() {
  syncorm::sqlite::database db{":memory:"};
  db.create_table<Ticket>();
}
