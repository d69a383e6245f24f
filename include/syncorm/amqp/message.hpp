#pragma once
// A sync event as an AMQP message, both ways. README ("RabbitMQ", the message format) is the
// reference for producers and consumers in other languages:
//   body          the payload JSON
//   content_type  application/json        delivery_mode  2 (persistent)
//   message_id    the event id            type           created, updated or destroyed
//   headers       aggregatetype (the topic, also the routing key), aggregateid (the row's key),
//                 position (integer: the event's place in its source's commit order),
//                 source (the producer whose order that is)
// Reading is lenient where other clients differ: `position` in any AMQP integer width (Node's
// amqplib picks the smallest that fits), a double holding a whole number, or a decimal string;
// header strings as long strings or byte arrays; `aggregateid` as an integer too. A message that
// still cannot be read becomes a malformed raw_event, which the subscriber parks.

#include <amqp.h>

#include <charconv>
#include <initializer_list>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "../sync/source.hpp"
#include "connection.hpp"

namespace syncorm::amqp::detail {

/// The properties and headers of an event's message; they point into `e` and into this object, so
/// both must outlive the publish.
class message_properties {
public:
  message_properties(const raw_event& e, std::string_view source) {
    entries_[0] = text_entry("aggregatetype", e.topic);
    entries_[1] = text_entry("aggregateid", e.aggregate_id);
    entries_[2].key = amqp_cstring_bytes("position");
    entries_[2].value.kind = AMQP_FIELD_KIND_I64;
    entries_[2].value.value.i64 = e.position;
    entries_[3] = text_entry("source", source);
    properties_._flags = AMQP_BASIC_CONTENT_TYPE_FLAG | AMQP_BASIC_DELIVERY_MODE_FLAG | AMQP_BASIC_MESSAGE_ID_FLAG |
                         AMQP_BASIC_TYPE_FLAG | AMQP_BASIC_HEADERS_FLAG;
    properties_.content_type = amqp_cstring_bytes("application/json");
    properties_.delivery_mode = AMQP_DELIVERY_PERSISTENT;
    properties_.message_id = bytes_of(e.id);
    properties_.type = bytes_of(e.type);
    properties_.headers = amqp_table_t{4, entries_};
  }
  message_properties(const message_properties&) = delete;
  message_properties& operator=(const message_properties&) = delete;

  [[nodiscard]] const amqp_basic_properties_t& get() const noexcept { return properties_; }

private:
  static amqp_table_entry_t text_entry(const char* key, std::string_view value) noexcept {
    amqp_table_entry_t entry{amqp_cstring_bytes(key), {}};
    entry.value.kind = AMQP_FIELD_KIND_UTF8;
    entry.value.value.bytes = bytes_of(value);
    return entry;
  }

