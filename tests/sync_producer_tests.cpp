// The producer side of sync events alone: a file that includes <syncorm/sync_producer.hpp> and not
// <syncorm/sync.hpp> (whose subscriber, outbox reader and JSON parser it does not need) writes synced
// models with their outbox rows, read back here with the databases' own SQL and JSON functions; on
// SQLite files and on PostgreSQL. (That the header brings none of the consumer side is the CTest test
// header_isolation.)

#include <doctest/doctest.h>

#include <syncorm/sync_producer.hpp>

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "support/backends.hpp"
#include "support/raw_sql.hpp"

using syncorm::col;
using syncorm::set;
using syncorm::where;
using test_support::raw_value;

namespace producer_models {

struct Parcel {
  std::int64_t id = 0;
  std::string destination;
  double weight = 0;
  std::optional<std::string> note;
};

}  // namespace producer_models

template <>
struct syncorm::sync_traits<producer_models::Parcel> {
  static constexpr std::string_view topic = "parcels";
};

using producer_models::Parcel;

namespace {

template <class Database>
std::string outbox_count(Database& db, const std::string& where_clause = "1 = 1") {
  return *raw_value(db, "SELECT count(*) FROM syncorm_outbox WHERE " + where_clause);
}

}  // namespace

TEST_CASE_TEMPLATE("a file with only the producer header writes synced models and their events", Backend,
                   SYNCORM_TEST_BACKENDS) {
  auto db = Backend::open();
  db.template create_table<Parcel>();  // the outbox table too

  Parcel p{.destination = "Lyon", .weight = 2.5};
  db.insert(p);
  std::vector<Parcel> more{Parcel{.destination = "Oslo", .weight = 1}, Parcel{.destination = "Kyiv", .weight = 4}};
  db.insert_many(more);
  p.note = "fragile \"glass\"\n";
  CHECK(db.update(p));
  CHECK(db.template update_where<Parcel>(set(col<&Parcel::weight>, 3.0), where(col<&Parcel::destination> == "Oslo")) == 1);
  CHECK(db.remove(more[1]));
  db.upsert(p);

  CHECK(outbox_count(db) == "7");
  CHECK(outbox_count(db, "aggregatetype = 'parcels'") == "7");
  CHECK(outbox_count(db, "type = 'created'") == "3");
  CHECK(outbox_count(db, "type = 'updated'") == "3");
  CHECK(outbox_count(db, "type = 'destroyed'") == "1");
  // The payloads, read by the database's JSON functions, not by syncorm.
  const std::string last_update = "(SELECT max(position) FROM syncorm_outbox WHERE aggregateid = '" +
                                  std::to_string(p.id) + "')";
  CHECK(*raw_value(db, "SELECT payload ->> 'note' FROM syncorm_outbox WHERE position = " + last_update) ==
        "fragile \"glass\"\n");
  CHECK(*raw_value(db, "SELECT payload ->> 'destination' FROM syncorm_outbox WHERE type = 'destroyed'") == "Kyiv");
  // A JSON number: SQLite reads it back as the real "3.0", PostgreSQL as the numeric "3".
  CHECK(std::stod(*raw_value(db, "SELECT payload ->> 'weight' FROM syncorm_outbox WHERE type = 'updated' AND "
                                 "aggregateid = '" + std::to_string(more[0].id) + "'")) == 3.0);

  // A rolled-back transaction leaves no event.
  CHECK_THROWS_AS(db.transaction([&](auto& tx) {
    Parcel lost{.destination = "nowhere"};
    tx.insert(lost);
    throw std::runtime_error("cancelled");
  }),
                  std::runtime_error);
  CHECK(outbox_count(db) == "7");
}
