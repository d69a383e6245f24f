#pragma once
// The closed set of C++ field types a model may use, what SQL kind each maps to, and how a field
// is turned into one of the few "wire" values the backends bind (and back, with range checks).

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "chrono.hpp"

namespace syncorm::detail {

/// The SQL type of a column or parameter; each dialect spells it, PostgreSQL also needs its OID.
enum class value_kind : std::uint8_t {
  small_integer,     // 16 bit
  integer,           // 32 bit
  big_integer,       // 64 bit
  real,              // float
  double_precision,  // double
  boolean,
  text,
  blob,
  timestamp,         // microseconds since the Unix epoch, UTC
};

/// What may be compared with what: numbers with numbers, text with text, and so on.
enum class value_category : std::uint8_t { number, boolean, text, blob, time, enumeration };

/// Time as every backend stores it. PostgreSQL's resolution is a microsecond, so SQLite uses the
/// same, and a time_point round-trips identically through both (floored to the microsecond).
using wire_time = std::chrono::sys_time<std::chrono::microseconds>;

/// The bytes of a blob, as they are bound and read: a pointer and a length, which is all that
/// std::span<const std::byte> would be here. (std::span's constructors are constrained by
/// iterator and range concepts whose checks cost every translation unit several MB of compiler
/// memory.) Converts from what that span converts from: std::vector<std::byte>, std::array and
/// built-in arrays of std::byte, std::span.
class blob_view {
public:
  constexpr blob_view() noexcept = default;
  constexpr blob_view(const std::byte* first, std::size_t count) noexcept : data_(first), size_(count) {}
  template <class Bytes>
    requires requires(const Bytes& bytes) {
      { bytes.data() } -> std::convertible_to<const std::byte*>;
      { bytes.size() } -> std::convertible_to<std::size_t>;
    }
  constexpr blob_view(const Bytes& bytes) noexcept : data_(bytes.data()), size_(bytes.size()) {}
  template <std::size_t N>
  constexpr blob_view(const std::byte (&bytes)[N]) noexcept : data_(bytes), size_(N) {}

