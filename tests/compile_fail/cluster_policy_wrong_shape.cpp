// expect: syncorm::read_selection<P>: P must be default-constructible and callable as std::size_t operator\(\)\(std::span<const syncorm::data_source>\)
// expect-type: read_selection<pick_first>
// A selection policy picks an index among the sources; a callable of another shape is refused by name.
#include <syncorm/cluster.hpp>

#include "order_model.hpp"

struct pick_first {
#ifdef SYNCORM_EXPECT_FAILURE
  int operator()(int sources) const { return sources; }
#else
  std::size_t operator()(std::span<const syncorm::data_source>) const { return 0; }
#endif
};

int main() {
  syncorm::cluster<syncorm::sqlite::database, syncorm::read_selection<pick_first>> db{
      syncorm::cluster_settings{.writes = {":memory:"}}};
  return db.count<Order>() > 0 ? 1 : 0;
}
