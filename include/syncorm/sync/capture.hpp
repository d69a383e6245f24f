#pragma once
// The producer side of sync: what a write of a model with sync_traits leaves in the transaction's
// change buffer (core/change_log.hpp), and the in-process count of such commits that wakes outbox
// readers.

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "../core/chrono.hpp"
#include "../core/change_log.hpp"
#include "../core/reflection.hpp"
#include "../core/written_keys.hpp"
#include "../reflect.hpp"
#include "event_id.hpp"
#include "payload_writer.hpp"

namespace syncorm::detail {

template <class T>
consteval std::string_view topic_of() {
  if constexpr (requires { syncorm::sync_traits<T>::topic; }) return std::string_view{syncorm::sync_traits<T>::topic};
  else return table_name_v<T>;
}

/// The topic (aggregatetype) of a synced model's events: sync_traits<T>::topic, or its table name.
template <class T>
inline constexpr std::string_view sync_topic = topic_of<T>();

/// Commits in this process that wrote outbox rows, so that readers waiting in it wake at once
/// rather than at their next poll, and how to wake them. The waiting itself (a mutex and a
/// condition variable) is the readers' (outbox_reader.hpp): a file that only writes synced models
/// does not parse <mutex> and <condition_variable> for it.
struct outbox_commits {
  static inline std::atomic<std::uint64_t> count{0};
  /// Set once a reader in this process waits; null until then.
  static inline std::atomic<void (*)() noexcept> wake{nullptr};
};

/// Called after each commit that wrote outbox rows (through change_buffer::committed). Counting
/// before waking, both sequentially consistent, is what lets a reader that registered its wake-up
/// and then read the count never miss the commit that follows.
inline void notify_outbox_readers() noexcept {
  outbox_commits::count.fetch_add(1);
  if (void (*wake)() noexcept = outbox_commits::wake.load()) wake();
}

/// The outbox row of a change: a new event id and the capture time around what the model gave.
/// Not a template, so every synced model shares one copy of it.
inline captured_change make_captured_change(change kind, std::string_view topic, std::string aggregate_id,
                                            std::string payload) {
  return captured_change{
      .event_id = new_event_id(),
      .topic = topic,
      .aggregate_id = std::move(aggregate_id),
      .kind = kind,
      .payload = std::move(payload),
      .created_at = std::chrono::floor<std::chrono::microseconds>(std::chrono::system_clock::now()),
  };
}

/// Leaves a change's outbox row in the transaction's buffer, for the backend to write at COMMIT.
/// Out of line: a model's own code is its payload and key, the rest is the same for all.
[[gnu::noinline]] inline void record_captured_change(change_buffer& buffer, change kind, std::string_view topic,
                                                     std::string aggregate_id, std::string payload) {
  buffer.pending.push_back(make_captured_change(kind, topic, std::move(aggregate_id), std::move(payload)));
  buffer.committed = &notify_outbox_readers;
}

/// A synced model's captured change: event id, topic, key, payload and time.
template <synced_model T>
struct change_capture<T> {
  static_assert(has_primary_key<T>,
                "syncorm: a model with sync_traits needs a primary key (a field named `id`): its "
                "events name the row by it");

  /// The outbox row for `row`'s change.
  static captured_change make(change kind, const T& row) {
    return make_captured_change(kind, sync_topic<T>, std::string(primary_key_text{row.id}.text), encode_payload(row));
  }

  /// Leaves the outbox row in the transaction's buffer, for the backend to write at COMMIT.
  static void record(change_buffer& buffer, change kind, const T& row) {
    record_captured_change(buffer, kind, sync_topic<T>, std::string(primary_key_text{row.id}.text), encode_payload(row));
  }

  /// To call after a commit that wrote outbox rows some other way.
  static void committed() noexcept { notify_outbox_readers(); }
};

}  // namespace syncorm::detail
