#pragma once
// Sorting out the clauses a call received: which kinds are there, whether they are allowed for
// this statement, and getting at each by kind. Clauses may be given in any order.

#include <boost/pfr/core.hpp>

#include <concepts>
#include <cstddef>
#include <optional>
#include <string>
#include <type_traits>

#include "../query.hpp"
#include "expressions.hpp"
#include "field_types.hpp"
#include "statements.hpp"

namespace syncorm::detail {

template <class C> struct is_where : std::false_type {};
template <class E> struct is_where<where_clause<E>> : std::true_type {};
template <class C> struct is_order_by : std::false_type {};
template <class... O> struct is_order_by<order_by_clause<O...>> : std::true_type {};
template <class C> struct is_limit : std::is_same<C, limit_clause> {};
template <class C> struct is_offset : std::is_same<C, offset_clause> {};
template <class C> struct is_set : std::false_type {};
template <class Column, class Operand> struct is_set<set_clause<Column, Operand>> : std::true_type {};

template <template <class> class Is, class... C>
inline constexpr std::size_t count_clauses = (std::size_t{Is<std::remove_cvref_t<C>>::value} + ... + 0);

/// The first clause type of the kind, or `absent`.
template <template <class> class Is, class... C>
struct clause_type_of {
  using type = absent;
};
template <template <class> class Is, class First, class... Rest>
struct clause_type_of<Is, First, Rest...> {
  using type = std::conditional_t<Is<std::remove_cvref_t<First>>::value, std::remove_cvref_t<First>,
                                  typename clause_type_of<Is, Rest...>::type>;
};
template <template <class> class Is, class... C>
using clause_type = typename clause_type_of<Is, C...>::type;

/// The first clause of the kind (callers check it exists).
template <template <class> class Is, class First, class... Rest>
constexpr const auto& get_clause(const First& first, const Rest&... rest) {
  if constexpr (Is<std::remove_cvref_t<First>>::value) return first;
  else return get_clause<Is>(rest...);
}

/// Which clause kinds a statement accepts.
struct clause_rules {
  bool where = false;
  bool order_by = false;
  bool limit = false;
  bool offset = false;
  bool set = false;
};

template <class T, class Clause>
consteval bool clause_belongs_to() {
  if constexpr (is_where<Clause>::value) return decltype(Clause::condition)::template belongs_to<T>;
  else if constexpr (is_set<Clause>::value) return std::is_same_v<typename Clause::column::model_type, T>;
  else if constexpr (is_order_by<Clause>::value)
    return []<class... O>(order_by_clause<O...>*) { return (O::template belongs_to<T> && ...); }(
        static_cast<Clause*>(nullptr));
  else return true;
}

/// Compile-time checks of a call's clauses, each failure a sentence naming the rule.
template <class T, clause_rules Rules, class... C>
consteval void check_clauses() {
  static_assert((std::derived_from<std::remove_cvref_t<C>, clause_tag> && ...),
                "syncorm: pass clauses made by syncorm::where, order_by, limit, offset or set; "
                "a bare condition must be wrapped: where(col<&T::m> == v)");
  static_assert(Rules.where || count_clauses<is_where, C...> == 0,
                "syncorm: this statement does not take a where clause");
  static_assert(Rules.order_by || count_clauses<is_order_by, C...> == 0,
                "syncorm: this statement does not take order_by");
  static_assert(Rules.limit || count_clauses<is_limit, C...> == 0,
                "syncorm: this statement does not take limit (first() already returns one row)");
  static_assert(Rules.offset || count_clauses<is_offset, C...> == 0,
                "syncorm: this statement does not take offset");
  static_assert(Rules.set || count_clauses<is_set, C...> == 0,
                "syncorm: set(...) is only for update_where");
  static_assert(count_clauses<is_where, C...> <= 1,
                "syncorm: give one where clause; combine conditions with && and ||");
  static_assert(count_clauses<is_order_by, C...> <= 1,
                "syncorm: give one order_by with every sort key, in order of precedence");
  static_assert(count_clauses<is_limit, C...> <= 1, "syncorm: give at most one limit");
  static_assert(count_clauses<is_offset, C...> <= 1, "syncorm: give at most one offset");
  static_assert((clause_belongs_to<T, std::remove_cvref_t<C>>() && ...),
                "syncorm: a clause names a column of another model than the one queried");
}

/// Stores a bound operand of set(...) into the in-memory field it assigns (for per-row hooks).
template <class Field, class Operand>
void assign_from_operand(Field& field, const Operand& operand) {
  auto convert = [](const auto& wire) {
    using V = unwrap_optional_t<Field>;
    if constexpr (std::is_enum_v<V>) return static_cast<V>(wire);
    else if constexpr (std::is_same_v<V, std::string>) return std::string(wire_view(wire));
    else if constexpr (std::is_same_v<V, std::vector<std::byte>>) {
      const blob_view bytes = wire_view(wire);
      return std::vector<std::byte>(bytes.begin(), bytes.end());
    } else if constexpr (std::is_same_v<V, std::chrono::system_clock::time_point>)
      return std::chrono::time_point_cast<std::chrono::system_clock::duration>(wire);
    else return static_cast<V>(wire);
  };
  if constexpr (requires { operand.value.has_value(); }) {
    if (operand.value) field = convert(*operand.value);
    else field = std::nullopt;
  } else {
    field = convert(operand.value);
  }
}

}  // namespace syncorm::detail
