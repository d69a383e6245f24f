#pragma once
// Moving whole rows between structs and statements. Backends supply only primitive reads and
// binds of wire values; every check (NULL into a non-optional field, integer range, stored type)
// and every error message lives here, once for all backends.

#include <boost/pfr/core.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "../error.hpp"
#include "../reflect.hpp"
#include "chrono.hpp"
#include "field_types.hpp"
#include "statements.hpp"
#include "value_checks.hpp"

namespace syncorm::detail {

/// Result of reading one column through a backend cursor. `out_of_range`: a value of a type the
/// field reads, but one its wire type cannot hold (PostgreSQL's infinite timestamps).
enum class read_status : std::uint8_t { value, null, mismatch, out_of_range };

/// What generic code needs from a running statement to bind parameters, in order.
template <class B>
concept parameter_binder = requires(B& b) {
  b.bind(std::int16_t{});
  b.bind(std::int32_t{});
  b.bind(std::int64_t{});
  b.bind(float{});
  b.bind(double{});
  b.bind(bool{});
  b.bind(std::string_view{});
  b.bind(blob_view{});
  b.bind(wire_time{});
  b.bind_null(value_kind::text);
};

/// What generic code needs from a running statement to read the current row.
template <class C>
concept row_cursor = requires(C& c, int column, std::int64_t& i, double& d, bool& b,
                              std::string_view& s, blob_view& bytes, wire_time& t) {
  { c.read(column, i) } -> std::same_as<read_status>;
  { c.read(column, d) } -> std::same_as<read_status>;
  { c.read(column, b) } -> std::same_as<read_status>;
  { c.read(column, s) } -> std::same_as<read_status>;
  { c.read(column, bytes) } -> std::same_as<read_status>;
  { c.read(column, t) } -> std::same_as<read_status>;
  { c.describe(column) } -> std::convertible_to<std::string>;
};

/// Binds one value of column `table.column` (std::optional => NULL when empty). A time_point is
/// checked here, where the column is known, so one that could not be read back is never written.
template <class Field>
void bind_field(parameter_binder auto& b, const Field& value, std::string_view table, std::string_view column) {
  if constexpr (is_optional<Field>::value) {
    if (value) bind_field(b, *value, table, column);
    else b.bind_null(kind_of_field<Field>);
  } else if constexpr (std::is_same_v<Field, std::chrono::system_clock::time_point>) {
    b.bind(stored_time(value, table, column));
  } else {
    b.bind(to_wire(value));
  }
}

/// Binds `value` of column `table.column` if `Selected`.
template <bool Selected, class Field>
void bind_field_if(parameter_binder auto& b, const Field& value, std::string_view table, std::string_view column) {
  if constexpr (Selected) bind_field(b, value, table, column);
}

// Row-wide work is one fold over the field indexes, not a generic lambda called per field: the
// compiler then has one function per row to instantiate and optimise, not one per field.

/// Binds the fields of `row` that `selected` picks (the predicates the statement shapes render
/// their columns with, so placeholders and values always agree), in field order. Out of line, like
/// read_row: one copy per model and statement kind serves every operation (a call per row costs
/// nanoseconds; a copy of every field's binding in every operation costs each user's build).
template <class T, class Selected>
[[gnu::noinline]] void bind_fields(parameter_binder auto& b, const T& row, Selected selected) {
  // Through a mutable reference, as read_row reaches the fields, so that each field costs one
  // instantiation of boost::pfr::get's chain rather than a const one as well. Nothing is written.
  T& fields = const_cast<T&>(row);
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    (bind_field_if<selected(std::integral_constant<std::size_t, I>{})>(b, boost::pfr::get<I>(fields), table_name_v<T>,
                                                                        field_name_v<T, I>),
     ...);
  }(std::make_index_sequence<field_count<T>>{});
}

/// Binds the primary key of `row` (the WHERE of update and remove by key).
template <class T>
void bind_key(parameter_binder auto& b, const T& row) {
  bind_field(b, row.id, table_name_v<T>, field_name_v<T, primary_key_index<T>>);
}

/// Throws type_error "syncorm: column <table>.<column> <what>" (see error.hpp: out of line, cold).
[[noreturn, gnu::cold, gnu::noinline]] inline void throw_read_error(std::string_view table, std::string_view column,
                                                                    std::initializer_list<message_piece> what) {
  throw_error<type_error>({"syncorm: column ", table, ".", column, " ", join(what)}, table, column);
}

