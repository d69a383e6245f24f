// expect: this model has cache_traits, so its writes invalidate cached rows: include <syncorm/cache.hpp>
// expect-type: test_models::Order
// cache_traits is visible from the core (it opts a model in); what a write tells the caches is in
// cache.hpp, which a file writing a cached model must include, or the caches would not hear of it.
#ifndef SYNCORM_EXPECT_FAILURE
#include <syncorm/cache.hpp>
#endif

#include <chrono>

#include "order_model.hpp"

template <>
struct syncorm::cache_traits<Order> {
  static constexpr auto ttl = std::chrono::seconds{30};
};

int main() {
  syncorm::sqlite::database db{":memory:"};
  Order o;
  db.insert(o);
}
