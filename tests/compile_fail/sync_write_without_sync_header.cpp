// expect: this model has sync_traits, so its writes emit sync events: include <syncorm/sync.hpp>
// expect-type: T = test_models::Order
// sync_traits is visible from the core (it opts a model in); the event encoding is in sync.hpp.
#ifndef SYNCORM_EXPECT_FAILURE
#include <syncorm/sync.hpp>
#endif

#include "order_model.hpp"

template <>
struct syncorm::sync_traits<Order> {};

int main() {
  syncorm::sqlite::database db{":memory:"};
  Order o;
  db.insert(o);
}
