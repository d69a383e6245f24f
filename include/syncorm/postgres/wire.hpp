#pragma once
// PostgreSQL's binary wire format for the value kinds syncorm uses: type OIDs, and encoding and
// decoding of each value. Parameters, results and COPY all use it, so no value is ever printed to
// or parsed from text.

#include <bit>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "../core/chrono.hpp"
#include "../core/field_types.hpp"

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

}  // namespace syncorm::detail::postgres
