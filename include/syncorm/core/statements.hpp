#pragma once
// Statement shapes: one type per kind of statement a model can run. Rendering is dialect-neutral;
// the dialect only spells placeholders, types and a few clauses.

#include <cstddef>
#include <string_view>
#include <type_traits>
#include <utility>

#include "../query.hpp"
#include "../reflect.hpp"
#include "field_types.hpp"
#include "sql_writer.hpp"

namespace syncorm::detail {

/// Calls `f(std::integral_constant<std::size_t, I>{})` for every field index of T.
template <class T, class F>
constexpr void for_each_field_index(F&& f) {
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    (f(std::integral_constant<std::size_t, I>{}), ...);
  }(std::make_index_sequence<field_count<T>>{});
}

/// Fields written by INSERT: all but a database-assigned key.
template <class T, std::size_t I>
inline constexpr bool inserted_field = !(has_generated_key<T> && I == primary_key_index<T>);

/// Fields written by UPDATE: all but the key.
template <class T, std::size_t I>
inline constexpr bool updated_field = !(has_primary_key<T> && I == primary_key_index<T>);

/// Renders `item(w, field_index)` for each field whose index satisfies `Selected`, separated by ", ".
template <class T, class Selected, class Writer, class Item>
constexpr void render_fields(Writer& w, Selected selected, Item item) {
  bool first = true;
  for_each_field_index<T>([&](auto i) {
    if constexpr (selected(i)) {
      if (!first) w << ", ";
      first = false;
      item(w, i);
    }
  });
}

inline constexpr auto every_field = [](auto) { return true; };

template <class T>
inline constexpr auto inserted_fields = [](auto i) { return inserted_field<T, i>; };

template <class T>
inline constexpr auto updated_fields = [](auto i) { return updated_field<T, i>; };

template <class T, class Writer>
constexpr void render_column_list(Writer& w) {
  render_fields<T>(w, every_field, [](Writer& out, auto i) { out.identifier(field_name_v<T, i>); });
}

/// " RETURNING every column", in field order, so read_row reads what a write changed.
template <class T, class Writer>
constexpr void render_returning(Writer& w) {
  w << " RETURNING ";
  render_column_list<T>(w);
}

template <class T, class Writer>
constexpr void render_key_condition(Writer& w) {
  w << " WHERE ";
  w.identifier(field_name_v<T, primary_key_index<T>>);
  w << " = ";
  w.parameter(kind_of_field<primary_key_type<T>>, field_name_v<T, primary_key_index<T>>);
}

template <class T, bool ReturningKey, class Writer>
constexpr void render_insert(Writer& w) {
  w << "INSERT INTO ";
  w.identifier(table_name_v<T>);
  w << " (";
  render_fields<T>(w, inserted_fields<T>, [](Writer& out, auto i) { out.identifier(field_name_v<T, i>); });
  w << ") VALUES (";
  render_fields<T>(w, inserted_fields<T>,
                   [](Writer& out, auto i) { out.parameter(kind_of_field<field_type<T, i>>, field_name_v<T, i>); });
  w << ")";
  if constexpr (ReturningKey) {
    w << " RETURNING ";
    w.identifier(field_name_v<T, primary_key_index<T>>);
  }
}

/// INSERT INTO t (every column but a generated key) VALUES (...) [RETURNING key].
template <class T>
struct insert_shape {
  static constexpr std::string_view table = table_name_v<T>;
  template <class Dialect, class Writer>
  static constexpr void render(Writer& w) {
    render_insert<T, has_generated_key<T> && Dialect::insert_returns_key>(w);
  }
};

/// SELECT every column FROM t WHERE key = ?.
template <class T>
struct find_shape {
  static constexpr std::string_view table = table_name_v<T>;
  static constexpr bool read_only = true;
  template <class Dialect, class Writer>
  static constexpr void render(Writer& w) {
    w << "SELECT ";
    render_column_list<T>(w);
    w << " FROM ";
    w.identifier(table);
    render_key_condition<T>(w);
  }
};

/// No clause of that kind was given.
struct absent {};

template <class Where, class Writer>
constexpr void render_where(Writer& w) {
  if constexpr (!std::is_same_v<Where, absent>) {
    w << " WHERE ";
    decltype(Where::condition)::render(w);
  }
}

template <class... Orderings, class Writer>
constexpr void render_order_by(order_by_clause<Orderings...>*, Writer& w) {
  w << " ORDER BY ";
  bool first = true;
  ((w << (first ? "" : ", "), first = false, Orderings::render(w)), ...);
}

/// SELECT every column FROM t [WHERE] [ORDER BY] [LIMIT] [OFFSET] [ORDER BY key FOR UPDATE]. `Limit`
/// is 0 (none), 1 (a bound parameter) or 2 (a literal 1, for first()). `Lock` (never with an
/// order_by or a limit) reads the rows in key order and asks the dialect to lock them.
template <class T, class Where, class OrderBy, int Limit, bool Offset, bool Lock>
struct select_shape {
  static constexpr std::string_view table = table_name_v<T>;
  static constexpr bool read_only = !Lock;
  template <class Dialect, class Writer>
  static constexpr void render(Writer& w) {
    w << "SELECT ";
    render_column_list<T>(w);
    w << " FROM ";
    w.identifier(table);
    render_where<Where>(w);
    if constexpr (!std::is_same_v<OrderBy, absent>) render_order_by(static_cast<OrderBy*>(nullptr), w);
    if constexpr (Limit == 1) {
      w << " LIMIT ";
      w.parameter(value_kind::big_integer, {});
    } else if constexpr (Limit == 2) {
      w << " LIMIT 1";
    } else if constexpr (Offset) {
      w << Dialect::offset_without_limit;
    }
    if constexpr (Offset) {
      w << " OFFSET ";
      w.parameter(value_kind::big_integer, {});
    }
    if constexpr (Lock) {
      // In key order: hooks see the rows in the same order on every backend, and two bulk writes
      // over the same rows take their locks in the same order, so they cannot deadlock.
      w << " ORDER BY ";
      w.identifier(field_name_v<T, primary_key_index<T>>);
      w << Dialect::lock_rows;
    }
  }
};

