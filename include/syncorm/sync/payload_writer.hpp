#pragma once
// Writing sync event payloads: a row as a JSON object (Boost.JSON), keys = column names. Integers are
// JSON integers, float and double JSON numbers (the exact value; NaN and the infinities, which JSON has
// no numbers for, are the strings "NaN", "Infinity", "-Infinity"), bool, strings (UTF-8), null for
// an empty std::optional, time points ISO 8601 UTC with microseconds, bytes base64, enums their
// integer. README ("Sync event format") is the reference for consumers in other languages. Reading
// them back is payload_reader.hpp, which a file that only writes synced models does not need.

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <boost/pfr/core.hpp>

#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "../core/chrono.hpp"
#include "../error.hpp"
#include "../reflect.hpp"
#include "../core/field_types.hpp"
#include "../core/statements.hpp"
#include "text_codecs.hpp"

namespace syncorm::detail {

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

}  // namespace syncorm::detail