/// A read the cursor could not complete: a stored type the field (of type `field`) cannot read, or
/// a value of the right type that no such field can hold. One function per cursor type, not per
/// field type: the field's type arrives as its name.
[[noreturn, gnu::cold]] void throw_unreadable(row_cursor auto& c, int column, read_status status, std::string_view field,
                                              bool time_point, std::string_view table, std::string_view name) {
  if (status == read_status::out_of_range) {
    if (time_point) throw_read_error(table, name, {"holds ", c.describe(column), time_point_cannot_hold});
    throw_read_error(table, name, {"holds ", c.describe(column), ", which ", field, " cannot hold"});
  }
  throw_read_error(table, name, {"holds ", c.describe(column), ", which cannot be read into ", field});
}

/// Reads a non-NULL value into `out`; returns false, leaving `out` alone, when the column is NULL.
/// One backend call per column: the read itself reports NULL and stored-type mismatches.
template <class V>
bool read_value(row_cursor auto& c, int column, V& out, std::string_view table, std::string_view name) {
  auto accept = [&](read_status s) {
    if (s > read_status::null) [[unlikely]]
      throw_unreadable(c, column, s, field_type_name<V>(), std::is_same_v<V, std::chrono::system_clock::time_point>,
                       table, name);
    return s == read_status::value;
  };
  if constexpr (integer_value<V> || std::is_enum_v<V>) {
    using integer = typename std::conditional_t<std::is_enum_v<V>, std::underlying_type<V>,
                                                std::type_identity<V>>::type;
    std::int64_t raw = 0;
    if (!accept(c.read(column, raw))) return false;
    if (!integer_fits<integer>(raw)) [[unlikely]]
      throw_read_error(table, name,
                       {"holds ", raw, ", which does not fit ", integer_range_prefix<V>(), integer_range_type<V>()});
    out = static_cast<V>(static_cast<integer>(raw));
  } else if constexpr (std::is_same_v<V, bool>) {
    if (!accept(c.read(column, out))) return false;
  } else if constexpr (std::is_same_v<V, float>) {
    double raw = 0;
    if (!accept(c.read(column, raw))) return false;
    const auto narrowed = static_cast<float>(raw);
    if (const std::string_view problem = float_narrowing_problem(raw, narrowed); !problem.empty()) [[unlikely]]
      throw_read_error(table, name, {"holds ", shortest_text(raw), ", which does not fit float: ", problem});
    out = narrowed;
  } else if constexpr (std::is_same_v<V, double>) {
    if (!accept(c.read(column, out))) return false;
  } else if constexpr (std::is_same_v<V, std::string>) {
    std::string_view raw;
    if (!accept(c.read(column, raw))) return false;
    out.assign(raw.data(), raw.size());
  } else if constexpr (std::is_same_v<V, std::vector<std::byte>>) {
    blob_view raw;
    if (!accept(c.read(column, raw))) return false;
    out.assign(raw.begin(), raw.end());
  } else {
    static_assert(std::is_same_v<V, std::chrono::system_clock::time_point>);
    wire_time raw;
    if (!accept(c.read(column, raw))) return false;
    if (!time_point_can_hold(raw)) [[unlikely]]
      throw_read_error(table, name, {"holds ", iso_8601(raw), time_point_cannot_hold});
    out = std::chrono::time_point_cast<std::chrono::system_clock::duration>(raw);
  }
  return true;
}

/// Reads result column `column` into field `out`. NULL is only accepted by std::optional fields.
template <class Field>
void read_field(row_cursor auto& c, int column, Field& out, std::string_view table, std::string_view name) {
  if constexpr (is_optional<Field>::value) {
    if (!out) out.emplace();  // reuse the optional's storage when it already holds a value
    if (!read_value(c, column, *out, table, name)) out.reset();
  } else {
    if (!read_value(c, column, out, table, name)) [[unlikely]]
      throw_read_error(table, name, {"is NULL, but the field is not std::optional"});
  }
}

/// Stores a key the database assigned into `row.id`, refusing one the id field cannot hold.
template <class T>
void assign_generated_key(T& row, std::int64_t key) {
  if (!integer_fits<primary_key_type<T>>(key)) [[unlikely]]
    throw_error<type_error>({"syncorm: the database assigned id ", key, " to ", table_name_v<T>,
                             ", which does not fit the id field"},
                            table_name_v<T>, "id");
  row.id = static_cast<primary_key_type<T>>(key);
}

/// Reads the current result row, whose columns are T's fields in order, into `row`. Out of line:
/// one copy per model serves find, select, first and the writes that read rows back.
template <class T>
[[gnu::noinline]] void read_row(row_cursor auto& c, T& row) {
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    (read_field(c, static_cast<int>(I), boost::pfr::get<I>(row), table_name_v<T>, field_name_v<T, I>), ...);
  }(std::make_index_sequence<field_count<T>>{});
}

}  // namespace syncorm::detail
