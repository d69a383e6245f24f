#pragma once
// A sync payload's members as a JSON parser reported them, and the rows they become: what reading a
// payload needs besides the parser itself (payload_reader.hpp, Boost.JSON). The cache reads its
// Redis rows through these with the parser the Redis level brings, so that a file using the cache
// without Redis compiles no JSON parser.

#include <boost/pfr/core.hpp>

#include <charconv>
#include <initializer_list>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "../core/chrono.hpp"
#include "../error.hpp"
#include "../reflect.hpp"
#include "../core/field_types.hpp"
#include "../core/statements.hpp"
#include "text_codecs.hpp"

namespace syncorm::detail {


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

/// Throws malformed_payload "syncorm: event <id> for table <table>[, field <column>]: <why>". Out of
/// line and cold, its message in pieces: decoding is one instantiation per field type, and each
/// would otherwise compile its own string concatenations.
[[noreturn, gnu::cold, gnu::noinline]] inline void throw_malformed(const payload_context& where, std::string_view column,
                                                                   std::initializer_list<message_piece> why) {
  std::string message = join({"syncorm: event ", where.event_id, " for table ", where.table,
                              column.empty() ? "" : ", field ", column, ": "});
  message += join(why);
  throw malformed_payload(message, std::string(where.table), std::string(column));
}

/// One member of a payload's top-level object, as Boost.JSON's parser reported it. Numbers keep
/// their text: Boost 1.81 converts some decimal texts to the neighbouring double (about a third of
/// all doubles written in shortest form come back one unit in the last place off), so a number
/// becomes a value here, with std::from_chars, which is exact.
struct payload_member {
  enum class kind : std::uint8_t { null, boolean, integer, number, string, nested };
  std::string key;
  kind type = kind::null;
  bool boolean = false;
  std::string text;  ///< a string's value, or a number's text
};

inline std::string_view payload_kind_name(payload_member::kind k) noexcept {
  switch (k) {
    case payload_member::kind::null: return "null";
    case payload_member::kind::boolean: return "a boolean";
    case payload_member::kind::integer: return "an integer";
    case payload_member::kind::number: return "a number with a fraction";
    case payload_member::kind::string: return "a string";
    case payload_member::kind::nested: return "an array or an object";
  }
  return "a value";
}

/// A number's text as a double, exactly (std::from_chars rounds correctly).
inline double payload_number(const payload_member& json, const payload_context& where, std::string_view column) {
  double value = 0;
  const char* first = json.text.data();
  const char* last = first + json.text.size();
  const auto [end, status] = std::from_chars(first, last, value);
  if (status == std::errc::result_out_of_range)
    throw_malformed(where, column, {"holds ", json.text, ", which does not fit a double"});
  if (status != std::errc{} || end != last) throw_malformed(where, column, {"holds the number ", json.text, ", which cannot be read"});
  return value;
}

template <class V>
void decode_payload_value(const payload_member& json, V& out, const payload_context& where, std::string_view column) {
  using kind = payload_member::kind;
  auto wrong = [&](std::string_view expected) {
    throw_malformed(where, column, {"holds ", payload_kind_name(json.type), ", expected ", expected});
  };
  if constexpr (std::is_same_v<V, bool>) {
    if (json.type != kind::boolean) wrong("a boolean");
    out = json.boolean;
  } else if constexpr (integer_value<V> || std::is_enum_v<V>) {
    using integer = typename std::conditional_t<std::is_enum_v<V>, std::underlying_type<V>, std::type_identity<V>>::type;
    bool fits = false;
    integer value{};
    if (json.type == kind::integer) {
      const char* last = json.text.data() + json.text.size();
      const auto [end, status] = std::from_chars(json.text.data(), last, value);
      fits = status == std::errc{} && end == last;
    } else if (json.type == kind::number) {
      // Some serializers write every number with a fraction: accept an exact whole number.
      const double d = payload_number(json, where, column);
      constexpr double two_to_63 = 9223372036854775808.0;
      fits = std::trunc(d) == d && d >= -two_to_63 && d < two_to_63 &&
             std::in_range<integer>(static_cast<std::int64_t>(d));
      if (fits) value = static_cast<integer>(d);
    } else {
      wrong("an integer");
    }
    if (!fits) throw_malformed(where, column, {"holds ", json.text, ", which does not fit the field"});
    out = static_cast<V>(value);
  } else if constexpr (std::is_floating_point_v<V>) {
    double value = 0;
    if (json.type == kind::integer || json.type == kind::number) value = payload_number(json, where, column);
    else if (json.type == kind::string && json.text == "NaN") value = std::numeric_limits<double>::quiet_NaN();
    else if (json.type == kind::string && json.text == "Infinity") value = std::numeric_limits<double>::infinity();
    else if (json.type == kind::string && json.text == "-Infinity") value = -std::numeric_limits<double>::infinity();
    else wrong("a number (or \"NaN\", \"Infinity\", \"-Infinity\")");
    if constexpr (std::is_same_v<V, float>) {
      if (std::isfinite(value) && std::isinf(static_cast<float>(value)))
        throw_malformed(where, column, {"holds a number too large for a float"});
    }
    out = static_cast<V>(value);
  } else if constexpr (std::is_same_v<V, std::string>) {
    if (json.type != kind::string) wrong("a string");
    out = json.text;
  } else if constexpr (std::is_same_v<V, std::vector<std::byte>>) {
    if (json.type != kind::string) wrong("a base64 string");
    auto bytes = from_base64(json.text);
    if (!bytes) throw_malformed(where, column, {"is not valid base64"});
    out = std::move(*bytes);
  } else {
    static_assert(std::is_same_v<V, std::chrono::system_clock::time_point>);
    if (json.type != kind::string) wrong("an ISO 8601 time string");
    const auto t = from_iso8601(json.text);
    if (!t) throw_malformed(where, column, {"is not an ISO 8601 UTC time like 2026-11-23T15:41:31.123456Z"});
    using duration = std::chrono::system_clock::duration;
    constexpr auto lowest = std::chrono::duration_cast<std::chrono::microseconds>(duration::min()) +
                            std::chrono::microseconds{1};
    constexpr auto highest = std::chrono::duration_cast<std::chrono::microseconds>(duration::max());
    if (t->time_since_epoch() < lowest || t->time_since_epoch() > highest)
      throw_malformed(where, column, {"is a time a std::chrono::system_clock::time_point cannot hold"});
    out = std::chrono::time_point_cast<duration>(*t);
  }
}

/// A row of T from a payload's members. Throws malformed_payload naming event, table and field.
template <class T>
T decode_members(const std::vector<payload_member>& members, const payload_context& where) {
  T row{};
  for_each_field_index<T>([&](auto i) {
    constexpr std::string_view name = field_name_v<T, i>;
    auto& field = boost::pfr::get<i>(row);
    const payload_member* json = nullptr;
    for (const payload_member& m : members) {
      if (m.key == name) json = &m;  // the last of duplicate keys wins, as with Boost.JSON's parse
    }
    if (json == nullptr) throw_malformed(where, name, {"is missing"});
    if constexpr (is_optional<std::remove_cvref_t<decltype(field)>>::value) {
      if (json->type == payload_member::kind::null) {
        field.reset();
      } else {
        field.emplace();
        decode_payload_value(*json, *field, where, name);
      }
    } else {
      if (json->type == payload_member::kind::null) throw_malformed(where, name, {"is null, but the field is not std::optional"});
      decode_payload_value(*json, field, where, name);
    }
  });
  return row;
}

}  // namespace syncorm::detail
