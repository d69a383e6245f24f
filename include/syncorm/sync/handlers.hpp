#pragma once
// A subscriber's handlers: syncorm::on<T>(callable) and syncorm::mirror<T>(). Each knows its topic
// at compile time; the subscriber picks one by topic with a fold over its handler list.

#include <string_view>
#include <type_traits>
#include <utility>

#include "../core/session.hpp"
#include "../event.hpp"
#include "../reflect.hpp"
#include "capture.hpp"
#include "payload_reader.hpp"
#include "source.hpp"

namespace syncorm::detail {

/// The change a raw event's `type` names; throws malformed_payload for anything else.
inline change parse_change(const raw_event& e, std::string_view table) {
  if (e.type == "created") return change::created;
  if (e.type == "updated") return change::updated;
  if (e.type == "destroyed") return change::destroyed;
  throw_malformed({e.id, table}, {}, {"unknown event type '", e.type, "' (expected created, updated or destroyed)"});
}

/// Decodes a raw event into event<T>, checking that the payload's key is the event's aggregateid.
template <class T>
event<T> decode_event(const raw_event& e) {
  constexpr std::string_view table = table_name_v<T>;
  const change kind = parse_change(e, table);
  event<T> decoded{kind, decode_payload<T>(e.payload, {e.id, table}), e.id, e.position};
  if (const primary_key_text key{decoded.row.id}; key.text != e.aggregate_id)
    throw_malformed({e.id, table}, "id",
                    {"the payload's id is ", key.text, " but the event's aggregateid is ", e.aggregate_id});
  return decoded;
}

template <class T>
consteval bool check_synced_handler_model() {
  static_assert(synced_model<T>,
                "syncorm: on<T> / mirror<T> needs sync_traits<T>: specialise syncorm::sync_traits for the model "
                "(its topic says which events it receives)");
  static_assert(has_primary_key<T>, "syncorm: a model a subscriber receives needs a primary key (a field named `id`)");
  return true;
}

/// on<T>(callable): calls `callable(const event<T>&, transaction&)` in the consumer's transaction.
template <class T, class F>
struct on_handler {
  static_assert(check_synced_handler_model<T>());
  using model = T;
  static constexpr std::string_view topic = sync_topic<T>;
  F apply;

  template <class Transaction>
  void handle(const raw_event& e, Transaction& tx) {
    constexpr bool callable = std::is_invocable_v<F&, const event<T>&, Transaction&>;
    static_assert(callable, "syncorm: an on<T> handler must be callable as f(const syncorm::event<T>& e, auto& tx)");
    if constexpr (callable) {
      const event<T> decoded = decode_event<T>(e);
      apply(decoded, tx);
    }
  }
};

/// mirror<T>(): keeps a copy of the producer's rows: created and updated upsert the row, destroyed
/// deletes it; no hooks run and no event is emitted (a copy is not a new fact).
template <class T>
struct mirror_handler {
  static_assert(check_synced_handler_model<T>());
  using model = T;
  static constexpr std::string_view topic = sync_topic<T>;

  template <class Transaction>
  void handle(const raw_event& e, Transaction& tx) {
    const event<T> decoded = decode_event<T>(e);
    session_access::write_copy(tx, decoded.kind, decoded.row);
  }
};

template <class H>
concept event_handler = requires { typename H::model; H::topic; };

}  // namespace syncorm::detail

namespace syncorm {

/// A handler for events of T's topic: `callable(const syncorm::event<T>& e, auto& tx)` runs in the
/// consumer's transaction, so what it writes commits together with the consumer's position.
template <class T, class F>
auto on(F callable) {
  return detail::on_handler<T, F>{std::move(callable)};
}

/// A handler that keeps a copy of T's rows: created/updated upsert, destroyed deletes, nothing is
/// emitted and no hooks run.
template <class T>
auto mirror() {
  return detail::mirror_handler<T>{};
}

}  // namespace syncorm
