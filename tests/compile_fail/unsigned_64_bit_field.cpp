// expect: a 64-bit unsigned field does not fit any SQL integer type
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

struct Counter {
  std::int64_t id = 0;
#ifdef SYNCORM_EXPECT_FAILURE
  std::uint64_t hits = 0;
#else
  std::uint32_t hits = 0;
#endif
};
int main() {
  syncorm::sqlite::database db{":memory:"};
  db.create_table<Counter>();
}
