// libFuzzer target: arbitrary bytes bound as an integer, real, text, blob or NULL into `SELECT ?` on
// an in-memory SQLite database, then read through syncorm's SQLite cursor into every field type.
// It must never crash or hit undefined behaviour; a value syncorm refuses (NaN on bind, a value
// that does not fit a field) is a syncorm::type_error. Input: byte 0 picks how the rest is bound.

#include <syncorm/sqlite.hpp>

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "fuzz_fields.hpp"

namespace {

namespace sq = syncorm::detail::sqlite;

/// Eight bytes of input (zero-padded) as a 64-bit pattern.
std::uint64_t bits_of(const std::uint8_t* data, std::size_t size) {
  std::uint64_t bits = 0;
  std::memcpy(&bits, data, size < 8 ? size : 8);
  return bits;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static syncorm::sqlite::database db{":memory:"};
  static sqlite3_stmt* const select = [] {
    sqlite3_stmt* statement = nullptr;
    if (sqlite3_prepare_v2(db.native_handle(), "SELECT ?", -1, &statement, nullptr) != SQLITE_OK) std::abort();
    return statement;
  }();
  if (size < 1) return 0;
  const std::uint8_t* value = data + 1;
  const std::size_t length = size - 1;
  sq::cursor cursor{select, db.native_handle(), "fuzz"};  // resets the statement when it goes
  try {
    switch (data[0] % 5) {
      case 0: cursor.bind(static_cast<std::int64_t>(bits_of(value, length))); break;
      case 1: cursor.bind(std::bit_cast<double>(bits_of(value, length))); break;  // NaN is refused
      case 2: cursor.bind(std::string_view(reinterpret_cast<const char*>(value), length)); break;
      case 3: cursor.bind(syncorm::detail::blob_view(reinterpret_cast<const std::byte*>(value), length)); break;
      default: cursor.bind_null(syncorm::detail::value_kind::text); break;
    }
  } catch (const syncorm::type_error&) {
    return 0;
  }
  if (!cursor.next()) std::abort();
  fuzz_support::read_into_every_field(cursor);
  return 0;
}
