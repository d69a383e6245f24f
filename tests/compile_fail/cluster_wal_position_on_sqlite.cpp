// expect: syncorm::wal_position needs PostgreSQL
// WAL positions are PostgreSQL's; SQLite sessions read their writes with sticky_window.
#include <syncorm/cluster.hpp>

#include "order_model.hpp"

#ifdef SYNCORM_EXPECT_FAILURE
using policy = syncorm::wal_position;
#else
using policy = syncorm::sticky_window;
#endif

int main() {
  syncorm::cluster<syncorm::sqlite::database, syncorm::read_your_writes<policy>> db{
      syncorm::cluster_settings{.writes = {":memory:"}}};
  return db.count<Order>() > 0 ? 1 : 0;
}
