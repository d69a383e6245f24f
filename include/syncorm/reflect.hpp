#pragma once
// Models: plain aggregate structs, reflected at compile time. A model's table name, column names
// and column types come from the struct itself; traits customise them without macros.

#include <cstddef>
#include <string_view>
#include <type_traits>

#include "core/field_types.hpp"
#include "core/reflection.hpp"

namespace syncorm {

/// Specialise to customise a model; every member is optional. Known members:
///   static constexpr std::string_view table = "orders";   // default: snake_case of the type name
///   using unique_columns = syncorm::columns<&User::email>; // one UNIQUE constraint per column
///   using indexed_columns = syncorm::columns<&Order::status>; // one index per column
///   static constexpr bool may_reuse_ids = true;  // SQLite: plain rowid key, no AUTOINCREMENT
///                                                // (PostgreSQL identities never reuse: no effect)
template <class T>
struct model_traits {};

/// Specialise with `static constexpr std::array<std::string_view, N> value{...}` to give field
/// names on compilers that cannot report them (syncorm reads them itself on GCC and clang).
template <class T>
struct field_names {};

/// A list of columns, named by pointers to members, for model_traits.
template <auto... Members>
struct columns {};

/// A struct syncorm can map to a table: a non-const aggregate class (checked further, field by
/// field, where it is used, so that an unsupported field is reported by name).
template <class T>
concept model = std::is_class_v<T> && std::is_aggregate_v<T> && !std::is_const_v<T> &&
                !std::is_volatile_v<T> && !std::is_polymorphic_v<T>;

/// The table a model maps to.
template <model T>
inline constexpr std::string_view table_name = detail::table_name_v<T>;

/// The column a pointer to member maps to.
template <auto Member>
  requires detail::member_pointer_info<Member>::valid
inline constexpr std::string_view column_name =
    detail::field_name_v<typename detail::member_pointer_info<Member>::owner,
                         detail::member_pointer_info<Member>::index>;

}  // namespace syncorm

namespace syncorm::detail {

/// A string usable as a template argument, so compile errors can name the offending field.
template <std::size_t N>
struct fixed_name {
  char text[N]{};
  constexpr fixed_name(const char (&s)[N]) {
    for (std::size_t i = 0; i < N; ++i) text[i] = s[i];
  }
  constexpr fixed_name(std::string_view s) {
    for (std::size_t i = 0; i + 1 < N; ++i) text[i] = s[i];
  }
};

template <class Model, fixed_name Field, class Type>
struct field_type_check {
  static_assert(!std::is_same_v<unwrap_optional_t<Type>, std::uint64_t> &&
                    !std::is_same_v<unwrap_optional_t<Type>, unsigned long long>,
                "syncorm: a 64-bit unsigned field does not fit any SQL integer type; use std::int64_t");
  static_assert(!std::is_reference_v<Type> && !std::is_const_v<Type>,
                "syncorm: model fields cannot be references or const; use plain values");
  static_assert(field_value<Type> || std::is_same_v<unwrap_optional_t<Type>, std::uint64_t> ||
                    std::is_same_v<unwrap_optional_t<Type>, unsigned long long> || std::is_reference_v<Type> ||
                    std::is_const_v<Type>,
                "syncorm: this field's type cannot be stored. Supported: signed integers, unsigned "
                "integers up to 32 bits, enums, bool, float, double, std::string, "
                "std::vector<std::byte>, std::chrono::system_clock::time_point, and std::optional "
                "of each (a NULL-able column). The field is the `Field` argument in the line above.");
  static constexpr bool ok = true;
};

template <class T, std::size_t I>
inline constexpr std::string_view field_name_for_check = field_name_v<T, I>;

/// Instantiates field I's checks (each failure an error naming the model and the field); true.
template <class T, std::size_t I>
inline constexpr bool field_checked =
    field_type_check<T, fixed_name<field_name_for_check<T, I>.size() + 1>{field_name_for_check<T, I>},
                     field_type<T, I>>::ok;

template <class T, class Indexes = std::make_index_sequence<field_count<T>>>
inline constexpr bool fields_checked = false;
template <class T, std::size_t... I>
inline constexpr bool fields_checked<T, std::index_sequence<I...>> = (field_checked<T, I> && ...);

/// Index of the primary key (the field named `id`), or field_count<T> if the model has none.
template <class T>
inline constexpr std::size_t primary_key_index = field_index_by_name<T>("id");

template <class T>
inline constexpr bool has_primary_key = primary_key_index<T> < field_count<T>;

template <class T, bool = has_primary_key<T>>
struct primary_key_check {
  static constexpr bool ok = true;
};
template <class T>
struct primary_key_check<T, true> {
  using key = field_type<T, primary_key_index<T>>;
  static_assert(!is_optional<key>::value, "syncorm: the primary key `id` cannot be std::optional");
  static_assert(integer_value<key> || std::is_same_v<key, std::string>,
                "syncorm: the primary key `id` must be an integer (assigned by the database) or "
                "a std::string (assigned by you)");
  static constexpr bool ok = true;
};

template <class T>
struct field_count_check {
  static_assert(field_count<T> > 0, "syncorm: a model needs at least one field");
  static constexpr bool ok = true;
};

// The checks are class templates whose static_asserts report, each once and by name, what is wrong,
// and whose `ok` is true regardless: a variable computed from them stays a constant expression, so
// no compiler goes on to report that the check itself could not be evaluated (clang does, after a
// failed assertion inside a consteval function).

/// Instantiated by every entry point so misuse is reported once, by name, before anything else.
template <class T>
inline constexpr bool valid_model = field_count_check<T>::ok && fields_checked<T> && primary_key_check<T>::ok;

/// A model whose integer `id` is assigned by the database on insert.
template <class T>
inline constexpr bool has_generated_key = [] {
  if constexpr (has_primary_key<T>) return integer_value<field_type<T, primary_key_index<T>>>;
  else return false;
}();

template <class T>
using primary_key_type = field_type<T, primary_key_index<T>>;

}  // namespace syncorm::detail
