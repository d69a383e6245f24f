#pragma once
// The definition of parse_payload (payload_reader.hpp): Boost.JSON's parser instantiated for
// syncorm's handler. Included by payload_reader.hpp, or with SYNCORM_SEPARATE_COMPILATION only by
// <syncorm/src.hpp>, so that one file of the program compiles it.

#include <boost/json/basic_parser_impl.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "payload_reader.hpp"

namespace syncorm::detail {

/// Handler for boost::json::basic_parser: collects the members of a flat object (what a payload
/// is); anything nested is recorded as such and its content skipped.
struct payload_collector {
  static constexpr std::size_t max_array_size = static_cast<std::size_t>(-1);
  static constexpr std::size_t max_object_size = static_cast<std::size_t>(-1);
  static constexpr std::size_t max_string_size = static_cast<std::size_t>(-1);
  static constexpr std::size_t max_key_size = static_cast<std::size_t>(-1);
  using error_code = boost::system::error_code;
  using text = boost::json::string_view;

  std::vector<payload_member> members;
  std::string key;      // the key being read (it may come in parts)
  std::string partial;  // the string or number being read
  int depth = 0;
  bool top_level_object = false;

  void value(payload_member::kind k, std::string_view last_part = {}, bool b = false) {
    if (depth != 1) return;
    partial.append(last_part);
    members.push_back({std::move(key), k, b, std::move(partial)});
    key.clear();
    partial.clear();
  }
  bool on_document_begin(error_code&) { return true; }
  bool on_document_end(error_code&) { return true; }
  bool on_object_begin(error_code&) {
    if (depth == 0) top_level_object = true;
    if (depth == 1) value(payload_member::kind::nested);
    ++depth;
    return true;
  }
  bool on_object_end(std::size_t, error_code&) { --depth; return true; }
  bool on_array_begin(error_code&) {
    if (depth == 1) value(payload_member::kind::nested);
    ++depth;
    return true;
  }
  bool on_array_end(std::size_t, error_code&) { --depth; return true; }
  bool on_key_part(text s, std::size_t, error_code&) {
    if (depth == 1) key.append(s.data(), s.size());
    return true;
  }
  bool on_key(text s, std::size_t, error_code&) {
    if (depth == 1) key.append(s.data(), s.size());
    return true;
  }
  bool on_string_part(text s, std::size_t, error_code&) {
    if (depth == 1) partial.append(s.data(), s.size());
    return true;
  }
  bool on_string(text s, std::size_t, error_code&) {
    value(payload_member::kind::string, {s.data(), s.size()});
    return true;
  }
  bool on_number_part(text s, error_code&) {
    if (depth == 1) partial.append(s.data(), s.size());
    return true;
  }
  bool on_int64(std::int64_t, text s, error_code&) {
    value(payload_member::kind::integer, {s.data(), s.size()});
    return true;
  }
  bool on_uint64(std::uint64_t, text s, error_code&) {
    value(payload_member::kind::integer, {s.data(), s.size()});
    return true;
  }
  bool on_double(double, text s, error_code&) {
    value(payload_member::kind::number, {s.data(), s.size()});
    return true;
  }
  bool on_bool(bool b, error_code&) {
    value(payload_member::kind::boolean, {}, b);
    return true;
  }
  bool on_null(error_code&) {
    value(payload_member::kind::null);
    return true;
  }
  bool on_comment_part(text, error_code&) { return true; }
  bool on_comment(text, error_code&) { return true; }
};

SYNCORM_OUT_OF_LINE std::vector<payload_member> parse_payload(std::string_view payload, const payload_context& where,
                                                              std::size_t expected_members) {
  boost::json::basic_parser<payload_collector> parser{boost::json::parse_options{}};
  parser.handler().members.reserve(expected_members);  // one allocation for a well-formed payload
  boost::system::error_code failure;
  parser.write_some(false, payload.data(), payload.size(), failure);
  if (failure) throw_malformed(where, {}, {"the payload is not JSON (", failure.message(), ")"});
  if (!parser.handler().top_level_object) throw_malformed(where, {}, {"the payload is not a JSON object"});
  return std::move(parser.handler().members);
}

}  // namespace syncorm::detail
