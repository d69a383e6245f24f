#pragma once
// Models shared by the test suites.

#include <syncorm/syncorm.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace test_models {

/// The design document's model.
struct Order {
  std::int64_t id = 0;
  std::string customer;
  double amount = 0;
  int status = 0;
  std::optional<std::string> note;
};

enum class Priority : std::int16_t { low = 1, normal = 5, high = 9 };

/// One field of every supported type, plain and optional.
struct Everything {
  std::int64_t id = 0;
  std::int8_t i8 = 0;
  std::int16_t i16 = 0;
  std::int32_t i32 = 0;
  std::int64_t i64 = 0;
  std::uint8_t u8 = 0;
  std::uint16_t u16 = 0;
  std::uint32_t u32 = 0;
  bool flag = false;
  float f32 = 0;
  double f64 = 0;
  std::string text;
  std::vector<std::byte> bytes;
  std::chrono::system_clock::time_point when{};
  Priority priority = Priority::normal;
  std::optional<std::int32_t> maybe_i32;
  std::optional<bool> maybe_flag;
  std::optional<double> maybe_f64;
  std::optional<std::string> maybe_text;
  std::optional<std::vector<std::byte>> maybe_bytes;
  std::optional<std::chrono::system_clock::time_point> maybe_when;
  std::optional<Priority> maybe_priority;

  bool operator==(const Everything&) const = default;
};

/// A unique column and an index, from traits.
struct User {
  std::int64_t id = 0;
  std::string email;
  std::string name;
  int age = 0;
};

/// A string primary key, assigned by the application.
struct Tag {
  std::string id;
  std::string label;
  int uses = 0;
};

/// No primary key at all.
struct LogLine {
  std::string message;
  int level = 0;
};

/// A 32-bit database-assigned key.
struct SmallKeyed {
  std::int32_t id = 0;
  std::string name;
};

/// The table "orders" seen with a NULL-able note and a 64-bit status: writes what Order cannot read.
struct LooseOrder {
  std::int64_t id = 0;
  std::optional<std::string> customer;
  double amount = 0;
  std::int64_t status = 0;
  std::optional<std::string> note;
};

/// The table "orders" seen with the status as text: a stored type Order cannot read.
struct TextStatusOrder {
  std::int64_t id = 0;
  std::string customer;
  double amount = 0;
  std::string status;
  std::optional<std::string> note;
};

/// Type names turn into snake_case table names.
struct HTTPRequestLog {
  std::int64_t id = 0;
  std::string path;
};

}  // namespace test_models

template <>
struct syncorm::model_traits<test_models::Order> {
  static constexpr std::string_view table = "orders";
};
template <>
struct syncorm::model_traits<test_models::User> {
  using unique_columns = syncorm::columns<&test_models::User::email>;
  using indexed_columns = syncorm::columns<&test_models::User::age, &test_models::User::name>;
};
template <>
struct syncorm::model_traits<test_models::LooseOrder> {
  static constexpr std::string_view table = "orders";
};
template <>
struct syncorm::model_traits<test_models::TextStatusOrder> {
  static constexpr std::string_view table = "orders";
};
