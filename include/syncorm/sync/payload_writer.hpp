#pragma once
// Writing sync event payloads: a row as a JSON object, keys = column names. Integers are JSON
// integers, float and double JSON numbers (the shortest text that reads back as the same double;
// NaN and the infinities, which JSON has no numbers for, are the strings "NaN", "Infinity",
// "-Infinity"), bool, strings (UTF-8), null for an empty std::optional, time points ISO 8601 UTC
// with microseconds, bytes base64, enums their integer. README ("Sync event format") is the
// reference for consumers in other languages. Reading them back is payload_reader.hpp (Boost.JSON's
// parser), which a file that only writes synced models does not need.
//
// Writing needs no JSON library: the only rules are quoting strings and spelling numbers, and
// std::to_chars spells doubles exactly. Building a boost::json::object to serialise it cost every
// file that writes a synced model about 0.5 s of parsing Boost.JSON's headers, and each synced model
// several KB of object code; this costs neither. Every payload written is read back by Boost.JSON,
// SQLite's and PostgreSQL's JSON functions and Python's json module in the tests.

#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <boost/pfr/core.hpp>

#include "../core/chrono.hpp"
#include "../core/field_types.hpp"
#include "../core/statements.hpp"
#include "../core/static_text.hpp"
#include "../error.hpp"
#include "../reflect.hpp"
#include "text_codecs.hpp"

namespace syncorm::detail {

[[noreturn, gnu::cold, gnu::noinline]] inline void throw_unencodable(std::string_view table, std::string_view column,
                                                                     std::string_view why) {
  throw_error<type_error>({"syncorm: column ", table, ".", column, " cannot be carried in a sync event: ", why}, table,
                          column);
}

/// Appends `text` as a JSON string: quote and backslash escaped, control characters as \n, \t, ...
/// or \u00XX (RFC 8259 section 7), everything else, UTF-8 included, as it is. `Text` is std::string
/// at run time, or anything with `+= char` during constant evaluation (keys).
template <class Text>
constexpr void append_json_string(Text& out, std::string_view text) {
  constexpr std::string_view hex = "0123456789abcdef";
  out += '"';
  for (const char c : text) {
    switch (c) {
      case '"': out += '\\'; out += '"'; break;
      case '\\': out += '\\'; out += '\\'; break;
      case '\b': out += '\\'; out += 'b'; break;
      case '\f': out += '\\'; out += 'f'; break;
      case '\n': out += '\\'; out += 'n'; break;
      case '\r': out += '\\'; out += 'r'; break;
      case '\t': out += '\\'; out += 't'; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += '\\';
          out += 'u';
          out += '0';
          out += '0';
          out += hex[static_cast<unsigned char>(c) >> 4];
          out += hex[static_cast<unsigned char>(c) & 0xF];
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

/// What goes before field `I`'s value: `{"name":` for the first field, `,"name":` for the others,
/// spelled once at compile time.
template <class T, std::size_t I>
struct payload_key_builder {
  static constexpr void build(text_writer& out) {
    out += I == 0 ? '{' : ',';
    append_json_string(out, field_name_v<T, I>);
    out += ':';
  }
};

// One function per JSON value type, shared by every model: a model's own code is only the calls.
inline void append_json_integer(std::string& out, std::int64_t value) {
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
  out.append(digits, end);
}

/// A finite double as the shortest text that reads back as it, with ".0" added where that text
/// would look like an integer, so that consumers that tell the two apart (Python) see a float.
inline void append_json_double(std::string& out, double value) {
  if (std::isnan(value)) {
    out.append("\"NaN\"");
    return;
  }
  if (std::isinf(value)) {
    out.append(value > 0 ? "\"Infinity\"" : "\"-Infinity\"");
    return;
  }
  char digits[32];
  const auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
  out.append(digits, end);
  if (std::string_view{digits, static_cast<std::size_t>(end - digits)}.find_first_of(".e") == std::string_view::npos)
    out.append(".0");
}

inline void append_json_text(std::string& out, std::string_view text, std::string_view table, std::string_view column) {
  if (!is_utf8(text)) throw_unencodable(table, column, "the text is not valid UTF-8 (use std::vector<std::byte> for bytes)");
  append_json_string(out, text);
}

template <class V>
void append_payload_value(std::string& out, const V& value, std::string_view table, std::string_view column) {
  if constexpr (std::is_enum_v<V>) {
    append_json_integer(out, static_cast<std::int64_t>(static_cast<std::underlying_type_t<V>>(value)));
  } else if constexpr (std::is_same_v<V, bool>) {
    out.append(value ? "true" : "false");
  } else if constexpr (integer_value<V>) {
    append_json_integer(out, static_cast<std::int64_t>(value));
  } else if constexpr (std::is_floating_point_v<V>) {
    append_json_double(out, static_cast<double>(value));
  } else if constexpr (std::is_same_v<V, std::string>) {
    append_json_text(out, value, table, column);
  } else if constexpr (std::is_same_v<V, std::vector<std::byte>>) {
    append_json_string(out, to_base64(value));
  } else {
    static_assert(std::is_same_v<V, std::chrono::system_clock::time_point>);
    append_json_string(out, to_iso8601(std::chrono::floor<std::chrono::microseconds>(value)));
  }
}

/// The payload of `row`: a JSON object of every column, in field order. Throws type_error naming
/// the column for a value JSON cannot carry (text that is not UTF-8).
template <class T>
std::string encode_payload(const T& row) {
  std::string out;
  out.reserve(256);
  for_each_field_index<T>([&](auto i) {
    out.append(frozen_text<payload_key_builder<T, i>>::view);
    const auto& field = boost::pfr::get<i>(row);
    if constexpr (is_optional<std::remove_cvref_t<decltype(field)>>::value) {
      if (field) append_payload_value(out, *field, table_name_v<T>, field_name_v<T, i>);
      else out.append("null");
    } else {
      append_payload_value(out, field, table_name_v<T>, field_name_v<T, i>);
    }
  });
  if constexpr (field_count<T> == 0) out += '{';
  out += '}';
  return out;
}

}  // namespace syncorm::detail
