// expect: syncorm::subscriber takes handlers made by syncorm::on<T>\(callable\) and syncorm::mirror<T>\(\)
// expect-type: subscriber<syncorm::sqlite::database, main\(\)::<lambda
// A bare callable has no topic: wrap it in on<T>.
#include <syncorm/sync.hpp>

#include "order_model.hpp"

template <>
struct syncorm::sync_traits<Order> {};

int main() {
  syncorm::sqlite::database db{":memory:"};
  auto handler = [](const syncorm::event<Order>&, auto&) {};
#ifdef SYNCORM_EXPECT_FAILURE
  syncorm::subscriber sub{db, "shipments", handler};
#else
  syncorm::subscriber sub{db, "shipments", syncorm::on<Order>(handler)};
#endif
}
