// expect: find<T>\(id\) needs a primary key
// Compiled by CTest twice: as is (must compile) and with SYNCORM_EXPECT_FAILURE (must fail with the
// message above).
#include <syncorm/sqlite.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

struct Order {
  std::int64_t id = 0;
  std::string customer;
  double amount = 0;
  int status = 0;
  std::optional<std::string> note;
};

struct LogLine {
  std::string message;
};
int main() {
  syncorm::sqlite::database db{":memory:"};
  (void)db.find<Order>(1);
#ifdef SYNCORM_EXPECT_FAILURE
  (void)db.find<LogLine>(1);
#endif
}
