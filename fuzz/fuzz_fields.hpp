#pragma once
// What both fuzz targets do with a value a cursor holds: read it into every field type syncorm
// supports, plain and optional, as read_row does. Refusing a value is a syncorm::type_error;
// anything else (a crash, another exception, undefined behaviour) is a finding.

#include <syncorm/core/row_io.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace fuzz_support {

enum class small_enum : std::int16_t { a = 1 };
enum class unsigned_enum : std::uint8_t { a = 1 };

template <class Field, class Cursor>
void read_into(Cursor& cursor) {
  Field out{};
  try {
    syncorm::detail::read_field(cursor, 0, out, "fuzz", "value");
  } catch (const syncorm::type_error&) {
  }
  std::optional<Field> maybe;
  try {
    syncorm::detail::read_field(cursor, 0, maybe, "fuzz", "value");
  } catch (const syncorm::type_error&) {
  }
}

template <class Cursor>
void read_into_every_field(Cursor& cursor) {
  read_into<std::int8_t>(cursor);
  read_into<std::int16_t>(cursor);
  read_into<std::int32_t>(cursor);
  read_into<std::int64_t>(cursor);
  read_into<std::uint8_t>(cursor);
  read_into<std::uint16_t>(cursor);
  read_into<std::uint32_t>(cursor);
  read_into<small_enum>(cursor);
  read_into<unsigned_enum>(cursor);
  read_into<bool>(cursor);
  read_into<float>(cursor);
  read_into<double>(cursor);
  read_into<std::string>(cursor);
  read_into<std::vector<std::byte>>(cursor);
  read_into<std::chrono::system_clock::time_point>(cursor);
}

}  // namespace fuzz_support
