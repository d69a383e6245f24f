// expect: update_where on a model with hooks needs a primary key
// Compiled by CTest twice: as is (must compile) and with SYNCORM_EXPECT_FAILURE (must fail with the
// message above).
#include "order_model.hpp"

struct Event {
  std::string name;
  int level = 0;
};

template <>
struct syncorm::hooks<Event> {
  static void before_create(Event&) {}
#ifdef SYNCORM_EXPECT_FAILURE
  static void before_update(Event&) {}
#endif
};

int main() {
  using syncorm::col;
  syncorm::sqlite::database db{":memory:"};
  db.update_where<Event>(syncorm::set(col<&Event::level>, 1), syncorm::where(col<&Event::name> == "x"));
}
