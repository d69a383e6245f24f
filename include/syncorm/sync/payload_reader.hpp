#pragma once
// Reading sync event payloads (written by payload_writer.hpp, or by any producer following README's
// "Sync event format") back into rows, with Boost.JSON's parser. Only what applies events needs it
// (and the cache's Redis level): the parser, instantiated for syncorm's handler, is the largest
// piece of code a subscriber brings, so it is the one function here that is not a template. With
// SYNCORM_SEPARATE_COMPILATION it is compiled once, in the file that includes <syncorm/src.hpp>,
// instead of in every file that applies events (see core/separate_compilation.hpp).

#include <cstddef>
#include <string_view>
#include <vector>

#include "../core/separate_compilation.hpp"
#include "payload_members.hpp"

namespace syncorm::detail {

/// The members of a payload's top-level object; throws malformed_payload for anything else.
SYNCORM_OUT_OF_LINE std::vector<payload_member> parse_payload(std::string_view payload, const payload_context& where,
                                                              std::size_t expected_members);

/// Decodes a payload into a row of T. Throws malformed_payload naming event, table and field.
template <class T>
T decode_payload(std::string_view payload, const payload_context& where) {
  return decode_members<T>(parse_payload(payload, where, field_count<T>), where);
}

}  // namespace syncorm::detail

#if !defined(SYNCORM_SEPARATE_COMPILATION)
#include "payload_parser.hpp"
#endif
