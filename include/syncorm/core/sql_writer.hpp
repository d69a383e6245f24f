#pragma once
// The dialect-neutral representation of a statement is its C++ type; rendering it walks the type
// during constant evaluation and writes text through a dialect. Nothing here runs at run time.

#include <array>
#include <concepts>
#include <cstddef>
#include <string_view>

#include "field_types.hpp"
#include "static_text.hpp"

namespace syncorm::detail {

// Rendering writes through a sql_writer twice, into sinks that never allocate: first into
// counters, to learn the text's length and the number of parameters, then into arrays of exactly
// those sizes. Both passes together cost the compiler a fraction of what building a std::string
// and a std::vector in constant evaluation does (and each of those had to be built twice: once
// for the size, once for the contents).

/// Counts the characters written (first pass).
struct text_length {
  std::size_t size = 0;
  constexpr void operator+=(char) { ++size; }
};

/// Stores the characters written into `N` + 1 characters, the last one the NUL C APIs need.
template <std::size_t N>
struct text_storage {
  std::array<char, N + 1> chars{};
  std::size_t size = 0;
  constexpr void operator+=(char c) { chars[size++] = c; }
};

/// Counts the parameters written (first pass).
struct parameter_count_sink {
  std::size_t count = 0;
  constexpr void push_back(value_kind) { ++count; }
  [[nodiscard]] constexpr std::size_t size() const { return count; }
};

/// Stores the kinds of `N` parameters, in placeholder order.
template <std::size_t N>
struct parameter_storage {
  std::array<value_kind, N> kinds{};
  std::size_t count = 0;
  constexpr void push_back(value_kind kind) { kinds[count++] = kind; }
  [[nodiscard]] constexpr std::size_t size() const { return count; }
};

/// What the core asks of an SQL dialect: how to spell placeholders and column types.
template <class D>
concept sql_dialect = requires(text_length& out, std::size_t number, value_kind kind) {
  { D::name } -> std::convertible_to<std::string_view>;
  D::append_placeholder(out, number);
  { D::column_type(kind) } -> std::convertible_to<std::string_view>;
  { D::generated_key_column(kind) } -> std::convertible_to<std::string_view>;
  { D::insert_returns_key } -> std::convertible_to<bool>;
  { D::offset_without_limit } -> std::convertible_to<std::string_view>;
  { D::lock_rows } -> std::convertible_to<std::string_view>;
  { D::table_options } -> std::convertible_to<std::string_view>;
};

/// Accumulates SQL text and the kinds of its parameters, in order, during constant evaluation.
template <sql_dialect Dialect, class Text, class Parameters>
struct sql_writer {
  using dialect = Dialect;
  Text text;
  Parameters parameters;

  constexpr sql_writer& operator<<(std::string_view s) {
    for (const char c : s) text += c;
    return *this;
  }
  constexpr void identifier(std::string_view name) { append_identifier(text, name); }
  constexpr void parameter(value_kind kind) {
    parameters.push_back(kind);
    Dialect::append_placeholder(text, parameters.size());
  }
};

// A statement shape renders itself through a writer. Everything about it is a property of the
// type, which is what lets its text be frozen at compile time and its prepared form be cached.

template <class Shape, class Dialect>
struct rendered_statement {
  static constexpr auto measured = [] {
    sql_writer<Dialect, text_length, parameter_count_sink> w;
    Shape::template render<Dialect>(w);
    return w;
  }();
  static constexpr auto stored = [] {
    sql_writer<Dialect, text_storage<measured.text.size>, parameter_storage<measured.parameters.count>> w;
    Shape::template render<Dialect>(w);
    return w;
  }();
};

/// The compiled form of one statement shape in one dialect: its SQL text and parameter kinds,
/// both in static storage.
template <class Shape, sql_dialect Dialect>
struct compiled_statement {
  using shape = Shape;
  using dialect = Dialect;
  static constexpr std::string_view sql{rendered_statement<Shape, Dialect>::stored.text.chars.data(),
                                        rendered_statement<Shape, Dialect>::measured.text.size};
  static constexpr std::size_t parameter_count = rendered_statement<Shape, Dialect>::measured.parameters.count;
  static constexpr const value_kind* parameter_kinds =
      rendered_statement<Shape, Dialect>::stored.parameters.kinds.data();
  static constexpr std::string_view table = Shape::table;
  /// Whether running the statement changes nothing (so it may be repeated, or sent to a replica).
  static constexpr bool read_only = [] {
    if constexpr (requires { Shape::read_only; }) return bool{Shape::read_only};
    else return false;
  }();
};

}  // namespace syncorm::detail
