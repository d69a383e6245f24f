#pragma once
// insert_many's fast path on PostgreSQL: the ids are reserved from the identity's sequence in one
// round trip (see connection::reserve_keys), then every row (id included) is streamed with
// COPY ... FROM STDIN (FORMAT binary).
// One statement for the whole batch instead of one INSERT per row, and still every id is known.

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "../error.hpp"
#include "../core/field_types.hpp"
#include "../core/statements.hpp"
#include "wire.hpp"

namespace syncorm::detail::postgres {

/// COPY "t" (every column, a generated key included) FROM STDIN (FORMAT binary).
template <class T>
struct copy_shape {
  static constexpr std::string_view table = table_name_v<T>;
  template <class Dialect, class Writer>
  static constexpr void render(Writer& w) {
    w << "COPY ";
    w.identifier(table);
    w << " (";
    render_column_list<T>(w);
    w << ") FROM STDIN (FORMAT binary)";
  }
};

/// Builds the binary COPY stream. It is a parameter binder, so the same bind_fields that binds a
/// row to a statement writes it into the stream.
class copy_encoder {
public:
  copy_encoder() { buffer_.append("PGCOPY\n\377\r\n\0", 11).append(8, '\0'); }  // signature, flags, extension

  void begin_row(std::size_t fields) { append_fixed(static_cast<std::int16_t>(fields)); }
  void end() { append_fixed(std::int16_t{-1}); }

  void bind(std::int16_t v) { append_value(v); }
  void bind(std::int32_t v) { append_value(v); }
  void bind(std::int64_t v) { append_value(v); }
  void bind(float v) { append_value(v); }
  void bind(double v) { append_value(v); }
  void bind(bool v) { append_value(v); }
  void bind(wire_time v) { append_value(v); }
  void bind(std::string_view v) { append_bytes(v.data(), v.size()); }
  void bind(blob_view v) { append_bytes(reinterpret_cast<const char*>(v.data()), v.size()); }
  void bind_null(value_kind) { append_fixed(std::int32_t{-1}); }

  [[nodiscard]] std::string& buffer() noexcept { return buffer_; }

private:
  template <class Fixed>
  void append_fixed(Fixed v) {
    char bytes[8];
    buffer_.append(bytes, static_cast<std::size_t>(encode(bytes, v)));
  }
  template <class Fixed>
  void append_value(Fixed v) {
    char bytes[8];
    const int size = encode(bytes, v);
    append_fixed(static_cast<std::int32_t>(size));
    buffer_.append(bytes, static_cast<std::size_t>(size));
  }
  void append_bytes(const char* data, std::size_t size) {
    if (size > static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max()))
      throw error("syncorm: a value of " + std::to_string(size) + " bytes is larger than PostgreSQL accepts");
    append_fixed(static_cast<std::int32_t>(size));
    buffer_.append(data, size);
  }

  std::string buffer_;
};

}  // namespace syncorm::detail::postgres
