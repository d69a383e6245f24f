#pragma once
// Exceptions thrown by syncorm. Every error derives from syncorm::error, and carries the table and
// column it concerns (empty when not known) so callers can react without parsing the message.

#include <cstdio>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "core/static_text.hpp"

namespace syncorm {

/// Base of every exception syncorm throws.
class error : public std::runtime_error {
public:
  /// An error with a message and, when known, the table and column it concerns.
  explicit error(const std::string& message, std::string table = {}, std::string column = {})
      : std::runtime_error(message), table_(std::move(table)), column_(std::move(column)) {}

  /// The table the failing statement touched, or empty.
  [[nodiscard]] const std::string& table() const noexcept { return table_; }
  /// The column concerned, or empty when the database did not say.
  [[nodiscard]] const std::string& column() const noexcept { return column_; }

private:
  std::string table_;
  std::string column_;
};

/// A UNIQUE, NOT NULL, CHECK, PRIMARY KEY or FOREIGN KEY constraint was violated; nothing was written.
class constraint_error : public error {
public:
  /// A violated constraint; `constraint` is the database's name for it when it gives one.
  constraint_error(const std::string& message, std::string table, std::string column,
                   std::string constraint = {})
      : error(message, std::move(table), std::move(column)), constraint_(std::move(constraint)) {}

  /// The database's name of the violated constraint (PostgreSQL gives one; SQLite does not).
  [[nodiscard]] const std::string& constraint() const noexcept { return constraint_; }

private:
  std::string constraint_;
};

/// Thrown by hooks to reject a row; the statement does not run and the transaction rolls back.
class validation_error : public error {
public:
  using error::error;
};

/// The database could not be opened or reached, or the connection was lost.
class connection_error : public error {
public:
  using error::error;
};

/// A value does not fit its destination: NULL into a non-optional field, an integer out of range,
/// or a column whose stored type does not match the field.
class type_error : public error {
public:
  using error::error;
};

}  // namespace syncorm

namespace syncorm::detail {

// Error messages are built out of line, in cold code: a throw site passes the pieces of its
// message and costs the code around it one call. Built inline, every `"..." + std::to_string(n) +
// ...` chain would be compiled again at each site and in each instantiation of the template
// around it (a large share of what the compiler spends on a translation unit using syncorm).

/// One piece of an error message: text, or a number printed as std::to_string prints it.
struct message_piece {
  enum class form : unsigned char { text, signed_integer, unsigned_integer, floating_point };
  form shape;
  union {
    std::string_view text;
    long long signed_value;
    unsigned long long unsigned_value;
    double floating_value;
  };

  constexpr message_piece(std::string_view s) noexcept : shape(form::text), text(s) {}
  constexpr message_piece(const char* s) noexcept : shape(form::text), text(s) {}
  message_piece(const std::string& s) noexcept : shape(form::text), text(s) {}
  template <class Integer>
    requires(std::is_integral_v<Integer> && !std::is_same_v<Integer, bool>)
  constexpr message_piece(Integer n) noexcept {
    if constexpr (std::is_signed_v<Integer>) {
      shape = form::signed_integer;
      signed_value = n;
    } else {
      shape = form::unsigned_integer;
      unsigned_value = n;
    }
  }
  constexpr message_piece(double n) noexcept : shape(form::floating_point), floating_value(n) {}
};

/// The pieces, joined. Numbers are printed here rather than with std::to_string, whose
/// instantiations would add to every translation unit's work.
[[gnu::cold, gnu::noinline]] inline std::string join(std::initializer_list<message_piece> pieces) {
  std::string out;
  for (const message_piece& piece : pieces) {
    // Wide enough for any double printed with "%f" (std::to_string's format and buffer size).
    char number[328];
    text_writer digits{number};
    switch (piece.shape) {
      case message_piece::form::text: out.append(piece.text.data(), piece.text.size()); continue;
      case message_piece::form::floating_point:
        digits.length = static_cast<std::size_t>(std::snprintf(number, sizeof number, "%f", piece.floating_value));
        break;
      case message_piece::form::signed_integer: append_signed_decimal(digits, piece.signed_value); break;
      case message_piece::form::unsigned_integer: append_decimal(digits, piece.unsigned_value); break;
    }
    out.append(number, digits.length);
  }
  return out;
}

/// Throws `Error` with the joined message and, when known, the table and column.
template <class Error>
[[noreturn, gnu::cold, gnu::noinline]] void throw_error(std::initializer_list<message_piece> message,
                                                        std::string_view table = {}, std::string_view column = {}) {
  throw Error(join(message), std::string(table), std::string(column));
}

}  // namespace syncorm::detail
