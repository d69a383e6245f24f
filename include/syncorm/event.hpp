#pragma once
// What happened to a row: the value after_commit hooks receive and sync events carry.

#include <cstdint>
#include <string>
#include <string_view>

namespace syncorm {

/// The kind of change an event describes.
enum class change : std::uint8_t {
  created,    ///< the row was inserted
  updated,    ///< the row was updated
  destroyed,  ///< the row was deleted
};

/// Spelling of a change, as stored in event payloads ("created", "updated", "destroyed").
constexpr std::string_view to_string(change c) noexcept {
  switch (c) {
    case change::created: return "created";
    case change::updated: return "updated";
    case change::destroyed: return "destroyed";
  }
  return "unknown";
}

/// One change to one row of model T: what happened, and the row as it was written (for a
/// deletion, the row as it was before it was deleted). Sync events also say which event it is and
/// where it stands in its source's commit order; after_commit hooks leave both empty.
template <class T>
struct event {
  change kind;                ///< created, updated or destroyed
  T row;                      ///< the row as written
  std::string id{};           ///< the event's id, a UUID (sync events only)
  std::int64_t position = 0;  ///< its place in the source's commit order (sync events only)
};

}  // namespace syncorm
