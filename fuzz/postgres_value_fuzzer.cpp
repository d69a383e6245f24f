// libFuzzer target: arbitrary bytes decoded as a PostgreSQL binary result value of each type syncorm
// reads, and read into every field type, through the decoders and the row reading the PostgreSQL
// cursor uses. It must never crash, read out of bounds or hit undefined behaviour; a value that
// does not fit a field is a syncorm::type_error. Input: byte 0 picks the type, byte 1 == 0xff
// means NULL, the rest is the value.

#include <syncorm/postgres/wire.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "fuzz_fields.hpp"

namespace {

namespace pg = syncorm::detail::postgres;
using syncorm::detail::read_status;

constexpr pg::oid types[] = {pg::oid::boolean, pg::oid::bytea,  pg::oid::name,        pg::oid::int8,
                             pg::oid::int2,    pg::oid::int4,   pg::oid::text,        pg::oid::float4,
                             pg::oid::float8,  pg::oid::bpchar, pg::oid::varchar,     pg::oid::timestamp,
                             pg::oid::timestamptz, pg::oid{0},  pg::oid{1700} /* numeric: never read */};

/// The cursor protocol over a single value: what the PostgreSQL cursor does for one column of a row.
struct one_value_cursor {
  pg::binary_value value;
  template <class Out>
  read_status read(int, Out& out) const noexcept {
    return pg::decode(value, out);
  }
  std::string describe(int) const { return pg::describe(value); }
};

/// Decoding then encoding a fixed-width value gives back its bytes.
template <class Wire>
void check_reencodes(const pg::binary_value& v) {
  Wire decoded{};
  if (pg::decode(v, decoded) != read_status::value) return;
  char again[8];
  const int size = pg::encode(again, decoded);
  if (static_cast<std::size_t>(size) == v.length && std::memcmp(again, v.bytes, v.length) != 0) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const pg::oid type = types[data[0] % std::size(types)];
  const bool null = data[1] == 0xff;
  // A copy of exactly the value's length, so that AddressSanitizer catches any read past it.
  const std::size_t length = size - 2;
  const std::unique_ptr<char[]> bytes{new char[length]};
  if (length != 0) std::memcpy(bytes.get(), data + 2, length);
  one_value_cursor cursor{{type, null ? nullptr : bytes.get(), null ? 0 : length}};

  fuzz_support::read_into_every_field(cursor);
  if (!null && (type == pg::oid::int8 || type == pg::oid::int4 || type == pg::oid::int2))
    check_reencodes<std::int64_t>(cursor.value);
  if (!null && type == pg::oid::float8) check_reencodes<double>(cursor.value);
  if (!null && (type == pg::oid::timestamptz || type == pg::oid::timestamp))
    check_reencodes<syncorm::detail::wire_time>(cursor.value);
  return 0;
}
