#pragma once
// How names are read off types at compile time. Boost.PFR 1.81 gives field types and references but
// not names, so a field's name is parsed out of __PRETTY_FUNCTION__ of a function templated on a
// pointer to that field of an extern (never defined, never odr-used) object.

#include <boost/pfr/core.hpp>
#include <boost/pfr/tuple_size.hpp>

#include <cstddef>
#include <string_view>
#include <type_traits>
#include <utility>

#include "static_text.hpp"

namespace syncorm {
template <class T>
struct model_traits;
template <class T>
struct field_names;
}  // namespace syncorm

namespace syncorm::detail {

template <class T>
struct object_holder {
  T value;
};

// Declared only: its address is used in constant expressions, never its value. Clang warns about
// such a variable all the same (at each use, and for a model in an anonymous namespace), so its
// warnings are off from here to member_index below, the last use.
#if defined(__clang__)
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wundefined-internal"
#pragma clang diagnostic ignored "-Wundefined-var-template"
#endif
template <class T>
extern const object_holder<T> fake_object;

template <class T>
inline constexpr std::size_t field_count = boost::pfr::tuple_size_v<T>;

template <class T, std::size_t I>
using field_type = boost::pfr::tuple_element_t<I, T>;

template <const auto* Pointer>
consteval std::string_view pretty_function_of_pointer() {
  return __PRETTY_FUNCTION__;
}

/// A pointer to a field, as a class-type template argument: clang (14 to 16 at least) refuses a
/// pointer to a subobject as a template argument of pointer type, but takes one inside a class.
template <class Pointer>
struct field_pointer {
  Pointer pointer;
};

template <auto Wrapped>
consteval std::string_view pretty_function_of_wrapped_pointer() {
  return __PRETTY_FUNCTION__;
}

template <class T>
consteval std::string_view pretty_function_of_type() {
  return __PRETTY_FUNCTION__;
}

/// The text of the template argument `<marker>...` inside a __PRETTY_FUNCTION__ string, up to
/// the next ';' or ']' (GCC) — clang's layout differs only around the argument, not inside it.
consteval std::string_view template_argument_text(std::string_view pretty, std::string_view marker) {
  const std::size_t start = pretty.find(marker);
  if (start == std::string_view::npos) return {};
  pretty.remove_prefix(start + marker.size());
  return pretty.substr(0, pretty.find_first_of(";]"));
}

constexpr bool is_identifier_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/// "(& fake_object<ns::T>.object_holder<ns::T>::value.ns::T::customer)" -> "customer".
consteval std::string_view member_name_from_pointer_text(std::string_view text) {
  std::size_t end = text.size();
  while (end > 0 && !is_identifier_char(text[end - 1])) --end;
  std::size_t begin = end;
  while (begin > 0 && is_identifier_char(text[begin - 1])) --begin;
  return text.substr(begin, end - begin);
}

template <class T>
concept has_field_names_trait = requires { syncorm::field_names<T>::value; };

template <class T, std::size_t I>
consteval std::string_view field_name() {
  if constexpr (has_field_names_trait<T>) {
    static_assert(std::size(syncorm::field_names<T>::value) == field_count<T>,
                  "syncorm::field_names<T>::value must list one name per field of T, in order");
    return syncorm::field_names<T>::value[I];
  } else {
#if defined(__GNUC__) || defined(__clang__)
#if defined(__clang__)
    // "... [Wrapped = {&fake_object.value.customer}]"
    constexpr std::string_view pretty = pretty_function_of_wrapped_pointer<
        field_pointer<const field_type<T, I>*>{&boost::pfr::get<I>(fake_object<T>.value)}>();
    constexpr std::string_view marker = "Wrapped = ";
#else
    constexpr std::string_view pretty = pretty_function_of_pointer<&boost::pfr::get<I>(fake_object<T>.value)>();
    constexpr std::string_view marker = "Pointer = ";
#endif
    constexpr std::string_view name = member_name_from_pointer_text(template_argument_text(pretty, marker));
    static_assert(!name.empty(), "syncorm could not read this field's name from the compiler; "
                                 "specialise syncorm::field_names<T> with the field names");
    return name;
#else
    static_assert(has_field_names_trait<T>,
                  "this compiler cannot give field names at compile time: specialise "
                  "syncorm::field_names<T> with `static constexpr std::array value{\"id\", ...}`");
    return {};
#endif
  }
}

/// Field `I` of a model, by name.
template <class T, std::size_t I>
inline constexpr std::string_view field_name_v = field_name<T, I>();

/// "ns::OrderItem" -> "OrderItem"; template arguments are kept, namespaces of the type dropped.
consteval std::string_view unqualified_type_name(std::string_view qualified) {
  int depth = 0;
  std::size_t last = 0;
  for (std::size_t i = 0; i < qualified.size(); ++i) {
    const char c = qualified[i];
    if (c == '<') ++depth;
    if (c == '>') --depth;
    if (depth == 0 && c == ':' && i + 1 < qualified.size() && qualified[i + 1] == ':') last = i + 2;
  }
  return qualified.substr(last);
}

/// Writes `name` in snake_case: "OrderItem" -> "order_item", "HTTPRequest" -> "http_request";
/// characters that cannot be in an identifier (template brackets) become '_', never two in a row
/// and none at the end. `Out` is anything with `+= char`. Underscores are held back until a
/// character follows them, so that nothing written has to be read back or taken back.
template <class Out>
constexpr void append_snake_case(Out& out, std::string_view name) {
  auto upper = [](char c) { return c >= 'A' && c <= 'Z'; };
  auto lower_or_digit = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  bool written = false;         // a character other than '_' has been written
  std::size_t underscores = 0;  // held back, written before the next other character
  auto put = [&](char c) {
    for (; underscores > 0; --underscores) out += '_';
    out += c;
    written = true;
  };
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    if (upper(c)) {
      const bool word_start = i > 0 && lower_or_digit(name[i - 1]);
      const bool acronym_end = i > 0 && upper(name[i - 1]) && i + 1 < name.size() &&
                               name[i + 1] >= 'a' && name[i + 1] <= 'z';
      if ((word_start || acronym_end) && written && underscores == 0) underscores = 1;
      put(static_cast<char>(c - 'A' + 'a'));
    } else if (c == '_') {
      ++underscores;
    } else if (is_identifier_char(c)) {
      put(c);
    } else if (written && underscores == 0) {
      underscores = 1;
    }
  }
}

