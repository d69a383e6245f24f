#pragma once
// Sync event payloads: a row as a JSON object (Boost.JSON), keys = column names. Integers are JSON
// integers, float and double JSON numbers (the exact value; NaN and the infinities, which JSON has
// no numbers for, are the strings "NaN", "Infinity", "-Infinity"), bool, strings (UTF-8), null for
// an empty std::optional, time points ISO 8601 UTC with microseconds, bytes base64, enums their
// integer. README ("Sync event format") is the reference for consumers in other languages.

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <boost/pfr/core.hpp>

#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "../error.hpp"
#include "../reflect.hpp"
#include "../core/field_types.hpp"
#include "../core/statements.hpp"
#include "text_codecs.hpp"

namespace syncorm::detail {

// ---- encoding -----------------------------------------------------------------------------------

[[noreturn]] inline void throw_unencodable(std::string_view table, std::string_view column, std::string_view why) {
  throw type_error("syncorm: column " + std::string(table) + "." + std::string(column) +
                       " cannot be carried in a sync event: " + std::string(why),
                   std::string(table), std::string(column));
}

template <class V>
boost::json::value payload_value(const V& value, std::string_view table, std::string_view column,
                                 boost::json::storage_ptr storage) {
  if constexpr (std::is_enum_v<V>) {
    return boost::json::value(static_cast<std::int64_t>(static_cast<std::underlying_type_t<V>>(value)), storage);
  } else if constexpr (std::is_same_v<V, bool>) {
    return boost::json::value(value, storage);
  } else if constexpr (integer_value<V>) {
    return boost::json::value(static_cast<std::int64_t>(value), storage);
  } else if constexpr (std::is_floating_point_v<V>) {
    if (std::isnan(value)) return boost::json::value("NaN", storage);
    if (std::isinf(value)) return boost::json::value(value > 0 ? "Infinity" : "-Infinity", storage);
    return boost::json::value(static_cast<double>(value), storage);
  } else if constexpr (std::is_same_v<V, std::string>) {
    if (!is_utf8(value)) throw_unencodable(table, column, "the text is not valid UTF-8 (use std::vector<std::byte> for bytes)");
    return boost::json::value(boost::json::string_view(value.data(), value.size()), storage);
  } else if constexpr (std::is_same_v<V, std::vector<std::byte>>) {
    return boost::json::value(to_base64(value), storage);
  } else {
    static_assert(std::is_same_v<V, std::chrono::system_clock::time_point>);
    return boost::json::value(to_iso8601(std::chrono::floor<std::chrono::microseconds>(value)), storage);
  }
}

/// The payload of `row`: a JSON object of every column. Throws type_error naming the column for a
/// value JSON cannot carry (text that is not UTF-8).
template <class T>
std::string encode_payload(const T& row) {
  unsigned char buffer[2048];
  boost::json::monotonic_resource arena(buffer, sizeof buffer);
  boost::json::storage_ptr storage(&arena);
  boost::json::object object(storage);
  object.reserve(field_count<T>);
  for_each_field_index<T>([&](auto i) {
    const auto& field = boost::pfr::get<i>(row);
    constexpr std::string_view name = field_name_v<T, i>;
    if constexpr (is_optional<std::remove_cvref_t<decltype(field)>>::value) {
      if (field) object.emplace(name, payload_value(*field, table_name_v<T>, name, storage));
      else object.emplace(name, nullptr);
    } else {
      object.emplace(name, payload_value(field, table_name_v<T>, name, storage));
    }
  });
  return boost::json::serialize(object);
}

// ---- decoding -----------------------------------------------------------------------------------

/// A payload that cannot become a row: not JSON, not an object, a missing field, or a value of the
/// wrong type or out of range. The message names the event, the table and the field.
class malformed_payload : public type_error {
public:
  using type_error::type_error;
};

/// What a decode error is about: the event (for the message) and the table.
struct payload_context {
  std::string_view event_id;
  std::string_view table;
};

[[noreturn]] inline void throw_malformed(const payload_context& where, std::string_view column, std::string_view why) {
  std::string message = "syncorm: event " + std::string(where.event_id) + " for table " + std::string(where.table);
  if (!column.empty()) message += ", field " + std::string(column);
  message += ": " + std::string(why);
  throw malformed_payload(message, std::string(where.table), std::string(column));
}

inline std::string_view json_kind_name(const boost::json::value& v) noexcept {
  switch (v.kind()) {
    case boost::json::kind::null: return "null";
    case boost::json::kind::bool_: return "a boolean";
    case boost::json::kind::int64:
    case boost::json::kind::uint64: return "an integer";
    case boost::json::kind::double_: return "a number with a fraction";
    case boost::json::kind::string: return "a string";
    case boost::json::kind::array: return "an array";
    case boost::json::kind::object: return "an object";
  }
  return "a value";
}

template <class V>
void decode_payload_value(const boost::json::value& json, V& out, const payload_context& where, std::string_view column) {
  auto wrong = [&](std::string_view expected) {
    throw_malformed(where, column, "holds " + std::string(json_kind_name(json)) + ", expected " + std::string(expected));
  };
  if constexpr (std::is_same_v<V, bool>) {
    if (!json.is_bool()) wrong("a boolean");
    out = json.get_bool();
  } else if constexpr (integer_value<V> || std::is_enum_v<V>) {
    using integer = typename std::conditional_t<std::is_enum_v<V>, std::underlying_type<V>, std::type_identity<V>>::type;
    bool fits = false;
    integer value{};
    if (json.is_int64()) {
      fits = std::in_range<integer>(json.get_int64());
      if (fits) value = static_cast<integer>(json.get_int64());
    } else if (json.is_uint64()) {
      fits = std::in_range<integer>(json.get_uint64());
      if (fits) value = static_cast<integer>(json.get_uint64());
    } else if (json.is_double()) {
      // Some serializers write every number with a fraction: accept an exact whole number.
      const double d = json.get_double();
      constexpr double two_to_63 = 9223372036854775808.0;
      fits = std::trunc(d) == d && d >= -two_to_63 && d < two_to_63 &&
             std::in_range<integer>(static_cast<std::int64_t>(d));
      if (fits) value = static_cast<integer>(d);
    } else {
      wrong("an integer");
    }
    if (!fits) {
      char text[32];
      const auto end = json.is_double() ? std::to_chars(text, text + sizeof text, json.get_double()).ptr
                       : json.is_int64() ? std::to_chars(text, text + sizeof text, json.get_int64()).ptr
                                         : std::to_chars(text, text + sizeof text, json.get_uint64()).ptr;
      throw_malformed(where, column, "holds " + std::string(text, end) + ", which does not fit the field");
    }
    out = static_cast<V>(value);
  } else if constexpr (std::is_floating_point_v<V>) {
    double value = 0;
    if (json.is_double()) value = json.get_double();
    else if (json.is_int64()) value = static_cast<double>(json.get_int64());
    else if (json.is_uint64()) value = static_cast<double>(json.get_uint64());
    else if (json.is_string() && json.get_string() == "NaN") value = std::numeric_limits<double>::quiet_NaN();
    else if (json.is_string() && json.get_string() == "Infinity") value = std::numeric_limits<double>::infinity();
    else if (json.is_string() && json.get_string() == "-Infinity") value = -std::numeric_limits<double>::infinity();
    else wrong("a number (or \"NaN\", \"Infinity\", \"-Infinity\")");
    if constexpr (std::is_same_v<V, float>) {
      if (std::isfinite(value) && std::isinf(static_cast<float>(value)))
        throw_malformed(where, column, "holds a number too large for a float");
    }
    out = static_cast<V>(value);
  } else if constexpr (std::is_same_v<V, std::string>) {
    if (!json.is_string()) wrong("a string");
    out.assign(json.get_string().data(), json.get_string().size());
  } else if constexpr (std::is_same_v<V, std::vector<std::byte>>) {
    if (!json.is_string()) wrong("a base64 string");
    auto bytes = from_base64(std::string_view(json.get_string().data(), json.get_string().size()));
    if (!bytes) throw_malformed(where, column, "is not valid base64");
    out = std::move(*bytes);
  } else {
    static_assert(std::is_same_v<V, std::chrono::system_clock::time_point>);
    if (!json.is_string()) wrong("an ISO 8601 time string");
    const auto t = from_iso8601(std::string_view(json.get_string().data(), json.get_string().size()));
    if (!t) throw_malformed(where, column, "is not an ISO 8601 UTC time like 2026-11-23T15:41:31.123456Z");
    using duration = std::chrono::system_clock::duration;
    constexpr auto lowest = std::chrono::duration_cast<std::chrono::microseconds>(duration::min()) +
                            std::chrono::microseconds{1};
    constexpr auto highest = std::chrono::duration_cast<std::chrono::microseconds>(duration::max());
    if (t->time_since_epoch() < lowest || t->time_since_epoch() > highest)
      throw_malformed(where, column, "is a time a std::chrono::system_clock::time_point cannot hold");
    out = std::chrono::time_point_cast<duration>(*t);
  }
}

/// Decodes a payload into a row of T. Throws malformed_payload naming event, table and field.
template <class T>
T decode_payload(std::string_view payload, const payload_context& where) {
  unsigned char buffer[4096];
  boost::json::monotonic_resource arena(buffer, sizeof buffer);
  boost::system::error_code failure;
  const boost::json::value document = boost::json::parse(payload, failure, &arena);
  if (failure) throw_malformed(where, {}, "the payload is not JSON (" + failure.message() + ")");
  if (!document.is_object()) throw_malformed(where, {}, "the payload is not a JSON object");
  const boost::json::object& object = document.get_object();
  T row{};
  for_each_field_index<T>([&](auto i) {
    constexpr std::string_view name = field_name_v<T, i>;
    auto& field = boost::pfr::get<i>(row);
    const boost::json::value* json = object.if_contains(name);
    if (json == nullptr) throw_malformed(where, name, "is missing");
    if constexpr (is_optional<std::remove_cvref_t<decltype(field)>>::value) {
      if (json->is_null()) {
        field.reset();
      } else {
        field.emplace();
        decode_payload_value(*json, *field, where, name);
      }
    } else {
      if (json->is_null()) throw_malformed(where, name, "is null, but the field is not std::optional");
      decode_payload_value(*json, field, where, name);
    }
  });
  return row;
}

}  // namespace syncorm::detail
