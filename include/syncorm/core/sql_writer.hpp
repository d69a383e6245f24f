#pragma once
// The dialect-neutral representation of a statement is its C++ type; rendering it walks the type
// during constant evaluation and writes text through a dialect. Nothing here runs at run time.

#include <concepts>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "field_types.hpp"
#include "static_text.hpp"

namespace syncorm::detail {

/// What the core asks of an SQL dialect: how to spell placeholders and column types.
template <class D>
concept sql_dialect = requires(std::string& out, std::size_t number, value_kind kind) {
  { D::name } -> std::convertible_to<std::string_view>;
  D::append_placeholder(out, number);
  { D::column_type(kind) } -> std::convertible_to<std::string_view>;
  { D::generated_key_column(kind) } -> std::convertible_to<std::string_view>;
  { D::insert_returns_key } -> std::convertible_to<bool>;
  { D::offset_without_limit } -> std::convertible_to<std::string_view>;
  { D::lock_rows } -> std::convertible_to<std::string_view>;
  { D::table_options } -> std::convertible_to<std::string_view>;
};

/// One parameter of a statement: its SQL kind and the column its value belongs to (the column
/// written or compared; empty for LIMIT and OFFSET), so an error about the value can name it.
struct parameter_info {
  value_kind kind{};
  std::string_view column;
};

/// Accumulates SQL text and its parameters, in order, during constant evaluation.
template <sql_dialect Dialect>
struct sql_writer {
  using dialect = Dialect;
  std::string text;
  std::vector<parameter_info> parameters;

  constexpr sql_writer& operator<<(std::string_view s) {
    text += s;
    return *this;
  }
  constexpr void identifier(std::string_view name) { append_identifier(text, name); }
  constexpr void parameter(value_kind kind, std::string_view column) {
    parameters.push_back({kind, column});
    Dialect::append_placeholder(text, parameters.size());
  }
};

// A statement shape renders itself through a writer. Everything about it is a property of the
// type, which is what lets its text be frozen at compile time and its prepared form be cached.

template <class Shape, class Dialect>
struct rendered_text {
  static constexpr std::string build() {
    sql_writer<Dialect> w;
    Shape::template render<Dialect>(w);
    return w.text;
  }
};

template <class Shape, class Dialect>
struct rendered_parameters {
  static constexpr std::vector<parameter_info> build() {
    sql_writer<Dialect> w;
    Shape::template render<Dialect>(w);
    return w.parameters;
  }
};

/// The compiled form of one statement shape in one dialect: its SQL text and parameters, both in
/// static storage.
template <class Shape, sql_dialect Dialect>
struct compiled_statement {
  using shape = Shape;
  using dialect = Dialect;
  static constexpr std::string_view sql = frozen_text<rendered_text<Shape, Dialect>>::view;
  static constexpr auto& parameter_storage = frozen_array<rendered_parameters<Shape, Dialect>>::storage;
  static constexpr std::size_t parameter_count = parameter_storage.size();
  /// Kind and column of each parameter, in placeholder order.
  static constexpr const parameter_info* parameters = parameter_storage.data();
  static constexpr std::string_view table = Shape::table;
  /// Whether running the statement changes nothing (so it may be repeated, or sent to a replica).
  static constexpr bool read_only = [] {
    if constexpr (requires { Shape::read_only; }) return bool{Shape::read_only};
    else return false;
  }();
};

}  // namespace syncorm::detail
