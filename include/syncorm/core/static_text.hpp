#pragma once
// Freezing text computed by a constexpr function into static storage, so SQL built with
// std::string during constant evaluation costs nothing at run time.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace syncorm::detail {

/// `Builder::build()` is a constexpr function returning std::string; `frozen_text<Builder>::view`
/// is that string as a string_view into static, NUL-terminated storage (C APIs need the NUL).
template <class Builder>
struct frozen_text {
  static constexpr std::size_t size = Builder::build().size();
  static constexpr std::array<char, size + 1> storage = [] {
    std::array<char, size + 1> chars{};
    const std::string text = Builder::build();
    for (std::size_t i = 0; i < size; ++i) chars[i] = text[i];
    return chars;
  }();
  static constexpr std::string_view view{storage.data(), size};
};

/// std::to_string is not constexpr. `Text` is std::string or sql_writer.hpp's writer: anything
/// with `+= char`.
template <class Text>
constexpr void append_decimal(Text& out, std::uint64_t value) {
  char digits[20]{};
  int count = 0;
  do {
    digits[count++] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value != 0);
  while (count > 0) out += digits[--count];
}

/// Appends `name` as a double-quoted SQL identifier, doubling embedded quotes, so any table name a
/// trait gives is safe to splice into SQL text (identifiers are never user input at run time).
template <class Text>
constexpr void append_identifier(Text& out, std::string_view name) {
  out += '"';
  for (const char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

}  // namespace syncorm::detail