template <class T>
concept has_table_trait = requires {
  { syncorm::model_traits<T>::table } -> std::convertible_to<std::string_view>;
};

template <class T>
struct default_table_name {
  static constexpr void build(text_writer& out) {
    append_snake_case(out, unqualified_type_name(template_argument_text(pretty_function_of_type<T>(), "T = ")));
  }
};

template <class T>
consteval std::string_view table_name_of() {
  if constexpr (has_table_trait<T>) {
    return std::string_view{syncorm::model_traits<T>::table};
  } else {
    return frozen_text<default_table_name<T>>::view;
  }
}

/// The table a model maps to (the public spelling is syncorm::table_name<T>).
template <class T>
inline constexpr std::string_view table_name_v = table_name_of<T>();

/// Index of the field called `name`, or field_count<T> when there is none.
template <class T>
consteval std::size_t field_index_by_name(std::string_view name) {
  std::size_t found = field_count<T>;
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    ((field_name<T, I>() == name && found == field_count<T> ? (void)(found = I) : (void)0), ...);
  }(std::make_index_sequence<field_count<T>>{});
  return found;
}

/// Position of the field `Member` points to in `Owner`, or field_count<Owner> when there is none.
/// A free function rather than a member of member_pointer_info: clang before 15 cannot call a
/// consteval member function in its own class's static member initializer.
template <class Owner, class Field, Field Owner::*Member>
consteval std::size_t member_index() {
  std::size_t found = field_count<Owner>;
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    (
        [&] {
          if constexpr (std::is_same_v<field_type<Owner, I>, Field>) {
            if (&boost::pfr::get<I>(fake_object<Owner>.value) ==
                &(fake_object<Owner>.value.*Member))
              found = I;
          }
        }(),
        ...);
  }(std::make_index_sequence<field_count<Owner>>{});
  return found;
}
#if defined(__clang__)
#pragma clang diagnostic pop  // the warnings about fake_object (see its declaration)
#endif

/// What a pointer to data member names: the owning model, the field type and its position.
template <auto Member>
struct member_pointer_info {
  static constexpr bool valid = false;
};

template <class Owner, class Field, Field Owner::*Member>
struct member_pointer_info<Member> {
  static constexpr bool valid = true;
  using owner = Owner;
  using type = Field;
  static constexpr std::size_t index = member_index<Owner, Field, Member>();
};

}  // namespace syncorm::detail
