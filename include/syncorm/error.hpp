#pragma once
// Exceptions thrown by syncorm. Every error derives from syncorm::error, and carries the table and
// column it concerns (empty when not known) so callers can react without parsing the message.

#include <stdexcept>
#include <string>
#include <string_view>

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
