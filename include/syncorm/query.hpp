#pragma once
// Typed queries: columns named by pointers to members, conditions built with C++ operators, and
// the clauses a statement takes. Every value becomes a bound parameter; no value reaches SQL text.

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "core/expressions.hpp"
#include "core/field_types.hpp"
#include "error.hpp"
#include "reflect.hpp"

namespace syncorm {

/// The column a pointer to data member maps to; use the variable template `col<&T::m>`.
template <auto Member>
struct column {
  static_assert(detail::member_pointer_info<Member>::valid,
                "syncorm::col<...> takes a pointer to a data member, like col<&Order::status>");

  /// The model (struct) the column belongs to.
  using model_type = typename detail::member_pointer_info<Member>::owner;
  /// The field's declared type, std::optional included.
  using field_type = typename detail::member_pointer_info<Member>::type;
  /// The field's type without std::optional.
  using value_type = detail::unwrap_optional_t<field_type>;
  static_assert(detail::valid_model<model_type>);

  /// Position of the field in the struct, which is also its position in SELECT lists.
  static constexpr std::size_t index = detail::member_pointer_info<Member>::index;
  /// The column's name: the field's name.
  static constexpr std::string_view name = detail::field_name_v<model_type, index>;
  /// Whether the column may hold NULL (the field is a std::optional).
  static constexpr bool nullable = detail::is_optional<field_type>::value;
  /// The table of the model, which errors about the column's values name.
  static constexpr std::string_view table = detail::table_name_v<model_type>;

  /// Ascending sort key for order_by.
  constexpr auto asc() const { return detail::ordering<column, false>{}; }
  /// Descending sort key for order_by.
  constexpr auto desc() const { return detail::ordering<column, true>{}; }

  /// `column IS NULL`; only an optional field can be NULL.
  constexpr auto is_null() const {
    static_assert(nullable, "syncorm: is_null() on a column that is not std::optional is always false");
    return detail::null_test<column, true>{};
  }
  /// `column IS NOT NULL`.
  constexpr auto is_not_null() const {
    static_assert(nullable, "syncorm: is_not_null() on a column that is not std::optional is always true");
    return detail::null_test<column, false>{};
  }

  /// `column LIKE pattern`: `%` any run, `_` one character, `\` escapes either (and itself);
  /// case-sensitive on every backend. A pattern ending in a lone `\` throws syncorm::error.
  template <class Pattern>
  auto like(Pattern&& pattern) const {
    static_assert(detail::value_traits<value_type>::category == detail::value_category::text,
                  "syncorm: like() applies to text columns only");
    auto operand = detail::comparison_operand<column>(std::forward<Pattern>(pattern), table, name);
    if constexpr (std::is_convertible_v<decltype(detail::wire_view(operand.value)), std::string_view>)
      detail::check_like_pattern(std::string_view{detail::wire_view(operand.value)}, table, name);
    return detail::like_test<column, decltype(operand)>{{}, std::move(operand)};
  }

