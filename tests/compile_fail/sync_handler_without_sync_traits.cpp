// expect: on<T> / mirror<T> needs sync_traits<T>
// expect-type: T = Invoice
// A subscriber can only receive a model that has a topic, which is what sync_traits gives it.
#include <syncorm/sync.hpp>

#include "order_model.hpp"

struct Invoice {
  std::int64_t id = 0;
  std::string customer;
};
#ifndef SYNCORM_EXPECT_FAILURE
template <>
struct syncorm::sync_traits<Invoice> {};
#endif

int main() {
  syncorm::sqlite::database db{":memory:"};
  syncorm::subscriber sub{db, "billing", syncorm::mirror<Invoice>()};
}
