#pragma once
// Freezing text computed during constant evaluation into static storage, so names and SQL spelled
// at compile time cost nothing at run time.

#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string_view>

namespace syncorm::detail {

/// Writes text during constant evaluation: into `chars` when it points somewhere, else only
/// counting, so that text is measured first and then written into an array of exactly its size
/// (std::string in constant evaluation costs the compiler more, and clang before 17 cannot
/// evaluate libstdc++ 12's).
struct text_writer {
  char* chars = nullptr;
  std::size_t length = 0;

  constexpr void operator+=(char c) {
    if (chars != nullptr) chars[length] = c;
    ++length;
  }
  constexpr text_writer& operator<<(std::string_view s) {
    for (const char c : s) *this += c;
    return *this;
  }
};

/// `Builder::build(out)` writes text through a text_writer; `frozen_text<Builder>::view` is that text
/// as a string_view into static, NUL-terminated storage (C APIs need the NUL).
template <class Builder>
struct frozen_text {
  static constexpr std::size_t size = [] {
    text_writer measure;
    Builder::build(measure);
    return measure.length;
  }();
  static constexpr std::array<char, size + 1> storage = [] {
    std::array<char, size + 1> chars{};
    text_writer out{chars.data()};
    Builder::build(out);
    return chars;
  }();
  static constexpr std::string_view view{storage.data(), size};
};

/// Appends `value` in decimal, zero-padded to at least `width` digits (std::to_string is not
/// constexpr). `Text` is anything with `+= char`: a text_writer (sql_writer.hpp's is one).
template <class Text>
constexpr void append_decimal(Text& out, std::uint64_t value, int width = 1) {
  char digits[20]{};
  int count = 0;
  do {
    digits[count++] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value != 0);
  while (count < width && count < 20) digits[count++] = '0';
  while (count > 0) out += digits[--count];
}

/// Appends `value` in decimal, '-' first when negative.
template <class Text>
constexpr void append_signed_decimal(Text& out, long long value) {
  // Magnitude in unsigned arithmetic, so the most negative value needs no special case.
  auto magnitude = static_cast<unsigned long long>(value);
  if (value < 0) {
    out += '-';
    magnitude = 0ULL - magnitude;
  }
  append_decimal(out, magnitude);
}

/// Appends the concatenation of `parts` as one double-quoted SQL identifier, doubling embedded
/// quotes, so any table name a trait gives is safe to splice into SQL text (identifiers are never
/// user input at run time). In parts, so that a composed name needs no string to be built in.
template <class Text>
constexpr void append_identifier(Text& out, std::initializer_list<std::string_view> parts) {
  out += '"';
  for (const std::string_view part : parts)
    for (const char c : part) {
      if (c == '"') out += '"';
      out += c;
    }
  out += '"';
}

/// Appends `name` as a double-quoted SQL identifier (see above).
template <class Text>
constexpr void append_identifier(Text& out, std::string_view name) {
  append_identifier(out, {name});
}

}  // namespace syncorm::detail
