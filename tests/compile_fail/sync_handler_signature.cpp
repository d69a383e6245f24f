// expect: an on<T> handler must be callable as f\(const syncorm::event<T>& e, auto& tx\)
// expect-type: T = test_models::Order; F = main\(\)::<lambda
// The handler receives the event and the consumer's transaction, not the bare row.
#include <syncorm/sync.hpp>

#include "order_model.hpp"

template <>
struct syncorm::sync_traits<Order> {};

int main() {
  syncorm::sqlite::database db{":memory:"};
  syncorm::sqlite::database producer{":memory:"};
  syncorm::outbox_source feed{producer, "orders-db"};
#ifdef SYNCORM_EXPECT_FAILURE
  syncorm::subscriber sub{db, "shipments", syncorm::on<Order>([](const Order&) {})};
#else
  syncorm::subscriber sub{db, "shipments", syncorm::on<Order>([](const syncorm::event<Order>&, auto&) {})};
#endif
  sub.poll(feed);
}
