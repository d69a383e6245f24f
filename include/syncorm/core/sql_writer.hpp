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

/// One parameter of a statement: its SQL kind and the column its value belongs to (the column
/// written or compared; empty for LIMIT and OFFSET), so an error about the value can name it.
struct parameter_info {
  value_kind kind{};
  std::string_view column;
};

// Rendering runs twice, through one writer type: first with nowhere to write, to learn the
// text's length and the number of parameters, then into arrays of exactly those sizes. Neither
// pass allocates (std::string and std::vector in constant evaluation cost the compiler several
// times as much), and with one writer type each shape's render is instantiated once, not once per
// pass.

/// Accumulates SQL text and its parameters, in order, during constant evaluation: into `chars` and
/// `parameters` when they point somewhere, else only counting them (the text as any text_writer).
template <class Dialect>
struct sql_writer : text_writer {
  using dialect = Dialect;
  parameter_info* parameters = nullptr;
  std::size_t parameter_count = 0;

  constexpr sql_writer& operator<<(std::string_view s) {
    text_writer::operator<<(s);
    return *this;
  }
  constexpr void identifier(std::string_view name) { append_identifier(*this, name); }
  constexpr void parameter(value_kind kind, std::string_view column) {
    if (parameters != nullptr) parameters[parameter_count] = {kind, column};
    ++parameter_count;
    Dialect::append_placeholder(*this, parameter_count);
  }
};

/// What the core asks of an SQL dialect: how to spell placeholders and column types.
template <class D>
concept sql_dialect = requires(sql_writer<D>& out, std::size_t number, value_kind kind) {
  { D::name } -> std::convertible_to<std::string_view>;
  D::append_placeholder(out, number);
  { D::column_type(kind) } -> std::convertible_to<std::string_view>;
  { D::generated_key_column(kind) } -> std::convertible_to<std::string_view>;
  { D::reusable_key_column(kind) } -> std::convertible_to<std::string_view>;
  { D::insert_returns_key } -> std::convertible_to<bool>;
  { D::offset_without_limit } -> std::convertible_to<std::string_view>;
  { D::lock_rows } -> std::convertible_to<std::string_view>;
  { D::table_options } -> std::convertible_to<std::string_view>;
};

// A statement shape renders itself through a writer. Everything about it is a property of the
// type, which is what lets its text be frozen at compile time and its prepared form be cached.

template <class Shape, class Dialect>
struct rendered_statement {
  static constexpr sql_writer<Dialect> measured = [] {
    sql_writer<Dialect> w;
    Shape::template render<Dialect>(w);
    return w;
  }();
  /// The text, NUL-terminated for C APIs, and the parameters.
  struct storage {
    std::array<char, measured.length + 1> chars{};
    std::array<parameter_info, measured.parameter_count> parameters{};
  };
  static constexpr storage stored = [] {
    storage s{};
    sql_writer<Dialect> w{{s.chars.data()}, s.parameters.data()};
    Shape::template render<Dialect>(w);
    return s;
  }();
};

/// The compiled form of one statement shape in one dialect: its SQL text and parameters, both in
/// static storage.
template <class Shape, sql_dialect Dialect>
struct compiled_statement {
  using shape = Shape;
  using dialect = Dialect;
  static constexpr std::string_view sql{rendered_statement<Shape, Dialect>::stored.chars.data(),
                                        rendered_statement<Shape, Dialect>::measured.length};
  static constexpr std::size_t parameter_count = rendered_statement<Shape, Dialect>::measured.parameter_count;
  /// Kind and column of each parameter, in placeholder order.
  static constexpr const parameter_info* parameters = rendered_statement<Shape, Dialect>::stored.parameters.data();
  static constexpr std::string_view table = Shape::table;
  /// Whether running the statement changes nothing (so it may be repeated, or sent to a replica).
  static constexpr bool read_only = [] {
    if constexpr (requires { Shape::read_only; }) return bool{Shape::read_only};
    else return false;
  }();
};

}  // namespace syncorm::detail