  /// `column IN (...)` over a braced list, `col<&T::m>.in({1, 2, 3})`; its size is part of the type.
  template <class V, std::size_t N>
  auto in(const V (&values)[N]) const {
    using operand = decltype(detail::comparison_operand<column>(values[0], table, name));
    detail::in_test<column, operand, N> node{};
    for (std::size_t i = 0; i < N; ++i) node.values[i] = detail::comparison_operand<column>(values[i], table, name);
    return node;
  }
  /// Overload so that string literals of different lengths form one list.
  template <std::size_t N>
  auto in(const std::string_view (&values)[N]) const {
    return in<std::string_view, N>(values);
  }
};

/// The column for a pointer to data member: `col<&Order::status> == 1`.
template <auto Member>
inline constexpr column<Member> col{};

namespace detail {
template <class>
inline constexpr bool is_column = false;
template <auto M>
inline constexpr bool is_column<column<M>> = true;

template <class L, class R>
consteval bool columns_comparable() {
  using lv = typename L::value_type;
  using rv = typename R::value_type;
  constexpr auto lc = value_traits<lv>::category;
  constexpr auto rc = value_traits<rv>::category;
  if constexpr (lc == value_category::enumeration || rc == value_category::enumeration)
    return std::is_same_v<lv, rv>;
  else return lc == rc;
}

template <comparison_operator Op, class Column, class V>
auto compare(V&& value) {
  using value_type = std::remove_cvref_t<V>;
  if constexpr (is_column<value_type>) {
    static_assert(columns_comparable<Column, value_type>(),
                  "syncorm: these two columns hold unrelated types and cannot be compared");
    return comparison<Op, Column, column_reference<value_type>>{{}, {}};
  } else {
    auto operand = comparison_operand<Column>(std::forward<V>(value), Column::table, Column::name);
    return comparison<Op, Column, decltype(operand)>{{}, std::move(operand)};
  }
}

constexpr comparison_operator mirrored(comparison_operator op) {
  switch (op) {
    case comparison_operator::less: return comparison_operator::greater;
    case comparison_operator::less_equal: return comparison_operator::greater_equal;
    case comparison_operator::greater: return comparison_operator::less;
    case comparison_operator::greater_equal: return comparison_operator::less_equal;
    default: return op;
  }
}
}  // namespace detail

// Comparisons. The value's type is checked against the column's by a static_assert that says which
// rule was broken, which reads better than a failed overload resolution.

namespace detail {
/// What `column == value` and `column != value` accept: anything (compare() says, in a
/// static_assert, what does not fit). The constraint is there for clang before 16: without one it
/// prefers, for `column == 1`, the reversed form of the constrained `value == column` operator
/// below, which C++20 does not allow to return anything but bool.
template <class V>
concept column_operand = true;
}  // namespace detail

/// `column = value` (or `column = other_column`).
template <auto M, class V>
  requires detail::column_operand<V>
auto operator==(column<M>, V&& value) { return detail::compare<detail::comparison_operator::equal, column<M>>(std::forward<V>(value)); }
/// `column <> value`.
template <auto M, class V>
  requires detail::column_operand<V>
auto operator!=(column<M>, V&& value) { return detail::compare<detail::comparison_operator::not_equal, column<M>>(std::forward<V>(value)); }
/// `column < value`.
template <auto M, class V>
auto operator<(column<M>, V&& value) { return detail::compare<detail::comparison_operator::less, column<M>>(std::forward<V>(value)); }
/// `column <= value`.
template <auto M, class V>
auto operator<=(column<M>, V&& value) { return detail::compare<detail::comparison_operator::less_equal, column<M>>(std::forward<V>(value)); }
/// `column > value`.
template <auto M, class V>
auto operator>(column<M>, V&& value) { return detail::compare<detail::comparison_operator::greater, column<M>>(std::forward<V>(value)); }
/// `column >= value`.
template <auto M, class V>
auto operator>=(column<M>, V&& value) { return detail::compare<detail::comparison_operator::greater_equal, column<M>>(std::forward<V>(value)); }

// Value on the left: `10 < col<&T::amount>` is `amount > 10`.

/// `value = column`.
template <class V, auto M>
  requires(!detail::is_column<std::remove_cvref_t<V>>)
auto operator==(V&& value, column<M> c) { return c == std::forward<V>(value); }
/// `value <> column`.
template <class V, auto M>
  requires(!detail::is_column<std::remove_cvref_t<V>>)
auto operator!=(V&& value, column<M> c) { return c != std::forward<V>(value); }
/// `value < column`.
template <class V, auto M>
  requires(!detail::is_column<std::remove_cvref_t<V>>)
auto operator<(V&& value, column<M> c) { return c > std::forward<V>(value); }
/// `value <= column`.
template <class V, auto M>
  requires(!detail::is_column<std::remove_cvref_t<V>>)
auto operator<=(V&& value, column<M> c) { return c >= std::forward<V>(value); }
/// `value > column`.
template <class V, auto M>
  requires(!detail::is_column<std::remove_cvref_t<V>>)
auto operator>(V&& value, column<M> c) { return c < std::forward<V>(value); }
/// `value >= column`.
template <class V, auto M>
  requires(!detail::is_column<std::remove_cvref_t<V>>)
auto operator>=(V&& value, column<M> c) { return c <= std::forward<V>(value); }

// ---- clauses -------------------------------------------------------------------------------------

namespace detail {
struct clause_tag {};

template <class Condition>
struct where_clause : clause_tag {
  Condition condition;
};

template <class... Orderings>
struct order_by_clause : clause_tag {};

struct limit_clause : clause_tag {
  std::int64_t count;
};

struct offset_clause : clause_tag {
  std::int64_t count;
};

template <class Column, class Operand>
struct set_clause : clause_tag {
  using column = Column;
  Operand value;
};

template <class T>
struct as_ordering {
  static_assert(always_false<T>, "syncorm::order_by takes columns or col<&T::m>.asc() / .desc()");
};
template <auto M>
struct as_ordering<column<M>> {
  using type = ordering<column<M>, false>;
};
template <class C, bool D>
struct as_ordering<ordering<C, D>> {
  using type = ordering<C, D>;
};

inline std::int64_t checked_count(std::int64_t n, const char* what) {
  if (n < 0) [[unlikely]] throw_error<error>({"syncorm: ", what, " must not be negative, got ", n});
  return n;
}
}  // namespace detail

/// WHERE: the rows a statement applies to.
template <class Condition>
constexpr auto where(Condition condition) {
  static_assert(detail::condition<Condition>,
                "syncorm::where takes a condition, such as col<&Order::status> == 1");
  return detail::where_clause<Condition>{{}, std::move(condition)};
}

/// ORDER BY: columns (ascending) or `col<&T::m>.desc()`, in order of precedence.
template <class... Keys>
constexpr auto order_by(Keys...) {
  static_assert(sizeof...(Keys) > 0, "syncorm::order_by needs at least one column");
  return detail::order_by_clause<typename detail::as_ordering<Keys>::type...>{};
}

/// LIMIT: at most `count` rows; the count is a bound parameter.
inline auto limit(std::int64_t count) { return detail::limit_clause{{}, detail::checked_count(count, "limit")}; }

/// OFFSET: skip `count` rows; the count is a bound parameter.
inline auto offset(std::int64_t count) { return detail::offset_clause{{}, detail::checked_count(count, "offset")}; }

/// SET column = value, for update_where; a std::optional column may be set to std::nullopt.
template <auto M, class V>
auto set(column<M>, V&& value) {
  using field = typename column<M>::field_type;
  auto operand = detail::assignment_operand<field>(std::forward<V>(value), column<M>::table, column<M>::name);
  return detail::set_clause<column<M>, decltype(operand)>{{}, std::move(operand)};
}

}  // namespace syncorm
