#pragma once
// Schema from reflection: CREATE TABLE / CREATE INDEX / DROP TABLE text for a model, in any dialect.
// Column types come from the dialect, constraints from the field types (std::optional => NULL-able)
// and from model_traits (unique_columns, indexed_columns, may_reuse_ids).

#include <cstddef>
#include <string_view>
#include <type_traits>

#include "core/field_types.hpp"
#include "core/sql_writer.hpp"
#include "core/statements.hpp"
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

/// The columns<...> list a model_traits member names (`Get<model_traits<T>>`), or an empty list.
template <class T, template <class> class Get>
struct listed_columns {
  using type = columns<>;
};
template <class T, template <class> class Get>
  requires requires { typename Get<model_traits<T>>; }
struct listed_columns<T, Get> {
  using type = Get<model_traits<T>>;
};

template <class Traits>
using unique_columns_member = typename Traits::unique_columns;
template <class Traits>
using indexed_columns_member = typename Traits::indexed_columns;

template <class T>
using unique_columns_of = typename listed_columns<T, unique_columns_member>::type;
template <class T>
using indexed_columns_of = typename listed_columns<T, indexed_columns_member>::type;

/// model_traits<T>::may_reuse_ids, or false. A permission, not a request: the id may be reused
/// (SQLite then drops AUTOINCREMENT and its sqlite_sequence write per insert), never must be.
template <class T>
consteval bool may_reuse_ids_of() {
  if constexpr (requires { model_traits<T>::may_reuse_ids; }) {
    static_assert(std::is_same_v<std::remove_cv_t<decltype(model_traits<T>::may_reuse_ids)>, bool>,
                  "syncorm: model_traits<T>::may_reuse_ids must be a static constexpr bool");
    return model_traits<T>::may_reuse_ids;
  } else {
    return false;
  }
}

/// CREATE TABLE IF NOT EXISTS t (...).
template <class T>
struct create_table_shape {
  static constexpr std::string_view table = table_name_v<T>;
  template <class Dialect, class Writer>
  static constexpr void render(Writer& w) {
    w << "CREATE TABLE IF NOT EXISTS ";
    w.identifier(table);
    w << " (";
    render_fields<T>(w, every_field, [](Writer& out, auto i) {
      using field = field_type<T, i>;
      out.identifier(field_name_v<T, i>);
      out << " ";
      if constexpr (has_generated_key<T> && i == primary_key_index<T>) {
        if constexpr (may_reuse_ids_of<T>()) out << Dialect::reusable_key_column(kind_of_field<field>);
        else out << Dialect::generated_key_column(kind_of_field<field>);
      } else {
        out << Dialect::column_type(kind_of_field<field>);
        if constexpr (has_primary_key<T> && i == primary_key_index<T>) out << " PRIMARY KEY";
        if constexpr (!is_nullable_field<field>) out << " NOT NULL";
        if constexpr (column_list_traits<unique_columns_of<T>>::template contains<T>(i)) out << " UNIQUE";
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
    append_identifier(w, {table, "_", field_name_v<T, Field>, "_idx"});
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