  amqp_table_entry_t entries_[4]{};
  amqp_basic_properties_t properties_{};
};

/// The header `key`, or null.
inline const amqp_field_value_t* header(const amqp_basic_properties_t& properties, std::string_view key) noexcept {
  if ((properties._flags & AMQP_BASIC_HEADERS_FLAG) == 0) return nullptr;
  for (int i = 0; i < properties.headers.num_entries; ++i)
    if (text_of(properties.headers.entries[i].key) == key) return &properties.headers.entries[i].value;
  return nullptr;
}

/// A header value as a signed 64-bit integer, from any width an AMQP client may have chosen.
inline std::optional<std::int64_t> integer_of(const amqp_field_value_t& value) noexcept {
  switch (value.kind) {
    case AMQP_FIELD_KIND_I8: return value.value.i8;
    case AMQP_FIELD_KIND_U8: return value.value.u8;
    case AMQP_FIELD_KIND_I16: return value.value.i16;
    case AMQP_FIELD_KIND_U16: return value.value.u16;
    case AMQP_FIELD_KIND_I32: return value.value.i32;
    case AMQP_FIELD_KIND_U32: return value.value.u32;
    case AMQP_FIELD_KIND_I64: return value.value.i64;
    case AMQP_FIELD_KIND_U64:
    case AMQP_FIELD_KIND_TIMESTAMP:
      if (value.value.u64 > static_cast<std::uint64_t>(INT64_MAX)) return std::nullopt;
      return static_cast<std::int64_t>(value.value.u64);
    case AMQP_FIELD_KIND_F64: {
      const double d = value.value.f64;
      if (std::trunc(d) != d || !(d >= -9223372036854775808.0 && d < 9223372036854775808.0)) return std::nullopt;
      return static_cast<std::int64_t>(d);
    }
    case AMQP_FIELD_KIND_UTF8:
    case AMQP_FIELD_KIND_BYTES: {
      const std::string_view text = text_of(value.value.bytes);
      std::int64_t parsed = 0;
      const auto [end, failure] = std::from_chars(text.data(), text.data() + text.size(), parsed);
      if (failure != std::errc{} || end != text.data() + text.size() || text.empty()) return std::nullopt;
      return parsed;
    }
    default: return std::nullopt;
  }
}

/// A header value as text: a string, or an integer in decimal.
inline std::optional<std::string> text_of(const amqp_field_value_t& value) {
  if (value.kind == AMQP_FIELD_KIND_UTF8 || value.kind == AMQP_FIELD_KIND_BYTES)
    return std::string(text_of(value.value.bytes));
  if (value.kind == AMQP_FIELD_KIND_F64) return std::nullopt;
  if (const auto integer = integer_of(value)) return std::to_string(*integer);
  return std::nullopt;
}

/// FNV-1a over the parts of a message, for the key a malformed message is parked under.
inline std::uint64_t fingerprint(std::initializer_list<std::string_view> parts) noexcept {
  std::uint64_t hash = 14695981039346656037ULL;
  for (std::string_view part : parts) {
    for (char c : part) hash = (hash ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
    hash = (hash ^ 0xFF) * 1099511628211ULL;  // a separator, so that ("ab", "c") differs from ("a", "bc")
  }
  return hash;
}

/// The event a delivered message carries. A message without a usable `source` or `position`
/// header is malformed and gets `fallback_source` and a position below zero made from its content
/// (the same message delivered again gets the same one); one without another documented field is
/// malformed in its place. The subscriber parks both.
inline raw_event decode_message(const amqp_envelope_t& delivery, std::string_view fallback_source) {
  const amqp_basic_properties_t& properties = delivery.message.properties;
  raw_event e;
  std::string problems;
  auto problem = [&](std::string_view what) {
    problems += problems.empty() ? "" : "; ";
    problems += what;
  };
  auto header_text = [&](std::string_view key, std::string& out) {
    const amqp_field_value_t* value = header(properties, key);
    std::optional<std::string> text = value != nullptr ? text_of(*value) : std::nullopt;
    if (text && !text->empty()) out = std::move(*text);
    else problem(value == nullptr ? "no " + std::string(key) + " header" : "the " + std::string(key) + " header is not a non-empty string");
  };
  header_text("source", e.source);
  const bool has_source = !e.source.empty();
  const amqp_field_value_t* position = header(properties, "position");
  std::int64_t place = 0;  // not above zero: unusable
  if (position != nullptr) place = integer_of(*position).value_or(0);
  if (place > 0) e.position = place;
  else problem(position == nullptr ? "no position header" : "the position header is not an integer above zero");
  header_text("aggregatetype", e.topic);
  header_text("aggregateid", e.aggregate_id);
  if ((properties._flags & AMQP_BASIC_MESSAGE_ID_FLAG) != 0 && properties.message_id.len != 0)
    e.id = text_of(properties.message_id);
  else problem("no message_id property (the event id)");
  if ((properties._flags & AMQP_BASIC_TYPE_FLAG) != 0 && properties.type.len != 0) e.type = text_of(properties.type);
  else problem("no type property (created, updated or destroyed)");
  e.payload = text_of(delivery.message.body);
  if (!problems.empty()) {
    e.malformed = "syncorm: the message " + (e.id.empty() ? std::string{} : e.id + " ") + "from exchange '" +
                  std::string(text_of(delivery.exchange)) + "', routing key '" +
                  std::string(text_of(delivery.routing_key)) + "', is not a syncorm event: " + problems;
    if (!has_source || e.position <= 0) {
      if (!has_source) e.source = fallback_source;
      const std::uint64_t hash = fingerprint({text_of(delivery.routing_key), e.id, e.type, e.topic, e.aggregate_id,
                                              e.source, std::to_string(place), e.payload});
      e.position = -1 - static_cast<std::int64_t>(hash >> 2);
    }
  }
  return e;
}

}  // namespace syncorm::amqp::detail