/// SELECT COUNT(*) FROM t [WHERE].
template <class T, class Where>
struct count_shape {
  static constexpr std::string_view table = table_name_v<T>;
  static constexpr bool read_only = true;
  template <class Dialect, class Writer>
  static constexpr void render(Writer& w) {
    w << "SELECT COUNT(*) FROM ";
    w.identifier(table);
    render_where<Where>(w);
  }
};

/// UPDATE t SET every non-key column WHERE key = ?.
template <class T>
struct update_shape {
  static constexpr std::string_view table = table_name_v<T>;
  template <class Dialect, class Writer>
  static constexpr void render(Writer& w) {
    w << "UPDATE ";
    w.identifier(table);
    w << " SET ";
    render_fields<T>(w, updated_fields<T>, [](Writer& out, auto i) {
      out.identifier(field_name_v<T, i>);
      out << " = ";
      out.parameter(kind_of_field<field_type<T, i>>, field_name_v<T, i>);
    });
    render_key_condition<T>(w);
  }
};

template <class Clause>
concept assignment_clause = requires { typename Clause::column; };

/// UPDATE t SET the given columns WHERE condition [RETURNING every column]; `Clauses` are all of
/// the call's clauses, of which the assignments (set) are rendered in the order given.
template <class T, bool Returning, class Where, class... Clauses>
struct update_where_shape {
  static constexpr std::string_view table = table_name_v<T>;
  template <class Dialect, class Writer>
  static constexpr void render(Writer& w) {
    w << "UPDATE ";
    w.identifier(table);
    w << " SET ";
    bool first = true;
    auto assignment = [&]<class Clause>(Clause*) {
      if constexpr (assignment_clause<Clause>) {
        if (!first) w << ", ";
        first = false;
        w.identifier(Clause::column::name);
        w << " = ";
        decltype(Clause::value)::render(w, Clause::column::name);
      }
    };
    (assignment(static_cast<Clauses*>(nullptr)), ...);
    render_where<Where>(w);
    if constexpr (Returning) render_returning<T>(w);
  }
};

/// DELETE FROM t WHERE key = ? [RETURNING every column: the row as it was].
template <class T, bool Returning = false>
struct remove_shape {
  static constexpr std::string_view table = table_name_v<T>;
  template <class Dialect, class Writer>
  static constexpr void render(Writer& w) {
    w << "DELETE FROM ";
    w.identifier(table);
    render_key_condition<T>(w);
    if constexpr (Returning) render_returning<T>(w);
  }
};

/// DELETE FROM t WHERE condition [RETURNING every column].
template <class T, class Where, bool Returning = false>
struct remove_where_shape {
  static constexpr std::string_view table = table_name_v<T>;
  template <class Dialect, class Writer>
  static constexpr void render(Writer& w) {
    w << "DELETE FROM ";
    w.identifier(table);
    render_where<Where>(w);
    if constexpr (Returning) render_returning<T>(w);
  }
};

/// INSERT INTO t (every column) VALUES (...) ON CONFLICT (key) DO UPDATE SET every other column =
/// the new value. `ReportInsertion` asks the dialect to return whether the row was new, where it can.
template <class T, bool ReportInsertion>
struct upsert_shape {
  static constexpr std::string_view table = table_name_v<T>;
  template <class Dialect, class Writer>
  static constexpr void render(Writer& w) {
    w << "INSERT INTO ";
    w.identifier(table);
    w << " (";
    render_column_list<T>(w);
    w << ") VALUES (";
    render_fields<T>(w, every_field,
                     [](Writer& out, auto i) { out.parameter(kind_of_field<field_type<T, i>>, field_name_v<T, i>); });
    w << ") ON CONFLICT (";
    w.identifier(field_name_v<T, primary_key_index<T>>);
    w << ") DO UPDATE SET ";
    // A model of only a key still needs an assignment: it sets the key to itself.
    render_fields<T>(w, [](auto i) { return field_count<T> == 1 || updated_field<T, i>; }, [](Writer& out, auto i) {
      out.identifier(field_name_v<T, i>);
      out << " = excluded.";
      out.identifier(field_name_v<T, i>);
    });
    if constexpr (ReportInsertion) w << Dialect::upsert_returns_insertion;
  }
};

/// SELECT 1 FROM t WHERE key = ?: whether a row exists.
template <class T>
struct exists_shape {
  static constexpr std::string_view table = table_name_v<T>;
  static constexpr bool read_only = true;
  template <class Dialect, class Writer>
  static constexpr void render(Writer& w) {
    w << "SELECT 1 FROM ";
    w.identifier(table);
    render_key_condition<T>(w);
  }
};

/// A shape compiled for a dialect: the statement a backend prepares and caches.
template <class Shape, class Dialect>
using compiled = compiled_statement<Shape, Dialect>;

}  // namespace syncorm::detail
