#pragma once
// Schema from reflection: CREATE TABLE / CREATE INDEX / DROP TABLE text for a model, in any dialect.
// Column types come from the dialect, constraints from the field types (std::optional => NULL-able)
// and from model_traits (unique_columns, indexed_columns).

#include <cstddef>
#include <string_view>
#include <type_traits>

#include "detail/field_types.hpp"
#include "detail/sql_writer.hpp"
#include "detail/statements.hpp"
#include "reflect.hpp"

namespace syncorm::detail {

template <class List>
struct column_list_traits {
  template <class T>
  static constexpr bool contains(std::size_t) { return false; }
  static constexpr std::size_t size = 0;
};

template <auto... Members>
struct column_list_traits<columns<Members...>> {
  static constexpr std::size_t size = sizeof...(Members);
  template <class T>
  static constexpr bool contains([[maybe_unused]] std::size_t index) {
    static_assert((std::is_same_v<typename member_pointer_info<Members>::owner, T> && ...),
                  "syncorm: model_traits<T> lists a column of another model");
    return ((member_pointer_info<Members>::index == index) || ...);
  }
  template <std::size_t I>
  static constexpr std::size_t index_at = [] {
    constexpr std::size_t indexes[] = {member_pointer_info<Members>::index...};
    return indexes[I];
  }();
};

template <class T>
struct unique_columns_of_model {
  using type = columns<>;
};
template <class T>
  requires requires { typename model_traits<T>::unique_columns; }
struct unique_columns_of_model<T> {
  using type = typename model_traits<T>::unique_columns;
};
template <class T>
using unique_columns_of = typename unique_columns_of_model<T>::type;

template <class T>
struct indexed_columns_of_model {
  using type = columns<>;
};
template <class T>
  requires requires { typename model_traits<T>::indexed_columns; }
struct indexed_columns_of_model<T> {
  using type = typename model_traits<T>::indexed_columns;
};
template <class T>
using indexed_columns_of = typename indexed_columns_of_model<T>::type;

/// CREATE TABLE IF NOT EXISTS t (...).
template <class T>
struct create_table_shape {
  static constexpr std::string_view table = table_name_v<T>;
  template <class Dialect, class Writer>
  static constexpr void render(Writer& w) {
    w << "CREATE TABLE IF NOT EXISTS ";
    w.identifier(table);
    w << " (";
    bool first = true;
    for_each_field_index<T>([&](auto i) {
      using field = field_type<T, i>;
      if (!first) w << ", ";
      first = false;
      w.identifier(field_name_v<T, i>);
      w << " ";
      if constexpr (has_generated_key<T> && i == primary_key_index<T>) {
        w << Dialect::generated_key_column(kind_of_field<field>);
      } else {
        w << Dialect::column_type(kind_of_field<field>);
        if constexpr (has_primary_key<T> && i == primary_key_index<T>) w << " PRIMARY KEY";
        if constexpr (!is_nullable_field<field>) w << " NOT NULL";
        if constexpr (column_list_traits<unique_columns_of<T>>::template contains<T>(i)) w << " UNIQUE";
      }
    });
    w << ")";
    w << Dialect::table_options;
  }
};

/// CREATE INDEX IF NOT EXISTS t_column_idx ON t (column).
template <class T, std::size_t Field>
struct create_index_shape {
  static constexpr std::string_view table = table_name_v<T>;
  template <class Dialect, class Writer>
  static constexpr void render(Writer& w) {
    w << "CREATE INDEX IF NOT EXISTS ";
    // Appended character by character: under -fsanitize=undefined GCC 12 cannot constant-fold the
    // null check std::string's pointer constructor makes on a view into frozen storage.
    std::string index_name;
    for (const char c : table) index_name += c;
    index_name += '_';
    for (const char c : field_name_v<T, Field>) index_name += c;
    index_name += "_idx";
    w.identifier(index_name);
    w << " ON ";
    w.identifier(table);
    w << " (";
    w.identifier(field_name_v<T, Field>);
    w << ")";
  }
};

/// DROP TABLE IF EXISTS t.
template <class T>
struct drop_table_shape {
  static constexpr std::string_view table = table_name_v<T>;
  template <class Dialect, class Writer>
  static constexpr void render(Writer& w) {
    w << "DROP TABLE IF EXISTS ";
    w.identifier(table);
  }
};

/// Calls `f.template operator()<Shape>()` for each DDL statement that creates T's table.
template <class T, class F>
void for_each_create_statement(F&& f) {
  f.template operator()<create_table_shape<T>>();
  using indexed = column_list_traits<indexed_columns_of<T>>;
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    (f.template operator()<create_index_shape<T, indexed::template index_at<I>>>(), ...);
  }(std::make_index_sequence<indexed::size>{});
}

}  // namespace syncorm::detail
