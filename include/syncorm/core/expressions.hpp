#pragma once
// Expression nodes. A node's SQL text is a function of its type only (render is static); its
// values are bound at run time, in the order render wrote their placeholders.

#include <array>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "../error.hpp"
#include "chrono.hpp"
#include "field_types.hpp"
#include "value_checks.hpp"

namespace syncorm::detail {

template <class>
inline constexpr bool always_false = false;

/// Base of every node that yields a truth value, so only conditions reach `where`, `&&`, `||`, `!`.
struct condition_node {};

template <class E>
concept condition = std::derived_from<std::remove_cvref_t<E>, condition_node>;

/// The column concept every column type satisfies (syncorm::column<&T::m> is the only one).
template <class C>
concept column_like = requires {
  typename C::model_type;
  typename C::field_type;
  typename C::value_type;
  { C::name } -> std::convertible_to<std::string_view>;
  { C::nullable } -> std::convertible_to<bool>;
};

template <class Wire>
inline constexpr value_kind kind_of_wire = [] {
  if constexpr (std::same_as<Wire, std::int16_t>) return value_kind::small_integer;
  else if constexpr (std::same_as<Wire, std::int32_t>) return value_kind::integer;
  else if constexpr (std::same_as<Wire, std::int64_t>) return value_kind::big_integer;
  else if constexpr (std::same_as<Wire, float>) return value_kind::real;
  else if constexpr (std::same_as<Wire, double>) return value_kind::double_precision;
  else if constexpr (std::same_as<Wire, bool>) return value_kind::boolean;
  else if constexpr (std::same_as<Wire, std::string_view> || std::same_as<Wire, std::string>)
    return value_kind::text;
  else if constexpr (std::same_as<Wire, blob_view> || std::same_as<Wire, std::vector<std::byte>>)
    return value_kind::blob;
  else if constexpr (std::same_as<Wire, wire_time>) return value_kind::timestamp;
  else static_assert(always_false<Wire>, "not a wire type");
}();

/// Owning storage binds as its view. (The bytes' overload is a template so that only code that
/// binds bytes instantiates std::vector<std::byte> and its conversion to a span: as a plain
/// function it cost every translation unit about 5 MB of compiler memory.)
inline std::string_view wire_view(const std::string& s) noexcept { return s; }
template <class Bytes>
  requires std::same_as<Bytes, std::vector<std::byte>>
blob_view wire_view(const Bytes& b) noexcept { return b; }
template <class Wire>
constexpr const Wire& wire_view(const Wire& w) noexcept { return w; }

/// One value bound as a parameter. Operands render with the column they are compared with or
/// assigned to, which their parameter then belongs to.
template <class Wire>
struct bound_value {
  Wire value;
  static constexpr value_kind kind = kind_of_wire<Wire>;
  template <class Writer>
  static constexpr void render(Writer& w, std::string_view column) { w.parameter(kind, column); }
  template <class Binder>
  void bind(Binder& b) const { b.bind(wire_view(value)); }
  template <class Model>
  static constexpr bool belongs_to = true;
};

/// A value that may be NULL (the right-hand side of `set` on an optional column).
template <class Wire>
struct nullable_bound_value {
  std::optional<Wire> value;
  static constexpr value_kind kind = kind_of_wire<Wire>;
  template <class Writer>
  static constexpr void render(Writer& w, std::string_view column) { w.parameter(kind, column); }
  template <class Binder>
  void bind(Binder& b) const {
    if (value) b.bind(wire_view(*value));
    else b.bind_null(kind);
  }
};

template <class Column>
struct column_reference {
  template <class Writer>
  static constexpr void render(Writer& w, std::string_view) { w.identifier(Column::name); }
  template <class Binder>
  void bind(Binder&) const {}
  template <class Model>
  static constexpr bool belongs_to = std::is_same_v<typename Column::model_type, Model>;
};

// ---- turning a user's value into a bound parameter -------------------------------------------

template <class V>
inline constexpr bool is_time_point = false;
template <class Duration>
inline constexpr bool is_time_point<std::chrono::time_point<std::chrono::system_clock, Duration>> = true;

template <class V>
concept text_like = std::convertible_to<const V&, std::string_view> && !plain_character<V>;

template <class V>
concept blob_like = std::convertible_to<const V&, blob_view>;

template <class V>
std::int64_t checked_int64(const V& value, std::string_view table, std::string_view column) {
  if constexpr (std::is_unsigned_v<V> && sizeof(V) >= sizeof(std::int64_t)) {
    if (value > static_cast<V>(std::numeric_limits<std::int64_t>::max())) [[unlikely]]
      throw_error<type_error>({"syncorm: value ", value, " compared with column ", table, ".", column,
                               " does not fit a 64-bit integer"},
                              table, column);
  }
  return static_cast<std::int64_t>(value);
}

template <class V>
concept number_value = (std::integral<V> || std::floating_point<V>) && !std::same_as<V, bool> &&
                       !plain_character<V>;

/// The parameter a comparison binds for `value` against `Column` (a syncorm::column). Each misuse
/// is caught first, by a static assertion naming the rule, and yields a placeholder so the compiler
/// reports that one sentence and nothing after it. The column is a template argument so that the
/// error's first line ("In instantiation of ... [with Column = syncorm::column<&Order::status>")
/// names the model and the field.
template <class Column, class V>
auto comparison_operand(V&& value, std::string_view table, std::string_view column_name) {
  using Field = typename Column::value_type;
  using value_type = std::remove_cvref_t<V>;
  using placeholder = bound_value<std::int64_t>;
  constexpr value_category category = value_traits<Field>::category;
  if constexpr (std::same_as<value_type, std::nullopt_t> || std::same_as<value_type, std::nullptr_t>) {
    static_assert(always_false<V>, "syncorm: comparing a column with NULL is never true in SQL; "
                                   "use col<&T::m>.is_null() or .is_not_null()");
    return placeholder{};
  } else if constexpr (is_optional<value_type>::value) {
    static_assert(always_false<V>, "syncorm: compare a column with a value, not a std::optional; "
                                   "test for NULL with .is_null()");
    return placeholder{};
  } else if constexpr (category == value_category::number && !number_value<value_type>) {
    static_assert(always_false<V>, "syncorm: a numeric column can only be compared with a number "
                                   "(not a string, bool, char or enum)");
    return placeholder{};
  } else if constexpr (category == value_category::enumeration && !std::same_as<value_type, Field>) {
    static_assert(always_false<V>, "syncorm: an enum column can only be compared with a value of the same enum");
    return placeholder{};
  } else if constexpr (category == value_category::boolean && !std::same_as<value_type, bool>) {
    static_assert(always_false<V>, "syncorm: a bool column can only be compared with true or false");
    return placeholder{};
  } else if constexpr (category == value_category::text && !text_like<value_type>) {
    static_assert(always_false<V>, "syncorm: a text column can only be compared with a string "
                                   "(std::string, std::string_view or a string literal)");
    return placeholder{};
  } else if constexpr (category == value_category::blob && !blob_like<value_type>) {
    static_assert(always_false<V>, "syncorm: a blob column can only be compared with bytes "
                                   "(std::vector<std::byte> or std::span<const std::byte>)");
    return placeholder{};
  } else if constexpr (category == value_category::time && !is_time_point<value_type>) {
    static_assert(always_false<V>, "syncorm: a time column can only be compared with a system_clock time_point");
    return placeholder{};
  } else if constexpr (category == value_category::number) {
    if constexpr (std::floating_point<value_type>) return bound_value<double>{static_cast<double>(value)};
    else return bound_value<std::int64_t>{checked_int64(value, table, column_name)};
  } else if constexpr (category == value_category::enumeration) {
    return bound_value<std::int64_t>{
        static_cast<std::int64_t>(static_cast<std::underlying_type_t<Field>>(value))};
  } else if constexpr (category == value_category::boolean) {
    return bound_value<bool>{value};
  } else if constexpr (category == value_category::text) {
    // A temporary std::string is kept alive by the expression; anything else is a view the caller
    // keeps alive for the call, as with any string_view.
    if constexpr (std::same_as<value_type, std::string> && !std::is_lvalue_reference_v<V>)
      return bound_value<std::string>{std::move(value)};
    else return bound_value<std::string_view>{std::string_view{value}};
  } else if constexpr (category == value_category::blob) {
    if constexpr (std::same_as<value_type, std::vector<std::byte>> && !std::is_lvalue_reference_v<V>)
      return bound_value<std::vector<std::byte>>{std::move(value)};
    else return bound_value<blob_view>{blob_view{value}};
  } else {
    return bound_value<wire_time>{std::chrono::floor<std::chrono::microseconds>(value)};
  }
}

/// What a NULL-able assignment stores: owning for text and bytes, since the value may come from a
/// temporary std::optional.
template <class Target>
using nullable_storage = std::conditional_t<
    value_traits<Target>::kind == value_kind::text, std::string,
    std::conditional_t<value_traits<Target>::kind == value_kind::blob, std::vector<std::byte>,
                       typename wire_type_of<value_traits<Target>::kind>::type>>;

template <class Field>
using assignment_result_for_nullable = nullable_bound_value<nullable_storage<unwrap_optional_t<Field>>>;

/// The parameter `set(column, value)` binds: exactly the column's own kind, range-checked, so a
/// value that would be stored wrongly is refused before it reaches the database.
template <class Field, class V>
auto assignment_operand(V&& value, std::string_view table, std::string_view column_name) {
  using value_type = std::remove_cvref_t<V>;
  using target = unwrap_optional_t<Field>;
  using wire = typename wire_type_of<value_traits<target>::kind>::type;
  constexpr bool nullable = is_optional<Field>::value;
  constexpr value_category category = value_traits<target>::category;
  // Wraps the converted value in the node type this field binds with.
  auto make = [](auto&& converted) {
    if constexpr (nullable) return assignment_result_for_nullable<Field>{nullable_storage<target>(converted)};
    else return bound_value<wire>{wire(converted)};
  };
  if constexpr (std::same_as<value_type, std::nullopt_t>) {
    static_assert(nullable, "syncorm: only a std::optional field can be set to NULL (std::nullopt)");
    return assignment_result_for_nullable<Field>{std::nullopt};
  } else if constexpr (is_optional<value_type>::value) {
    static_assert(nullable, "syncorm: a std::optional value can only be assigned to a std::optional field");
    if (!value) return assignment_result_for_nullable<Field>{std::nullopt};
    return assignment_operand<Field>(*std::forward<V>(value), table, column_name);
  } else if constexpr (category == value_category::number && std::integral<target>) {
    if constexpr (!std::integral<value_type> || std::same_as<value_type, bool> || plain_character<value_type>) {
      static_assert(always_false<V>, "syncorm: an integer column can only be set to an integer "
                                     "(a floating-point value would be truncated)");
      return make(target{});
    } else {
      if (!std::in_range<target>(value)) [[unlikely]]
        throw_error<type_error>({"syncorm: value ", value, " does not fit column ", table, ".", column_name, " (",
                                 integer_type_name<target>(), ")"},
                                table, column_name);
      return make(static_cast<target>(value));
    }
  } else if constexpr (category == value_category::number) {
    static_assert((std::integral<value_type> || std::floating_point<value_type>) &&
                      !std::same_as<value_type, bool> && !plain_character<value_type>,
                  "syncorm: a floating-point column can only be set to a number");
    const auto converted = static_cast<target>(value);
    if constexpr (std::same_as<target, float> && std::same_as<value_type, double>) {
      // The same rule as reading a double into a float field.
      if (const std::string_view problem = float_narrowing_problem(value, converted); !problem.empty()) [[unlikely]]
        throw_error<type_error>({"syncorm: value ", shortest_text(value), " does not fit column ", table, ".",
                                 column_name, " (float): ", problem},
                                table, column_name);
    }
    return make(converted);
  } else if constexpr (category == value_category::text) {
    static_assert(text_like<value_type>, "syncorm: a text column can only be set to a string");
    if constexpr (nullable) return make(std::string_view{value});
    else if constexpr (std::same_as<value_type, std::string> && !std::is_lvalue_reference_v<V>)
      return bound_value<std::string>{std::move(value)};
    else return bound_value<std::string_view>{std::string_view{value}};
  } else if constexpr (category == value_category::blob) {
    static_assert(blob_like<value_type>, "syncorm: a blob column can only be set to bytes");
    const blob_view view{value};
    std::vector<std::byte> bytes(view.begin(), view.end());
    if constexpr (nullable) return assignment_result_for_nullable<Field>{std::move(bytes)};
    else return bound_value<std::vector<std::byte>>{std::move(bytes)};
  } else if constexpr (category == value_category::time) {
    static_assert(is_time_point<value_type>, "syncorm: a time column can only be set to a time_point");
    return make(stored_time(value, table, column_name));
  } else {
    static_assert(std::same_as<value_type, target>,
                  "syncorm: a column can only be set to a value of its own type");
    return make(to_wire(value));
  }
}

// ---- condition nodes ---------------------------------------------------------------------------

enum class comparison_operator : std::uint8_t { equal, not_equal, less, less_equal, greater, greater_equal };

constexpr std::string_view spelling(comparison_operator op) {
  switch (op) {
    case comparison_operator::equal: return " = ";
    case comparison_operator::not_equal: return " <> ";
    case comparison_operator::less: return " < ";
    case comparison_operator::less_equal: return " <= ";
    case comparison_operator::greater: return " > ";
    case comparison_operator::greater_equal: return " >= ";
  }
  return " = ";
}

/// `column <op> operand`, the operand being a bound value or another column.
template <comparison_operator Op, class Column, class Operand>
struct comparison : condition_node {
  Operand operand;
  template <class Writer>
  static constexpr void render(Writer& w) {
    w.identifier(Column::name);
    w << spelling(Op);
    Operand::render(w, Column::name);
  }
  template <class Binder>
  void bind(Binder& b) const { operand.bind(b); }
  template <class Model>
  static constexpr bool belongs_to =
      std::is_same_v<typename Column::model_type, Model> && Operand::template belongs_to<Model>;
};

enum class logical_operator : std::uint8_t { conjunction, disjunction };

/// `(left AND right)` / `(left OR right)`: always parenthesised, so precedence is what C++ wrote.
template <logical_operator Op, class Left, class Right>
struct logical : condition_node {
  Left left;
  Right right;
  template <class Writer>
  static constexpr void render(Writer& w) {
    w << "(";
    Left::render(w);
    w << (Op == logical_operator::conjunction ? " AND " : " OR ");
    Right::render(w);
    w << ")";
  }
  template <class Binder>
  void bind(Binder& b) const {
    left.bind(b);
    right.bind(b);
  }
  template <class Model>
  static constexpr bool belongs_to = Left::template belongs_to<Model> && Right::template belongs_to<Model>;
};

template <class Inner>
struct negation : condition_node {
  Inner inner;
  template <class Writer>
  static constexpr void render(Writer& w) {
    w << "NOT (";
    Inner::render(w);
    w << ")";
  }
  template <class Binder>
  void bind(Binder& b) const { inner.bind(b); }
  template <class Model>
  static constexpr bool belongs_to = Inner::template belongs_to<Model>;
};

template <class Column, bool IsNull>
struct null_test : condition_node {
  template <class Writer>
  static constexpr void render(Writer& w) {
    w.identifier(Column::name);
    w << (IsNull ? " IS NULL" : " IS NOT NULL");
  }
  template <class Binder>
  void bind(Binder&) const {}
  template <class Model>
  static constexpr bool belongs_to = std::is_same_v<typename Column::model_type, Model>;
};

/// Refuses a LIKE pattern that ends in the escape character with nothing after it to escape (an
/// odd run of trailing backslashes): PostgreSQL rejects it and SQLite matches nothing, so it is
/// refused before it is sent, the same way on every backend.
inline void check_like_pattern(std::string_view pattern, std::string_view table, std::string_view column) {
  std::size_t backslashes = 0;
  while (backslashes < pattern.size() && pattern[pattern.size() - 1 - backslashes] == '\\') ++backslashes;
  if (backslashes % 2 != 0)
    throw_error<error>({"syncorm: the LIKE pattern for column ", table, ".", column,
                        " ends in the escape character \\ with nothing after it to escape; write \\\\ for a "
                        "literal backslash"},
                       table, column);
}

/// `column LIKE pattern ESCAPE '\'`: the escape character is fixed so that `\%` and `\_` mean the
/// same on every backend (PostgreSQL defaults to it, SQLite has no default).
template <class Column, class Pattern>
struct like_test : condition_node {
  Pattern pattern;
  template <class Writer>
  static constexpr void render(Writer& w) {
    w.identifier(Column::name);
    w << " LIKE ";
    Pattern::render(w, Column::name);
    w << " ESCAPE '\\'";
  }
  template <class Binder>
  void bind(Binder& b) const { pattern.bind(b); }
  template <class Model>
  static constexpr bool belongs_to = std::is_same_v<typename Column::model_type, Model>;
};

/// `column IN (?, ?, ...)` with a count fixed by the type, so its text is still built once.
template <class Column, class Operand, std::size_t N>
struct in_test : condition_node {
  std::array<Operand, N> values;
  template <class Writer>
  static constexpr void render(Writer& w) {
    w.identifier(Column::name);
    w << " IN (";
    for (std::size_t i = 0; i < N; ++i) {
      if (i != 0) w << ", ";
      Operand::render(w, Column::name);
    }
    w << ")";
  }
  template <class Binder>
  void bind(Binder& b) const {
    for (const auto& v : values) v.bind(b);
  }
  template <class Model>
  static constexpr bool belongs_to = std::is_same_v<typename Column::model_type, Model>;
};

template <condition Left, condition Right>
constexpr auto operator&&(Left left, Right right) {
  return logical<logical_operator::conjunction, Left, Right>{{}, std::move(left), std::move(right)};
}

template <condition Left, condition Right>
constexpr auto operator||(Left left, Right right) {
  return logical<logical_operator::disjunction, Left, Right>{{}, std::move(left), std::move(right)};
}

template <condition Inner>
constexpr auto operator!(Inner inner) {
  return negation<Inner>{{}, std::move(inner)};
}

/// A sort key: a column and a direction.
template <class Column, bool Descending>
struct ordering {
  using column = Column;
  template <class Writer>
  static constexpr void render(Writer& w) {
    w.identifier(Column::name);
    w << (Descending ? " DESC" : " ASC");
  }
  template <class Model>
  static constexpr bool belongs_to = std::is_same_v<typename Column::model_type, Model>;
};

}  // namespace syncorm::detail
