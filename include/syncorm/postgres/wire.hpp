#pragma once
// PostgreSQL's binary wire format for the value kinds syncorm uses: type OIDs, and encoding and
// decoding of each value. Parameters, results and COPY all use it, so no value is ever printed to
// or parsed from text. Decoding is a set of pure functions of (type, bytes, length), which the
// cursor calls and a fuzz target can call on arbitrary bytes.

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <string_view>
#include <type_traits>

#include "../core/chrono.hpp"
#include "../core/field_types.hpp"
#include "../core/row_io.hpp"
#include "../core/value_checks.hpp"

namespace syncorm::detail::postgres {

/// Type OIDs from PostgreSQL's catalog (pg_type.dat); stable across versions.
enum class oid : unsigned int {
  boolean = 16,
  bytea = 17,
  name = 19,
  int8 = 20,
  int2 = 21,
  int4 = 23,
  text = 25,
  float4 = 700,
  float8 = 701,
  bpchar = 1042,
  varchar = 1043,
  timestamp = 1114,
  timestamptz = 1184,
};

constexpr oid oid_of(value_kind kind) noexcept {
  switch (kind) {
    case value_kind::small_integer: return oid::int2;
    case value_kind::integer: return oid::int4;
    case value_kind::big_integer: return oid::int8;
    case value_kind::real: return oid::float4;
    case value_kind::double_precision: return oid::float8;
    case value_kind::boolean: return oid::boolean;
    case value_kind::text: return oid::text;
    case value_kind::blob: return oid::bytea;
    case value_kind::timestamp: return oid::timestamptz;
  }
  return oid::text;
}

/// PostgreSQL counts time from 2000-01-01 UTC, in microseconds.
inline constexpr std::int64_t postgres_epoch_offset_us = 946'684'800'000'000;

template <class Unsigned>
inline void store_big_endian(char* out, Unsigned value) noexcept {
  if constexpr (std::endian::native == std::endian::little) {
    if constexpr (sizeof(Unsigned) == 8) value = __builtin_bswap64(value);
    else if constexpr (sizeof(Unsigned) == 4) value = __builtin_bswap32(value);
    else if constexpr (sizeof(Unsigned) == 2) value = __builtin_bswap16(value);
  }
  std::memcpy(out, &value, sizeof value);
}

template <class Unsigned>
inline Unsigned load_big_endian(const char* in) noexcept {
  Unsigned value;
  std::memcpy(&value, in, sizeof value);
  if constexpr (std::endian::native == std::endian::little) {
    if constexpr (sizeof(Unsigned) == 8) value = __builtin_bswap64(value);
    else if constexpr (sizeof(Unsigned) == 4) value = __builtin_bswap32(value);
    else if constexpr (sizeof(Unsigned) == 2) value = __builtin_bswap16(value);
  }
  return value;
}

/// Fixed-width values in binary form: at most 8 bytes, written into `out`; returns the size.
inline int encode(char* out, std::int16_t v) noexcept { store_big_endian(out, static_cast<std::uint16_t>(v)); return 2; }
inline int encode(char* out, std::int32_t v) noexcept { store_big_endian(out, static_cast<std::uint32_t>(v)); return 4; }
inline int encode(char* out, std::int64_t v) noexcept { store_big_endian(out, static_cast<std::uint64_t>(v)); return 8; }
inline int encode(char* out, float v) noexcept { store_big_endian(out, std::bit_cast<std::uint32_t>(v)); return 4; }
inline int encode(char* out, double v) noexcept { store_big_endian(out, std::bit_cast<std::uint64_t>(v)); return 8; }
inline int encode(char* out, bool v) noexcept { *out = v ? 1 : 0; return 1; }
inline int encode(char* out, wire_time v) noexcept {
  return encode(out, std::int64_t{v.time_since_epoch().count() - postgres_epoch_offset_us});
}

/// One value of a binary result as libpq hands it over: its column's type and its bytes (`bytes`
/// is null for SQL NULL). The decoders check the length before reading: a server sends correct
/// lengths, but a decoder must never read past what it was given.
struct binary_value {
  oid type;
  const char* bytes;
  std::size_t length;
};

/// int2, int4 and int8, widened.
inline read_status decode(const binary_value& v, std::int64_t& out) noexcept {
  if (v.bytes == nullptr) return read_status::null;
  switch (v.type) {
    case oid::int8:
      if (v.length != 8) return read_status::mismatch;
      out = static_cast<std::int64_t>(load_big_endian<std::uint64_t>(v.bytes));
      return read_status::value;
    case oid::int4:
      if (v.length != 4) return read_status::mismatch;
      out = static_cast<std::int32_t>(load_big_endian<std::uint32_t>(v.bytes));
      return read_status::value;
    case oid::int2:
      if (v.length != 2) return read_status::mismatch;
      out = static_cast<std::int16_t>(load_big_endian<std::uint16_t>(v.bytes));
      return read_status::value;
    default: return read_status::mismatch;
  }
}

/// float8, float4 (exactly widened) and the integers.
inline read_status decode(const binary_value& v, double& out) noexcept {
  if (v.bytes == nullptr) return read_status::null;
  switch (v.type) {
    case oid::float8:
      if (v.length != 8) return read_status::mismatch;
      out = std::bit_cast<double>(load_big_endian<std::uint64_t>(v.bytes));
      return read_status::value;
    case oid::float4:
      if (v.length != 4) return read_status::mismatch;
      out = static_cast<double>(std::bit_cast<float>(load_big_endian<std::uint32_t>(v.bytes)));
      return read_status::value;
    default: {
      std::int64_t integer = 0;
      const read_status s = decode(v, integer);
      if (s == read_status::value) out = static_cast<double>(integer);
      return s;
    }
  }
}

inline read_status decode(const binary_value& v, bool& out) noexcept {
  if (v.bytes == nullptr) return read_status::null;
  if (v.type != oid::boolean || v.length != 1) return read_status::mismatch;
  out = *v.bytes != 0;
  return read_status::value;
}

/// timestamptz and timestamp (whose wall time syncorm's sessions keep in UTC). ±infinity, and the
/// last 29 years PostgreSQL allows (beyond 294247, they overflow microseconds since 1970), are
/// out of range for every time_point.
inline read_status decode(const binary_value& v, wire_time& out) noexcept {
  if (v.bytes == nullptr) return read_status::null;
  if ((v.type != oid::timestamptz && v.type != oid::timestamp) || v.length != 8) return read_status::mismatch;
  const auto since_2000 = static_cast<std::int64_t>(load_big_endian<std::uint64_t>(v.bytes));
  if (since_2000 == std::numeric_limits<std::int64_t>::min() ||
      since_2000 > std::numeric_limits<std::int64_t>::max() - postgres_epoch_offset_us)
    return read_status::out_of_range;
  out = wire_time{std::chrono::microseconds{since_2000 + postgres_epoch_offset_us}};
  return read_status::value;
}

/// text, varchar, char(n) and name, as they are (the server checked their encoding).
inline read_status decode(const binary_value& v, std::string_view& out) noexcept {
  if (v.bytes == nullptr) return read_status::null;
  switch (v.type) {
    case oid::text:
    case oid::varchar:
    case oid::bpchar:
    case oid::name: out = std::string_view(v.bytes, v.length); return read_status::value;
    default: return read_status::mismatch;
  }
}

inline read_status decode(const binary_value& v, blob_view& out) noexcept {
  if (v.bytes == nullptr) return read_status::null;
  if (v.type != oid::bytea) return read_status::mismatch;
  out = blob_view(reinterpret_cast<const std::byte*>(v.bytes), v.length);
  return read_status::value;
}

/// What a value is, for error messages: its type as PostgreSQL names it and, for numbers and
/// times, the value itself ("the timestamptz infinity", "the double precision 1e+300").
inline std::string describe(const binary_value& v) {
  if (v.bytes == nullptr) return "NULL";
  auto number = [&]<class Number>(std::string_view type_name, Number value) -> std::string {
    if (decode(v, value) != read_status::value) return "a malformed " + std::string(type_name) + " value";
    if constexpr (std::is_same_v<Number, double>) return "the " + std::string(type_name) + " " + shortest_text(value);
    else return "the " + std::string(type_name) + " " + std::to_string(value);
  };
  switch (v.type) {
    case oid::int2: return number("smallint", std::int64_t{});
    case oid::int4: return number("integer", std::int64_t{});
    case oid::int8: return number("bigint", std::int64_t{});
    case oid::float4: return number("real", double{});
    case oid::float8: return number("double precision", double{});
    case oid::boolean: return "a boolean";
    case oid::bytea: return "a bytea";
    case oid::text:
    case oid::varchar:
    case oid::bpchar:
    case oid::name: return "text";
    case oid::timestamp:
    case oid::timestamptz: {
      const std::string type_name = v.type == oid::timestamp ? "timestamp" : "timestamptz";
      if (v.length != 8) return "a malformed " + type_name + " value";
      const auto since_2000 = static_cast<std::int64_t>(load_big_endian<std::uint64_t>(v.bytes));
      if (since_2000 == std::numeric_limits<std::int64_t>::max()) return "the " + type_name + " infinity";
      if (since_2000 == std::numeric_limits<std::int64_t>::min()) return "the " + type_name + " -infinity";
      // Split into days first: the sum since 1970 may not fit 64 bits.
      constexpr std::int64_t days_1970_to_2000 = postgres_epoch_offset_us / microseconds_per_day;
      std::int64_t days = since_2000 / microseconds_per_day;
      std::int64_t rest = since_2000 % microseconds_per_day;
      if (rest < 0) {
        days -= 1;
        rest += microseconds_per_day;
      }
      return "the " + type_name + " " + iso_8601(days + days_1970_to_2000, rest);
    }
    default: return "a value of type oid " + std::to_string(static_cast<unsigned>(v.type)) + " (see pg_type)";
  }
}

}  // namespace syncorm::detail::postgres