  [[nodiscard]] constexpr const std::byte* data() const noexcept { return data_; }
  [[nodiscard]] constexpr std::size_t size() const noexcept { return size_; }
  [[nodiscard]] constexpr bool empty() const noexcept { return size_ == 0; }
  [[nodiscard]] constexpr const std::byte* begin() const noexcept { return data_; }
  [[nodiscard]] constexpr const std::byte* end() const noexcept { return data_ + size_; }

private:
  const std::byte* data_ = nullptr;
  std::size_t size_ = 0;
};

template <class T>
struct is_optional : std::false_type {};
template <class T>
struct is_optional<std::optional<T>> : std::true_type {};

template <class T>
struct unwrap_optional {
  using type = T;
};
template <class T>
struct unwrap_optional<std::optional<T>> {
  using type = T;
};
template <class T>
using unwrap_optional_t = typename unwrap_optional<T>::type;

template <class T>
concept plain_character = std::same_as<T, char> || std::same_as<T, wchar_t> ||
                          std::same_as<T, char8_t> || std::same_as<T, char16_t> ||
                          std::same_as<T, char32_t>;

template <class T>
concept integer_value = std::integral<T> && !std::same_as<T, bool> && !plain_character<T>;

/// Integers map to the smallest SQL integer that holds every value; std::uint64_t fits none.
template <class T>
consteval value_kind integer_kind() {
  constexpr bool is_signed = std::is_signed_v<T>;
  constexpr std::size_t bytes = sizeof(T);
  if constexpr (bytes <= 1 || (bytes == 2 && is_signed)) return value_kind::small_integer;
  else if constexpr ((bytes == 2 && !is_signed) || (bytes == 4 && is_signed)) return value_kind::integer;
  else return value_kind::big_integer;
}

/// Classification of one (non-optional) field value type; `supported` is false for anything else.
template <class V>
struct value_traits {
  static constexpr bool supported = false;
};

/// What every supported value type declares.
template <value_kind Kind, value_category Category>
struct supported_value {
  static constexpr bool supported = true;
  static constexpr value_kind kind = Kind;
  static constexpr value_category category = Category;
};

template <integer_value V>
  requires(std::is_signed_v<V> || sizeof(V) < 8)
struct value_traits<V> : supported_value<integer_kind<V>(), value_category::number> {};

template <class V>
  requires std::is_enum_v<V> && value_traits<std::underlying_type_t<V>>::supported
struct value_traits<V>
    : supported_value<value_traits<std::underlying_type_t<V>>::kind, value_category::enumeration> {};

template <>
struct value_traits<bool> : supported_value<value_kind::boolean, value_category::boolean> {};
template <>
struct value_traits<float> : supported_value<value_kind::real, value_category::number> {};
template <>
struct value_traits<double> : supported_value<value_kind::double_precision, value_category::number> {};
template <>
struct value_traits<std::string> : supported_value<value_kind::text, value_category::text> {};
template <>
struct value_traits<std::vector<std::byte>> : supported_value<value_kind::blob, value_category::blob> {};
template <>
struct value_traits<std::chrono::system_clock::time_point>
    : supported_value<value_kind::timestamp, value_category::time> {};

/// A field type syncorm can store: a supported value, or std::optional of one (a NULL-able column).
template <class F>
concept field_value = value_traits<unwrap_optional_t<F>>::supported;

template <class F>
inline constexpr bool is_nullable_field = is_optional<F>::value;

/// The column kind of a field type. An unsupported type has none; it gets a stand-in, so that code
/// rendering a model's SQL compiles on quietly after the model check (reflect.hpp) has said, once
/// and by the field's name, what is wrong (clang would otherwise add errors of its own after it).
template <class F>
inline constexpr value_kind kind_of_field = [] {
  if constexpr (field_value<F>) return value_traits<unwrap_optional_t<F>>::kind;
  else return value_kind::text;
}();

/// The wire value a field of kind K is bound as: SQLite widens all integers, PostgreSQL sends the
/// exact width its parameter was declared with.
template <value_kind K>
struct wire_type_of;
template <> struct wire_type_of<value_kind::small_integer> { using type = std::int16_t; };
template <> struct wire_type_of<value_kind::integer> { using type = std::int32_t; };
template <> struct wire_type_of<value_kind::big_integer> { using type = std::int64_t; };
template <> struct wire_type_of<value_kind::real> { using type = float; };
template <> struct wire_type_of<value_kind::double_precision> { using type = double; };
template <> struct wire_type_of<value_kind::boolean> { using type = bool; };
template <> struct wire_type_of<value_kind::text> { using type = std::string_view; };
template <> struct wire_type_of<value_kind::blob> { using type = blob_view; };
template <> struct wire_type_of<value_kind::timestamp> { using type = wire_time; };

/// A non-optional field value as the wire value its column kind binds. Never throws: every value
/// of these types fits its own column kind. Time points are not among them: one may floor to a
/// microsecond no time_point can read back, so they go through stored_time (value_checks.hpp),
/// which knows the column to name.
template <class V>
  requires(!std::same_as<V, std::chrono::system_clock::time_point>)
constexpr auto to_wire(const V& value) noexcept {
  using wire = typename wire_type_of<value_traits<V>::kind>::type;
  if constexpr (std::is_enum_v<V>) {
    return static_cast<wire>(static_cast<std::underlying_type_t<V>>(value));
  } else if constexpr (std::same_as<V, std::string>) {
    return std::string_view{value};
  } else if constexpr (std::same_as<V, std::vector<std::byte>>) {
    return blob_view{value};
  } else {
    return static_cast<wire>(value);
  }
}

/// Whether `value` is representable as integer type `Target`.
template <class Target>
constexpr bool integer_fits(std::int64_t value) noexcept {
  if constexpr (std::is_signed_v<Target>) {
    return value >= static_cast<std::int64_t>(std::numeric_limits<Target>::min()) &&
           value <= static_cast<std::int64_t>(std::numeric_limits<Target>::max());
  } else {
    return value >= 0 && static_cast<std::uint64_t>(value) <= std::numeric_limits<Target>::max();
  }
}

}  // namespace syncorm::detail
