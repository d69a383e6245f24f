// expect: cache_traits<T> needs `static constexpr auto ttl = std::chrono::seconds
// expect-type: test_models::Order
#include <syncorm/cache.hpp>

#include <chrono>

#include "order_model.hpp"

template <>
struct syncorm::cache_traits<Order> {
#ifdef SYNCORM_EXPECT_FAILURE
  static constexpr int ttl = 30;
#else
  static constexpr auto ttl = std::chrono::seconds{30};
#endif
};

int main() {
  syncorm::cached<syncorm::sqlite::database> db{":memory:", syncorm::cache_settings{}};
  (void)db.find<Order>(1);
}
