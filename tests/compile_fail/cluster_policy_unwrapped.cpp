// expect: syncorm::cluster takes policies wrapped as read_selection<P>, write_selection<P>
// expect-type: cluster_policies<syncorm::round_robin>
// A bare policy would not say whether it is for reads or for writes.
#include <syncorm/cluster.hpp>

#include "order_model.hpp"

#ifdef SYNCORM_EXPECT_FAILURE
using shop = syncorm::cluster<syncorm::sqlite::database, syncorm::round_robin>;
#else
using shop = syncorm::cluster<syncorm::sqlite::database, syncorm::read_selection<syncorm::round_robin>>;
#endif

int main() {
  shop db{syncorm::cluster_settings{.writes = {":memory:"}}};
  return db.count<Order>() > 0 ? 1 : 0;
}
