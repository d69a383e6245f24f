#pragma once
// The producer side of sync events alone: what a file that writes models with sync_traits needs, and
// nothing of the consumer side (the subscriber, the outbox reader, the payload parser). Writes of a
// synced model leave their outbox rows through it exactly as with <syncorm/sync.hpp>, which includes
// this header; a file that subscribes, reads the outbox or prunes it includes <syncorm/sync.hpp>.
//
//   #include <syncorm/sqlite.hpp>
//   #include <syncorm/sync_producer.hpp>
//   template <> struct syncorm::sync_traits<Order> { static constexpr std::string_view topic = "orders"; };
//   orders_db.create_table<Order>();        // also creates the outbox table
//   orders_db.insert(order);                // the outbox row commits with the order

#include "core/change_log.hpp"
#include "core/session.hpp"
#include "sync/capture.hpp"
