// expect: two handlers take the same topic
// expect-type: mirror_handler<test_models::Order>, syncorm::detail::mirror_handler<Invoice>
// Each topic has one handler, so which one applies an event is never in doubt.
#include <syncorm/sync.hpp>

#include "order_model.hpp"

struct Invoice {
  std::int64_t id = 0;
  std::string customer;
};
template <>
struct syncorm::sync_traits<Order> {};
template <>
struct syncorm::sync_traits<Invoice> {
#ifdef SYNCORM_EXPECT_FAILURE
  static constexpr std::string_view topic = "orders";
#else
  static constexpr std::string_view topic = "invoices";
#endif
};

int main() {
  syncorm::sqlite::database db{":memory:"};
  syncorm::subscriber sub{db, "copies", syncorm::mirror<Order>(), syncorm::mirror<Invoice>()};
}
