#pragma once
// Where a value crosses between a field and the database and may not fit: the checks that writes
// and reads share (time points beyond what a time_point holds, doubles narrowed into floats), and
// how their messages print values: C++ field types by name, numbers in their shortest round-trip
// form (1e+300, never three hundred digits), instants as ISO 8601 UTC dates.

#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>

#include "../error.hpp"
#include "chrono.hpp"
#include "field_types.hpp"
#include "floating_point.hpp"
#include "iso_8601.hpp"
#include "static_text.hpp"

namespace syncorm::detail {

/// "std::int8_t", "std::uint32_t", ...: the fixed-width name of an integer type's size and sign.
template <class Integer>
consteval std::string_view integer_type_name() {
  constexpr bool is_signed = std::is_signed_v<Integer>;
  switch (sizeof(Integer)) {
    case 1: return is_signed ? "std::int8_t" : "std::uint8_t";
    case 2: return is_signed ? "std::int16_t" : "std::uint16_t";
    case 4: return is_signed ? "std::int32_t" : "std::uint32_t";
    default: return is_signed ? "std::int64_t" : "std::uint64_t";
  }
}

/// How a message names the C++ type of a field (without std::optional).
template <class V>
consteval std::string_view field_type_name() {
  if constexpr (std::is_enum_v<V>) return "an enum";
  else if constexpr (std::is_same_v<V, bool>) return "bool";
  else if constexpr (integer_value<V>) return integer_type_name<V>();
  else if constexpr (std::is_same_v<V, float>) return "float";
  else if constexpr (std::is_same_v<V, double>) return "double";
  else if constexpr (std::is_same_v<V, std::string>) return "std::string";
  else if constexpr (std::is_same_v<V, std::vector<std::byte>>) return "std::vector<std::byte>";
  else return "std::chrono::system_clock::time_point";
}

/// What an integer value must fit for a field of type V: the integer itself, or an enum's
/// underlying type (a message's last pieces: the prefix, empty for an integer, then the type).
template <class V>
consteval std::string_view integer_range_prefix() {
  return std::is_enum_v<V> ? "the enum's underlying type " : "";
}
template <class V>
consteval std::string_view integer_range_type() {
  if constexpr (std::is_enum_v<V>) return integer_type_name<std::underlying_type_t<V>>();
  else return integer_type_name<V>();
}

/// `value` in the shortest form that reads back as the same double ("0.1", "1e+300", "-inf").
inline std::string shortest_text(double value) {
  char digits[32];
  const auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
  return std::string(digits, end);
}

/// An instant as ISO 8601 UTC, "2262-04-11T23:47:16.854775Z" (the fraction only when not zero),
/// from whole days since 1970-01-01 and the microseconds into that day.
inline std::string iso_8601(std::int64_t days, std::int64_t microseconds_of_day) {
  char text[iso_8601_capacity];
  text_writer out{text};
  append_iso_8601(out, days, microseconds_of_day, iso_fraction::when_not_zero);
  return std::string(text, out.length);
}

/// A stored time (microseconds since 1970) as ISO 8601 UTC.
inline std::string iso_8601(wire_time time) {
  char text[iso_8601_capacity];
  text_writer out{text};
  append_iso_8601(out, time.time_since_epoch().count(), iso_fraction::when_not_zero);
  return std::string(text, out.length);
}

// ---- time points -----------------------------------------------------------------------------

/// The stored times (microseconds since 1970) a std::chrono::system_clock::time_point can hold.
/// With int64 nanoseconds (libstdc++, libc++) that is 1677-09-21T00:12:43.145225Z to
/// 2262-04-11T23:47:16.854775Z; PostgreSQL and SQLite store far wider ranges.
inline constexpr std::int64_t earliest_time_point_us =
    std::chrono::ceil<std::chrono::microseconds>(std::chrono::system_clock::duration::min()).count();
inline constexpr std::int64_t latest_time_point_us =
    std::chrono::floor<std::chrono::microseconds>(std::chrono::system_clock::duration::max()).count();

/// Whether a stored time fits a time_point. One unsigned compare, since every read of a time
/// column pays it.
constexpr bool time_point_can_hold(wire_time time) noexcept {
  constexpr auto span = static_cast<std::uint64_t>(latest_time_point_us) - static_cast<std::uint64_t>(earliest_time_point_us);
  return static_cast<std::uint64_t>(time.time_since_epoch().count()) - static_cast<std::uint64_t>(earliest_time_point_us) <= span;
}

/// The text of time_point_cannot_hold, written at compile time.
struct time_point_range_text {
  static constexpr void build(text_writer& out) {
    out << ", which a std::chrono::system_clock::time_point cannot hold (it holds ";
    append_iso_8601(out, earliest_time_point_us, iso_fraction::when_not_zero);
    out << " to ";
    append_iso_8601(out, latest_time_point_us, iso_fraction::when_not_zero);
    out << ")";
  }
};

/// ", which a std::chrono::system_clock::time_point cannot hold (it holds ... to ...)": a constant,
/// so that the error paths naming it compile no date formatting.
inline constexpr std::string_view time_point_cannot_hold = frozen_text<time_point_range_text>::view;

/// The wire value a time_point field stores: floored to the microsecond. A time_point whose floor
/// could not be read back (time_point::min() floors to a microsecond before the earliest one a
/// time_point holds) is refused, so nothing is written that would read back wrong.
template <class Duration>
wire_time stored_time(std::chrono::time_point<std::chrono::system_clock, Duration> value, std::string_view table,
                      std::string_view column) {
  const wire_time stored = std::chrono::floor<std::chrono::microseconds>(value);
  if (!time_point_can_hold(stored)) [[unlikely]]
    throw_error<type_error>({"syncorm: column ", table, ".", column, " cannot store ", iso_8601(stored),
                             " (the time_point floored to the microsecond, as stored)", time_point_cannot_hold,
                             ", so it would not read back; nothing was written"},
                            table, column);
  return stored;
}

// ---- floats ------------------------------------------------------------------------------------

/// Why a double cannot become a float field's value (rounded to nearest), or empty when it can: a
/// finite value that would become infinite, or a nonzero one that would become zero (every digit
/// lost). Denormals, NaN and infinities pass as themselves.
inline std::string_view float_narrowing_problem(double value, float narrowed) noexcept {
  if (is_infinite(narrowed) && is_finite(value)) [[unlikely]] return "it would become infinite";
  if (narrowed == 0 && value != 0) [[unlikely]] return "it would become zero";
  return {};
}

}  // namespace syncorm::detail
